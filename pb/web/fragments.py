"""Parts of pages rendered once and kept until what they show changes.

In a template::

    {% call cached_fragment("ward-census", ward.id, census_stamp) %} ... {% endcall %}

renders the body the first time and returns the same HTML afterwards, for as long as the key
is the same. The key always includes the reader's language (the text and number formats
depend on it); the view adds a *version stamp* read from the database with one cheap query
(here, a count, the largest id and a sum over the rows the part shows), so when the data
changes the key changes and the part is rendered again. Each app process keeps its own copy:
with several gunicorn workers or machines no shared cache (Redis) is needed, because every
process checks the stamp against the one database, so none can serve a stale part.

Only parts that are the same for every reader belong here: nothing with a form (CSRF
token), a nonce, or anything about the signed-in person.
"""

from __future__ import annotations

from collections import OrderedDict
from threading import Lock

from flask import g
from flask_babel import get_locale
from markupsafe import Markup

MAX_ENTRIES = 512
_cache: OrderedDict = OrderedDict()
_lock = Lock()
stats = {"hits": 0, "misses": 0}


def cached_fragment(name: str, *key, caller) -> Markup:
    full = (name, g.get("lang_code") or str(get_locale()), *key)
    with _lock:
        html = _cache.get(full)
        if html is not None:
            _cache.move_to_end(full)
            stats["hits"] += 1
            return html
    html = Markup(caller())
    with _lock:
        stats["misses"] += 1
        _cache[full] = html
        while len(_cache) > MAX_ENTRIES:
            _cache.popitem(last=False)
    return html


def clear() -> None:
    with _lock:
        _cache.clear()

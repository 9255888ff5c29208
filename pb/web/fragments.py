"""Parts of pages rendered once and kept until what they show changes.

In a template::

    {% call cached_fragment("ward-census", ward.id, census_stamp) %} ... {% endcall %}

renders the body the first time and returns the same HTML afterwards, for as long as the key
is the same. The key always includes the reader's language and whether easy read is on (the
text and number formats depend on them); the view adds a *version stamp* read from the
database on every view (`stamp`: a digest of the few columns the part shows, read with light
queries that build no ORM objects), so when the data changes the key changes and the part is
rendered again. Each app object keeps its own copy (in ``app.extensions``), as each gunicorn
worker or machine does: with several of them no shared cache (Redis) is needed, because every
process checks the stamp against the one database, so none can serve a stale part.

Only parts that are the same for every reader belong here: nothing with a form (CSRF
token), a nonce, or anything about the signed-in person.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from threading import Lock

from flask import current_app, g, has_request_context
from flask_babel import get_locale
from markupsafe import Markup

from pb.extensions import db

MAX_ENTRIES = 512
_lock = Lock()
stats = {"hits": 0, "misses": 0}


def _store() -> OrderedDict:
    store = current_app.extensions.get("pb_fragments")
    if store is None:
        store = current_app.extensions.setdefault("pb_fragments", OrderedDict())
    return store


def _easy() -> bool:
    from pb.web.pages.easy_read import easy_read

    return has_request_context() and easy_read()


def cached_fragment(name: str, *key, caller) -> Markup:
    full = (name, g.get("lang_code") or str(get_locale()), _easy(), *key)
    cache = _store()
    with _lock:
        html = cache.get(full)
        if html is not None:
            cache.move_to_end(full)
            stats["hits"] += 1
            return html
    html = Markup(caller())
    with _lock:
        stats["misses"] += 1
        cache[full] = html
        while len(cache) > MAX_ENTRIES:
            cache.popitem(last=False)
    return html


def stamp(*statements, **params) -> str:
    """A short digest of every row these SELECT statements return, in order: the version of
    what a cached part shows. Select the columns the part shows (or a column that changes
    whenever they do), ordered, so that any change, insertion or deletion changes the digest.
    The statements are best built once, with ``bindparam``s filled from ``params``; they run
    on the session's connection as plain Core queries (no ORM objects, in the request's
    transaction)."""
    connection = db.session.connection()
    digest = hashlib.blake2b(digest_size=12)
    for statement in statements:
        for row in connection.execute(statement, params):
            digest.update(repr(tuple(row)).encode())
        digest.update(b"\x1e")
    return digest.hexdigest()


def clear() -> None:
    with _lock:
        current_app.extensions.get("pb_fragments", OrderedDict()).clear()

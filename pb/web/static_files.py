"""Static files with content-hashed URLs, a year's immutable caching, and compressed copies.

``url_for('static', filename='build/app.min.css')`` gives ``/static/build/app.min.<hash>.css``,
where ``<hash>`` is the first 12 hex digits of the file's SHA-256. A browser (or a proxy) may
keep such a URL for a year without asking again: when the file changes, its URL changes.
Every template keeps writing plain ``url_for('static', ...)``; the hash is added here, so no
page can link a static file without it.

The build (assets/build.mjs) writes a Brotli (``.br``) and a gzip (``.gz``) copy beside each
text file; they are sent, with ``Content-Encoding``, to browsers that accept them, so the
app never compresses a static file per request. A URL whose hash is not the file's current
one (a page rendered before a deploy, asking after it) still gets the file, but marked
``no-cache``, so it is never kept under the wrong name.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import re
from pathlib import Path
from stat import S_ISREG

from flask import abort, current_app, request, send_from_directory
from werkzeug.security import safe_join

ONE_YEAR = 365 * 24 * 3600
HASHED = re.compile(r"^(?P<stem>.+)\.(?P<hash>[0-9a-f]{12})(?P<ext>\.[A-Za-z0-9]+)$")
_hashes: dict[str, tuple[int, int, str]] = {}  # path -> (mtime_ns, size, hash)


def content_hash(path: str) -> str | None:
    """The file's short SHA-256, recomputed only when its modification time or size changes."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    if not S_ISREG(stat.st_mode):
        return None
    known = _hashes.get(path)
    if known and known[0] == stat.st_mtime_ns and known[1] == stat.st_size:
        return known[2]
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]
    _hashes[path] = (stat.st_mtime_ns, stat.st_size, digest)
    return digest


def hashed_name(filename: str) -> str:
    """build/app.min.css -> build/app.min.<hash>.css (unchanged if there is no such file)."""
    path = safe_join(current_app.static_folder, filename)
    digest = content_hash(path) if path else None
    if digest is None:
        return filename
    stem, dot, ext = filename.rpartition(".")
    if not dot or "/" in ext:
        return f"{filename}.{digest}"
    return f"{stem}.{digest}.{ext}"


def add_hash(endpoint: str, values: dict) -> None:
    """url_defaults: static URLs carry their file's content hash."""
    if endpoint == "static" and "filename" in values and not HASHED.match(values["filename"]):
        values["filename"] = hashed_name(values["filename"])


def serve(filename: str):
    """The static view: strips the hash, serves the file (compressed if accepted)."""
    folder = current_app.static_folder
    match = HASHED.match(filename)
    plain = f"{match['stem']}{match['ext']}" if match else filename
    path = safe_join(folder, plain)
    if path is None or not os.path.isfile(path):
        abort(404)
    current = bool(match) and match["hash"] == content_hash(path)
    accepted = request.headers.get("Accept-Encoding", "").lower()
    encoding = None
    for name, suffix in (("br", ".br"), ("gzip", ".gz")):
        if name in accepted and os.path.isfile(path + suffix):
            encoding, served = name, plain + suffix
            break
    else:
        served = plain
    response = send_from_directory(folder, served, max_age=ONE_YEAR if current else 0,
                                   conditional=True)
    if encoding:
        response.headers["Content-Encoding"] = encoding
        response.mimetype = mimetypes.guess_type(plain)[0] or "application/octet-stream"
    response.headers.pop("Content-Disposition", None)  # the name of the .br or .gz copy
    response.vary.add("Accept-Encoding")
    if current:
        response.headers["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
    else:
        response.headers["Cache-Control"] = "no-cache"
    return response


def init_app(app) -> None:
    app.url_defaults(add_hash)
    app.view_functions["static"] = serve

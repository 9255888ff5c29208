"""The read-only JSON API (/api/...): public data only, whoever asks; paginated; cacheable
with ETag / If-None-Match; described by the OpenAPI 3.1 document at /api/openapi.json."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api")

from pb.web.api import routes  # noqa: E402,F401

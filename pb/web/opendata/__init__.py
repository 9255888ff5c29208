"""Open data: the data catalogue, the transparency page (the audit log) and each round's
downloads. Everything here is public data; nothing needs a role."""

from flask import Blueprint

bp = Blueprint("opendata", __name__)

from pb.web.opendata import routes  # noqa: E402,F401

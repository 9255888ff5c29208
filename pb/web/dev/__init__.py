"""Development-only pages, registered only when the SMS or email outbox adapter is active."""

from flask import Blueprint

bp = Blueprint("dev", __name__, url_prefix="/dev")

from pb.web.dev import routes  # noqa: E402,F401

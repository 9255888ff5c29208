from flask import Blueprint

bp = Blueprint("assist", __name__, url_prefix="/assist")

from pb.web.assist import routes  # noqa: E402,F401

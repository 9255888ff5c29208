from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from pb.web.admin import people, routes  # noqa: E402,F401

from flask import Blueprint

bp = Blueprint("wards", __name__, url_prefix="/wards")

from pb.web.wards import routes  # noqa: E402,F401

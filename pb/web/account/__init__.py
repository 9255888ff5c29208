from flask import Blueprint

bp = Blueprint("account", __name__, url_prefix="/account")

from pb.web.account import phone, routes, staff  # noqa: E402,F401

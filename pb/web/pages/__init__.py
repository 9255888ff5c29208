from flask import Blueprint

bp = Blueprint("pages", __name__)

from pb.web.pages import routes  # noqa: E402,F401

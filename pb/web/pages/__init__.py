from flask import Blueprint

bp = Blueprint("pages", __name__)

from pb.web.pages import easy_read, routes  # noqa: E402,F401

from flask import Blueprint

bp = Blueprint("translate", __name__, url_prefix="/translate")

from pb.web.translate import routes  # noqa: E402,F401

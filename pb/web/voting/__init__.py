from flask import Blueprint

bp = Blueprint("voting", __name__, url_prefix="/vote")

from pb.web.voting import routes  # noqa: E402,F401

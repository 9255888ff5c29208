from flask import Blueprint

bp = Blueprint("rounds", __name__, url_prefix="/rounds")

from pb.web.rounds import routes  # noqa: E402,F401

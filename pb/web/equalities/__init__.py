from flask import Blueprint

bp = Blueprint("equalities", __name__, url_prefix="/equalities")

from pb.web.equalities import routes, trends  # noqa: E402,F401

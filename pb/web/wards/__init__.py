from flask import Blueprint

bp = Blueprint("wards", __name__, url_prefix="/wards")

from pb.web.fragments import cached_fragment  # noqa: E402

bp.add_app_template_global(cached_fragment, "cached_fragment")

from pb.web.wards import routes  # noqa: E402,F401

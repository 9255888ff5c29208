from flask import Blueprint

bp = Blueprint("plans", __name__)


@bp.record_once
def _staff_sign_in(state) -> None:
    """The plan's staff pages send a signed-out visitor to the staff sign-in, like /admin."""
    state.app.login_manager.blueprint_login_views["plans"] = "account.sign_in"


from pb.web.plans import consult, routes  # noqa: E402,F401

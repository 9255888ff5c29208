from urllib.parse import unquote, urlsplit

from flask import redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import func, select

from pb.models import Person, db
from pb.services import ballot_box
from pb.services.errors import ServiceError
from pb.services.identity import end_sessions, identify_resident
from pb.web.account import bp
from pb.web.account.forms import ResidentSignInForm, SignInForm, SignOutForm


def _same_site_path(text: str) -> bool:
    """A path on this site: one leading "/", printable ASCII only (no whitespace, control
    characters or look-alike Unicode slashes), no backslash, and no scheme or host."""
    if not text.startswith("/") or text.startswith("//") or "\\" in text:
        return False
    if any(not "!" <= ch <= "~" for ch in text):
        return False
    parts = urlsplit(text)
    return not (parts.scheme or parts.netloc)


def _safe_next(target: str | None) -> str:
    """Where to go after signing in: `next` only if it stays on this site, checked as given
    and once more percent-decoded (browsers and proxies may decode it again); else home."""
    if target and _same_site_path(target) and _same_site_path(unquote(target)):
        return target
    return url_for("pages.home")


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    form = SignInForm()
    if form.validate_on_submit():
        person = db.session.scalar(
            select(Person).where(func.lower(Person.email) == form.email.data.strip().lower())
        )
        if person and person.check_password(form.password.data):
            login_user(person)
            return redirect(_safe_next(request.args.get("next")))
        form.email.errors.append(_l("The email address or password is not right"))
    status = 400 if form.errors else 200
    return render_template("account/sign_in.html", form=form), status


@bp.route("/resident", methods=["GET", "POST"])
def resident_sign_in():
    """Development sign-in for residents; phone verification will replace identify_resident."""
    form = ResidentSignInForm()
    if form.validate_on_submit():
        try:
            person = identify_resident(form.name.data, form.postcode.data)
        except ServiceError as err:
            getattr(form, err.field).errors.append(err.message)
        else:
            login_user(person)
            return redirect(_safe_next(request.args.get("next")))
    status = 400 if form.errors else 200
    return render_template("account/resident_sign_in.html", form=form), status


@bp.route("/sign-out", methods=["GET", "POST"])
@login_required
def sign_out():
    form = SignOutForm()
    if form.validate_on_submit():
        # the equality questions' token dies with the session, and so does everything else;
        # a new session version makes every copy of this person's cookie worthless
        ballot_box.end_token(session.get("voter_token"))
        end_sessions(current_user)
        logout_user()
        session.clear()
        return redirect(url_for("pages.home"))
    return render_template("account/sign_out.html", form=form)


@bp.get("/")
@login_required
def show():
    return render_template("account/show.html", person=current_user)


ROLE_NAMES = {
    "resident": _l("Resident"),
    "councillor": _l("Ward councillor"),
    "officer": _l("Council officer"),
    "equalities": _l("Equalities panel member"),
    "admin": _l("Administrator"),
}


@bp.app_template_global()
def role_name(role: str):
    return ROLE_NAMES.get(role, role)

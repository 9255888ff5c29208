import hashlib
import time
from urllib.parse import unquote, urlsplit

from flask import current_app, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import func, select

from pb.extensions import abuse_limit
from pb.models import Person, db
from pb.models.people import check_dummy_password
from pb.services import ballot_box, staff
from pb.services.errors import ServiceError
from pb.services.identity import end_sessions, identify_resident
from pb.web.account import bp
from pb.web.account.forms import ResidentSignInForm, SignInForm, SignOutForm

# when a staff member's session last did something (seconds); residents' sessions have none
STAFF_LAST_SEEN = "staff_last_seen"


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


def _staff_account_key() -> str:
    """Sign-in attempts are counted per account: the posted email, lower-cased (hashed, so
    the limiter's storage holds no staff emails)."""
    email = (request.form.get("email") or "").strip().lower()
    return "staff:" + hashlib.sha256(email.encode("utf-8", "replace")).hexdigest()


# the sign-in waiting for its second factor: {"attempt", "nonce", "person", "expires", "next"}
STAFF_PENDING = "staff_pending"


def begin_second_factor(person: Person, target: str):
    """The password (or a one-time link) was right: a fresh session that holds only the
    waiting sign-in (its id, a nonce whose hash the server keeps, the person, an expiry of
    5 minutes and where to go after), then the code page, or the set-up page the first time."""
    attempt_id, nonce = staff.begin_sign_in(person)
    session.clear()
    session[STAFF_PENDING] = {"attempt": attempt_id, "nonce": nonce, "person": person.id,
                              "expires": int(time.time() + staff.PENDING_LIFETIME.total_seconds()),
                              "next": target}
    if staff.has_second_factor(person):
        return redirect(url_for("account.second_factor"))
    return redirect(url_for("account.set_up_second_factor"))


def _start_session(person: Person) -> None:
    """A new session at sign-in: nothing from before (nor its CSRF token) carries over."""
    session.clear()
    login_user(person)


@bp.route("/sign-in", methods=["GET", "POST"])
@abuse_limit("RATELIMIT_STAFF_SIGN_IN_PER_IP", failures_only=True)
@abuse_limit("RATELIMIT_STAFF_SIGN_IN_PER_ACCOUNT", key_func=_staff_account_key, failures_only=True)
def sign_in():
    form = SignInForm()
    if form.validate_on_submit():
        person = db.session.scalar(
            select(Person).where(func.lower(Person.email) == form.email.data.strip().lower())
        )
        # an unknown email checks a dummy hash: the same time and the same answer as a
        # wrong password, so the page does not tell which staff emails exist
        right = person.check_password(form.password.data) if person else check_dummy_password(form.password.data)
        if right:
            db.session.commit()  # an older hash was replaced with argon2
            target = _safe_next(request.args.get("next"))
            if staff.needs_second_factor(person):
                # not signed in yet: the session holds only a marker waiting for the code
                return begin_second_factor(person, target)
            _start_session(person)
            session[STAFF_LAST_SEEN] = int(time.time())
            return redirect(target)
        db.session.rollback()
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
            target = _safe_next(request.args.get("next"))
            _start_session(person)
            return redirect(target)
    status = 400 if form.errors else 200
    return render_template("account/resident_sign_in.html", form=form), status


@bp.before_app_request
def sign_out_idle_staff():
    """A staff session idle for more than STAFF_IDLE_MINUTES is signed out on its next request."""
    last_seen = session.get(STAFF_LAST_SEEN)
    if last_seen is None or request.endpoint == "static":
        return
    now = int(time.time())
    if not isinstance(last_seen, int) or now - last_seen > current_app.config["STAFF_IDLE_MINUTES"] * 60:
        logout_user()
        session.clear()
    elif now != last_seen:
        session[STAFF_LAST_SEEN] = now


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

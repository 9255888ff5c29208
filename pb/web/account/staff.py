"""Staff sign-in's second step and the one-time links.

password (routes.sign_in) -> code from the authenticator app, or the first time, setting
one up -> signed in. Between the two steps nobody is signed in: the session holds only
routes.STAFF_PENDING, which points at a PendingSignIn row the services check on every
request, so a copied or replayed cookie dies with the row (used, expired, 5 wrong codes).

"Forgot your password?" answers the same page for every address. A link from an email
(/account/link/<token>) is moved into the session at once and the browser sent on to
/account/set-password, so the token does not stay in the address bar, history or logs.
"""

import time

from flask import flash, redirect, render_template, session, url_for
from flask_login import login_user

from pb.extensions import abuse_limit, client_ip
from pb.models import Person, db
from pb.policy import can
from pb.services import staff
from pb.services.errors import ServiceError
from pb.web.account import bp
from pb.web.account.routes import (
    STAFF_LAST_SEEN,
    STAFF_PENDING,
    _safe_next,
    _staff_account_key,
    begin_second_factor,
)
from pb.web.account.staff_forms import ForgotPasswordForm, SecondFactorForm, SetPasswordForm

LINK_TOKEN = "staff_link_token"


def _marker() -> dict | None:
    marker = session.get(STAFF_PENDING)
    if not isinstance(marker, dict) or not isinstance(marker.get("expires"), int):
        return None
    return marker


def _pending():
    """The waiting sign-in and its person, or (None, None) once it cannot be finished."""
    marker = _marker()
    if marker is None or marker["expires"] < time.time():
        return None, None
    attempt = staff.pending_sign_in(marker.get("attempt"), marker.get("nonce"))
    if attempt is None:
        return None, None
    return attempt, db.session.get(Person, attempt.person_id)


def _pending_account_key() -> str:
    """Wrong codes are counted per staff account (the waiting sign-in's person)."""
    marker = _marker()
    person = marker.get("person") if marker else None
    return f"staff-code:{person}" if isinstance(person, int) else f"staff-code-ip:{client_ip()}"


def _ended(message=None):
    """Back to the password: the waiting sign-in is over (or there never was one)."""
    had_one = STAFF_PENDING in session
    session.pop(STAFF_PENDING, None)
    if had_one or message:
        flash(message or staff.SignInEnded().message, "error")
    return redirect(url_for("account.sign_in"))


def _signed_in(person: Person):
    """The second factor was right: a fresh session, signed in, off to where they were going."""
    target = _safe_next((_marker() or {}).get("next"))
    session.clear()
    login_user(person)
    session[STAFF_LAST_SEEN] = int(time.time())
    return redirect(target)


def _check(form, *, set_up: bool):
    marker = _marker()
    try:
        person = staff.check_code(marker.get("attempt"), marker.get("nonce"), form.code.data, set_up=set_up)
    except staff.SignInEnded as err:
        return None, _ended(err.message)
    except ServiceError as err:
        form.code.errors.append(err.message)
        return None, None
    return person, None


@bp.route("/sign-in/code", methods=["GET", "POST"])
@abuse_limit("RATELIMIT_STAFF_CODES_PER_IP", failures_only=True)
@abuse_limit("RATELIMIT_STAFF_CODES_PER_ACCOUNT", key_func=_pending_account_key, failures_only=True)
def second_factor():
    attempt, person = _pending()
    if attempt is None:
        return _ended()
    if not staff.has_second_factor(person):
        if not staff.may_set_up_second_factor(person):
            return _ended(staff.SetUpWindowClosed().message)
        return redirect(url_for("account.set_up_second_factor"))
    form = SecondFactorForm()
    if form.validate_on_submit():
        signed_in, answer = _check(form, set_up=False)
        if answer is not None:
            return answer
        if signed_in is not None:
            return _signed_in(signed_in)
    return render_template("account/second_factor.html", form=form), 400 if form.errors else 200


@bp.route("/sign-in/set-up", methods=["GET", "POST"])
@abuse_limit("RATELIMIT_STAFF_CODES_PER_IP", failures_only=True)
@abuse_limit("RATELIMIT_STAFF_CODES_PER_ACCOUNT", key_func=_pending_account_key, failures_only=True)
def set_up_second_factor():
    attempt, person = _pending()
    if attempt is None:
        return _ended()
    if staff.has_second_factor(person):
        return redirect(url_for("account.second_factor"))
    if not staff.may_set_up_second_factor(person):
        return _ended(staff.SetUpWindowClosed().message)
    secret = staff.set_up_secret(person)
    form = SecondFactorForm()
    if form.validate_on_submit():
        signed_in, answer = _check(form, set_up=True)
        if answer is not None:
            return answer
        if signed_in is not None:
            return _signed_in(signed_in)
    return render_template("account/set_up_second_factor.html", form=form, person=person,
                           secret_groups=staff.secret_groups(secret),
                           otpauth_uri=staff.otpauth_uri(person, secret)), 400 if form.errors else 200


@bp.route("/forgot-password", methods=["GET", "POST"])
@abuse_limit("RATELIMIT_PASSWORD_RESETS_PER_IP")
@abuse_limit("RATELIMIT_PASSWORD_RESETS_PER_EMAIL", key_func=_staff_account_key)
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        staff.request_password_reset(form.email.data)
        return redirect(url_for("account.reset_sent"))
    return render_template("account/forgot_password.html", form=form), 400 if form.errors else 200


@bp.get("/forgot-password/sent")
def reset_sent():
    return render_template("account/reset_sent.html")


@bp.get("/link/<token>")
def open_link(token: str):
    """From the email: keep the token in the session only, and leave the address with it."""
    session[LINK_TOKEN] = token[:100]
    return redirect(url_for("account.set_password"))


def _link_gone():
    session.pop(LINK_TOKEN, None)
    return render_template("account/link_expired.html"), 410


@bp.route("/set-password", methods=["GET", "POST"])
def set_password():
    token = session.get(LINK_TOKEN)
    link = staff.link_for(token)
    if link is None:
        return _link_gone()
    asks_name = staff.asks_name(link)
    form = SetPasswordForm() if asks_name else SetPasswordForm.without_name()
    if form.validate_on_submit():
        try:
            person = staff.use_link(token, form.password.data, form.name.data if asks_name else None)
        except staff.LinkNotUsable:
            return _link_gone()
        except ServiceError as err:
            form[err.field if err.field in form else "password"].errors.append(err.message)
        else:
            target = url_for("admin.dashboard") if can(person, "use_admin") else url_for("account.show")
            if staff.needs_second_factor(person):
                return begin_second_factor(person, target)
            session.clear()
            login_user(person)
            return redirect(target)
    return render_template("account/set_password.html", form=form, link=link, person=link.person,
                           asks_name=asks_name), 400 if form.errors else 200


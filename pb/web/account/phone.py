"""Residents sign in with their mobile number and a code sent by text message.

number -> code -> (a new number only) postcode -> signed in. The browser session keeps
a random nonce (the code is bound to it) and the id of the code it asked for; services
get both as arguments and never touch the session themselves."""

import secrets

from flask import abort, current_app, redirect, render_template, request, session, url_for
from flask_login import login_user

from pb.extensions import abuse_limit
from pb.services import identity
from pb.services.errors import ServiceError
from pb.web.account import bp
from pb.web.account.phone_forms import CodeForm, PhoneNumberForm, PhonePostcodeForm
from pb.web.account.routes import _safe_next


@bp.before_request
def no_development_sign_in_in_production():
    """The name-and-postcode sign-in would let anyone vote as anyone: it does not exist in production."""
    if request.endpoint == "account.resident_sign_in" and current_app.config.get("PB_ENV") == "production":
        abort(404)


def _nonce() -> str:
    if "phone_nonce" not in session:
        session["phone_nonce"] = secrets.token_urlsafe(32)
    return session["phone_nonce"]


def _next_args() -> dict:
    target = request.args.get("next")
    return {"next": target} if target else {}


def _signed_in(person):
    """A fresh session for the signed-in resident: nothing from before sign-in carries over."""
    target = _safe_next(request.args.get("next"))
    session.clear()
    login_user(person)
    return redirect(target)


def _refused(form, err: ServiceError, template: str, **context):
    getattr(form, err.field).errors.append(err.message)
    return render_template(template, form=form, **context), err.status


@bp.route("/phone", methods=["GET", "POST"])
# per number: 3 an hour, counted by the service; a code Notify could not take (503) costs nothing
@abuse_limit("RATELIMIT_SMS_CODES_PER_IP", free_statuses=(503,))
def phone_sign_in():
    form = PhoneNumberForm()
    if form.validate_on_submit():
        try:
            code = identity.request_code(form.number.data, _nonce())
        except ServiceError as err:
            return _refused(form, err, "account/phone_number.html")
        session["phone_code_id"] = code.id
        return redirect(url_for("account.phone_code", **_next_args()))
    return render_template("account/phone_number.html", form=form), 400 if form.errors else 200


@bp.route("/phone/code", methods=["GET", "POST"])
@abuse_limit("RATELIMIT_SMS_CODES_PER_IP", failures_only=True)
def phone_code():
    pending = identity.pending_code(session.get("phone_code_id"), session.get("phone_nonce"))
    if pending is None:
        return redirect(url_for("account.phone_sign_in", **_next_args()))
    form = CodeForm()
    context = {"last_digits": pending.last_digits}
    if form.validate_on_submit():
        try:
            person = identity.verify_code(pending.id, session.get("phone_nonce"), form.code.data)
        except ServiceError as err:
            return _refused(form, err, "account/phone_code.html", **context)
        if person is not None:
            return _signed_in(person)
        return redirect(url_for("account.phone_postcode", **_next_args()))
    return render_template("account/phone_code.html", form=form, **context), 400 if form.errors else 200


@bp.route("/phone/postcode", methods=["GET", "POST"])
def phone_postcode():
    if identity.verified_code(session.get("phone_code_id"), session.get("phone_nonce")) is None:
        return redirect(url_for("account.phone_sign_in", **_next_args()))
    form = PhonePostcodeForm()
    if form.validate_on_submit():
        try:
            person = identity.register_by_phone(session.get("phone_code_id"), session.get("phone_nonce"),
                                                form.postcode.data)
        except ServiceError as err:
            return _refused(form, err, "account/phone_postcode.html")
        return _signed_in(person)
    return render_template("account/phone_postcode.html", form=form), 400 if form.errors else 200


@bp.get("/phone/shared")
def phone_shared():
    return render_template("account/phone_shared.html")

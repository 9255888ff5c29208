"""Sending a text message: one interface, `send_sms(number_e164, text)`, two adapters.

SMS_ADAPTER (environment or app config) chooses:
  "notify"  GOV.UK Notify, through notifications-python-client. NOTIFY_API_KEY,
            NOTIFY_SMS_TEMPLATE_ID (a template whose whole text is ((body))) and, for
            tests, NOTIFY_BASE_URL. Texts received come back through Notify's callback
            to pb.web.sms (NOTIFY_INBOUND_TOKEN). The default when PB_ENV=production.
  "outbox"  development: the message is kept in the sms_outbox table, shown on
            /dev/outbox and printed to the console. The default otherwise; the app
            refuses to start with it when PB_ENV=production.
"""

import os

from flask import current_app
from sqlalchemy import select

from pb.config import ConfigError
from pb.models import OutboxMessage, SmsOptOut, db
from pb.services import notify

ADAPTERS = ("notify", "outbox")
NOTIFY_SETTINGS = ("NOTIFY_API_KEY", "NOTIFY_SMS_TEMPLATE_ID", "NOTIFY_BASE_URL")


class SmsNotSent(Exception):
    """The message certainly did not reach the SMS provider (after the retries of
    pb.services.notify); a message that may have reached it counts as sent."""


def init_app(app) -> None:
    """Choose the adapter at start-up; refuse the outbox in production (codes would never
    reach residents, and anyone could read them on /dev/outbox)."""
    production = app.config.get("PB_ENV") == "production"
    adapter = app.config.get("SMS_ADAPTER") or os.environ.get("SMS_ADAPTER") or (
        "notify" if production else "outbox")
    if adapter not in ADAPTERS:
        raise ConfigError(f"SMS_ADAPTER must be one of {', '.join(ADAPTERS)}, not {adapter!r}.")
    if adapter == "outbox" and production:
        raise ConfigError("The development SMS outbox cannot run with PB_ENV=production: "
                          "set SMS_ADAPTER=notify and NOTIFY_API_KEY, NOTIFY_SMS_TEMPLATE_ID.")
    app.config["SMS_ADAPTER"] = adapter
    for name in NOTIFY_SETTINGS:
        app.config.setdefault(name, os.environ.get(name, "").strip())
    notify.init_app(app, os.environ)  # retries and timeouts
    _init_inbound(app, production)
    if adapter == "outbox":
        # the outbox page exists only where the outbox does
        from pb.web.dev import bp as dev

        app.register_blueprint(dev)


INBOUND_TOKEN_MIN = 32


def _init_inbound(app, production: bool) -> None:
    """Voting by text (pb.web.sms): Notify's "received text message" callback carries
    NOTIFY_INBOUND_TOKEN as its bearer token. Production does not offer the endpoint at all
    without one; elsewhere it refuses every callback until one is set."""
    token = app.config.get("NOTIFY_INBOUND_TOKEN") or ""
    if token and len(token) < INBOUND_TOKEN_MIN:
        raise ConfigError(f"NOTIFY_INBOUND_TOKEN must be at least {INBOUND_TOKEN_MIN} characters "
                          "(make one with: python -c 'import secrets; print(secrets.token_urlsafe(32))').")
    if production and not token:
        app.logger.warning("Voting by text is off: NOTIFY_INBOUND_TOKEN is not set.")
        return
    from pb.web.sms import bp as sms

    app.register_blueprint(sms)


def send_sms(number_e164: str, text: str) -> bool:
    """Send `text`, unless the number has texted STOP (and not START since): then nothing
    is sent and the answer is False. Every text the app sends comes through here, so the
    opt-out holds for sign-in codes, notifications and voting replies alike."""
    if opted_out(number_e164):
        return False
    if current_app.config["SMS_ADAPTER"] == "notify":
        _send_by_notify(number_e164, text)
    else:
        _send_to_outbox(number_e164, text)
    return True


def opted_out(number_e164: str) -> bool:
    """Whether the number texted STOP (kept only as the keyed hash of pb.services.identity)."""
    from pb.services.identity import number_hash  # identity imports this module

    return db.session.get(SmsOptOut, number_hash(number_e164)) is not None


def _send_by_notify(number_e164: str, text: str) -> None:
    config = current_app.config
    if not (config["NOTIFY_API_KEY"] and config["NOTIFY_SMS_TEMPLATE_ID"]):
        raise ConfigError("NOTIFY_API_KEY and NOTIFY_SMS_TEMPLATE_ID must be set to send SMS by Notify.")
    client = notify.client()
    try:
        notify.send(lambda: client.send_sms_notification(
            phone_number=number_e164, template_id=config["NOTIFY_SMS_TEMPLATE_ID"],
            personalisation={"body": text}))
    except notify.NotifyFailed as err:
        raise SmsNotSent(str(err)) from err


def _send_to_outbox(number_e164: str, text: str) -> None:
    try:
        db.session.add(OutboxMessage(number=number_e164, text=text))
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    print(f"[SMS outbox] to {number_e164}: {text}", flush=True)


def latest_messages(limit: int = 20) -> list[OutboxMessage]:
    return list(db.session.scalars(
        select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit)))

"""Sending an email: one interface, `send_email(address, subject, body)`, two adapters.

EMAIL_ADAPTER (environment or app config) chooses; unset, email follows SMS_ADAPTER, so
one setting still switches every message between development and production:
  "notify"  GOV.UK Notify, through notifications-python-client. NOTIFY_API_KEY,
            NOTIFY_EMAIL_TEMPLATE_ID (a template whose subject is ((subject)) and whose
            whole text is ((body))) and, for tests, NOTIFY_BASE_URL. The default when
            PB_ENV=production.
  "outbox"  development: the email is kept in the email_outbox table, shown on
            /dev/outbox and printed to the console. The default otherwise; the app
            refuses to start with it when PB_ENV=production.

Links in emails start with PB_PUBLIC_URL (like https://wardbudgets.lambeth.gov.uk): in
production it must be set, because the request's own Host header is the sender's to
choose, and a reset link must never point anywhere else.
"""

import os

from flask import current_app, request
from sqlalchemy import select

from pb.config import ConfigError
from pb.models import EmailOutboxMessage, db
from pb.services import notify

ADAPTERS = ("notify", "outbox")


class EmailNotSent(Exception):
    """The email certainly did not reach the email provider (after the retries of
    pb.services.notify); an email that may have reached it counts as sent."""


def init_app(app) -> None:
    """Choose the adapter at start-up (after pb.services.sms.init_app); refuse the outbox
    in production, where links to set a password would be readable on /dev/outbox."""
    production = app.config.get("PB_ENV") == "production"
    adapter = (app.config.get("EMAIL_ADAPTER") or os.environ.get("EMAIL_ADAPTER", "").strip()
               or app.config.get("SMS_ADAPTER") or ("notify" if production else "outbox"))
    if adapter not in ADAPTERS:
        raise ConfigError(f"EMAIL_ADAPTER must be one of {', '.join(ADAPTERS)}, not {adapter!r}.")
    if adapter == "outbox" and production:
        raise ConfigError("The development email outbox cannot run with PB_ENV=production: "
                          "set EMAIL_ADAPTER=notify and NOTIFY_API_KEY, NOTIFY_EMAIL_TEMPLATE_ID.")
    app.config["EMAIL_ADAPTER"] = adapter
    for name in ("NOTIFY_API_KEY", "NOTIFY_EMAIL_TEMPLATE_ID", "NOTIFY_BASE_URL", "PB_PUBLIC_URL"):
        app.config.setdefault(name, os.environ.get(name, "").strip())
    notify.init_app(app, os.environ)  # retries and timeouts
    if adapter == "outbox" and "dev" not in app.blueprints:
        from pb.web.dev import bp as dev

        app.register_blueprint(dev)


def public_url(path: str) -> str:
    """An absolute address for a link in an email: PB_PUBLIC_URL, or, when mail only goes to the
    development outbox, the address this request came to. Real email never takes its links
    from the request's Host header, which whoever sends the request chooses."""
    base = (current_app.config.get("PB_PUBLIC_URL") or "").rstrip("/")
    if not base:
        if current_app.config.get("PB_ENV") == "production" or current_app.config.get("EMAIL_ADAPTER") == "notify":
            raise ConfigError("PB_PUBLIC_URL must be set to put links in emails sent by Notify.")
        base = request.host_url.rstrip("/")
    return base + path


def send_email(address: str, subject: str, body: str, *, unsubscribe_url: str | None = None) -> None:
    """unsubscribe_url: for messages people subscribed to, Notify's one-click unsubscribe
    (the List-Unsubscribe header); the link is in the body too."""
    if current_app.config["EMAIL_ADAPTER"] == "notify":
        _send_by_notify(address, subject, body, unsubscribe_url)
    else:
        _send_to_outbox(address, subject, body)


def _send_by_notify(address: str, subject: str, body: str, unsubscribe_url: str | None = None) -> None:
    config = current_app.config
    if not (config["NOTIFY_API_KEY"] and config["NOTIFY_EMAIL_TEMPLATE_ID"]):
        raise ConfigError("NOTIFY_API_KEY and NOTIFY_EMAIL_TEMPLATE_ID must be set to send email by Notify.")
    client = notify.client()
    try:
        notify.send(lambda: client.send_email_notification(
            email_address=address, template_id=config["NOTIFY_EMAIL_TEMPLATE_ID"],
            personalisation={"subject": subject, "body": body},
            one_click_unsubscribe_url=unsubscribe_url))
    except notify.NotifyFailed as err:
        raise EmailNotSent(str(err)) from err


def _send_to_outbox(address: str, subject: str, body: str) -> None:
    try:
        db.session.add(EmailOutboxMessage(address=address, subject=subject[:200], body=body))
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    print(f"[Email outbox] to {address}: {subject}\n{body}", flush=True)


def latest_emails(limit: int = 20) -> list[EmailOutboxMessage]:
    return list(db.session.scalars(
        select(EmailOutboxMessage).order_by(EmailOutboxMessage.id.desc()).limit(limit)))

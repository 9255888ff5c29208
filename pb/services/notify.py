"""Handing a message to GOV.UK Notify, with bounded retries that never send it twice.

A send is tried again (NOTIFY_ATTEMPTS times in all, waiting NOTIFY_BACKOFF_SECONDS, then
twice that, with jitter) only when Notify certainly did not take the message: no connection
could be made (refused, or none within NOTIFY_CONNECT_TIMEOUT), or Notify answered 500, 502
or 503, which its documentation says to resend. When the answer may have been lost after
Notify took the message (no answer within NOTIFY_READ_TIMEOUT, the connection dropped after
the request went, or a 504 from a gateway), resending could text a resident twice (Notify
does not deduplicate), so the message is taken as sent and a warning is logged: a sign-in
code page already says texts can take a few minutes and offers a new code (within the
hour's three). Any other answer (400, 403, 429: Notify refused it) is not retried.

No further attempt starts unless it could end, at its timeouts, within NOTIFY_TOTAL_SECONDS
(20 s) of the first: slow refusals (Notify answering 500 after nearly its read timeout, three
times) would otherwise outlast gunicorn's 30 s, and the worker would be killed before the
resident is told and their code given back.

``NotifyFailed`` means the message certainly did not go."""

import logging
import random
import time

from flask import current_app

RETRY_STATUSES = {500, 502, 503}
DEFAULTS = {"NOTIFY_ATTEMPTS": 3, "NOTIFY_BACKOFF_SECONDS": 0.5,
            "NOTIFY_CONNECT_TIMEOUT": 3.0, "NOTIFY_READ_TIMEOUT": 10.0, "NOTIFY_TOTAL_SECONDS": 20.0}

log = logging.getLogger(__name__)


class NotifyFailed(Exception):
    """Notify did not take the message (after any retries)."""


def init_app(app, environ) -> None:
    for name, default in DEFAULTS.items():
        value = environ.get(name, "").strip()
        app.config.setdefault(name, type(default)(value) if value else default)


def client():
    from notifications_python_client.notifications import NotificationsAPIClient

    config = current_app.config
    options = {"base_url": config["NOTIFY_BASE_URL"]} if config["NOTIFY_BASE_URL"] else {}
    timeout = (float(config["NOTIFY_CONNECT_TIMEOUT"]), float(config["NOTIFY_READ_TIMEOUT"]))
    return NotificationsAPIClient(config["NOTIFY_API_KEY"], timeout=timeout, **options)


def send(call) -> None:
    """Run ``call()`` (one request to Notify) under the rules above."""
    from notifications_python_client.errors import APIError

    config = current_app.config
    attempts = max(1, int(config["NOTIFY_ATTEMPTS"]))
    backoff = float(config["NOTIFY_BACKOFF_SECONDS"])
    one_try = float(config["NOTIFY_CONNECT_TIMEOUT"]) + float(config["NOTIFY_READ_TIMEOUT"])
    deadline = time.monotonic() + float(config["NOTIFY_TOTAL_SECONDS"])
    for attempt in range(1, attempts + 1):
        try:
            call()
            return
        except APIError as err:
            verdict = _verdict(err)
            if verdict == "maybe sent":
                log.warning("Notify may have taken a message without answering (%s): not resent", err)
                return
            wait = backoff * 2 ** (attempt - 1) * random.uniform(0.8, 1.2)
            if verdict == "refused" or attempt == attempts or time.monotonic() + wait + one_try > deadline:
                raise NotifyFailed(str(err)) from err
            log.warning("Notify did not take a message (%s): attempt %d of %d", err, attempt, attempts)
            time.sleep(wait)


def _verdict(err) -> str:
    """"retry" (certainly not taken, worth another try), "maybe sent", or "refused"."""
    import requests
    from notifications_python_client.errors import InvalidResponse
    from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

    if isinstance(err, InvalidResponse):  # a 2xx whose body we could not read: it was taken
        return "maybe sent"
    cause = err.__cause__
    if isinstance(cause, requests.ConnectTimeout):
        return "retry"
    if isinstance(cause, requests.ConnectionError):
        reason = getattr(cause.args[0], "reason", None) if cause.args else None
        if isinstance(reason, (NewConnectionError, ConnectTimeoutError)):
            return "retry"  # no connection was made: nothing reached Notify
        return "maybe sent"  # dropped after the request may have gone
    if isinstance(cause, requests.Timeout):
        return "maybe sent"  # read timeout
    if err.response is None:
        return "maybe sent"
    if err.status_code in RETRY_STATUSES:
        return "retry"
    if err.status_code == 504:
        return "maybe sent"
    return "refused"

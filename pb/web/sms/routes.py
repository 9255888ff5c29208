"""POST /sms/notify/received: a text a resident sent to the council's Notify number.

Notify posts JSON (`id`, `source_number`, `destination_number`, `message`,
`date_received`) with `Authorization: Bearer <token>`, the token set for the callback in
Notify's settings and here as NOTIFY_INBOUND_TOKEN. Anything without that token (compared
in constant time) is refused with a 403 before anything is read or stored. CSRF protection
is for browsers' forms; this one endpoint is exempt, the token standing in for it. The
replies go out through pb.services.sms like every other text.
"""

import hashlib
import hmac

import phonenumbers
from flask import abort, current_app, g, request

from pb.extensions import csrf, limiter
from pb.services import sms_vote
from pb.services.identity import number_hash
from pb.services.sms_segments import without_surrogates
from pb.web.sms import bp

MAX_MESSAGE = 2000  # characters; Notify's texts are at most 918


def _authorised() -> bool:
    expected = current_app.config.get("NOTIFY_INBOUND_TOKEN") or ""
    given = request.headers.get("Authorization", "")
    scheme, _, token = given.partition(" ")
    # compare digests, so that neither the length nor the contents leak through timing
    return bool(expected) and scheme.lower() == "bearer" and hmac.compare_digest(
        hashlib.sha256(token.strip().encode()).digest(), hashlib.sha256(expected.encode()).digest())


def _sender() -> str | None:
    """The sender as E.164, or None when the callback does not name a mobile number."""
    data = request.get_json(silent=True)
    source = data.get("source_number") if isinstance(data, dict) else None
    if not isinstance(source, str) or not 5 <= len(source) <= 20:
        return None
    digits = source.strip()
    if digits.isdigit() and not digits.startswith("0"):
        digits = "+" + digits  # Notify sends 447700900123
    try:
        number = phonenumbers.parse(digits, "GB")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _number_key() -> str:
    sender = _sender()
    return "sms-number:" + (number_hash(sender) if sender else "none")


def _refused(response) -> bool:
    return bool(g.get("sms_refused"))


@bp.post("/notify/received")
@csrf.exempt
@limiter.limit(lambda: current_app.config["RATELIMIT_SMS_INBOUND_REFUSED_PER_IP"], methods=["POST"],
               scope="RATELIMIT_SMS_INBOUND_REFUSED_PER_IP", deduct_when=_refused)
@limiter.limit(lambda: current_app.config["RATELIMIT_SMS_INBOUND_PER_NUMBER"], key_func=_number_key,
               methods=["POST"], scope="RATELIMIT_SMS_INBOUND_PER_NUMBER",
               deduct_when=lambda response: response.status_code < 300)
def received():
    if not _authorised():
        g.sms_refused = True
        abort(403)
    data = request.get_json(silent=True)
    message = data.get("message") if isinstance(data, dict) else None
    sender = _sender()
    if not isinstance(message, str) or len(message) > MAX_MESSAGE or sender is None:
        abort(400)
    # a lone surrogate ("\\ud800" in the JSON) is no character: U+FFFD instead, so the
    # resident still gets an answer
    sms_vote.receive(sender, without_surrogates(message))
    return "", 204

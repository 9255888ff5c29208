"""Following a ward: messages by SMS or email when a plan is published, a consultation
opens, or an outcome's status changes.

Nobody gets a message they did not ask for:
- SMS goes only to the signed-in resident's own verified number: they type it again and
  it must match the keyed hash kept since they signed in with it (we keep no number
  otherwise), so it is active at once.
- Email is active only once the link sent to that address has been followed.

Every message carries a one-step unsubscribe link (visiting it unsubscribes; the page
offers an undo); email also passes it to Notify as the one-click unsubscribe URL. Links are
HMACs of the follow's id and a random nonce, under a key derived from SECRET_KEY, so the
database holds no usable link.

Sending: the messages are written (`follow_notifications`) in the same transaction as the
change that causes them, and sent after its commit, one at a time, each in its own
transaction; a failure to send is recorded on the message and never undoes the change.
`flask pb send-notifications` (run it every few minutes) retries what is still unsent.
SMS goes through pb.services.sms.send_sms, so its STOP list applies to every text.
"""

import hashlib
import hmac
import logging
import secrets
from datetime import timedelta

from email_validator import EmailNotValidError, validate_email
from flask import current_app, has_request_context
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from pb.models import FollowNotification, PhoneNumber, WardFollow, db
from pb.models.people import _now
from pb.policy import can
from pb.services.errors import NotAllowed, ServiceError

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
# the request that wrote a message sends it at once; the retry leaves younger ones to it
RETRY_AFTER = timedelta(minutes=1)

STATUS_WORDS = {
    "proposed": _l("Proposed"), "agreed": _l("Agreed"), "in_progress": _l("In progress"),
    "delivered": _l("Delivered"), "dropped": _l("Dropped"),
}


def _mac(purpose: str, follow: WardFollow) -> str:
    key = hmac.new(current_app.config["SECRET_KEY"].encode(), b"ward-budgets follow links",
                   hashlib.sha256).digest()
    return hmac.new(key, f"{purpose}:{follow.id}:{follow.nonce}".encode(), hashlib.sha256).hexdigest()[:32]


def token(follow: WardFollow, purpose: str) -> str:
    return f"{follow.id}-{_mac(purpose, follow)}"


def find(token_text: str, purpose: str) -> WardFollow | None:
    follow_id, _, mac = (token_text or "").partition("-")
    if not (follow_id.isascii() and follow_id.isdigit() and len(follow_id) <= 10
            and 0 < int(follow_id) < 2**31):
        return None  # beyond PostgreSQL's integer: no such follower, not a database error
    follow = db.session.get(WardFollow, int(follow_id))
    if follow is None or not hmac.compare_digest(_mac(purpose, follow), mac):
        return None
    return follow


def _base_url() -> str:
    """PB_PUBLIC_URL, or in development the request's address (or the dev server's)."""
    from pb.config import ConfigError
    from pb.services.email import public_url

    if current_app.config.get("PB_PUBLIC_URL") or has_request_context():
        try:
            return public_url("")
        except ConfigError:
            log.error("PB_PUBLIC_URL is not set: follow messages carry links without the site's address")
            return ""
    return "http://127.0.0.1:5000"


def unsubscribe_url(follow: WardFollow) -> str:
    return f"{_base_url()}/follow/unsubscribe/{token(follow, 'unsubscribe')}"


def _locale() -> str:
    locale = get_locale() if has_request_context() else None
    return str(locale) if locale else "en"


def _commit(work):
    try:
        result = work()
        db.session.commit()
        return result
    except IntegrityError:
        db.session.rollback()
        raise ServiceError(_l("You asked twice at the same moment. Check your settings and try again.")) from None
    except BaseException:
        db.session.rollback()
        raise


def _follow_row(person, ward, channel: str) -> WardFollow:
    row = db.session.scalar(select(WardFollow).where(
        WardFollow.person_id == person.id, WardFollow.ward_id == ward.id, WardFollow.channel == channel))
    if row is None:
        row = WardFollow(person_id=person.id, ward_id=ward.id, channel=channel)
        db.session.add(row)
    return row


def follows_of(person, ward) -> list[WardFollow]:
    if person is None or not getattr(person, "is_authenticated", False):
        return []
    return list(db.session.scalars(select(WardFollow).where(
        WardFollow.person_id == person.id, WardFollow.ward_id == ward.id).order_by(WardFollow.channel)))


def has_verified_phone(person) -> bool:
    return db.session.scalar(select(PhoneNumber.id).where(PhoneNumber.person_id == person.id)) is not None


def follow_by_sms(person, ward, number_text: str) -> WardFollow:
    """Texts to the resident's own verified number, active at once."""
    from pb.services.identity import number_hash, parse_mobile

    if not can(person, "follow_ward", ward):
        raise NotAllowed(_l("Sign in to follow a ward."))
    number = parse_mobile(number_text)
    mine = db.session.scalar(select(PhoneNumber).where(PhoneNumber.person_id == person.id))
    if mine is None or not hmac.compare_digest(mine.number_hash, number_hash(number)):
        raise ServiceError(_l("Enter the mobile number you signed in with"), field="number")

    def work():
        row = _follow_row(person, ward, "sms")
        row.address, row.locale, row.nonce = number, _locale(), secrets.token_hex(16)
        row.confirmed_at, row.unsubscribed_at = _now(), None
        return row

    return _commit(work)


def follow_by_email(person, ward, address: str) -> WardFollow:
    """Emails only once the address's owner follows the link we send to it."""
    from pb.services.email import send_email

    if not can(person, "follow_ward", ward):
        raise NotAllowed(_l("Sign in to follow a ward."))
    try:
        address = validate_email((address or "").strip(), check_deliverability=False).normalized
    except EmailNotValidError:
        raise ServiceError(_l("Enter an email address in the correct format, like name@example.com"),
                           field="email") from None
    if len(address) > 254:
        raise ServiceError(_l("Enter an email address in the correct format, like name@example.com"),
                           field="email")

    def work():
        row = _follow_row(person, ward, "email")
        if not (row.active and row.address == address):
            row.address, row.nonce = address, secrets.token_hex(16)
            row.confirmed_at, row.unsubscribed_at = None, None
        row.locale = _locale()
        return row

    row = _commit(work)
    if row.confirmed_at is None:
        link = f"{_base_url()}/follow/confirm/{token(row, 'confirm')}"
        try:
            send_email(address, _("Confirm you want updates about %(ward)s", ward=row.ward.name),
                       _("Someone (we hope you) asked for emails about the ward plan for %(ward)s. "
                         "To get them, open this link:\n\n%(link)s\n\nIf it was not you, ignore this "
                         "email: you will get nothing more from us.", ward=row.ward.name, link=link))
        except Exception:  # noqa: BLE001 - the follow stays unconfirmed; they can ask again
            log.exception("could not send a follow confirmation")
            raise ServiceError(_l("We could not send the email just now. Try again later."), field="email") from None
    return row


def confirm(token_text: str) -> WardFollow | None:
    follow = find(token_text, "confirm")
    if follow is None:
        return None
    if follow.confirmed_at is None:
        def work():
            follow.confirmed_at, follow.unsubscribed_at = _now(), None
            return follow
        _commit(work)
    return follow


def unsubscribe(token_text: str) -> WardFollow | None:
    follow = find(token_text, "unsubscribe")
    if follow is not None and follow.unsubscribed_at is None:
        def work():
            follow.unsubscribed_at = _now()
            return follow
        _commit(work)
    return follow


def undo_unsubscribe(token_text: str) -> WardFollow | None:
    follow = find(token_text, "unsubscribe")
    if follow is not None and follow.unsubscribed_at is not None and follow.confirmed_at is not None:
        def work():
            follow.unsubscribed_at = None
            return follow
        _commit(work)
    return follow


def stop_following(person, follow: WardFollow) -> None:
    if follow.person_id != person.id:
        raise NotAllowed(_l("This is not your follow."))
    _commit(lambda: db.session.delete(follow))


# ---------------------------------------------------------------- writing messages


def _active_followers(ward_id: int) -> list[WardFollow]:
    return list(db.session.scalars(select(WardFollow).where(
        WardFollow.ward_id == ward_id, WardFollow.confirmed_at.is_not(None),
        WardFollow.unsubscribed_at.is_(None)).order_by(WardFollow.id)))


def _queue(ward_id: int, write) -> None:
    """One message for each active follower, in their language; the caller commits."""
    for follow in _active_followers(ward_id):
        try:
            with force_locale(follow.locale or "en"):
                subject, text = write()
                body = "\n\n".join([text, _("Stop these messages: %(link)s", link=unsubscribe_url(follow))])
        except Exception:  # noqa: BLE001 - a message that cannot be written never stops the change
            log.exception("could not write a message to follower %s", follow.id)
            continue
        db.session.add(FollowNotification(follow_id=follow.id, subject=str(subject)[:200], body=body))


def _plan_link(plan) -> str:
    return f"{_base_url()}/plans/{plan.id}"


def queue_plan_published(plan) -> None:
    ward = plan.ward.name
    _queue(plan.ward_id, lambda: (
        _("%(ward)s: ward plan published", ward=ward),
        _("The ward plan for %(ward)s, “%(title)s”, has been published: %(link)s",
          ward=ward, title=plan.title, link=_plan_link(plan))))


def queue_consultation_opened(plan, consultation) -> None:
    from flask_babel import format_date

    ward = plan.ward.name

    def write():
        return (_("%(ward)s: have your say on the ward plan", ward=ward),
                _("Residents of %(ward)s can have their say on the draft ward plan “%(title)s” "
                  "from %(opens)s to %(closes)s: %(link)s", ward=ward, title=plan.title,
                  opens=format_date(consultation.opens_on, "long"),
                  closes=format_date(consultation.closes_on, "long"), link=_plan_link(plan)))

    _queue(plan.ward_id, write)


def queue_status_change(outcome, from_status: str, to_status: str) -> None:
    plan = outcome.plan
    ward = plan.ward.name
    _queue(plan.ward_id, lambda: (
        _("%(ward)s: %(outcome)s is now %(status)s", ward=ward, outcome=outcome.title,
          status=STATUS_WORDS.get(to_status, to_status)),
        _("“%(outcome)s” in the %(ward)s ward plan has moved from %(old)s to %(new)s: %(link)s",
          outcome=outcome.title, ward=ward, old=STATUS_WORDS.get(from_status, from_status),
          new=STATUS_WORDS.get(to_status, to_status), link=f"{_plan_link(plan)}#outcome-{outcome.id}")))


# ---------------------------------------------------------------- sending


def _send(note: FollowNotification) -> str | None:
    """Hand the message to Notify (or the outbox); a note when it was deliberately not sent."""
    from pb.services.email import send_email
    from pb.services.sms import send_sms

    follow = note.follow
    if follow.channel == "sms":
        if send_sms(follow.address, note.body) is False:
            return "not sent: the number texted STOP"
    else:
        send_email(follow.address, note.subject, note.body, unsubscribe_url=unsubscribe_url(follow))
    return None


def send_pending(*, retry: bool = False) -> tuple[int, int]:
    """Send the messages not sent yet (each claimed by a conditional update, so two senders
    never send one twice); with retry, only those at least a minute old. Returns (sent, failed)."""
    query = select(FollowNotification.id, FollowNotification.attempts).where(
        FollowNotification.sent_at.is_(None), FollowNotification.attempts < MAX_ATTEMPTS)
    query = query.where(FollowNotification.created_at <= _now() - RETRY_AFTER) if retry else \
        query.where(FollowNotification.attempts == 0)
    sent = failed = 0
    try:
        pending = list(db.session.execute(query.order_by(FollowNotification.id)))
    except Exception:  # noqa: BLE001 - never let sending undo or break the caller's change
        db.session.rollback()
        log.exception("could not read the follow notifications")
        return 0, 0
    for note_id, attempts in pending:
        try:
            claimed = db.session.execute(update(FollowNotification).where(
                FollowNotification.id == note_id, FollowNotification.attempts == attempts,
                FollowNotification.sent_at.is_(None)).values(attempts=attempts + 1)).rowcount
            db.session.commit()
            if not claimed:
                continue
            note = db.session.get(FollowNotification, note_id)
            if not note.follow.active:
                note.sent_at, note.last_error = _now(), "not sent: unsubscribed"
                db.session.commit()
                continue
            skipped = _send(note)
            note.sent_at, note.last_error = _now(), skipped
            db.session.commit()
            sent += skipped is None
        except Exception as err:  # noqa: BLE001 - recorded, retried later
            db.session.rollback()
            failed += 1
            log.warning("follow notification %s not sent: %s", note_id, err)
            try:
                db.session.execute(update(FollowNotification).where(FollowNotification.id == note_id)
                                   .values(last_error=str(err)[:500] or type(err).__name__))
                db.session.commit()
            except Exception:  # noqa: BLE001
                db.session.rollback()
    return sent, failed

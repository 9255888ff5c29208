"""How a resident proves who and where they are.

By phone: `request_code` texts a one-time code to a mobile number, `verify_code` checks
it, and a number seen for the first time gives its postcode to `register_by_phone`,
which decides the ward. One verified number is one Person. Numbers are kept only as a
keyed hash and their last 3 digits; codes only hashed, bound to the number and to the
browser session (the caller passes a random nonce it keeps in the session).

Development sign-in (`identify_resident`): a name and a postcode in Lambeth; the web
layer refuses it in production.
"""

import hashlib
import hmac
import re
import secrets
from datetime import UTC, datetime, timedelta

import phonenumbers
from flask import current_app
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import IntegrityError

from pb.models import Person, PhoneNumber, RoleGrant, SignInCode, db
from pb.services.errors import ServiceError
from pb.services.postcodes import normalise, ward_for
from pb.services.sms import SmsNotSent, opted_out, send_sms

NAME_MAX = 200  # people.name


def _lambeth_postcode(postcode: str):
    """The tidied postcode and its ward, or a ServiceError for the postcode field."""
    tidy = normalise(postcode)
    if tidy is None:
        raise ServiceError(_l("Enter a real postcode, like SW2 1RW"), field="postcode")
    ward = ward_for(tidy)
    if ward is None:
        raise ServiceError(_l("Enter a postcode in Lambeth"), field="postcode")
    return tidy, ward


def identify_resident(name: str, postcode: str) -> Person:
    # control characters (NUL among them, which PostgreSQL cannot store) are not part of a name
    name = " ".join(re.sub(r"[\x00-\x1f\x7f-\x9f]", " ", name or "").split())
    if not name:
        raise ServiceError(_l("Enter your name"), field="name")
    if len(name) > NAME_MAX:
        raise ServiceError(_l("Your name must be 200 characters or fewer"), field="name")
    tidy, ward = _lambeth_postcode(postcode)
    person = db.session.scalar(select(Person).where(
        func.lower(Person.name) == name.lower(), Person.postcode == tidy, Person.email.is_(None)))
    if person is None:
        person = Person(name=name, postcode=tidy, ward=ward)
        person.roles.append(RoleGrant(role="resident"))
        db.session.add(person)
        db.session.commit()
    return person


def end_sessions(person) -> None:
    """Sign-out: every session of this person, on any device or copied cookie, ends now."""
    try:
        db.session.execute(update(Person).where(Person.id == person.id).values(
            session_version=Person.session_version + 1))
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise


# --- Sign-in by mobile number -------------------------------------------------------

CODE_LIFETIME = timedelta(minutes=10)
WRONG_TRIES_ALLOWED = 5
CODES_PER_HOUR = 3
POSTCODE_WITHIN = timedelta(minutes=30)  # after the code, to give a new number's postcode
MOBILE_TYPES = (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)


class TooManyCodes(ServiceError):
    status = 429


class CodeNotSent(ServiceError):
    status = 503


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _keyed(label: bytes, message: str) -> str:
    """HMAC-SHA256 under a key derived from SECRET_KEY for this one purpose."""
    key = hmac.new(current_app.config["SECRET_KEY"].encode(), label, hashlib.sha256).digest()
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


def number_hash(number_e164: str) -> str:
    return _keyed(b"ward-budgets phone number", number_e164)


def _code_hash(number_hash_: str, code: str) -> str:
    return _keyed(b"ward-budgets sign-in code", f"{number_hash_}:{code}")


def _session_hash(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


def parse_mobile(text: str) -> str:
    """A mobile number as E.164 ('07911 123456' -> '+447911123456'); UK unless it says otherwise."""
    try:
        number = phonenumbers.parse(text or "", "GB")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        # no example number: Ofcom's drama numbers (07700 900xxx) are not valid numbers, and
        # any valid one belongs to someone who would get the codes of whoever typed it
        raise ServiceError(_l("Enter a mobile phone number in the correct format: 11 digits starting "
                              "with 07, or + and the country code"), field="number")
    if phonenumbers.number_type(number) not in MOBILE_TYPES:
        raise ServiceError(_l("Enter a mobile phone number that can receive text messages"), field="number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def request_code(number_text: str, session_nonce: str) -> SignInCode:
    """Text a new code to the number, bound to this browser session; at most 3 an hour."""
    number_e164 = parse_mobile(number_text)
    if opted_out(number_e164):  # send_sms would send nothing: say so, and count nothing
        # Translators: STOP and START are the words texted to Ward Budgets' number (pb.services.sms_vote)
        raise ServiceError(_l("This number texted STOP, so we send it no text messages. Text START "
                              "from it to get them again, then ask for a code."), field="number")
    hashed = number_hash(number_e164)
    now = _now()
    code = f"{secrets.randbelow(10**6):06d}"
    try:
        # codes older than a day count for nothing any more; on SQLite this write also makes
        # requests take turns, and on PostgreSQL the lock makes those for one number take
        # turns, so that two requests at once cannot both be the third
        db.session.execute(delete(SignInCode).where(SignInCode.created_at < now - timedelta(days=1)))
        if db.session.get_bind().dialect.name == "postgresql":
            db.session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": hashed})
        sent_lately = db.session.scalar(select(func.count()).select_from(SignInCode).where(
            SignInCode.number_hash == hashed, SignInCode.created_at > now - timedelta(hours=1)))
        if sent_lately >= CODES_PER_HOUR:
            raise TooManyCodes(_l("You have asked for 3 codes for this number in the last hour. "
                                  "Wait an hour, then ask for a new code."), field="number")
        row = SignInCode(number_hash=hashed, last_digits=number_e164[-3:], code_hash=_code_hash(hashed, code),
                         session_hash=_session_hash(session_nonce), created_at=now,
                         expires_at=now + CODE_LIFETIME)
        db.session.add(row)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    try:
        send_sms(number_e164, gettext(
            "Your Ward Budgets sign-in code is %(code)s. It works for 10 minutes. Never share it.", code=code))
    except SmsNotSent as err:
        # a code that never left does not count towards the hour's three
        db.session.execute(delete(SignInCode).where(SignInCode.id == row.id))
        db.session.commit()
        raise CodeNotSent(_l("We could not send a text message just now. Try again in a few minutes."),
                          field="number") from err
    return row


def pending_code(code_id: int | None, session_nonce: str | None) -> SignInCode | None:
    """The code this browser session asked for, or None."""
    row = db.session.get(SignInCode, code_id) if isinstance(code_id, int) else None
    if row is None or not session_nonce or not hmac.compare_digest(row.session_hash, _session_hash(session_nonce)):
        return None
    return row


def verify_code(code_id: int | None, session_nonce: str | None, entered: str) -> Person | None:
    """The Person of the verified number, or None when the number is new (ask its postcode)."""
    row = pending_code(code_id, session_nonce)
    if row is None:
        raise ServiceError(_l("This code was not sent to this browser. Ask for a new code."), field="code")
    entered = re.sub(r"[\s-]", "", entered or "")
    if not re.fullmatch(r"[0-9]{6}", entered):
        raise ServiceError(_l("Enter the 6-digit code from the text message"), field="code")
    try:
        _refuse_unusable(row)
        # take a try before comparing, so that guesses sent all at once still get only five
        taken = db.session.execute(update(SignInCode).where(
            SignInCode.id == row.id, SignInCode.used_at.is_(None),
            SignInCode.wrong_tries < WRONG_TRIES_ALLOWED).values(wrong_tries=SignInCode.wrong_tries + 1))
        db.session.commit()
        db.session.refresh(row)
        if taken.rowcount != 1:
            _refuse_unusable(row)
        if not hmac.compare_digest(row.code_hash, _code_hash(row.number_hash, entered)):
            if row.wrong_tries >= WRONG_TRIES_ALLOWED:
                _refuse_unusable(row)
            raise ServiceError(_l("The code is not right. Check the text message and try again."), field="code")
        used = db.session.execute(update(SignInCode).where(
            SignInCode.id == row.id, SignInCode.used_at.is_(None)).values(
            used_at=_now(), wrong_tries=SignInCode.wrong_tries - 1))
        if used.rowcount != 1:
            db.session.rollback()
            raise ServiceError(_l("This code has already been used. Ask for a new code."), field="code")
        phone = db.session.scalar(select(PhoneNumber).where(PhoneNumber.number_hash == row.number_hash))
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return phone.person if phone else None


def _refuse_unusable(row: SignInCode) -> None:
    if row.used_at is not None:
        raise ServiceError(_l("This code has already been used. Ask for a new code."), field="code")
    if row.wrong_tries >= WRONG_TRIES_ALLOWED:
        raise ServiceError(_l("This code was entered wrongly 5 times and no longer works. "
                              "Ask for a new code."), field="code")
    if row.expires_at <= _now():
        raise ServiceError(_l("This code has expired. Ask for a new code."), field="code")


def verified_code(code_id: int | None, session_nonce: str | None) -> SignInCode | None:
    """The code this session verified within the last 30 minutes, or None."""
    row = pending_code(code_id, session_nonce)
    if row is None or row.used_at is None or row.used_at < _now() - POSTCODE_WITHIN:
        return None
    return row


def register_by_phone(code_id: int | None, session_nonce: str | None, postcode: str) -> Person:
    """A newly verified number becomes a resident of the ward its postcode is in."""
    if pending_code(code_id, session_nonce) is None:
        raise ServiceError(_l("This code was not sent to this browser. Ask for a new code."), field="postcode")
    row = verified_code(code_id, session_nonce)
    if row is None:
        raise ServiceError(_l("This code has expired. Ask for a new code."), field="postcode")
    tidy, ward = _lambeth_postcode(postcode)
    existing = select(PhoneNumber).where(PhoneNumber.number_hash == row.number_hash)
    phone = db.session.scalar(existing)
    if phone is not None:  # the form sent twice, or from two tabs
        return phone.person
    person = Person(name="", postcode=tidy, ward=ward)
    person.roles.append(RoleGrant(role="resident"))
    db.session.add(PhoneNumber(number_hash=row.number_hash, last_digits=row.last_digits, person=person))
    try:
        db.session.commit()
    except IntegrityError:  # the same number registered at the same moment: one number, one person
        db.session.rollback()
        return db.session.scalar(existing).person
    except BaseException:
        db.session.rollback()
        raise
    return person

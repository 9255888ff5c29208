"""Staff accounts: the second factor, invitations and password resets by one-time link,
and admins granting and withdrawing roles.

Anyone with a role other than resident (councillor, officer, equalities panel, admin)
signs in in two steps. The right password starts a `PendingSignIn` (5 minutes; the web
layer keeps its id and a random nonce in the session); a code from the person's
authenticator app (TOTP, RFC 6238: 6 digits, 30 seconds, one step either side for clock
drift) finishes it. Five wrong codes end it, and no code works twice: the time step of
the last accepted code is kept. A staff member without an authenticator sets one up right
after the password: a new secret is offered and saved only once a code from it is right.

TOTP secrets are sealed with AES-GCM under a key derived from SECRET_KEY for this one
purpose and bound to the person's id; they are never logged. Rotating SECRET_KEY makes
them unreadable: every staff member's second factor must then be reset by an admin
(or, for the last admin, by deleting their staff_credentials row).

Links: an admin invites someone by email with a role (72 hours); anyone may ask for a
password reset (1 hour). A link's token comes from `secrets` and is stored only as its
SHA-256; it works once, and a newer link of the same kind for the same email voids the
older. "Forgot your password?" does the same work for a known and an unknown email (a
link row and one email each: the unknown address is told there is no account), so the
answer and its time say nothing about which staff emails exist. A reset ends every
session of the person and keeps their second factor.

Every change to someone's account is written to `staff_audit`.
"""

import base64
import hashlib
import hmac
import re
import secrets
import time
from datetime import UTC, datetime, timedelta

import pyotp
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, or_, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from pb.models import (
    PendingSignIn,
    Person,
    RoleGrant,
    StaffAudit,
    StaffCredential,
    StaffLink,
    Ward,
    db,
)
from pb.policy import can
from pb.services import audit
from pb.services.email import EmailNotSent, public_url, send_email
from pb.services.errors import NotAllowed, ServiceError

STAFF_ROLES = ("councillor", "officer", "equalities", "admin", "translator")
PENDING_LIFETIME = timedelta(minutes=5)
WRONG_CODES_ALLOWED = 5
INVITATION_LIFETIME = timedelta(hours=72)
RESET_LIFETIME = timedelta(hours=1)
# an authenticator app is set up only soon after a one-time link was used, so that someone who
# learns a password (but cannot read the mailbox) cannot set up their own app for the account
SET_UP_WINDOW = timedelta(minutes=30)
PASSWORD_MIN = 12
PASSWORD_MAX = 256
NAME_MAX = 200  # people.name
TOTP_STEP = 30  # seconds
ISSUER = "Lambeth Ward Budgets"

# The demo accounts' authenticator secret (pb.services.demo), documented in the README so
# that a developer can add it to an app. Never set in production, and refused there.
DEMO_TOTP_SECRET = "WARDBUDGETSDEMOTOTPSECRETLAMBETH"

# Passwords of 12 characters or more that lists of leaked passwords show people choose
# most; with the rule against the email address, what a small list can do.
COMMON_PASSWORDS = frozenset("""
123456789012 1234567890123 12345678901234 123456789012345 1234567890qwerty 098765432112
password1234 password12345 password123456 passwordpassword password1234567 p@ssword1234
qwertyuiop12 qwertyuiopasdf qwertyuiopasdfghjkl qwerty123456 qwerty1234567 1qaz2wsx3edc
1q2w3e4r5t6y 1q2w3e4r5t6y7u 1qaz2wsx3edc4rfv zaq12wsxcde3 zaq1xsw2cde3 qazwsxedcrfv
abc123456789 abcdefghijkl abcdefghijklm abcd12345678 iloveyou1234 iloveyouiloveyou
123123123123 123412341234 121212121212 112233445566 147258369147 987654321012
welcome12345 welcome123456 letmein12345 changeme1234 administrator admin1234567
trustno1trustno1 football1234 liverpool123 arsenal12345 chelsea12345 manchester123
sunshine1234 princess1234 monkey123456 dragon123456 starwars1234 superman1234
lambeth12345 lambeth123456 lambethcouncil wardbudgets1 wardbudgets123 brixton12345
london123456 london1234567 london2026london summer202620 winter2026!! spring2026!!
""".split())


class SignInEnded(ServiceError):
    """The sign-in waiting for its second factor is over: sign in again from the start."""

    def __init__(self, message=None):
        super().__init__(message or _l("Your sign-in has timed out. Sign in again."))


class LinkNotUsable(ServiceError):
    """The one-time link has expired, has been used or was replaced by a newer one."""

    status = 410

    def __init__(self):
        super().__init__(_l("This link has expired or has already been used."))


class SetUpWindowClosed(ServiceError):
    """The link that set this password was used too long ago to set up an authenticator now."""

    status = 403

    def __init__(self):
        super().__init__(_l("You need a new link to set up your authenticator app. Use "
                            "'Forgot your password?' and we will email you one."))


class LastAdmin(ServiceError):
    status = 409


class EmailFailed(ServiceError):
    status = 503


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _derived_key(label: bytes) -> bytes:
    return hmac.new(current_app.config["SECRET_KEY"].encode(), label, hashlib.sha256).digest()


def email_hash(email: str) -> str:
    """A keyed hash of the email as typed, trimmed and lower-cased."""
    return hmac.new(_derived_key(b"ward-budgets staff email"), (email or "").strip().lower().encode(),
                    hashlib.sha256).hexdigest()


def _in_transaction(work):
    try:
        result = work()
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return result


def _audit(actor, target, action: str, role: str | None = None, ward: Ward | None = None) -> None:
    db.session.add(StaffAudit(actor_id=actor.id if actor else None, target_id=target.id if target else None,
                              action=action, role=role, ward_id=ward.id if ward else None, at=_now()))
    if action in ("invited", "granted", "withdrawn"):  # roles; a restricted entry in the public chain
        audit.record(f"role.{action}", actor=actor, subject=f"person:{target.id}",
                     details={"role": role, "ward": ward.slug if ward else None})


def _end_sessions(person: Person) -> None:
    """Every session of the person ends (see Person.session_version); in the caller's transaction."""
    db.session.execute(update(Person).where(Person.id == person.id).values(
        session_version=Person.session_version + 1))


def is_staff(person) -> bool:
    return person is not None and any(grant.role in STAFF_ROLES for grant in person.roles)


def needs_second_factor(person) -> bool:
    """Every role but resident signs in with a second factor."""
    return is_staff(person)


# --- The second factor ------------------------------------------------------------------


def seal_secret(person_id: int, secret: str) -> str:
    """A TOTP secret, encrypted (AES-GCM) and bound to its person."""
    nonce = secrets.token_bytes(12)
    sealed = AESGCM(_derived_key(b"ward-budgets totp secret")).encrypt(
        nonce, secret.encode(), f"totp:{person_id}".encode())
    return "v1:" + base64.urlsafe_b64encode(nonce + sealed).decode()


def open_secret(person_id: int, sealed: str | None) -> str | None:
    """The secret, or None if there is none or it cannot be read (another SECRET_KEY)."""
    if not sealed or not sealed.startswith("v1:"):
        return None
    try:
        raw = base64.urlsafe_b64decode(sealed[3:])
        return AESGCM(_derived_key(b"ward-budgets totp secret")).decrypt(
            raw[:12], raw[12:], f"totp:{person_id}".encode()).decode()
    except (InvalidTag, ValueError):
        return None


def has_second_factor(person) -> bool:
    credential = db.session.get(StaffCredential, person.id)
    return credential is not None and credential.totp_secret is not None


def current_step() -> int:
    return int(time.time()) // TOTP_STEP


def _matching_step(secret: str, code: str) -> int | None:
    """The time step (now, or one either side) whose code this is, or None."""
    if current_app.config.get("PB_ENV") == "production" and secret == DEMO_TOTP_SECRET:
        return None  # the demo's published secret opens nothing in production
    totp = pyotp.TOTP(secret, interval=TOTP_STEP)
    now = current_step()
    found = None
    for step in (now - 1, now, now + 1):  # compare all three: the time taken says nothing
        if hmac.compare_digest(totp.generate_otp(step), code) and found is None:
            found = step
    return found


def secret_groups(secret: str) -> list[str]:
    """'ABCDEFGH…' -> ['ABCD', 'EFGH', …], for typing into an app."""
    return [secret[i:i + 4] for i in range(0, len(secret), 4)]


def otpauth_uri(person: Person, secret: str) -> str:
    return pyotp.TOTP(secret, interval=TOTP_STEP).provisioning_uri(name=person.email or str(person.id),
                                                                   issuer_name=ISSUER)


def begin_sign_in(person: Person) -> tuple[int, str]:
    """The password was right: a sign-in that waits for the second factor. Returns its id and
    the nonce the browser's session keeps (only the nonce's hash is stored)."""
    nonce = secrets.token_urlsafe(32)
    now = _now()

    def work():
        db.session.execute(delete(PendingSignIn).where(PendingSignIn.created_at < now - timedelta(days=1)))
        row = PendingSignIn(person_id=person.id, nonce_hash=_sha256(nonce), session_version=person.session_version,
                            created_at=now, expires_at=now + PENDING_LIFETIME)
        db.session.add(row)
        return row

    row = _in_transaction(work)
    return row.id, nonce


def pending_sign_in(attempt_id, nonce) -> PendingSignIn | None:
    """The waiting sign-in this session holds, while it may still be finished; else None."""
    if not isinstance(attempt_id, int) or not isinstance(nonce, str) or not 0 < attempt_id < 2**31:
        return None
    row = db.session.get(PendingSignIn, attempt_id)
    if row is None or not hmac.compare_digest(row.nonce_hash, _sha256(nonce)):
        return None
    person = db.session.get(Person, row.person_id)
    if (row.used_at is not None or row.expires_at <= _now() or row.wrong_codes >= WRONG_CODES_ALLOWED
            or person is None or person.session_version != row.session_version):
        return None
    return row


def may_set_up_second_factor(person: Person) -> bool:
    """Within SET_UP_WINDOW of using an invitation or reset link. An account that never had a
    link (made straight in the database, as tests do) may set up at its first sign-in;
    invitations, `flask pb invite` and resets all go through a link."""
    used = db.session.execute(select(func.count(), func.max(StaffLink.used_at))
                              .where(StaffLink.person_id == person.id)).one()
    links, last_used = used
    if links == 0:
        return True
    return last_used is not None and last_used > _now() - SET_UP_WINDOW


def set_up_secret(person: Person) -> str:
    """The secret offered to a staff member setting up their app: the same one until a code
    from it is entered (so reloading the page or signing in again changes nothing)."""
    credential = db.session.get(StaffCredential, person.id)
    if credential is not None and credential.totp_secret is not None:
        raise ServiceError(_l("Your authenticator app is already set up."), field="code")
    if not may_set_up_second_factor(person):
        raise SetUpWindowClosed()
    secret = open_secret(person.id, credential.pending_secret) if credential else None
    if secret:
        return secret
    secret = pyotp.random_base32()
    try:
        if credential is None:
            db.session.add(StaffCredential(person_id=person.id, pending_secret=seal_secret(person.id, secret)))
        else:
            credential.pending_secret = seal_secret(person.id, secret)
        db.session.commit()
    except IntegrityError:  # the page opened twice at once: the other one's secret stands
        db.session.rollback()
        return set_up_secret(person)
    except BaseException:
        db.session.rollback()
        raise
    return secret


def _code_wrong(attempt: PendingSignIn, message):
    if attempt.wrong_codes >= WRONG_CODES_ALLOWED:
        raise SignInEnded(_l("You entered a wrong code 5 times. Sign in again."))
    raise ServiceError(message, field="code")


def check_code(attempt_id, nonce, entered: str, *, set_up: bool = False) -> Person:
    """Finish a waiting sign-in with a code from the authenticator app. With set_up, the code
    is from the secret being set up, which it confirms. Returns the person, now to be signed in."""
    attempt = pending_sign_in(attempt_id, nonce)
    if attempt is None:
        raise SignInEnded()
    code = re.sub(r"[\s-]", "", entered or "")
    if not re.fullmatch(r"[0-9]{6}", code):
        raise ServiceError(_l("Enter the 6-digit code from your authenticator app"), field="code")
    person_id = attempt.person_id
    try:
        now = _now()
        # take a try before comparing, so that codes sent all at once still get only five
        taken = db.session.execute(update(PendingSignIn).where(
            PendingSignIn.id == attempt.id, PendingSignIn.used_at.is_(None), PendingSignIn.expires_at > now,
            PendingSignIn.wrong_codes < WRONG_CODES_ALLOWED).values(wrong_codes=PendingSignIn.wrong_codes + 1))
        db.session.commit()
        if taken.rowcount != 1:
            raise SignInEnded()
        db.session.refresh(attempt)
        credential = db.session.get(StaffCredential, person_id)
        if credential is not None:
            db.session.refresh(credential)
        if set_up and credential is not None and credential.totp_secret is not None:
            raise SignInEnded(_l("Your authenticator app is already set up. Sign in again."))
        if set_up and not may_set_up_second_factor(db.session.get(Person, person_id)):
            raise SignInEnded(SetUpWindowClosed().message)
        sealed = (credential.pending_secret if set_up else credential.totp_secret) if credential else None
        secret = open_secret(person_id, sealed)
        step = _matching_step(secret, code) if secret else None
        if step is None:
            _code_wrong(attempt, _l("The code is not right. Check your authenticator app and try again."))
        # no code works twice: the step must be later than the last one accepted
        values = {"last_step": step}
        conditions = [StaffCredential.person_id == person_id,
                      or_(StaffCredential.last_step.is_(None), StaffCredential.last_step < step)]
        if set_up:
            conditions += [StaffCredential.pending_secret == sealed, StaffCredential.totp_secret.is_(None)]
            values.update(totp_secret=sealed, pending_secret=None, confirmed_at=now)
        else:
            conditions.append(StaffCredential.totp_secret == sealed)
        moved = db.session.execute(update(StaffCredential).where(*conditions).values(**values))
        if moved.rowcount != 1:
            db.session.rollback()
            _code_wrong(attempt, _l("This code has already been used. Wait for your app to show a new code."))
        used = db.session.execute(update(PendingSignIn).where(
            PendingSignIn.id == attempt.id, PendingSignIn.used_at.is_(None)).values(
            used_at=now, wrong_codes=PendingSignIn.wrong_codes - 1))
        if used.rowcount != 1:
            db.session.rollback()
            raise SignInEnded()
        person = db.session.get(Person, person_id)
        if set_up:
            _audit(person, person, "second_factor_set_up")
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return person


def reset_second_factor(actor, person: Person) -> None:
    """An admin's recovery for a lost phone. The app and the password both go, and a link
    (72 hours) is emailed: with a password alone, anyone who knew it could set up an app of
    their own; the link makes the email the proof, as for an invitation."""
    _may_manage(actor)

    def work():
        db.session.execute(delete(StaffCredential).where(StaffCredential.person_id == person.id))
        person.password_hash = None
        _end_sessions(person)
        _audit(actor, person, "second_factor_reset")
        return _new_link("reset", person.email, person, actor, INVITATION_LIFETIME)

    token = _in_transaction(work)
    _send(person.email, gettext("Set up your Ward Budgets sign-in again"), gettext(
        "An administrator has reset the authenticator app of your Ward Budgets staff account, "
        "as you asked, and your old password no longer works.\n\n"
        "To choose a new password and set up your app again, open this link within 72 hours:\n"
        "%(link)s\n\nThe link works once. If you did not ask for this, tell an administrator.",
        link=link_url(token)))


# --- Passwords and one-time links --------------------------------------------------------


def check_new_password(password: str, email: str | None) -> None:
    """At least 12 characters, not the email address, not one of the commonest."""
    password = password or ""
    if len(password) < PASSWORD_MIN:
        raise ServiceError(_l("Your password must be at least 12 characters"), field="password")
    if len(password) > PASSWORD_MAX:
        raise ServiceError(_l("Your password must be 256 characters or fewer"), field="password")
    folded = password.strip().lower()
    address = (email or "").strip().lower()
    if address and (folded == address or folded == address.split("@")[0]):
        raise ServiceError(_l("Your password must not be your email address"), field="password")
    if folded in COMMON_PASSWORDS or len(set(folded)) <= 2:
        raise ServiceError(_l("This password is too easy to guess. Choose a different one."), field="password")


def _new_link(kind: str, email: str, person: Person | None, created_by, lifetime: timedelta) -> str:
    """A one-time link's token (in the caller's transaction); older links of this kind for
    the email stop working."""
    token = secrets.token_urlsafe(32)
    now = _now()
    hashed_email = email_hash(email)
    db.session.execute(delete(StaffLink).where(StaffLink.created_at < now - timedelta(days=30)))
    db.session.execute(update(StaffLink).where(
        StaffLink.kind == kind, StaffLink.email_hash == hashed_email, StaffLink.used_at.is_(None),
        StaffLink.voided_at.is_(None)).values(voided_at=now))
    db.session.add(StaffLink(kind=kind, person_id=person.id if person else None, email_hash=hashed_email,
                             token_hash=_sha256(token), created_by_id=created_by.id if created_by else None,
                             created_at=now, expires_at=now + lifetime))
    return token


def link_url(token: str) -> str:
    return public_url(url_for("account.open_link", token=token))


def link_for(token) -> StaffLink | None:
    """The link this token opens, while it still works, for someone who is still staff."""
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        return None
    link = db.session.scalar(select(StaffLink).where(StaffLink.token_hash == _sha256(token)))
    if (link is None or link.person_id is None or link.used_at is not None or link.voided_at is not None
            or link.expires_at <= _now() or not is_staff(link.person)):
        return None
    return link


def asks_name(link: StaffLink) -> bool:
    """An invitation asks the new staff member's name (so does a reset for someone without one)."""
    return link.kind == "invitation" or not (link.person.name or "").strip()


def use_link(token, password: str, name: str | None = None) -> Person:
    """Set the password (and the name, for an invitation) with a one-time link; every session
    of the person ends. Returns the person, who then signs in with their second factor."""
    link = link_for(token)
    if link is None:
        raise LinkNotUsable()
    person = link.person
    if asks_name(link):
        name = " ".join(re.sub(r"[\x00-\x1f\x7f-\x9f]", " ", name or "").split())
        if not name:
            raise ServiceError(_l("Enter your full name"), field="name")
        if len(name) > NAME_MAX:
            raise ServiceError(_l("Your name must be 200 characters or fewer"), field="name")
    check_new_password(password, person.email)

    def work():
        now = _now()
        claimed = db.session.execute(update(StaffLink).where(
            StaffLink.id == link.id, StaffLink.used_at.is_(None), StaffLink.voided_at.is_(None),
            StaffLink.expires_at > now).values(used_at=now))
        if claimed.rowcount != 1:
            raise LinkNotUsable()
        person.set_password(password)
        if asks_name(link):
            person.name = name
        # a key offered before this link (to anyone who had the old password) is not offered again
        db.session.execute(update(StaffCredential).where(StaffCredential.person_id == person.id)
                           .values(pending_secret=None))
        db.session.flush()
        _end_sessions(person)
        # any other link for this person is spent with this one
        db.session.execute(update(StaffLink).where(
            StaffLink.person_id == person.id, StaffLink.used_at.is_(None), StaffLink.voided_at.is_(None)
        ).values(voided_at=now))
        _audit(person, person, "joined" if link.kind == "invitation" else "password_reset")

    _in_transaction(work)
    db.session.refresh(person)
    return person


def _send(address: str, subject: str, body: str) -> None:
    try:
        send_email(address, subject, body)
    except EmailNotSent as err:
        raise EmailFailed(_l("We could not send the email just now. Try again in a few minutes."),
                          field="email") from err


def request_password_reset(email: str) -> None:
    """"Forgot your password?": a one-hour link to a staff member's address, or, for an
    address with no staff account, an email saying so. The same steps either way (a lookup,
    a link row, one email), so neither the answer nor its time tells the two apart."""
    email = (email or "").strip()
    person = db.session.scalar(select(Person).where(func.lower(Person.email) == email.lower()))
    # the roles' query runs for an unknown address too (it finds none)
    grants = db.session.scalars(select(RoleGrant.role).where(RoleGrant.person_id == (person.id if person else -1))).all()
    known = person is not None and any(role in STAFF_ROLES for role in grants)
    token = _in_transaction(lambda: _new_link("reset", email, person if known else None, None, RESET_LIFETIME))
    subject = gettext("Reset your Ward Budgets password")
    if known:
        body = gettext(
            "Someone asked to reset the password of your Ward Budgets staff account.\n\n"
            "To choose a new password, open this link within 1 hour:\n%(link)s\n\n"
            "The link works once. If you did not ask, ignore this email: your password has not changed.",
            link=link_url(token))
    else:
        link_url(token)  # the same work as for a known address
        body = gettext(
            "Someone asked to reset the password of a Ward Budgets staff account for this email "
            "address, but there is no staff account for it.\n\n"
            "If you work with Lambeth Council and need an account, ask an administrator to invite you. "
            "If you did not ask, ignore this email.")
    try:
        send_email(person.email if known else email, subject, body)
    except EmailNotSent:
        current_app.logger.warning("A password reset email could not be sent")


# --- Admins: invitations and roles ------------------------------------------------------


ROLE_TITLES = {
    "councillor": _l("Ward councillor"),
    "officer": _l("Council officer"),
    "equalities": _l("Equalities panel member"),
    "admin": _l("Administrator"),
    # Translators: the role of a volunteer who translates proposals and plans for residents
    "translator": _l("Volunteer translator"),
}


def _may_manage(actor) -> None:
    if not can(actor, "manage_people"):
        raise NotAllowed(_l("Only administrators can change staff accounts."))


def _checked_role(role: str, ward: Ward | None) -> Ward | None:
    if role not in STAFF_ROLES:
        raise ServiceError(_l("Choose a role"), field="role")
    if role == "councillor":
        if ward is None:
            raise ServiceError(_l("Choose the councillor's ward"), field="ward")
        return ward
    return None


def _grant(person: Person, role: str, ward: Ward | None) -> bool:
    """Add the grant unless the person has exactly it; whether it was added."""
    ward_id = ward.id if ward else None
    if any(g.role == role and g.ward_id == ward_id for g in person.roles):
        return False
    person.roles.append(RoleGrant(role=role, ward=ward))
    return True


def invite(actor, email: str, role: str, ward: Ward | None = None) -> Person:
    """Invite someone by email with a role: a 72-hour link to set their name and password.
    Inviting the same address again sends a new link (the older one stops working)."""
    _may_manage(actor)
    return _invite(actor, email, role, ward)[0]


def invite_from_server(email: str, role: str, ward: Ward | None = None) -> tuple[Person, str]:
    """The operator's invitation (`flask pb invite`), for the first admin or when no admin
    can sign in: whoever runs commands on the server holds every key already. Recorded with
    no actor; the link is also returned, for the operator to pass on if email is not set up."""
    return _invite(None, email, role, ward)


def _invite(actor, email: str, role: str, ward: Ward | None) -> tuple[Person, str]:
    email = (email or "").strip()
    ward = _checked_role(role, ward)
    person = db.session.scalar(select(Person).where(func.lower(Person.email) == email.lower()))
    if person is not None and person.password_hash:
        raise ServiceError(_l("There is already an account for this email address. "
                              "Give them a role from the list of staff instead."), field="email")

    def work():
        nonlocal person
        if person is None:
            person = Person(name="", email=email)
            db.session.add(person)
            db.session.flush()
        _grant(person, role, ward)
        token = _new_link("invitation", email, person, actor, INVITATION_LIFETIME)
        _audit(actor, person, "invited", role, ward)
        return token

    token = _in_transaction(work)
    _send(person.email, gettext("You are invited to Ward Budgets"), gettext(
        "%(inviter)s has invited you to Lambeth's Ward Budgets service as: %(role)s.\n\n"
        "To set your name and password, open this link within 72 hours:\n%(link)s\n\n"
        "The link works once. Then you will set up an authenticator app on your phone, which "
        "gives the code you need each time you sign in.\n\n"
        "If you did not expect this email, you can ignore it.",
        inviter=(actor.name or actor.email) if actor else gettext("The council"),
        role=describe_role(role, ward), link=link_url(token)))
    return person, token


def describe_role(role: str, ward: Ward | None) -> str:
    title = str(ROLE_TITLES.get(role, role))
    return f"{title} ({ward.name})" if ward else title


def grant_role(actor, person: Person, role: str, ward: Ward | None = None) -> None:
    """Give a staff member another role; their sessions end so it takes effect at once."""
    _may_manage(actor)
    if not person.email:
        raise NotAllowed(_l("Only staff accounts can be given a role here."))
    ward = _checked_role(role, ward)

    def work():
        if not _grant(person, role, ward):
            raise ServiceError(_l("They already have this role."), field="role")
        _end_sessions(person)
        _audit(actor, person, "granted", role, ward)

    _in_transaction(work)


def _active_admins() -> int:
    """People who hold the admin role and can sign in (they have set a password)."""
    return db.session.scalar(select(func.count(func.distinct(RoleGrant.person_id))).join(
        Person, Person.id == RoleGrant.person_id).where(RoleGrant.role == "admin", Person.password_hash.is_not(None)))


def withdraw_role(actor, grant: RoleGrant) -> None:
    """Take a role away; their sessions end so it takes effect at once. The last admin who
    can sign in keeps the admin role."""
    _may_manage(actor)
    person, role, ward = grant.person, grant.role, grant.ward

    def work():
        if db.session.get_bind().dialect.name == "postgresql":
            # two admins withdrawing each other at once must not leave none
            db.session.execute(text("SELECT pg_advisory_xact_lock(hashtext('ward-budgets staff roles'))"))
        db.session.execute(delete(RoleGrant).where(RoleGrant.id == grant.id))
        db.session.flush()
        if role == "admin" and _active_admins() == 0:
            raise LastAdmin(_l("You cannot withdraw the admin role from the last administrator. "
                               "Make someone else an administrator first."))
        _end_sessions(person)
        _audit(actor, person, "withdrawn", role, ward)

    _in_transaction(work)
    db.session.expire_all()


def staff_list() -> list[dict]:
    """Everyone with an email and a staff role or a password, with what an admin needs to see:
    their roles, whether their authenticator is set up, and whether an invitation waits."""
    people = db.session.scalars(select(Person).where(Person.email.is_not(None)).options(
        selectinload(Person.roles).selectinload(RoleGrant.ward)).order_by(func.lower(Person.email))).all()
    with_app = set(db.session.scalars(select(StaffCredential.person_id).where(StaffCredential.totp_secret.is_not(None))))
    invitations = {link.person_id: link for link in db.session.scalars(select(StaffLink).where(
        StaffLink.kind == "invitation", StaffLink.used_at.is_(None), StaffLink.voided_at.is_(None)))}
    now = _now()
    rows = []
    for person in people:
        grants = [g for g in person.roles if g.role in STAFF_ROLES]
        if not grants and not person.password_hash:
            continue
        invitation = invitations.get(person.id) if not person.password_hash else None
        rows.append({
            "person": person,
            "grants": sorted(grants, key=lambda g: (STAFF_ROLES.index(g.role), g.ward.name if g.ward else "")),
            "second_factor": person.id in with_app,
            "invitation": "pending" if invitation is not None and invitation.expires_at > now
            else ("expired" if not person.password_hash else None),
            "invitation_expires": invitation.expires_at if invitation is not None else None,
        })
    return rows


def audit_entries(limit: int = 50) -> list[StaffAudit]:
    return list(db.session.scalars(select(StaffAudit).options(
        selectinload(StaffAudit.actor), selectinload(StaffAudit.target), selectinload(StaffAudit.ward)
    ).order_by(StaffAudit.id.desc()).limit(limit)))

"""Assisted voting at a community access point (a library, a children's centre, a
customer service centre).

An officer checks a resident in person: full name, date of birth and postcode (which
decides the ward), and how they checked. `check_resident` finds or creates the resident's
Person by a keyed hash (HMAC under a key derived from SECRET_KEY for this one purpose) of
the normalised name, date of birth and postcode, so the same resident is the same Person
every time and the roll's one-ballot-each constraint stops a second assisted ballot. It
writes the audit record of the check in a transaction of its own, before any ballot
exists: the officer, the round, the ward, the method and the day, with a random id. The
record holds no person and no time of day, and shares no transaction with the ballot,
so it cannot be joined to one.

The ballot itself is cast by `pb.services.voting.cast_ballot(..., channel="assisted")`
like any other; the officer's device then shows the receipt once.

What this does not stop: a resident who votes by phone and is then assisted (or the other
way round) is two Persons, unless the round has an eligibility list, whose reference
numbers are good for one vote whichever way it is cast.
"""

import hashlib
import hmac
import re
import secrets
import unicodedata
from datetime import date

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from pb.models import AssistedCheck, AssistedIdentity, Person, RoleGrant, Round, db
from pb.models.assisted import CHECK_METHODS
from pb.services import audit, eligibility
from pb.services.errors import NotAllowed, ServiceError, WrongPhase
from pb.services.postcodes import normalise, ward_for
from pb.services.rounds import current_phase, heading_for, today
from pb.services.voting import has_voted

NAME_MAX = 200
NOTE_MAX = 200


class ResidentHasVoted(ServiceError):
    status = 409

    def __init__(self):
        super().__init__(_l("This resident has already voted in this round. Each person can vote once."))


def normalise_name(name: str) -> str:
    """'  Bäck  Button. ' -> 'back button': accents, case, punctuation and spacing aside."""
    text = unicodedata.normalize("NFKD", name or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"[^\w\s]|_", " ", text.casefold())
    return " ".join(text.split())


def identity_hash(name: str, born: date, postcode: str) -> str:
    key = hmac.new(current_app.config["SECRET_KEY"].encode(), b"ward-budgets assisted resident",
                   hashlib.sha256).digest()
    message = f"{normalise_name(name)}\n{born.isoformat()}\n{postcode}"
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


def _find_or_create(digest: str, postcode: str, ward) -> Person:
    found = select(AssistedIdentity).where(AssistedIdentity.identity_hash == digest)
    row = db.session.scalar(found)
    if row is not None:
        return row.person
    # no name is kept: the keyed hash is enough to know the resident again
    person = Person(name="", postcode=postcode, ward=ward)
    person.roles.append(RoleGrant(role="resident"))
    db.session.add(AssistedIdentity(identity_hash=digest, person=person))
    try:
        db.session.commit()
    except IntegrityError:  # the same resident checked at the same moment on two devices
        db.session.rollback()
        return db.session.scalar(found).person
    except BaseException:
        db.session.rollback()
        raise
    return person


def check_resident(officer, round_: Round, *, name: str, born: date | None, postcode: str,
                   method: str, note: str = "", reference: str | None = None) -> Person:
    """The resident the officer has checked, ready to vote in `round_`; the check is audited.

    Refused (a ServiceError naming the field) when the round is not in voting, the postcode
    is not in one of the round's wards, the resident has already voted in the round, or the
    round's eligibility list does not hold an unused `reference`. Nothing is written then.
    """
    if not can_assist(officer, round_):
        raise NotAllowed(_l("Only council officers can record an assisted vote."))
    if current_phase(round_) != "voting":
        raise WrongPhase(_l("Voting in this round is not open."))
    name = " ".join(re.sub(r"[\x00-\x1f\x7f-\x9f]", " ", name or "").split())
    if not normalise_name(name):
        raise ServiceError(_l("Enter the resident's full name"), field="name")
    if len(name) > NAME_MAX:
        raise ServiceError(_l("The name must be 200 characters or fewer"), field="name")
    if born is None:
        raise ServiceError(_l("Enter the resident's date of birth"), field="born")
    if born >= today() or born.year < 1900:
        raise ServiceError(_l("The date of birth must be a real date in the past"), field="born")
    if not within_age_range(round_, born):
        raise ServiceError(_l("This round is only for some ages, and the resident's date of birth "
                              "is outside them"), field="born")
    tidy = normalise(postcode)
    if tidy is None:
        raise ServiceError(_l("Enter a real postcode, like SW2 1RW"), field="postcode")
    ward = ward_for(tidy)
    if ward is None:
        raise ServiceError(_l("Enter a postcode in Lambeth"), field="postcode")
    if heading_for(round_, ward) is None:
        raise ServiceError(_l("This postcode is in %(ward)s, which is not part of this round",
                              ward=ward.name), field="postcode")
    if method not in CHECK_METHODS:
        raise ServiceError(_l("Select how you checked the resident's identity"), field="method")
    note = " ".join(re.sub(r"[\x00-\x1f\x7f-\x9f]", " ", note or "").split())
    if method == "other" and not note:
        raise ServiceError(_l("Say how you checked the resident's identity"), field="note")
    if len(note) > NOTE_MAX:
        raise ServiceError(_l("The note must be 200 characters or fewer"), field="note")
    eligibility.check_reference(round_, reference)
    person = _find_or_create(identity_hash(name, born, tidy), tidy, ward)
    if has_voted(person, round_):
        raise ResidentHasVoted()
    try:
        db.session.add(AssistedCheck(
            id=secrets.token_hex(16), officer_id=officer.id, round_id=round_.id, ward_id=ward.id,
            method=method, note=note or None, checked_on=today()))
        # the officer, the round, the ward and the day: never the resident, never the time
        audit.record("assisted.checked", actor=officer, round_id=round_.id, details={"ward": ward.slug}, day_only=True)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return person


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def within_age_range(round_: Round, born: date) -> bool:
    """Whether a resident born on `born` may vote in a round that has an age range (a youth
    budget); the officer has seen the date of birth, so this replaces the resident's own
    declaration."""
    age_range = getattr(round_, "age_range", None)
    if not age_range:
        return True
    youngest, oldest = age_range
    age = age_on(born, today())
    return (youngest is None or age >= youngest) and (oldest is None or age <= oldest)


def cast_options(round_: Round) -> dict:
    """What ``voting.cast_ballot`` needs beyond the choices for an assisted resident: the
    age declaration, made by the officer's check of the date of birth, where the round asks."""
    return {"age_declared": True} if getattr(round_, "age_range", None) else {}


def can_assist(officer, round_: Round) -> bool:
    from pb.policy import can

    return can(officer, "assist_voter", round_)


def checks_of(round_: Round) -> list[AssistedCheck]:
    """The audit of a round's checks, by day (within a day the order means nothing)."""
    return list(db.session.scalars(select(AssistedCheck).where(AssistedCheck.round_id == round_.id)
                                   .order_by(AssistedCheck.checked_on, AssistedCheck.id)))

"""How a resident proves who and where they are.

Today: development sign-in, a name and a postcode in Lambeth. Phone verification
(GOV.UK Notify) will replace it behind the same function: `identify_resident`
returns the Person, with their ward, or raises ServiceError for the form.
"""

import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from pb.models import Person, RoleGrant, db
from pb.services.errors import ServiceError
from pb.services.postcodes import normalise, ward_for

NAME_MAX = 200  # people.name


def identify_resident(name: str, postcode: str) -> Person:
    # control characters (NUL among them, which PostgreSQL cannot store) are not part of a name
    name = " ".join(re.sub(r"[\x00-\x1f\x7f-\x9f]", " ", name or "").split())
    if not name:
        raise ServiceError(_l("Enter your name"), field="name")
    if len(name) > NAME_MAX:
        raise ServiceError(_l("Your name must be 200 characters or fewer"), field="name")
    tidy = normalise(postcode)
    if tidy is None:
        raise ServiceError(_l("Enter a real postcode, like SW2 1RW"), field="postcode")
    ward = ward_for(tidy)
    if ward is None:
        raise ServiceError(_l("Enter a postcode in Lambeth"), field="postcode")
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

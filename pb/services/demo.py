"""A believable demo: every ward's councillors and an account for every role.

Idempotent: accounts are found by email and only created once. Names are
invented; they are not Lambeth's real councillors.
"""

import itertools
import os
import secrets

from sqlalchemy import select

from werkzeug.security import generate_password_hash

from pb.models import Person, RoleGrant, Ward, db

FIRST = ["Amara", "Tom", "Funmi", "Priya", "Kwame", "Sofia", "Joanna", "Dylan", "Halima",
         "Marek", "Grace", "Luis", "Ngozi", "Rachel", "Yusuf", "Beatriz", "Colin", "Ama",
         "Hannah", "Abdi", "Claire", "Tunde", "Maria", "Owen", "Fatima", "Piotr", "Esther"]
LAST = ["Okafor", "Bennett", "Adeyemi", "Shah", "Mensah", "Costa", "Kowalski", "Hughes",
        "Warsame", "Nowak", "Campbell", "Moreno", "Eze", "Fletcher", "Ali", "Santos",
        "Murray", "Boateng", "Lewis", "Hassan", "Dubois", "Bakare", "Silva", "Price"]

STAFF = [
    ("admin@demo.lambeth.example", "Alex Admin", [("admin", None)]),
    ("officer@demo.lambeth.example", "Olu Officer", [("officer", None)]),
    ("panel@demo.lambeth.example", "Pat Panel", [("equalities", None)]),
]


def demo_password() -> str:
    """One shared password for the demo accounts; random unless PB_DEMO_PASSWORD is set."""
    return os.environ.get("PB_DEMO_PASSWORD") or secrets.token_urlsafe(12)


def seed_demo(password: str | None = None) -> list[tuple[str, str]]:
    """Create the demo accounts; returns (email, role description) for each account made or kept."""
    # One hash for all demo accounts: they share the password, and hashing is slow on purpose.
    password_hash = generate_password_hash(password or demo_password())
    wards = list(db.session.scalars(select(Ward).order_by(Ward.ons_code)))
    if not wards:
        raise RuntimeError("Load the census first: flask --app app pb load-census")
    accounts = []
    for email, name, grants in STAFF:
        _account(email, name, password_hash, grants)
        accounts.append((email, grants[0][0]))

    names = (f"{f} {l}" for f, l in zip(itertools.cycle(FIRST), itertools.cycle(LAST), strict=False))
    for ward in wards:
        for seat in range(ward.councillor_seats):
            email = f"cllr.{ward.slug}.{seat + 1}@demo.lambeth.example"
            _account(email, "Cllr " + next(names), password_hash, [("councillor", ward)])
            if seat == 0:
                accounts.append((email, f"councillor for {ward.name}"))
    db.session.commit()
    return accounts


def _account(email: str, name: str, password_hash: str, grants) -> Person:
    person = db.session.scalar(select(Person).where(Person.email == email))
    if person is None:
        person = Person(email=email, name=name)
        db.session.add(person)
    person.password_hash = password_hash
    for role, ward in grants:
        if not person.has_role(role, ward):
            person.roles.append(RoleGrant(role=role, ward=ward))
    return person

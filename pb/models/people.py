"""People and what they may do. A person can hold several roles; councillors for given wards."""

import hashlib
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash

from pb.extensions import db

ROLES = ("resident", "councillor", "officer", "equalities", "admin", "translator")


_hasher = PasswordHasher()
# Checked when the email is unknown or has no password, so that a sign-in takes as long
# whether or not the staff email exists. Made once, with the same settings as real hashes.
_dummy_hash: list[str] = []


def hash_password(password: str) -> str:
    """An argon2 hash, as Person.set_password stores (the demo hashes once for many accounts)."""
    return _hasher.hash(password)


def check_dummy_password(password: str) -> bool:
    """Spend the time a real check would take; always False."""
    if not _dummy_hash:
        _dummy_hash.append(_hasher.hash("no account has this password"))
    try:
        _hasher.verify(_dummy_hash[0], password)
    except VerificationError:
        pass
    return False


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Person(UserMixin, db.Model):
    __tablename__ = "people"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    postcode: Mapped[str | None] = mapped_column(String(8))
    ward_id: Mapped[int | None] = mapped_column(ForeignKey("wards.id"))
    created_at: Mapped[datetime] = mapped_column(default=_now)
    # part of every session's id: raising it (at sign-out) ends every session of this person,
    # including a copied cookie
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")

    ward = relationship("Ward")
    roles: Mapped[list["RoleGrant"]] = relationship(
        back_populates="person", cascade="all, delete-orphan"
    )

    def get_id(self) -> str:
        """Flask-Login keeps this in the session: the person, their session version and a
        fingerprint of when they signed up. After a restore from a backup, the ids of people
        who signed up since the dump are given out again; a cookie from before the restore
        then names a different sign-up time, and opens nothing (benchmarks/drill/)."""
        created = self.created_at.isoformat() if self.created_at else ""
        stamp = hashlib.blake2s(created.encode(), digest_size=6).hexdigest()
        return f"{self.id}:{self.session_version}:{stamp}"

    def set_password(self, password: str) -> None:
        self.password_hash = hash_password(password)

    def check_password(self, password: str) -> bool:
        """Argon2, or an older werkzeug hash, which a right password replaces with argon2
        (the caller commits). Without a password, checks a dummy hash, taking as long."""
        stored = self.password_hash
        if not stored:
            return check_dummy_password(password)
        if not stored.startswith("$argon2"):
            if not check_password_hash(stored, password):
                return False
            self.set_password(password)
            return True
        try:
            _hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False
        if _hasher.check_needs_rehash(stored):
            self.set_password(password)
        return True

    def has_role(self, role: str, ward=None) -> bool:
        for grant in self.roles:
            if grant.role != role:
                continue
            if ward is None or grant.ward_id is None or grant.ward_id == ward.id:
                return True
        return False

    def councillor_wards(self):
        return [g.ward for g in self.roles if g.role == "councillor" and g.ward is not None]


class RoleGrant(db.Model):
    __tablename__ = "role_grants"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(20))
    # set for councillors (their ward); empty means borough-wide
    ward_id: Mapped[int | None] = mapped_column(ForeignKey("wards.id"))

    person: Mapped[Person] = relationship(back_populates="roles")
    ward = relationship("Ward")

    __table_args__ = (UniqueConstraint("person_id", "role", "ward_id", name="uq_role_grant"),)

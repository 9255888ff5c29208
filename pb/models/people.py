"""People and what they may do. A person can hold several roles; councillors for given wards."""

from datetime import UTC, datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from pb.extensions import db

ROLES = ("resident", "councillor", "officer", "equalities", "admin")


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
        """Flask-Login keeps this in the session: the person and their session version."""
        return f"{self.id}:{self.session_version}"

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

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

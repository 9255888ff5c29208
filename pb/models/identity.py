"""Residents' mobile numbers and the one-time codes that prove them.

A number is never stored: only its keyed hash (HMAC-SHA256, see pb.services.identity)
and its last 3 digits, to remind the resident which phone the code went to."""

from datetime import UTC, datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pb.extensions import db


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class PhoneNumber(db.Model):
    """A verified number: one number is one Person, so one voter per round."""

    __tablename__ = "phone_numbers"
    id: Mapped[int] = mapped_column(primary_key=True)
    number_hash: Mapped[str] = mapped_column(String(64), unique=True)
    last_digits: Mapped[str] = mapped_column(String(3))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), unique=True)
    verified_at: Mapped[datetime] = mapped_column(default=_now)

    person = relationship("Person")


class SignInCode(db.Model):
    """A code sent by SMS: hashed, bound to the number and to one browser session."""

    __tablename__ = "sign_in_codes"
    id: Mapped[int] = mapped_column(primary_key=True)
    number_hash: Mapped[str] = mapped_column(String(64), index=True)
    last_digits: Mapped[str] = mapped_column(String(3))
    code_hash: Mapped[str] = mapped_column(String(64))
    session_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=_now, index=True)
    expires_at: Mapped[datetime]
    wrong_tries: Mapped[int] = mapped_column(default=0, server_default="0")
    used_at: Mapped[datetime | None]


class OutboxMessage(db.Model):
    """The development outbox: text messages the app would have sent (never in production)."""

    __tablename__ = "sms_outbox"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    sent_at: Mapped[datetime] = mapped_column(default=_now)

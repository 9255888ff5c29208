"""Staff accounts: the second factor, sign-ins waiting for it, one-time links for
invitations and password resets, the record of who changed whose account, and the
development email outbox.

Secrets are never stored in the clear: a TOTP secret is sealed with AES-GCM under a key
derived from SECRET_KEY (pb.services.staff), a link's token and a waiting sign-in's nonce
are kept only as SHA-256 hashes, and an email address on a link only as a keyed hash.
"""

from datetime import UTC, datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pb.extensions import db

# what a staff link lets its holder do once
LINK_KINDS = ("invitation", "reset")
AUDIT_ACTIONS = ("invited", "granted", "withdrawn", "second_factor_reset", "joined",
                 "second_factor_set_up", "password_reset")


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class StaffCredential(db.Model):
    """A staff member's authenticator app (TOTP). Its own table, not columns on people:
    the people row is loaded on every request and shown on pages, this one only at
    sign-in; residents (nearly every person) never have one; and an admin's reset of the
    second factor is deleting this row."""

    __tablename__ = "staff_credentials"
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), primary_key=True)
    # sealed (pb.services.staff.seal_secret); set once a code from it has been entered
    totp_secret: Mapped[str | None] = mapped_column(String(200))
    # sealed; offered during set-up, until a code from it confirms it
    pending_secret: Mapped[str | None] = mapped_column(String(200))
    # the 30-second time step of the last code accepted: no code works twice
    last_step: Mapped[int | None]
    confirmed_at: Mapped[datetime | None]

    person = relationship("Person")


class PendingSignIn(db.Model):
    """The right password was given; the second factor is still to come. The browser's
    session holds this row's id and a random nonce (only its hash is here), so that a
    copied or replayed cookie cannot outlive the row: it dies when used, after 5 wrong
    codes, at expiry, or when the person's session version moves on."""

    __tablename__ = "staff_pending_sign_ins"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    nonce_hash: Mapped[str] = mapped_column(String(64))
    session_version: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=_now, index=True)
    expires_at: Mapped[datetime]
    wrong_codes: Mapped[int] = mapped_column(default=0, server_default="0")
    used_at: Mapped[datetime | None]


class StaffLink(db.Model):
    """A one-time link sent by email: an invitation (72 hours) or a password reset (1 hour).

    Only the token's SHA-256 is kept. A newer link of the same kind for the same email
    voids the older one. A reset asked for an unknown email leaves a row too (no person):
    the same work as for a known one, so the answer takes as long, and it opens nothing."""

    __tablename__ = "staff_links"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    email_hash: Mapped[str] = mapped_column(String(64), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=_now, index=True)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    voided_at: Mapped[datetime | None]

    person = relationship("Person", foreign_keys=[person_id])


class StaffAudit(db.Model):
    """Who changed whose staff account, how and when: invitations, roles granted and
    withdrawn, second factors reset (by an admin) and set up, passwords reset."""

    __tablename__ = "staff_audit"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=_now, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    target_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(30))
    role: Mapped[str | None] = mapped_column(String(20))
    ward_id: Mapped[int | None] = mapped_column(ForeignKey("wards.id"))

    actor = relationship("Person", foreign_keys=[actor_id])
    target = relationship("Person", foreign_keys=[target_id])
    ward = relationship("Ward")


class EmailOutboxMessage(db.Model):
    """The development email outbox: emails the app would have sent (never in production)."""

    __tablename__ = "email_outbox"
    id: Mapped[int] = mapped_column(primary_key=True)
    address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    sent_at: Mapped[datetime] = mapped_column(default=_now)

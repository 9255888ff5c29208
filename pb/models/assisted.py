"""Assisted voting at a community access point, and paper ballots keyed twice.

Nothing here is a ballot or points at one. An officer's check of a resident is kept as an
audit record that says who checked, in which round and ward, how, and on which day: no
person, no time of day, no id shared with the roll, a sealed ballot or a mixed ballot. A
paper ballot's keyings hold the choices read from the paper and the officers who keyed
them, never a voter; when a paper is settled its choices become a sealed ballot with a
random id of its own, mixed with the ward's other ballots.
"""

from datetime import date

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pb.extensions import db

CHECK_METHODS = ("document", "known", "other")
# a paper's state: keyed once; both keyings agree (a ballot); they disagree (waiting for a
# supervisor); resolved by a supervisor (a ballot); spoilt (no ballot)
PAPER_STATUSES = ("keyed_once", "agreed", "mismatch", "resolved", "spoilt")


class AssistedIdentity(db.Model):
    """A resident checked in person, known only by a keyed hash of their normalised name,
    date of birth and postcode (pb.services.assisted): the same resident is the same
    Person, so the roll's one-ballot-each constraint holds for them too."""

    __tablename__ = "assisted_identities"
    id: Mapped[int] = mapped_column(primary_key=True)
    identity_hash: Mapped[str] = mapped_column(String(64), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), unique=True)

    person = relationship("Person")


class AssistedCheck(db.Model):
    """The audit record of an officer's in-person check: never the person, never a time
    finer than the day, a random id, written in its own transaction before the ballot."""

    __tablename__ = "assisted_checks"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # random
    officer_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    ward_id: Mapped[int] = mapped_column(ForeignKey("wards.id"))
    method: Mapped[str] = mapped_column(String(20))  # CHECK_METHODS
    note: Mapped[str | None] = mapped_column(String(200))
    checked_on: Mapped[date] = mapped_column(Date)

    officer = relationship("Person")
    ward = relationship("Ward")

    __table_args__ = {"sqlite_with_rowid": False}


class PaperBatch(db.Model):
    """A box of paper ballots for one ward of a round, keyed paper by paper."""

    __tablename__ = "paper_batches"
    id: Mapped[int] = mapped_column(primary_key=True)
    heading_id: Mapped[int] = mapped_column(ForeignKey("headings.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(100))
    expected: Mapped[int] = mapped_column(Integer)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))

    heading = relationship("Heading")
    papers: Mapped[list["Paper"]] = relationship(back_populates="batch", cascade="all, delete-orphan",
                                                 order_by="Paper.number")


class Paper(db.Model):
    """One paper of a batch, by the number the officer wrote on it. It holds no ballot id:
    a settled paper's ballot is a sealed ballot with a random id of its own."""

    __tablename__ = "papers"
    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("paper_batches.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))  # PAPER_STATUSES
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))

    batch: Mapped[PaperBatch] = relationship(back_populates="papers")
    keyings: Mapped[list["PaperKeying"]] = relationship(back_populates="paper", cascade="all, delete-orphan")

    __table_args__ = (UniqueConstraint("batch_id", "number", name="uq_paper_number_in_batch"),)


class PaperKeying(db.Model):
    """What one officer read from one paper: the choices (JSON), or that it is spoilt."""

    __tablename__ = "paper_keyings"
    id: Mapped[int] = mapped_column(primary_key=True)
    paper_id: Mapped[int] = mapped_column(ForeignKey("papers.id", ondelete="CASCADE"), index=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    choices: Mapped[str | None] = mapped_column(Text)
    spoilt: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    paper: Mapped[Paper] = relationship(back_populates="keyings")

    __table_args__ = (UniqueConstraint("paper_id", "officer_id", name="uq_paper_keyed_once_per_officer"),)

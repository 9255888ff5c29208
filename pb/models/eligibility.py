"""Eligibility lists: the reference numbers (electoral register, council tax) that may
vote in a round that has a list, each usable once."""

from sqlalchemy import ForeignKey, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from pb.extensions import db


class EligibilityEntry(db.Model):
    """One reference on a round's list, kept only as a keyed hash (pb.services.eligibility).

    `used` is set in the cast's transaction, beside the roll entry. Like the roll, this row
    is identity data and never touches the ballot: it holds no person, no ballot, no
    heading and no time of use, and its id was given at upload, not at the cast, so
    nothing in it can be lined up with a sealed or mixed ballot. What it adds to the roll
    (which already names who voted) is only that some reference was used.
    """

    __tablename__ = "eligibility_entries"
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    reference_hash: Mapped[str] = mapped_column(String(64))
    used: Mapped[bool] = mapped_column(default=False, server_default=false())

    __table_args__ = (UniqueConstraint("round_id", "reference_hash", name="uq_eligibility_one_reference_each"),)

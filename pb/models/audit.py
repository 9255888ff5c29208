"""The audit log: one append-only table, each row chained to the one before by its hash
(pb.audit_chain). No foreign keys: deleting a draft round or a person must never delete,
or change, a line of the record.

What an entry may hold is limited by ballot secrecy (README "Ballot secrecy"): never a
ballot's contents, never which resident was assisted or which paper became which ballot,
and for assisted checks and paper ballots only the day (``at`` is a date), so no entry's
time can be set beside a roll entry or a ballot.
"""

from sqlalchemy import Boolean, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from pb.extensions import db


class AuditEntry(db.Model):
    __tablename__ = "audit_entries"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[str] = mapped_column(String(32))  # ISO 8601, UTC ("...Z"), or a day only
    action: Mapped[str] = mapped_column(String(40), index=True)
    actor_id: Mapped[int | None] = mapped_column(Integer)  # a person's id, kept even if they go
    actor_name: Mapped[str | None] = mapped_column(String(200))
    actor_role: Mapped[str | None] = mapped_column(String(40))
    round_id: Mapped[int | None] = mapped_column(Integer, index=True)
    subject: Mapped[str | None] = mapped_column(String(60))  # "proposal:12", "plan:3"
    details: Mapped[str] = mapped_column(Text, default="{}")  # canonical JSON
    reason: Mapped[str | None] = mapped_column(Text)
    # random, in the hashed body: a restricted body cannot be guessed from its body_hash;
    # published with the body only when the entry is readable ("" for none: not hashed)
    salt: Mapped[str] = mapped_column(String(32), default="", server_default="")
    public: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    body_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)

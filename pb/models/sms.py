"""Voting by text message: conversations, opt-outs and the spend officers see.

No table here holds a phone number: numbers are kept only as the keyed hash
(pb.services.identity.number_hash) that `phone_numbers` uses. No table holds a message's
text. A conversation holds the resident's choices only while they wait for "YES", sealed
like the web's draft (pb.services.ballot_box.seal_draft), and never once the ballot is cast.
"""

from datetime import UTC, datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from pb.extensions import db


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class SmsConversation(db.Model):
    """Where a number's voting conversation has got to. ``step`` is one of "start",
    "postcode", "round", "choose", "confirm"; a conversation idle for 30 minutes starts again."""

    __tablename__ = "sms_conversations"
    id: Mapped[int] = mapped_column(primary_key=True)
    number_hash: Mapped[str] = mapped_column(String(64), unique=True)
    language: Mapped[str] = mapped_column(String(5), default="en", server_default="en")
    step: Mapped[str] = mapped_column(String(20), default="start", server_default="start")
    heading_id: Mapped[int | None] = mapped_column(ForeignKey("headings.id", ondelete="SET NULL"))
    offered: Mapped[str | None] = mapped_column(Text)  # JSON: heading ids offered at the "round" step
    draft: Mapped[str | None] = mapped_column(Text)  # sealed choices waiting for YES
    updated_at: Mapped[datetime] = mapped_column(default=_now)


class SmsOptOut(db.Model):
    """A number that texted STOP: the app sends it nothing until it texts START."""

    __tablename__ = "sms_opt_outs"
    number_hash: Mapped[str] = mapped_column(String(64), primary_key=True)


class SmsSpend(db.Model):
    """Segments sent and received in voting conversations, per round (no number, no text);
    ``round_id`` is empty for messages before the ward was known. Replies count at their
    planned segments and texts received as one each, never their measured length, which
    would tell how long a ballot was (pb.services.sms_vote.planned)."""

    __tablename__ = "sms_spend"
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int | None] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), unique=True)
    messages_sent: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    segments_sent: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    messages_received: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    segments_received: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

"""Translations of what people write: round texts, proposals, officers' reasons, ward plans
and outcome updates, one row per (kind of object, object, field, language).

The object is named by kind and id rather than a foreign key, so that one table serves every
kind; a translation whose object has gone (or whose id a database reused) can never be shown,
because each row keeps the SHA-256 of the original text it was made from and a translation
of another text is "stale" (pb.services.content). These are public texts: nothing here
records who read what.
"""

from datetime import UTC, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pb.extensions import db


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class ContentTranslation(db.Model):
    __tablename__ = "content_translations"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # round, proposal, plan, priority, outcome, update
    object_id: Mapped[int] = mapped_column()
    field: Mapped[str] = mapped_column(String(40))
    locale: Mapped[str] = mapped_column(String(5))  # the code of URLs and <html lang>: en, so, tw...
    text: Mapped[str] = mapped_column(Text)
    source_hash: Mapped[str] = mapped_column(String(64))  # SHA-256 of the original it translates
    translated_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    translated_at: Mapped[datetime] = mapped_column(default=_now, onupdate=_now)

    __table_args__ = (
        UniqueConstraint("kind", "object_id", "field", "locale"),
        Index("ix_content_translations_locale_kind", "locale", "kind", "object_id"),
    )

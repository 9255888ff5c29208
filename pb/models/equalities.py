"""The equalities panel's settings for the sectional-capture check.

The monitoring answers themselves are in ``rounds.MonitoringResponse`` (attached to the
anonymous ballot); this holds the panel's flag thresholds, one row per heading (a round
in one ward). A heading without a row uses the core's default band (0.8 to 1.25).
"""

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pb.extensions import db
from pb.models.people import _now


class EqualitiesSetting(db.Model):
    """Flag a group when its representation ratio is below ``low`` or above ``high``."""

    __tablename__ = "equalities_settings"
    id: Mapped[int] = mapped_column(primary_key=True)
    heading_id: Mapped[int] = mapped_column(
        ForeignKey("headings.id", ondelete="CASCADE"), unique=True)
    low: Mapped[float] = mapped_column(Float)
    high: Mapped[float] = mapped_column(Float)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=_now, onupdate=_now)

    heading = relationship("Heading")
    updated_by = relationship("Person")

    __table_args__ = (
        CheckConstraint("low > 0 AND low < 1", name="low_below_one"),
        CheckConstraint("high > 1", name="high_above_one"),
    )


class EqualitiesRelease(db.Model):
    """One release point of a heading's live equalities figures during voting
    (``pb.equalities.releases``): aggregate counts only, never a person or a ballot.

    ``counts`` is JSON: characteristic -> category (and "non_response") -> exact count of
    everyone who had voted by the release, the figures the release's report is built
    from; ``participants`` how many had voted. Releases are at least 50 participants and a
    day apart, so two consecutive rows differ by a group, never a person. ``released_on``
    is when it was made (releases are a day apart anyway).
    """

    __tablename__ = "equalities_releases"
    id: Mapped[int] = mapped_column(primary_key=True)
    heading_id: Mapped[int] = mapped_column(
        ForeignKey("headings.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    participants: Mapped[int] = mapped_column(Integer)
    counts: Mapped[str] = mapped_column(Text)
    released_at: Mapped[datetime] = mapped_column(default=_now)

    __table_args__ = (UniqueConstraint("heading_id", "number"),)


class EqualitiesReport(db.Model):
    """A computed equalities report, stored so that it is computed once and every app server
    serves the same one (``pb.services.equalities.heading_report``).

    ``key`` is a digest of everything the report depends on (the release it shows, or the
    mixed ballots, answers, result and last release; the panel's band, the age range, the
    census rows and the report format), so a report is never changed, only superseded.
    ``body`` is the report as JSON (``pb.equalities.stored``), aggregate figures only, as
    published; None while one server computes it (claimed at ``started_at``), which keeps
    the others from computing it too.
    """

    __tablename__ = "equalities_reports"
    id: Mapped[int] = mapped_column(primary_key=True)
    heading_id: Mapped[int] = mapped_column(ForeignKey("headings.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    body: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(default=_now)
    finished_at: Mapped[datetime | None] = mapped_column()

    __table_args__ = (UniqueConstraint("heading_id", "key"),)

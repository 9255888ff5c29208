"""Ward improvement plans: a ward's priorities for a period, the outcomes it wants, and the
public record of progress on each outcome.

A plan is a draft (seen and edited only by the ward's councillors and council staff) until
it is published; then its priorities and outcomes are fixed, and only an outcome's status
moves, each move recorded by a dated update that says who posted it. "consultation" is a
state reserved for consulting residents on a draft (not built yet); `you_said_we_did`
holds what the final plan changed because of it, shown once it is filled in.
"""

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pb.extensions import db
from pb.models.people import _now

PLAN_STATES = ("draft", "consultation", "published")
OUTCOME_STATUSES = ("proposed", "agreed", "in_progress", "delivered", "dropped")
# who posted an update, as shown publicly next to their name
POSTER_ROLES = ("councillor", "officer", "admin")

# which plan priorities a budget round serves
round_priorities = Table(
    "round_priorities", db.metadata,
    Column("round_id", ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True),
    Column("priority_id", ForeignKey("plan_priorities.id", ondelete="CASCADE"), primary_key=True),
)


class Plan(db.Model):
    __tablename__ = "plans"
    id: Mapped[int] = mapped_column(primary_key=True)
    ward_id: Mapped[int] = mapped_column(ForeignKey("wards.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    start_year: Mapped[int] = mapped_column(Integer)
    end_year: Mapped[int] = mapped_column(Integer)
    summary: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(20), default="draft")
    you_said_we_did: Mapped[str | None] = mapped_column(Text)
    # the language its texts (and its priorities' and outcomes') are written in; pb.services.content
    original_locale: Mapped[str] = mapped_column(String(5), default="en", server_default="en")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=_now)
    published_at: Mapped[datetime | None]

    ward = relationship("Ward")
    priorities: Mapped[list["PlanPriority"]] = relationship(
        back_populates="plan", cascade="all, delete-orphan",
        order_by="(PlanPriority.position, PlanPriority.id)")
    outcomes: Mapped[list["PlanOutcome"]] = relationship(
        back_populates="plan", cascade="all, delete-orphan",
        order_by="(PlanOutcome.position, PlanOutcome.id)")

    __table_args__ = (
        CheckConstraint("state IN ('draft', 'consultation', 'published')", name="state_known"),
        CheckConstraint("start_year <= end_year", name="period_in_order"),
        UniqueConstraint("ward_id", "start_year", "end_year", name="uq_plan_ward_period"),
    )

    @property
    def is_published(self) -> bool:
        return self.state == "published"


class PlanPriority(db.Model):
    __tablename__ = "plan_priorities"
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")

    plan: Mapped[Plan] = relationship(back_populates="priorities")
    outcomes: Mapped[list["PlanOutcome"]] = relationship(back_populates="priority")
    rounds = relationship("Round", secondary=round_priorities, back_populates="priorities",
                          order_by="Round.proposals_from")


class PlanOutcome(db.Model):
    __tablename__ = "plan_outcomes"
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    priority_id: Mapped[int | None] = mapped_column(
        ForeignKey("plan_priorities.id", ondelete="SET NULL"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    responsible: Mapped[str] = mapped_column(String(200))  # a council service or a partner
    target_date: Mapped[date] = mapped_column(Date)
    measure: Mapped[str] = mapped_column(Text)  # how progress is measured
    status: Mapped[str] = mapped_column(String(20), default="proposed")
    dropped_reason: Mapped[str | None] = mapped_column(Text)  # shown publicly
    status_changed_at: Mapped[datetime] = mapped_column(default=_now)

    plan: Mapped[Plan] = relationship(back_populates="outcomes")
    priority: Mapped[PlanPriority | None] = relationship(back_populates="outcomes")
    updates: Mapped[list["OutcomeUpdate"]] = relationship(
        back_populates="outcome", cascade="all, delete-orphan",
        order_by="(OutcomeUpdate.posted_at.desc(), OutcomeUpdate.id.desc())")

    __table_args__ = (
        CheckConstraint("status IN ('proposed', 'agreed', 'in_progress', 'delivered', 'dropped')",
                        name="status_known"),
        CheckConstraint("status <> 'dropped' OR dropped_reason IS NOT NULL", name="dropped_has_reason"),
    )


class OutcomeUpdate(db.Model):
    """A dated, public note of progress on an outcome, with who posted it and any status change."""

    __tablename__ = "outcome_updates"
    id: Mapped[int] = mapped_column(primary_key=True)
    outcome_id: Mapped[int] = mapped_column(ForeignKey("plan_outcomes.id", ondelete="CASCADE"), index=True)
    posted_at: Mapped[datetime] = mapped_column(default=_now)
    posted_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    # as shown publicly, kept as they were when posted
    author_name: Mapped[str] = mapped_column(String(200))
    author_role: Mapped[str] = mapped_column(String(20))
    body: Mapped[str] = mapped_column(Text)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))

    outcome: Mapped[PlanOutcome] = relationship(back_populates="updates")

    __table_args__ = (
        CheckConstraint("author_role IN ('councillor', 'officer', 'admin')", name="role_known"),
    )

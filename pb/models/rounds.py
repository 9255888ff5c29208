"""Community budget rounds: phases, headings (a ward and its budget), proposals, the
ballot box, the roll of who voted, and results.

Ballot secrecy (the README's threat model says what is promised and what is not):
casting writes the voter's roll entry and a *sealed* ballot (encrypted, in
`sealed_ballots`) in one transaction. Nothing readable about the choice is written
beside the roll. When voting closes, the mixer moves every sealed ballot of a ward into
`ballots` (and its optional equality answers into `monitoring_responses`) in one shuffled
transaction of its own, with fresh random keys, and deletes the sealed rows. So the rows
a reader can see share one transaction, carry no person, session, address, phone or
time, and are stored in random order: nothing orders them against the roll. `ballots`,
`monitoring_responses` and `sealed_ballots` have no SQLite rowid (WITHOUT ROWID tables,
ordered by their random keys). `roll_entries` records only that a person voted in a
round; its unique constraint makes a second ballot impossible even under concurrent
requests.
"""

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pb.extensions import db
from pb.models.people import _now

PHASES = ("proposals", "review", "voting", "counting", "results", "delivery")
# a round is a draft (edited, deleted, seen only by staff) until it is published
ROUND_STATUSES = ("draft", "published")
# the date column on which each phase starts
PHASE_DATES = {phase: f"{phase}_from" for phase in PHASES}
BALLOT_TYPES = ("approval", "knapsack", "cumulative", "ranked")
RULES = ("greedy", "mes", "mes-add1")
PROPOSAL_STATUSES = ("draft", "submitted", "feasible", "unfeasible", "accepted", "rejected", "merged",
                     "withdrawn")
# a date change is a move of a phase that has not started, or the one extension of open voting
DATE_CHANGE_KINDS = ("move", "extension")
DELIVERY_STATUSES = ("not_started", "in_progress", "delivered")


class Round(db.Model):
    __tablename__ = "rounds"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    ballot_type: Mapped[str] = mapped_column(String(20))
    rule: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="draft", server_default="published")
    min_choices: Mapped[int | None]
    max_choices: Mapped[int | None]
    points: Mapped[int | None]  # cumulative ballots: points to spread
    min_spend_percent: Mapped[int | None]  # knapsack ballots: spend at least this share
    # who may vote, where the round asks (a youth budget for 11 to 25s): voters declare it
    min_age: Mapped[int | None]
    max_age: Mapped[int | None]
    proposals_from: Mapped[date] = mapped_column(Date)
    review_from: Mapped[date] = mapped_column(Date)
    voting_from: Mapped[date] = mapped_column(Date)
    counting_from: Mapped[date] = mapped_column(Date)
    results_from: Mapped[date] = mapped_column(Date)
    delivery_from: Mapped[date] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime] = mapped_column(default=_now)
    # the language its texts are written in (a code of pb.i18n.LANGUAGES); see pb.services.content
    original_locale: Mapped[str] = mapped_column(String(5), default="en", server_default="en")

    headings: Mapped[list["Heading"]] = relationship(
        back_populates="round", cascade="all, delete-orphan", order_by="Heading.id")
    date_changes: Mapped[list["PhaseDateChange"]] = relationship(
        back_populates="round", cascade="all, delete-orphan", order_by="PhaseDateChange.id")
    recounts: Mapped[list["Recount"]] = relationship(
        back_populates="round", cascade="all, delete-orphan", order_by="Recount.id")
    # the ward plan priorities this round serves (pb.models.plans)
    priorities = relationship("PlanPriority", secondary="round_priorities", back_populates="rounds",
                              order_by="(PlanPriority.plan_id, PlanPriority.position)")

    __table_args__ = (
        CheckConstraint("ballot_type IN ('approval', 'knapsack', 'cumulative', 'ranked')",
                        name="ballot_type_known"),
        CheckConstraint("rule IN ('greedy', 'mes', 'mes-add1')", name="rule_known"),
        CheckConstraint("status IN ('draft', 'published')", name="status_known"),
        CheckConstraint("proposals_from <= review_from AND review_from <= voting_from AND "
                        "voting_from < counting_from AND counting_from <= results_from AND "
                        "results_from <= delivery_from", name="phases_in_order"),
        CheckConstraint("min_age IS NULL OR (min_age >= 0 AND min_age <= 120)", name="min_age_range"),
        CheckConstraint("max_age IS NULL OR (max_age >= 0 AND max_age <= 120 AND "
                        "(min_age IS NULL OR max_age >= min_age))", name="max_age_range"),
    )

    @property
    def age_range(self) -> tuple[int | None, int | None] | None:
        """(youngest, oldest) who may vote, either possibly None; None when any age may."""
        youngest = self.min_age or None  # a minimum of 0 asks nothing
        if youngest is None and self.max_age is None:
            return None
        return youngest, self.max_age


class Heading(db.Model):
    """One ward's part of a round, with its own budget and ballot."""

    __tablename__ = "headings"
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    ward_id: Mapped[int] = mapped_column(ForeignKey("wards.id"))
    budget: Mapped[int] = mapped_column(Integer)  # whole pounds

    round: Mapped[Round] = relationship(back_populates="headings")
    ward = relationship("Ward")
    proposals: Mapped[list["Proposal"]] = relationship(
        back_populates="heading", order_by="Proposal.id", foreign_keys="Proposal.heading_id")
    result: Mapped["Result | None"] = relationship(back_populates="heading", uselist=False)
    # set by the mixer when voting has closed: no ballot can be cast here after it
    mixed_at: Mapped[datetime | None]

    __table_args__ = (
        UniqueConstraint("round_id", "ward_id", name="uq_heading_round_ward"),
        CheckConstraint("budget > 0", name="budget_positive"),
    )


class PhaseDateChange(db.Model):
    """An officer moved a phase date: kept, with the reason, for the public record."""

    __tablename__ = "phase_date_changes"
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    phase: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(20), default="move", server_default="move")
    old_date: Mapped[date] = mapped_column(Date)
    new_date: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    changed_at: Mapped[datetime] = mapped_column(default=_now)

    round: Mapped[Round] = relationship(back_populates="date_changes")
    changed_by = relationship("Person")


class Recount(db.Model):
    """An officer counted the same ballots again before the results were published, and why."""

    __tablename__ = "recounts"
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(Text)
    counted_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    counted_at: Mapped[datetime] = mapped_column(default=_now)

    round: Mapped[Round] = relationship(back_populates="recounts")
    counted_by = relationship("Person")


class Proposal(db.Model):
    __tablename__ = "proposals"
    id: Mapped[int] = mapped_column(primary_key=True)
    heading_id: Mapped[int] = mapped_column(ForeignKey("headings.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    title: Mapped[str] = mapped_column(String(120))
    summary: Mapped[str] = mapped_column(String(200))  # one line for the ballot
    description: Mapped[str] = mapped_column(Text)  # what and why
    location: Mapped[str | None] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(40))
    rough_cost: Mapped[int] = mapped_column(Integer)  # the proposer's estimate, pounds
    status: Mapped[str] = mapped_column(String(20), default="draft")
    feasibility_reason: Mapped[str | None] = mapped_column(Text)  # shown publicly
    final_cost: Mapped[int | None] = mapped_column(Integer)  # the officer's costing, pounds
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id"))
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    delivery_status: Mapped[str | None] = mapped_column(String(20))
    delivery_note: Mapped[str | None] = mapped_column(Text)
    delivery_progress: Mapped[int | None] = mapped_column(Integer)  # per cent done, 0 to 100
    # the language the proposer wrote in (a code of pb.i18n.LANGUAGES); see pb.services.content
    original_locale: Mapped[str] = mapped_column(String(5), default="en", server_default="en")
    created_at: Mapped[datetime] = mapped_column(default=_now)
    updated_at: Mapped[datetime] = mapped_column(default=_now, onupdate=_now)

    heading: Mapped[Heading] = relationship(back_populates="proposals", foreign_keys=[heading_id])
    author = relationship("Person", foreign_keys=[author_id])
    merged_into = relationship("Proposal", remote_side=[id])

    __table_args__ = (
        CheckConstraint("rough_cost >= 0", name="rough_cost_not_negative"),
        CheckConstraint("final_cost IS NULL OR final_cost > 0", name="final_cost_positive"),
        CheckConstraint("delivery_progress IS NULL OR (delivery_progress >= 0 AND delivery_progress <= 100)",
                        name="delivery_progress_percent"),
        CheckConstraint("status IN ('draft', 'submitted', 'feasible', 'unfeasible', 'accepted', "
                        "'rejected', 'merged', 'withdrawn')", name="status_known"),
    )

    @property
    def cost(self) -> int:
        return self.final_cost if self.final_cost is not None else self.rough_cost

    @property
    def project_id(self) -> str:
        """Its id on the ballot paper and in the count (and in the .pb export)."""
        return str(self.id)


class Ballot(db.Model):
    """A mixed ballot: what was chosen, nothing about who chose it, or when."""

    __tablename__ = "ballots"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # random, given by the mixer
    heading_id: Mapped[int] = mapped_column(ForeignKey("headings.id", ondelete="CASCADE"), index=True)
    choices: Mapped[str] = mapped_column(Text)  # JSON: ids, ids in order, or id -> points
    receipt_hash: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256 of the receipt
    channel: Mapped[str] = mapped_column(String(20), default="web")  # web, sms, assisted, paper

    heading: Mapped[Heading] = relationship()

    __table_args__ = {"sqlite_with_rowid": False}


class SealedBallot(db.Model):
    """A cast ballot waiting, encrypted, for the mixer. Written with the roll entry.

    ``sealed`` holds the choices, the channel, the receipt (until it has been shown once)
    and the optional equality answers, encrypted with the ballot sealing key (AES-GCM,
    ``pb.services.ballot_box``). ``token_hash`` is the SHA-256 of a one-time token kept
    in the voter's session for at most 30 minutes, to show the receipt once and to take
    the equality answers; it is cleared when used, at sign-out and at the mix.
    """

    __tablename__ = "sealed_ballots"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # random
    heading_id: Mapped[int] = mapped_column(ForeignKey("headings.id", ondelete="CASCADE"), index=True)
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    token_expires_at: Mapped[datetime | None]

    __table_args__ = {"sqlite_with_rowid": False}


class RollEntry(db.Model):
    """That a person voted in a round, and nothing about how.

    ``age_declared``: in a round with an age range, the voter declared they are within it
    (no date of birth or age is kept). It is the same for every voter of the round, so it
    says nothing about anyone's ballot."""

    __tablename__ = "roll_entries"
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    age_declared: Mapped[bool] = mapped_column(default=False, server_default=false())

    __table_args__ = (UniqueConstraint("round_id", "person_id", name="uq_roll_one_ballot_each"),)


class Result(db.Model):
    """The published count of one heading."""

    __tablename__ = "results"
    id: Mapped[int] = mapped_column(primary_key=True)
    heading_id: Mapped[int] = mapped_column(ForeignKey("headings.id", ondelete="CASCADE"), unique=True)
    rule: Mapped[str] = mapped_column(String(20))
    ballots_counted: Mapped[int]
    selected: Mapped[str] = mapped_column(Text)  # JSON list of proposal ids, in funding order
    outcome: Mapped[str] = mapped_column(Text)  # JSON of the tally's Outcome.to_dict()
    # the counted ballots as a .pb file (up to megabytes): loaded only when read (the download)
    pabulib: Mapped[str] = mapped_column(Text, deferred=True)
    ballots_sha256: Mapped[str] = mapped_column(String(64))
    counted_at: Mapped[datetime] = mapped_column(default=_now)
    counted_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))

    heading: Mapped[Heading] = relationship(back_populates="result")


class MonitoringResponse(db.Model):
    """Optional equality monitoring answers, attached to the anonymous ballot, never to the person.

    Kept in its own table (special-category data), written only by the mixer together
    with the ballots (so no easier to link than them), and only ever shown in aggregates
    with small counts suppressed (pb.equalities.disclosure).
    """

    __tablename__ = "monitoring_responses"
    ballot_id: Mapped[str] = mapped_column(
        ForeignKey("ballots.id", ondelete="CASCADE"), primary_key=True)
    heading_id: Mapped[int] = mapped_column(ForeignKey("headings.id", ondelete="CASCADE"), index=True)
    answers: Mapped[str] = mapped_column(Text)  # JSON: characteristic key -> category key

    __table_args__ = {"sqlite_with_rowid": False}

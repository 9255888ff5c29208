"""Consulting a ward's residents on a draft plan, and residents following a ward.

A consultation runs for set dates (Europe/London). Each signed-in resident of the ward has
at most one response (a unique constraint), which they may change until it closes: their
rating of each priority (support, neutral, oppose), whether it is one of their top three,
their answers to the plan's own questions, and their comments (on a priority or general).
Comments may wait for a moderator (pre-moderation), can be reported by residents once
each, and can be hidden by a moderator with a reason that is shown in their place.

These are opinions on a plan, not ballots: they are kept with the resident so that they
can change them, and never shown with the resident's name (see README "Ward plans").

Followers (`ward_follows`) are kept apart from everything else: the number or address is
held only to send the messages they asked for.
"""

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pb.extensions import db
from pb.models.people import _now

RATINGS = ("support", "neutral", "oppose")
QUESTION_KINDS = ("single", "multiple", "text")
COMMENT_STATES = ("pending", "shown", "hidden")
FOLLOW_CHANNELS = ("sms", "email")


class Consultation(db.Model):
    __tablename__ = "consultations"
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), unique=True)
    opens_on: Mapped[date] = mapped_column(Date)
    closes_on: Mapped[date] = mapped_column(Date)
    premoderated: Mapped[bool] = mapped_column(Boolean, default=False)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=_now)

    plan = relationship("Plan", backref=db.backref("consultation", uselist=False, passive_deletes=True))
    questions: Mapped[list["ConsultationQuestion"]] = relationship(
        back_populates="consultation", cascade="all, delete-orphan",
        order_by="(ConsultationQuestion.position, ConsultationQuestion.id)")
    responses: Mapped[list["ConsultationResponse"]] = relationship(
        back_populates="consultation", cascade="all, delete-orphan")
    comments: Mapped[list["ConsultationComment"]] = relationship(
        back_populates="consultation", cascade="all, delete-orphan")

    __table_args__ = (CheckConstraint("opens_on <= closes_on", name="dates_in_order"),)


class ConsultationQuestion(db.Model):
    """A plan's own question: one choice, several choices, or free text."""

    __tablename__ = "consultation_questions"
    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(10))
    text: Mapped[str] = mapped_column(String(500))
    options: Mapped[str] = mapped_column(Text, default="")  # one option a line

    consultation: Mapped[Consultation] = relationship(back_populates="questions")

    __table_args__ = (CheckConstraint("kind IN ('single', 'multiple', 'text')", name="kind_known"),)

    @property
    def option_list(self) -> list[str]:
        return [line for line in self.options.split("\n") if line]


class ConsultationResponse(db.Model):
    """One resident's response; changing it replaces its answers."""

    __tablename__ = "consultation_responses"
    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    updated_at: Mapped[datetime] = mapped_column(default=_now)

    consultation: Mapped[Consultation] = relationship(back_populates="responses")
    ratings: Mapped[list["PriorityRating"]] = relationship(
        back_populates="response", cascade="all, delete-orphan")
    answers: Mapped[list["QuestionAnswer"]] = relationship(
        back_populates="response", cascade="all, delete-orphan")
    comments: Mapped[list["ConsultationComment"]] = relationship(
        back_populates="response", cascade="all, delete-orphan")

    __table_args__ = (UniqueConstraint("consultation_id", "person_id", name="uq_one_response_each"),)


class PriorityRating(db.Model):
    __tablename__ = "priority_ratings"
    response_id: Mapped[int] = mapped_column(
        ForeignKey("consultation_responses.id", ondelete="CASCADE"), primary_key=True)
    priority_id: Mapped[int] = mapped_column(
        ForeignKey("plan_priorities.id", ondelete="CASCADE"), primary_key=True)
    rating: Mapped[str | None] = mapped_column(String(10))
    top_three: Mapped[bool] = mapped_column(Boolean, default=False)

    response: Mapped[ConsultationResponse] = relationship(back_populates="ratings")

    __table_args__ = (
        CheckConstraint("rating IS NULL OR rating IN ('support', 'neutral', 'oppose')", name="rating_known"),
    )


class QuestionAnswer(db.Model):
    __tablename__ = "question_answers"
    response_id: Mapped[int] = mapped_column(
        ForeignKey("consultation_responses.id", ondelete="CASCADE"), primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("consultation_questions.id", ondelete="CASCADE"), primary_key=True)
    value: Mapped[str] = mapped_column(Text)  # the option, the options one a line, or the text

    response: Mapped[ConsultationResponse] = relationship(back_populates="answers")
    question: Mapped[ConsultationQuestion] = relationship()


class ConsultationComment(db.Model):
    """A comment on a priority (or on the plan as a whole), shown without its author."""

    __tablename__ = "consultation_comments"
    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("consultation_responses.id", ondelete="CASCADE"), index=True)
    priority_id: Mapped[int | None] = mapped_column(ForeignKey("plan_priorities.id", ondelete="CASCADE"))
    body: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(10), default="shown")
    hidden_reason: Mapped[str | None] = mapped_column(Text)
    moderated_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    moderated_at: Mapped[datetime | None]

    consultation: Mapped[Consultation] = relationship(back_populates="comments")
    response: Mapped[ConsultationResponse] = relationship(back_populates="comments")
    priority = relationship("PlanPriority")
    reports: Mapped[list["CommentReport"]] = relationship(
        back_populates="comment", cascade="all, delete-orphan")

    __table_args__ = (
        CheckConstraint("state IN ('pending', 'shown', 'hidden')", name="state_known"),
        CheckConstraint("state <> 'hidden' OR hidden_reason IS NOT NULL", name="hidden_has_reason"),
    )


class CommentReport(db.Model):
    """A resident says a shown comment breaks the rules; once each."""

    __tablename__ = "comment_reports"
    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("consultation_comments.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=_now)

    comment: Mapped[ConsultationComment] = relationship(back_populates="reports")

    __table_args__ = (UniqueConstraint("comment_id", "person_id", name="uq_report_once"),)


class WardFollow(db.Model):
    """Someone who asked for messages about a ward, by SMS or email. Active once confirmed
    (an SMS follow is confirmed by the verified number; an email by the link sent to it)
    and until unsubscribed."""

    __tablename__ = "ward_follows"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    ward_id: Mapped[int] = mapped_column(ForeignKey("wards.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(10))
    address: Mapped[str] = mapped_column(String(254))  # E.164 number or email, for sending only
    locale: Mapped[str] = mapped_column(String(10), default="en")
    nonce: Mapped[str] = mapped_column(String(64))  # links are HMACs of it; a new nonce voids them
    created_at: Mapped[datetime] = mapped_column(default=_now)
    confirmed_at: Mapped[datetime | None]
    unsubscribed_at: Mapped[datetime | None]

    ward = relationship("Ward")

    __table_args__ = (
        UniqueConstraint("person_id", "ward_id", "channel", name="uq_follow_once"),
        CheckConstraint("channel IN ('sms', 'email')", name="channel_known"),
    )

    @property
    def active(self) -> bool:
        return self.confirmed_at is not None and self.unsubscribed_at is None


class FollowNotification(db.Model):
    """A message to a follower, written with the change that caused it and sent after its
    commit; one that failed is tried again by `flask pb send-notifications`."""

    __tablename__ = "follow_notifications"
    id: Mapped[int] = mapped_column(primary_key=True)
    follow_id: Mapped[int] = mapped_column(ForeignKey("ward_follows.id", ondelete="CASCADE"), index=True)
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=_now)
    sent_at: Mapped[datetime | None] = mapped_column(index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(String(500))

    follow: Mapped[WardFollow] = relationship()

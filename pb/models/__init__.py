"""The database: one module per area, all re-exported here."""

from pb.extensions import db
from pb.models.assisted import AssistedCheck, AssistedIdentity, Paper, PaperBatch, PaperKeying
from pb.models.audit import AuditEntry
from pb.models.consultation import (
    CommentReport,
    Consultation,
    ConsultationComment,
    ConsultationQuestion,
    ConsultationResponse,
    FollowNotification,
    PriorityRating,
    QuestionAnswer,
    WardFollow,
)
from pb.models.eligibility import EligibilityEntry
from pb.models.equalities import EqualitiesSetting
from pb.models.geography import Borough, CensusFigure, Postcode, Ward
from pb.models.identity import OutboxMessage, PhoneNumber, SignInCode
from pb.models.people import ROLES, Person, RoleGrant
from pb.models.plans import (
    OUTCOME_STATUSES,
    PLAN_STATES,
    OutcomeUpdate,
    Plan,
    PlanOutcome,
    PlanPriority,
    round_priorities,
)
from pb.models.rounds import (
    BALLOT_TYPES,
    DATE_CHANGE_KINDS,
    DELIVERY_STATUSES,
    PHASES,
    PROPOSAL_STATUSES,
    ROUND_STATUSES,
    RULES,
    Ballot,
    Heading,
    MonitoringResponse,
    PhaseDateChange,
    Proposal,
    Recount,
    Result,
    RollEntry,
    Round,
    SealedBallot,
)
from pb.models.sms import SmsConversation, SmsOptOut, SmsSpend
from pb.models.staff import (
    EmailOutboxMessage,
    PendingSignIn,
    StaffAudit,
    StaffCredential,
    StaffLink,
)
from pb.models.translations import ContentTranslation

__all__ = [
    "db", "Borough", "Ward", "CensusFigure", "Postcode", "Person", "RoleGrant", "ROLES",
    "Round", "Heading", "PhaseDateChange", "Proposal", "Ballot", "RollEntry", "SealedBallot", "Result",
    "MonitoringResponse", "PHASES", "BALLOT_TYPES", "RULES", "PROPOSAL_STATUSES",
    "DELIVERY_STATUSES", "EqualitiesSetting", "Recount", "ROUND_STATUSES", "DATE_CHANGE_KINDS",
    "PhoneNumber", "SignInCode", "OutboxMessage", "EligibilityEntry",
    "StaffCredential", "PendingSignIn", "StaffLink", "StaffAudit", "EmailOutboxMessage",
    "Plan", "PlanPriority", "PlanOutcome", "OutcomeUpdate", "PLAN_STATES", "OUTCOME_STATUSES",
    "round_priorities",
    "AssistedIdentity", "AssistedCheck", "PaperBatch", "Paper", "PaperKeying",
    "SmsConversation", "SmsOptOut", "SmsSpend",
    "Consultation", "ConsultationQuestion", "ConsultationResponse", "PriorityRating", "QuestionAnswer",
    "ConsultationComment", "CommentReport", "WardFollow", "FollowNotification",
    "AuditEntry",
    "ContentTranslation",
]

"""Version stamps of the shared parts of the round, results, home and ward pages
(pb.web.fragments): each reads, with light Core queries built once per process, the columns a
cached part shows, so the part is rendered again as soon as any of them changes, whichever app
server changed it. Whatever depends on the day (a round's phase) is in the fragment's key."""

from functools import cache

from sqlalchemy import bindparam, func, select

from pb.i18n import requested_language
from pb.models import (
    AuditEntry,
    ContentTranslation,
    Heading,
    PhaseDateChange,
    Plan,
    PlanPriority,
    Proposal,
    Recount,
    Result,
    Round,
    Ward,
    round_priorities,
)
from pb.services.audit import AFTER_RESULTS
from pb.web.fragments import stamp


def _translations(kind: str, ids):
    """The reader's language's translations of these objects: any added, changed (its
    translated_at moves) or removed changes the stamp. Fresh or stale is decided against the
    originals, which the caller's own query covers."""
    return (select(ContentTranslation.id, ContentTranslation.translated_at, ContentTranslation.source_hash)
            .where(ContentTranslation.kind == kind, ContentTranslation.locale == bindparam("locale"),
                   ContentTranslation.object_id.in_(ids))
            .order_by(ContentTranslation.id))


def _rounds(*where):
    return select(*Round.__table__.columns).where(*where).order_by(Round.id)


@cache
def _results_statements() -> tuple:
    heading_id = bindparam("heading_id")
    return (
        select(Result.id, Result.counted_at, Result.ballots_sha256, Result.rule, Result.ballots_counted,
               select(func.max(AuditEntry.seq)).where(
                   AuditEntry.round_id == bindparam("round_id"),
                   AuditEntry.action.in_(sorted(AFTER_RESULTS))).scalar_subquery())
        .where(Result.heading_id == heading_id),
        select(Proposal.id, Proposal.updated_at, Proposal.title, Proposal.status, Proposal.original_locale,
               Proposal.delivery_status, Proposal.delivery_progress, Proposal.delivery_note)
        .where(Proposal.heading_id == heading_id).order_by(Proposal.id),
        _translations("proposal", select(Proposal.id).where(Proposal.heading_id == heading_id)
                      .scalar_subquery()),
    )


def results_stamp(heading: Heading) -> str:
    """What the middle of a ward's results page shows: the count (a recount changes its time and
    fingerprint), the round's count entry in the audit log, and the ward's proposals with their
    delivery status and translations."""
    return stamp(*_results_statements(), heading_id=heading.id, round_id=heading.round_id,
                 locale=requested_language())


@cache
def _rounds_statements() -> tuple:
    return (
        _rounds(),
        select(Heading.id, Heading.round_id, Heading.budget, Ward.name).join(Ward).order_by(Heading.id),
        _translations("round", select(Round.id).scalar_subquery()),
    )


def rounds_stamp() -> str:
    """What a list of rounds shows: each round's title, status and dates, its wards and budgets,
    and the translations of its title and description."""
    return stamp(*_rounds_statements(), locale=requested_language())


@cache
def _round_statements() -> tuple:
    round_id = bindparam("round_id")
    priority_ids = (select(round_priorities.c.priority_id)
                    .where(round_priorities.c.round_id == round_id).scalar_subquery())
    return (
        _rounds(Round.id == round_id),
        select(Heading.id, Heading.budget, Ward.name, Result.id).join(Ward)
        .outerjoin(Result, Result.heading_id == Heading.id)
        .where(Heading.round_id == round_id).order_by(Heading.id),
        select(PhaseDateChange.id, PhaseDateChange.new_date, PhaseDateChange.reason)
        .where(PhaseDateChange.round_id == round_id).order_by(PhaseDateChange.id),
        select(Recount.id, Recount.counted_at, Recount.reason)
        .where(Recount.round_id == round_id).order_by(Recount.id),
        select(PlanPriority.id, PlanPriority.title, Plan.state, Plan.original_locale, Plan.ward_id)
        .join(Plan, PlanPriority.plan_id == Plan.id).where(PlanPriority.id.in_(priority_ids))
        .order_by(PlanPriority.id),
        _translations("round", select(Round.id).where(Round.id == round_id).scalar_subquery()),
        _translations("priority", priority_ids),
    )


def round_stamp(round_: Round) -> str:
    """What the shared parts of a round's page show: the round, its wards' budgets and whether
    they are counted, its timetable changes and recounts, the ward plan priorities it serves
    (and their plans' state), and the translations of all of these."""
    return stamp(*_round_statements(), round_id=round_.id, locale=requested_language())


@cache
def _ward_statements() -> tuple:
    from pb.models import Person, RoleGrant

    ward_id = bindparam("ward_id")
    return (
        select(Person.id, Person.name).join(RoleGrant, RoleGrant.person_id == Person.id)
        .where(RoleGrant.role == "councillor", RoleGrant.ward_id == ward_id).order_by(Person.id),
        select(Plan.id, Plan.state, Plan.title, Plan.summary, Plan.start_year, Plan.end_year,
               Plan.original_locale, Plan.published_at).where(Plan.ward_id == ward_id).order_by(Plan.id),
        _translations("plan", select(Plan.id).where(Plan.ward_id == ward_id).scalar_subquery()),
        *_rounds_statements(),
    )


def ward_stamp(ward: Ward) -> str:
    """What a ward's page shows besides its census part: its councillors, its plans (and their
    translations) and the rounds (any round's change re-renders every ward page: rare, cheap)."""
    return stamp(*_ward_statements(), ward_id=ward.id, locale=requested_language())


@cache
def _ballot_statements() -> tuple:
    heading_id = bindparam("heading_id")
    return (
        select(Proposal.id, Proposal.updated_at, Proposal.status)
        .where(Proposal.heading_id == heading_id).order_by(Proposal.id),
        _translations("proposal", select(Proposal.id).where(Proposal.heading_id == heading_id)
                      .scalar_subquery()),
    )


def ballot_stamp(heading: Heading) -> str:
    """The ward's proposals (any edit moves its updated_at) and their translations: what the
    ballot's "More about each project" part shows, the same for every voter."""
    return stamp(*_ballot_statements(), heading_id=heading.id, locale=requested_language())

"""Ward improvement plans: drafting, publishing, and holding the council to account.

    draft -> published
    draft -> consultation -> published   (see pb.services.consultation)

A ward's councillors draft a plan for a period (officers and admins may do everything);
while it is a draft, its priorities and outcomes are added, edited, reordered and deleted
freely and only they see it. Publishing fixes its priorities and outcomes; from then on an
outcome's status moves only by a dated, public progress update that records who posted it
and the move (from -> to). Dropping an outcome needs a reason, shown publicly.

Texts are kept exactly as typed (tidied by the forms) and shown as plain text with
paragraphs: no markup is ever taken from them (see pb.web.plans `plain_paragraphs`).

Each use-case is one transaction; a refusal is a ServiceError with a translated message.
"""

import json
import re
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from pb.models import (
    OUTCOME_STATUSES,
    Heading,
    OutcomeUpdate,
    Plan,
    PlanOutcome,
    PlanPriority,
    Proposal,
    Result,
    Round,
    Ward,
    db,
)
from pb.models.people import _now
from pb.policy import can
from pb.services import audit
from pb.services.errors import NotAllowed, ServiceError, WrongPhase
from pb.services.rounds import published as results_published
from pb.services.rounds import today

MIN_YEAR, MAX_YEAR, MAX_YEARS = 2000, 2100, 10
# an outcome that is finished one way or the other is never overdue
CLOSED_STATUSES = ("delivered", "dropped")
TITLE_MAX, LINE_MAX, TEXT_MAX = 200, 200, 10_000


class ChangedMeanwhile(ServiceError):
    """Two requests at once (a double click, two councillors) met a unique constraint."""

    status = 409

    def __init__(self):
        super().__init__(_l("Someone made the same change at the same moment. Check the plan "
                            "and try again."))


def _in_transaction(work):
    try:
        result = work()
        db.session.commit()
        return result
    except IntegrityError:
        db.session.rollback()
        raise ChangedMeanwhile() from None
    except BaseException:
        db.session.rollback()
        raise


def _manage(person, subject) -> None:
    if not can(person, "manage_plan", subject):
        raise NotAllowed(_l("Only the ward's councillors and council staff can change this plan."))


def _draft(plan: Plan) -> None:
    if plan.state == "published":
        raise WrongPhase(_l("This plan has been published, so its priorities and outcomes are fixed."))
    if plan.state == "consultation" and not consultation_closed(plan):
        raise WrongPhase(_l("Residents are being consulted on this plan, so it is fixed until the "
                            "consultation closes."))


def consultation_closed(plan: Plan) -> bool:
    """Whether the plan's consultation (pb.services.consultation) has closed."""
    from pb.services.consultation import plan_consultation, status

    consultation = plan_consultation(plan)
    return consultation is not None and status(consultation) == "closed"


def _not_consulted(plan: Plan, message) -> None:
    """What residents were consulted on stays: the plan and its priorities."""
    if plan.state == "consultation":
        raise WrongPhase(message)


# control characters (NUL among them, which PostgreSQL cannot store) go, as the forms drop them;
# line breaks and tabs stay
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _text(value, field: str, *, required=None, maximum=TEXT_MAX, too_long=None) -> str:
    value = CONTROL.sub("", (value or "").replace("\r\n", "\n").replace("\r", "\n")).strip()
    if required is not None and not value:
        raise ServiceError(required, field=field)
    if len(value) > maximum:
        raise ServiceError(too_long or _l("This must be %(max)d characters or fewer", max=maximum),
                           field=field)
    return value


def _period(start_year, end_year) -> tuple[int, int]:
    if not isinstance(start_year, int) or not MIN_YEAR <= start_year <= MAX_YEAR:
        raise ServiceError(_l("Enter the first year of the plan, like 2026"), field="start_year")
    if not isinstance(end_year, int) or not MIN_YEAR <= end_year <= MAX_YEAR:
        raise ServiceError(_l("Enter the last year of the plan, like 2028"), field="end_year")
    if end_year < start_year:
        raise ServiceError(_l("The last year must be the same as or after the first year"),
                           field="end_year")
    if end_year - start_year >= MAX_YEARS:
        raise ServiceError(_l("A plan can cover at most 10 years"), field="end_year")
    return start_year, end_year


def _plan_fields(plan: Plan, *, title, start_year, end_year, summary, you_said_we_did) -> None:
    plan.title = _text(title, "title", required=_l("Enter a title for the plan"), maximum=TITLE_MAX,
                       too_long=_l("The title must be 200 characters or fewer"))
    plan.start_year, plan.end_year = _period(start_year, end_year)
    plan.summary = _text(summary, "summary", required=_l("Enter a summary of the plan"),
                         too_long=_l("The summary must be 10,000 characters or fewer"))
    plan.you_said_we_did = _text(
        you_said_we_did, "you_said_we_did",
        too_long=_l("“You said, we did” must be 10,000 characters or fewer")) or None


def _period_free(plan: Plan) -> None:
    clash = db.session.scalar(select(Plan.id).where(
        Plan.ward_id == plan.ward_id, Plan.start_year == plan.start_year,
        Plan.end_year == plan.end_year, Plan.id != (plan.id or 0)))
    if clash is not None:
        raise ServiceError(_l("This ward already has a plan for %(start)d to %(end)d",
                              start=plan.start_year, end=plan.end_year), field="start_year")


# ---------------------------------------------------------------- the plan


def create_plan(person, ward: Ward, *, title: str, start_year: int, end_year: int, summary: str,
                you_said_we_did: str = "") -> Plan:
    """A ward's councillor (or council staff) starts a plan, as a draft nobody else sees."""
    _manage(person, ward)
    plan = Plan(ward=ward, ward_id=ward.id, state="draft", created_by_id=person.id)

    def work():
        _plan_fields(plan, title=title, start_year=start_year, end_year=end_year, summary=summary,
                     you_said_we_did=you_said_we_did)
        with db.session.no_autoflush:
            _period_free(plan)
        db.session.add(plan)
        return plan

    return _in_transaction(work)


def update_plan(person, plan: Plan, *, title: str, start_year: int, end_year: int, summary: str,
                you_said_we_did: str = "") -> Plan:
    _manage(person, plan)
    _draft(plan)

    def work():
        with db.session.no_autoflush:
            _plan_fields(plan, title=title, start_year=start_year, end_year=end_year, summary=summary,
                         you_said_we_did=you_said_we_did)
            _period_free(plan)
        return plan

    return _in_transaction(work)


def delete_plan(person, plan: Plan) -> None:
    """A draft can be thrown away; a published plan stays on the public record."""
    _manage(person, plan)
    _draft(plan)
    _not_consulted(plan, _l("Residents were consulted on this plan, so it cannot be deleted."))
    _in_transaction(lambda: db.session.delete(plan))


def publish_plan(person, plan: Plan, *, you_said_we_did: str | None = None) -> Plan:
    """After a consultation, only once it has closed, and with a "You said, we did" note."""
    from pb.services import follows

    _manage(person, plan)
    if plan.state == "published":
        raise WrongPhase(_l("This plan has already been published."))
    note = plan.you_said_we_did
    if you_said_we_did is not None:
        note = _text(you_said_we_did, "you_said_we_did",
                     too_long=_l("“You said, we did” must be 10,000 characters or fewer")) or None
    if plan.state == "consultation":
        if not consultation_closed(plan):
            raise WrongPhase(_l("The plan can be published once its consultation has closed."))
        if not note:
            raise ServiceError(_l("Say what changed because of the consultation (“You said, we did”)"),
                               field="you_said_we_did")
    if not plan.priorities:
        raise ServiceError(_l("Add at least one priority before publishing the plan"), field="priorities")
    if not plan.outcomes:
        raise ServiceError(_l("Add at least one outcome before publishing the plan"), field="outcomes")

    def work():
        plan.state = "published"
        plan.published_at = _now()
        plan.you_said_we_did = note
        follows.queue_plan_published(plan)
        audit.record("plan.published", actor=person, subject=f"plan:{plan.id}", details={"ward": plan.ward.slug, "title": plan.title})
        return plan

    result = _in_transaction(work)
    follows.send_pending()
    return result


# ---------------------------------------------------------------- priorities


def _priority_fields(priority: PlanPriority, title, description) -> None:
    priority.title = _text(title, "title", required=_l("Enter a title for the priority"),
                           maximum=TITLE_MAX, too_long=_l("The title must be 200 characters or fewer"))
    priority.description = _text(description, "description",
                                 too_long=_l("The description must be 10,000 characters or fewer"))


def add_priority(person, plan: Plan, *, title: str, description: str = "") -> PlanPriority:
    _manage(person, plan)
    _draft(plan)
    priority = PlanPriority()

    def work():
        _priority_fields(priority, title, description)
        priority.position = max((p.position for p in plan.priorities), default=0) + 1
        plan.priorities.append(priority)
        return priority

    return _in_transaction(work)


def update_priority(person, priority: PlanPriority, *, title: str, description: str = "") -> PlanPriority:
    _manage(person, priority.plan)
    _draft(priority.plan)
    return _in_transaction(lambda: (_priority_fields(priority, title, description), priority)[1])


def delete_priority(person, priority: PlanPriority) -> None:
    """Its outcomes stay in the plan, serving no priority."""
    plan = priority.plan
    _manage(person, plan)
    _draft(plan)
    _not_consulted(plan, _l("Residents were consulted on this priority, so it cannot be deleted."))

    def work():
        for outcome in list(priority.outcomes):
            outcome.priority = None
        plan.priorities.remove(priority)

    _in_transaction(work)


def move_priority(person, priority: PlanPriority, direction: str) -> PlanPriority:
    """Up or down one place in the plan's order."""
    plan = priority.plan
    _manage(person, plan)
    _draft(plan)
    if direction not in ("up", "down"):
        raise ServiceError(_l("Choose up or down"), field="direction")

    def work():
        order = list(plan.priorities)
        i = order.index(priority)
        j = i - 1 if direction == "up" else i + 1
        if 0 <= j < len(order):
            order[i], order[j] = order[j], order[i]
        for position, item in enumerate(order, start=1):
            item.position = position
        return priority

    return _in_transaction(work)


# ---------------------------------------------------------------- outcomes


def _outcome_fields(outcome: PlanOutcome, plan: Plan, *, title, description, priority_id,
                    responsible, target_date, measure) -> None:
    outcome.title = _text(title, "title", required=_l("Enter a title for the outcome"),
                          maximum=TITLE_MAX, too_long=_l("The title must be 200 characters or fewer"))
    outcome.description = _text(description, "description",
                                too_long=_l("The description must be 10,000 characters or fewer"))
    if priority_id in (None, "", 0):
        outcome.priority = None
    else:
        chosen = next((p for p in plan.priorities if p.id == priority_id), None)
        if chosen is None:
            raise ServiceError(_l("Choose one of this plan’s priorities"), field="priority_id")
        outcome.priority = chosen
    outcome.responsible = _text(
        responsible, "responsible", required=_l("Enter who is responsible, like a council service or a partner"),
        maximum=LINE_MAX, too_long=_l("Who is responsible must be 200 characters or fewer"))
    if not isinstance(target_date, date):
        raise ServiceError(_l("Enter the target date"), field="target_date")
    if not MIN_YEAR <= target_date.year <= MAX_YEAR:
        raise ServiceError(_l("The target date must be between the years 2000 and 2100"),
                           field="target_date")
    outcome.target_date = target_date
    outcome.measure = _text(measure, "measure", required=_l("Enter how progress will be measured"),
                            too_long=_l("How progress is measured must be 10,000 characters or fewer"))


def add_outcome(person, plan: Plan, *, title: str, description: str = "", priority_id=None,
                responsible: str, target_date: date, measure: str) -> PlanOutcome:
    """A new outcome starts as "proposed"."""
    _manage(person, plan)
    _draft(plan)
    outcome = PlanOutcome(status="proposed")

    def work():
        with db.session.no_autoflush:
            _outcome_fields(outcome, plan, title=title, description=description, priority_id=priority_id,
                            responsible=responsible, target_date=target_date, measure=measure)
            outcome.position = max((o.position for o in plan.outcomes), default=0) + 1
            plan.outcomes.append(outcome)
        return outcome

    return _in_transaction(work)


def update_outcome(person, outcome: PlanOutcome, *, title: str, description: str = "", priority_id=None,
                   responsible: str, target_date: date, measure: str) -> PlanOutcome:
    plan = outcome.plan
    _manage(person, plan)
    _draft(plan)

    def work():
        _outcome_fields(outcome, plan, title=title, description=description, priority_id=priority_id,
                        responsible=responsible, target_date=target_date, measure=measure)
        return outcome

    return _in_transaction(work)


def delete_outcome(person, outcome: PlanOutcome) -> None:
    plan = outcome.plan
    _manage(person, plan)
    _draft(plan)
    _in_transaction(lambda: plan.outcomes.remove(outcome))


def poster_role(person, plan: Plan) -> str:
    """How the poster is shown: a councillor for the plan's ward, or their council role."""
    if any(g.role == "councillor" and g.ward_id == plan.ward_id for g in person.roles):
        return "councillor"
    return "admin" if person.has_role("admin") and not person.has_role("officer") else "officer"


def post_update(person, outcome: PlanOutcome, *, body: str, new_status: str | None = None,
                dropped_reason: str = "") -> OutcomeUpdate:
    """A dated progress update on a published plan's outcome, with who posted it; it may
    move the outcome's status (recorded from -> to). Dropping needs a public reason."""
    from pb.services import follows

    plan = outcome.plan
    if not can(person, "post_outcome_update", plan):
        raise NotAllowed(_l("Only the ward's councillors and council staff can post updates."))
    if plan.state != "published":
        raise WrongPhase(_l("Progress updates can be posted once the plan is published."))
    body = _text(body, "body", required=_l("Enter the update"),
                 too_long=_l("The update must be 10,000 characters or fewer"))
    new_status = new_status or None
    if new_status is not None and new_status not in OUTCOME_STATUSES:
        raise ServiceError(_l("Choose the outcome’s new status"), field="new_status")
    if new_status == outcome.status:
        new_status = None
    reason = None
    if new_status == "dropped":
        reason = _text(dropped_reason, "dropped_reason",
                       required=_l("Enter why the outcome is being dropped"),
                       too_long=_l("The reason must be 10,000 characters or fewer"))

    def work():
        update = OutcomeUpdate(outcome=outcome, posted_by_id=person.id,
                               author_name=CONTROL.sub("", person.name)[:200],
                               author_role=poster_role(person, plan),
                               body=body)
        db.session.add(update)  # before the audit entry's queries autoflush the session
        if new_status is not None:
            update.from_status, update.to_status = outcome.status, new_status
            outcome.status = new_status
            outcome.status_changed_at = _now()
            outcome.dropped_reason = reason if new_status == "dropped" else None
            audit.record("outcome.status_changed", actor=person, subject=f"outcome:{outcome.id}", reason=reason,
                         details={"plan": plan.id, "from": update.from_status, "to": new_status})
        if new_status is not None:
            follows.queue_status_change(outcome, update.from_status, new_status)
        return update

    result = _in_transaction(work)
    follows.send_pending()
    return result


# ---------------------------------------------------------------- reading


def is_overdue(outcome: PlanOutcome, on: date | None = None) -> bool:
    """Its target date has passed (in London) and it is neither delivered nor dropped."""
    return outcome.status not in CLOSED_STATUSES and outcome.target_date < (on or today())


def may_see(person, plan: Plan) -> bool:
    """Published plans, and drafts in consultation, are public."""
    return plan.state in ("published", "consultation") or can(person, "manage_plan", plan)


def published_plans(ward: Ward | None = None) -> list[Plan]:
    query = select(Plan).where(Plan.state == "published")
    if ward is not None:
        query = query.where(Plan.ward_id == ward.id)
    return list(db.session.scalars(query.order_by(Plan.start_year.desc(), Plan.id.desc())))


def plans_for(person, ward: Ward) -> list[Plan]:
    """The ward's plans this person may see, newest period first."""
    query = select(Plan).where(Plan.ward_id == ward.id).order_by(Plan.start_year.desc(), Plan.id.desc())
    return [p for p in db.session.scalars(query) if may_see(person, p)]


def current_plan(ward: Ward, on: date | None = None) -> Plan | None:
    """The published plan whose period covers this year, or else the latest published one."""
    year = (on or today()).year
    plans = published_plans(ward)
    covering = [p for p in plans if p.start_year <= year <= p.end_year]
    return (covering or plans or [None])[0]


def plan_rounds(plan: Plan) -> list[Round]:
    """The published rounds that serve any of the plan's priorities."""
    seen = {}
    for priority in plan.priorities:
        for round_ in priority.rounds:
            if round_.status == "published":
                seen[round_.id] = round_
    return sorted(seen.values(), key=lambda r: (r.proposals_from, r.id))


def funded_projects(ward: Ward | None = None) -> list[dict]:
    """Funded projects of published results (the ward's, or the borough's), with delivery."""
    query = select(Heading).join(Result).join(Round).where(Round.status == "published")
    if ward is not None:
        query = query.where(Heading.ward_id == ward.id)
    rows = []
    for heading in db.session.scalars(query.order_by(Heading.id)):
        if not results_published(heading):
            continue
        selected = [str(i) for i in json.loads(heading.result.selected)]
        by_id = {p.project_id: p for p in heading.proposals}
        for project_id in selected:
            proposal = by_id.get(project_id)
            if proposal is None:
                continue
            rows.append({"proposal": proposal, "heading": heading, "round": heading.round,
                         "ward": heading.ward,
                         "status": proposal.delivery_status or "not_started",
                         "progress": progress_of(proposal)})
    return rows


def progress_of(proposal: Proposal) -> int:
    if proposal.delivery_progress is not None:
        return proposal.delivery_progress
    return 100 if proposal.delivery_status == "delivered" else 0


def tracker(ward: Ward | None = None, on: date | None = None) -> dict:
    """What the public tracker shows: published plans' outcomes grouped by status with counts,
    the overdue ones, a timeline of updates (newest first), and funded projects."""
    on = on or today()
    plans = published_plans(ward)
    outcomes = [o for plan in plans for o in plan.outcomes]
    by_status = {status: [o for o in outcomes if o.status == status] for status in OUTCOME_STATUSES}
    overdue = sorted((o for o in outcomes if is_overdue(o, on)), key=lambda o: (o.target_date, o.id))
    updates = sorted((u for o in outcomes for u in o.updates),
                     key=lambda u: (u.posted_at, u.id), reverse=True)
    return {"ward": ward, "plans": plans, "outcomes": outcomes, "by_status": by_status,
            "counts": {status: len(items) for status, items in by_status.items()},
            "overdue": overdue, "overdue_ids": {o.id for o in overdue}, "updates": updates,
            "projects": funded_projects(ward), "today": on}


# ---------------------------------------------------------------- rounds and priorities


def linkable_priorities(wards) -> list[PlanPriority]:
    """The priorities of the published plans of these wards, which a round can serve."""
    ids = [w.id for w in wards]
    if not ids:
        return []
    return list(db.session.scalars(
        select(PlanPriority).join(Plan).where(Plan.state == "published", Plan.ward_id.in_(ids))
        .order_by(Plan.ward_id, Plan.start_year.desc(), Plan.id, PlanPriority.position, PlanPriority.id)))


def check_round_priorities(wards, priority_ids) -> list[PlanPriority]:
    """The chosen priorities, each from a published plan of one of the round's wards."""
    allowed = {p.id: p for p in linkable_priorities(wards)}
    chosen = []
    for raw in priority_ids:
        try:
            pid = int(raw)
        except (TypeError, ValueError):
            pid = None
        if pid not in allowed:
            raise ServiceError(_l("Choose priorities from the published plans of the round’s wards"),
                               field="priorities")
        if allowed[pid] not in chosen:
            chosen.append(allowed[pid])
    return chosen


def set_round_priorities(person, round_: Round, priority_ids) -> Round:
    """Which plan priorities a round serves (the round's managers say so)."""
    if not can(person, "manage_round", round_):
        raise NotAllowed(_l("You cannot change this round."))
    chosen = check_round_priorities([h.ward for h in round_.headings], priority_ids)

    def work():
        round_.priorities = chosen
        return round_

    return _in_transaction(work)


def stamp(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None

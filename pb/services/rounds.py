"""A budget round's lifecycle, one explicit state machine:

    draft -> proposals -> review -> voting -> counting -> results -> delivery

A draft is edited and deleted freely and seen only by staff. Publishing checks that the
dates make sense from today. After that the phases follow the dates (in Europe/London),
and a date can move only for a phase that has not started, never into the past or to
today, with a reason on the public record. Open voting can be extended once, by an
officer, with a reason. Nothing can move a phase that has started, so a counted round
never reopens: the ballot box is closed by the mixer, the count refuses once results are
published, and a recount before then needs an officer and a public reason.
"""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from pb.i18n import lazy_date, lazy_money
from pb.models import PHASES, Heading, PhaseDateChange, Round, Ward, db
from pb.policy import can
from pb.services import audit
from pb.services.errors import NotAllowed, ServiceError, WrongPhase

MAX_BUDGET = 100_000_000  # pounds; fits the database's integer column with room to spare


LONDON = ZoneInfo("Europe/London")
# every state a round can be in, in order; "upcoming" is published before proposals open
STATES = ("draft", "upcoming", *PHASES)


def today() -> date:
    """The council's date: phases start at midnight in London, whatever the server's zone."""
    return datetime.now(LONDON).date()


def current_phase(round_: Round, on: date | None = None) -> str:
    """"draft" until published; then "upcoming" before proposals open, otherwise the latest
    phase whose date has come."""
    if round_.status == "draft":
        return "draft"
    on = on or today()
    phase = "upcoming"
    for name in PHASES:
        if getattr(round_, f"{name}_from") <= on:
            phase = name
    return phase


def is_frozen(round_: Round, on: date | None = None) -> bool:
    """Everything that affects the count is frozen once voting opens."""
    return has_reached(round_, "voting", on)


def has_reached(round_: Round, phase: str, on: date | None = None) -> bool:
    now = current_phase(round_, on)
    return now in PHASES and PHASES.index(now) >= PHASES.index(phase)


def last_day(round_: Round, phase: str) -> date:
    """The last day of a phase: the day before the next one starts (voting closes at the
    end of the day before counting starts)."""
    following = PHASES[PHASES.index(phase) + 1]
    return getattr(round_, f"{following}_from") - timedelta(days=1)


def published(heading: Heading) -> bool:
    """A ward's results are public: counted, and the results phase has come."""
    return heading.result is not None and has_reached(heading.round, "results")


def is_public(round_: Round) -> bool:
    return round_.status == "published"


def public_rounds():
    """The query of rounds residents can see (drafts are staff-only)."""
    return select(Round).where(Round.status == "published")


def _in_transaction(work):
    try:
        result = work()
        db.session.commit()
        return result
    except BaseException:
        db.session.rollback()
        raise


def _same_draft(person, round_: Round) -> Round | None:
    """This person's draft with the same title and dates, if they just sent the form twice."""
    query = select(Round).where(Round.status == "draft", Round.created_by_id == person.id,
                                Round.title == round_.title)
    for phase in PHASES:
        query = query.where(getattr(Round, f"{phase}_from") == getattr(round_, f"{phase}_from"))
    wanted = sorted((h.ward.id, h.budget) for h in round_.headings)
    for draft in db.session.scalars(query.order_by(Round.id)):
        if sorted((h.ward_id, h.budget) for h in draft.headings) == wanted:
            return draft
    return None


def create_round(person, *, title: str, description: str, ballot_type: str, rule: str,
                 headings: list[tuple[Ward, int]], dates: dict[str, date],
                 min_choices=None, max_choices=None, points=None, min_spend_percent=None,
                 min_age=None, max_age=None) -> Round:
    """An officer (or a councillor for their own wards) starts a round as a draft; one
    transaction. Nobody outside the staff sees it until it is published."""
    round_ = Round(title=title, description=description, ballot_type=ballot_type, rule=rule,
                   status="draft",
                   min_choices=min_choices, max_choices=max_choices, points=points,
                   min_spend_percent=min_spend_percent, min_age=min_age, max_age=max_age,
                   created_by_id=person.id,
                   **{f"{phase}_from": dates[phase] for phase in PHASES})
    def work():
        if not headings:
            raise ServiceError(_l("Choose at least one ward and give it a budget"), field="wards")
        for ward, budget in headings:
            if not isinstance(budget, int) or not 1 <= budget <= MAX_BUDGET:
                raise ServiceError(_l("The budget for %(ward)s must be between %(min)s and %(max)s",
                                      ward=ward.name, min=lazy_money(1), max=lazy_money(MAX_BUDGET)), field="wards")
            round_.headings.append(Heading(ward=ward, budget=budget))
        if not can(person, "create_round", round_):
            raise NotAllowed(_l("You can only create rounds for your own wards."))
        _check_dates(round_)
        _check_ages(round_)
        same = _same_draft(person, round_)
        if same is not None:  # the form sent twice (a double click): one draft
            round_.headings.clear()
            return same
        db.session.add(round_)
        db.session.flush()
        audit.record("round.created", actor=person, round_id=round_.id, details={"title": round_.title})
        return round_

    return _in_transaction(work)


def _check_dates(round_: Round) -> None:
    dates = [getattr(round_, f"{phase}_from") for phase in PHASES]
    if any(later < earlier for earlier, later in zip(dates, dates[1:], strict=False)) \
            or round_.voting_from >= round_.counting_from:
        raise ServiceError(_l("Each phase must start on or after the one before it, and voting "
                              "must last at least one day."), field="proposals_from")


MAX_AGE = 120


def _check_ages(round_: Round) -> None:
    """Who may vote by age (a youth budget for 11 to 25s): whole years from 0 to 120."""
    for name, message in (("min_age", _l("The youngest age must be a whole number from 0 to 120")),
                          ("max_age", _l("The oldest age must be a whole number from 0 to 120"))):
        value = getattr(round_, name)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)
                                  or not 0 <= value <= MAX_AGE):
            raise ServiceError(message, field=name)
    if round_.min_age is not None and round_.max_age is not None and round_.max_age < round_.min_age:
        raise ServiceError(_l("The oldest age cannot be lower than the youngest age"), field="max_age")


def _manage(person, round_: Round) -> None:
    if not can(person, "manage_round", round_):
        raise NotAllowed(_l("You cannot change this round."))


# who may vote by age is decided with the rest of the draft: it cannot change once residents see it
DRAFT_FIELDS = ("title", "description", "ballot_type", "rule", "min_choices", "max_choices",
                "points", "min_spend_percent", "min_age", "max_age")


def update_draft(person, round_: Round, *, headings: list[tuple[Ward, int]] | None = None,
                 dates: dict[str, date] | None = None, **fields) -> Round:
    """Change anything in a draft: its text, ballot, wards and budgets, and dates."""
    _manage(person, round_)
    if round_.status != "draft":
        raise WrongPhase(_l("Only a draft round can be edited like this."))

    def work():
        for name, value in fields.items():
            if name not in DRAFT_FIELDS:
                raise ServiceError(_l("That cannot be changed"), field=name)
            setattr(round_, name, value)
        if dates is not None:
            for phase in PHASES:
                setattr(round_, f"{phase}_from", dates[phase])
        if headings is not None:
            if not headings:
                raise ServiceError(_l("Choose at least one ward and give it a budget"), field="wards")
            kept = {h.ward_id: h for h in round_.headings}
            wanted = {ward.id: (ward, budget) for ward, budget in headings}
            for ward_id, heading in kept.items():
                if ward_id not in wanted:
                    round_.headings.remove(heading)
            for ward_id, (ward, budget) in wanted.items():
                if not isinstance(budget, int) or not 1 <= budget <= MAX_BUDGET:
                    raise ServiceError(_l("The budget for %(ward)s must be between %(min)s and %(max)s",
                                          ward=ward.name, min=lazy_money(1), max=lazy_money(MAX_BUDGET)), field="wards")
                if ward_id in kept:
                    kept[ward_id].budget = budget
                else:
                    round_.headings.append(Heading(ward=ward, budget=budget))
            if not can(person, "create_round", round_):
                raise NotAllowed(_l("You can only create rounds for your own wards."))
        _check_dates(round_)
        _check_ages(round_)
        return round_

    return _in_transaction(work)


def delete_draft(person, round_: Round) -> None:
    """A draft can be thrown away; a published round never is (it is on the public record)."""
    _manage(person, round_)
    if round_.status != "draft":
        raise WrongPhase(_l("Only a draft round can be deleted."))
    _in_transaction(lambda: db.session.delete(round_))


def publish_round(person, round_: Round) -> Round:
    """A draft goes public, once its dates make sense from today."""
    _manage(person, round_)
    if round_.status != "draft":
        raise WrongPhase(_l("This round has already been published."))
    if round_.proposals_from < today():
        raise ServiceError(_l("Proposals cannot open in the past. Choose today or a later date."),
                           field="proposals_from")
    _check_dates(round_)
    round_.status = "published"
    return _in_transaction(lambda: audit.record("round.published", actor=person, round_id=round_.id,
                                                details={"title": round_.title}) and round_)


def unpublish_round(person, round_: Round) -> Round:
    """Back to a draft, only while nothing has happened yet (proposals have not opened)."""
    _manage(person, round_)
    if current_phase(round_) != "upcoming":
        raise WrongPhase(_l("A round can go back to a draft only before proposals open."))
    round_.status = "draft"
    return _in_transaction(lambda: audit.record("round.unpublished", actor=person, round_id=round_.id) and round_)


def _unchanged(round_: Round, phase: str):
    raise ServiceError(_l("That phase already starts on that date."), field="new_date")


def _change(person, round_: Round, phase: str, new_date: date, reason: str, kind: str = "move"):
    """The date moves, with its public record; no query runs (so nothing is flushed while
    several phases are moving and the dates are briefly out of order)."""
    with db.session.no_autoflush:
        change = PhaseDateChange(round=round_, phase=phase, kind=kind,
                                 old_date=getattr(round_, f"{phase}_from"), new_date=new_date,
                                 reason=reason, changed_by_id=person.id)
        setattr(round_, f"{phase}_from", new_date)
        db.session.add(change)
    return change


def _audit(person, round_: Round, change: PhaseDateChange) -> None:
    audit.record("round.voting_extended" if change.kind == "extension" else "round.date_moved", actor=person,
                 round_id=round_.id, reason=change.reason,
                 details={"phase": change.phase, "from": change.old_date.isoformat(),
                          "to": change.new_date.isoformat()})


def _reason(reason) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_l("Give a reason for moving the date"), field="reason")
    return reason


def move_phase_date(person, round_: Round, phase: str, new_date: date, reason: str) -> PhaseDateChange:
    """Move when a phase that has not started will start, with a reason on the public record."""
    _manage(person, round_)
    if phase not in PHASES:
        raise ServiceError(_l("Choose a phase"), field="phase")
    reason = _reason(reason)
    if round_.status == "draft":
        raise WrongPhase(_l("Change a draft's dates by editing the draft."), field="phase")
    if has_reached(round_, phase):
        raise WrongPhase(_l("That phase has already started, so its date cannot be moved."),
                         field="phase")
    if phase == "counting" and current_phase(round_) == "voting":
        raise WrongPhase(_l("Voting is open: to give residents more time, extend voting "
                            "instead."), field="phase")
    if new_date <= today():
        raise ServiceError(_l("Choose a date after today."), field="new_date")
    if new_date == getattr(round_, f"{phase}_from"):
        # nothing to move (often the same form sent twice): no second line on the record
        return next((c for c in reversed(round_.date_changes)
                     if c.phase == phase and c.new_date == new_date), None) or _unchanged(
            round_, phase)

    def work():
        change = _change(person, round_, phase, new_date, reason)
        _check_dates(round_)  # before the audit's queries flush the round
        _audit(person, round_, change)
        return change

    return _in_transaction(work)


def extend_voting(person, round_: Round, closes_on: date, reason: str) -> PhaseDateChange:
    """Once per round, an officer gives residents more time while voting is open.

    ``closes_on`` is the new last day of voting; counting starts the day after. Later
    phases that would now come too early move with it, each on the public record.
    """
    if not can(person, "extend_voting", round_):
        raise NotAllowed(_l("Only council officers can extend voting."))
    reason = _reason(reason)
    if current_phase(round_) != "voting":
        raise WrongPhase(_l("Voting can be extended only while it is open."))
    if any(change.kind == "extension" for change in round_.date_changes):
        raise WrongPhase(_l("Voting in this round has already been extended once."))
    counting_from = closes_on + timedelta(days=1)
    if counting_from <= round_.counting_from or closes_on < today():
        raise ServiceError(_l("Choose a closing date after the current one, %(date)s.",
                              date=lazy_date(last_day(round_, "voting"))), field="new_date")

    def work():
        # every date moves before anything is written: the audit's queries flush the round,
        # and PostgreSQL checks the phases' order at once
        changes = [_change(person, round_, "counting", counting_from, reason, kind="extension")]
        for phase in ("results", "delivery"):
            if getattr(round_, f"{phase}_from") < counting_from:
                changes.append(_change(person, round_, phase, counting_from, reason))
        _check_dates(round_)
        for change in changes:
            _audit(person, round_, change)
        return changes[0]

    return _in_transaction(work)


def rounds_for_ward(ward: Ward) -> list[Round]:
    return list(db.session.scalars(
        public_rounds().join(Heading).where(Heading.ward_id == ward.id)
        .order_by(Round.voting_from.desc())))


def heading_for(round_: Round, ward: Ward | None) -> Heading | None:
    for heading in round_.headings:
        if ward is not None and heading.ward_id == ward.id:
            return heading
    return None


def open_rounds(on: date | None = None) -> list[Round]:
    """Rounds a resident can take part in now: taking proposals or voting."""
    every = db.session.scalars(public_rounds().order_by(Round.voting_from)).all()
    return [r for r in every if current_phase(r, on) in ("proposals", "voting")]

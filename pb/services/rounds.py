"""Creating budget rounds and moving through their phases by date."""

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from pb.models import PHASES, Heading, PhaseDateChange, Round, Ward, db
from pb.policy import can
from pb.services.errors import NotAllowed, ServiceError, WrongPhase

MAX_BUDGET = 100_000_000  # pounds; fits the database's integer column with room to spare


def today() -> date:
    return date.today()


def current_phase(round_: Round, on: date | None = None) -> str:
    """"upcoming" before proposals open, otherwise the latest phase whose date has come."""
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
    return now != "upcoming" and PHASES.index(now) >= PHASES.index(phase)


def create_round(person, *, title: str, description: str, ballot_type: str, rule: str,
                 headings: list[tuple[Ward, int]], dates: dict[str, date],
                 min_choices=None, max_choices=None, points=None, min_spend_percent=None) -> Round:
    """An officer (or a councillor for their own wards) opens a round; one transaction."""
    round_ = Round(title=title, description=description, ballot_type=ballot_type, rule=rule,
                   min_choices=min_choices, max_choices=max_choices, points=points,
                   min_spend_percent=min_spend_percent, created_by_id=person.id,
                   **{f"{phase}_from": dates[phase] for phase in PHASES})
    if not headings:
        raise ServiceError(_l("Choose at least one ward and give it a budget"), field="wards")
    for ward, budget in headings:
        if not isinstance(budget, int) or not 1 <= budget <= MAX_BUDGET:
            raise ServiceError(_l("The budget for %(ward)s must be between £1 and £100,000,000",
                                  ward=ward.name), field="wards")
        round_.headings.append(Heading(ward=ward, budget=budget))
    if not can(person, "create_round", round_):
        raise NotAllowed(_l("You can only create rounds for your own wards."))
    _check_dates(round_)
    db.session.add(round_)
    db.session.commit()
    return round_


def _check_dates(round_: Round) -> None:
    dates = [getattr(round_, f"{phase}_from") for phase in PHASES]
    if any(later < earlier for earlier, later in zip(dates, dates[1:], strict=False)) \
            or round_.voting_from >= round_.counting_from:
        raise ServiceError(_l("Each phase must start on or after the one before it, and voting "
                              "must last at least one day."), field="proposals_from")


def move_phase_date(person, round_: Round, phase: str, new_date: date, reason: str) -> PhaseDateChange:
    """Move when a phase starts, with a reason kept on the public record."""
    if not can(person, "manage_round", round_):
        raise NotAllowed(_l("You cannot change this round."))
    if phase not in PHASES:
        raise ServiceError(_l("Choose a phase"), field="phase")
    if not reason.strip():
        raise ServiceError(_l("Give a reason for moving the date"), field="reason")
    if has_reached(round_, phase) and phase in ("proposals", "review", "voting") and new_date > today():
        raise WrongPhase(_l("That phase has already started, so its start cannot be moved later."),
                         field="new_date")
    field = f"{phase}_from"
    change = PhaseDateChange(round=round_, phase=phase, old_date=getattr(round_, field),
                             new_date=new_date, reason=reason.strip(), changed_by_id=person.id)
    setattr(round_, field, new_date)
    try:
        _check_dates(round_)
    except ServiceError:
        db.session.rollback()
        raise
    db.session.add(change)
    db.session.commit()
    return change


def rounds_for_ward(ward: Ward) -> list[Round]:
    return list(db.session.scalars(
        select(Round).join(Heading).where(Heading.ward_id == ward.id).order_by(Round.voting_from.desc())))


def heading_for(round_: Round, ward: Ward | None) -> Heading | None:
    for heading in round_.headings:
        if ward is not None and heading.ward_id == ward.id:
            return heading
    return None


def open_rounds(on: date | None = None) -> list[Round]:
    """Rounds a resident can take part in now: taking proposals or voting."""
    every = db.session.scalars(select(Round).order_by(Round.voting_from)).all()
    return [r for r in every if current_phase(r, on) in ("proposals", "voting")]

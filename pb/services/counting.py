"""The count: the tally engine runs the round's published rule over the ballot box,
and the result is stored with the counted ballots as a .pb file and its SHA-256."""

import gc
import hashlib
import io
import json
from contextlib import contextmanager

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from pb import tally
from pb.models import Ballot, Heading, Recount, Result, Round, db
from pb.policy import can
from pb.services import audit, ballot_box, paper
from pb.services.errors import NotAllowed, ServiceError, WrongPhase
from pb.services.rounds import current_phase, has_reached, published  # noqa: F401 (re-exported)
from pb.services.voting import ballot_rules, projects


def ballots_of(heading: Heading) -> list[Ballot]:
    # ordered by the random id, never by when they were cast
    return list(db.session.scalars(select(Ballot).where(Ballot.heading_id == heading.id).order_by(Ballot.id)))


# Pabulib knows two voting methods; every channel but paper is entered electronically.
PABULIB_METHOD = {"paper": "paper"}


def ballot_rows(heading: Heading) -> list[tuple[str, str]]:
    """(choices JSON, channel) of every ballot, in one query and without ORM objects: a
    borough round has tens of thousands. Ordered by the random id, never by when cast."""
    return db.session.execute(select(Ballot.choices, Ballot.channel)
                              .where(Ballot.heading_id == heading.id).order_by(Ballot.id)).all()


def election_for(heading: Heading) -> tally.Election:
    round_ = heading.round
    approval = round_.ballot_type in ("approval", "knapsack")
    parsed: dict[str, object] = {}  # each distinct ballot's JSON is parsed once
    voters = {method: {"voting_method": method} for method in ("paper", "internet")}
    ballots = []
    for choices, channel in ballot_rows(heading):
        value = parsed.get(choices)
        if value is None:
            value = json.loads(choices)
            if approval and isinstance(value, list):
                value = frozenset(value)  # a set of ids; lets the profile merge them quickly
            parsed[choices] = value
        # voter dicts are shared, read-only, between ballots of the same method
        ballots.append(tally.Ballot(value, voter=voters[PABULIB_METHOD.get(channel, "internet")]))
    meta = {
        "description": f"{round_.title}: {heading.ward.name}",
        "country": "United Kingdom", "unit": "Lambeth", "subunit": heading.ward.name,
        "instance": str(round_.voting_from.year), "currency": "GBP", "language": "en",
        "date_begin": round_.voting_from.strftime("%d.%m.%Y"),
        "date_end": round_.counting_from.strftime("%d.%m.%Y"),
    }
    return tally.Election(budget=heading.budget, projects=projects(heading), ballots=ballots,
                          rules=ballot_rules(round_), meta=meta)


def count_heading(person, heading: Heading, *, commit: bool = True) -> Result:
    round_ = heading.round
    if not can(person, "count_round", round_):
        raise NotAllowed(_l("Only council officers can run the count."))
    if not has_reached(round_, "counting"):
        raise WrongPhase(_l("The count can only run once voting has closed."))
    if heading.result is not None and current_phase(round_) in ("results", "delivery"):
        raise WrongPhase(_l("The results have been published and cannot be counted again."))
    if heading.mixed_at is None or ballot_box.waiting(heading):
        raise WrongPhase(_l("Some ballots are still sealed, waiting to be mixed. Mix them, "
                            "then count."))
    election = election_for(heading)
    outcome = tally.count(election, rule=round_.rule)
    buffer = io.StringIO()
    tally.write_pabulib(election, buffer, outcome=outcome)
    pb_text = buffer.getvalue()
    result = heading.result or Result(heading=heading)
    result.rule = round_.rule
    result.ballots_counted = len(election.ballots)
    result.selected = json.dumps(outcome.selected)
    result.outcome = json.dumps(outcome.to_dict(), default=str)
    result.pabulib = pb_text
    result.ballots_sha256 = hashlib.sha256(pb_text.encode("utf-8")).hexdigest()
    result.counted_by_id = person.id
    db.session.add(result)
    if commit:
        db.session.commit()
    return result


def is_counted(round_: Round) -> bool:
    return any(heading.result is not None for heading in round_.headings)


def _may_count(person, round_: Round) -> None:
    if not can(person, "count_round", round_):
        raise NotAllowed(_l("Only council officers can run the count."))
    if not has_reached(round_, "counting"):
        raise WrongPhase(_l("The count can only run once voting has closed."))
    if is_counted(round_) and current_phase(round_) in ("results", "delivery"):
        raise WrongPhase(_l("The results have been published and cannot be counted again."))
    paper.refuse_count_while_unsettled(round_)  # a paper keyed once or differently is not counted


@contextmanager
def collector_paused():
    """Tens of thousands of ballots, payloads and rows, none of them in a reference cycle:
    the cyclic garbage collector, which would otherwise walk them (and every object of the
    app) hundreds of times during a borough count, waits until the count is done."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def mix_and_count(person, round_: Round, reason: str | None = None) -> list[Result]:
    """What the officer's button and the CLI do: mix every ward's sealed ballots (a
    transaction per ward), then count them all (one transaction)."""
    _may_count(person, round_)
    with collector_paused():
        ballot_box.mix_round(round_)
        return count_round(person, round_, reason)


def count_round(person, round_: Round, reason: str | None = None) -> list[Result]:
    """Every ward's count, in one transaction: all are stored or none.

    A recount (the round was counted before) runs only before the results are published,
    by an officer, on the same ballots (the box closed when they were mixed), and needs a
    reason, which is kept on the public record.
    """
    _may_count(person, round_)
    recount = is_counted(round_)
    reason = (reason or "").strip()
    if recount and not reason:
        raise ServiceError(_l("Give the reason for counting again: it is published with the "
                              "results"), field="reason")
    try:
        with collector_paused():
            results = [count_heading(person, heading, commit=False) for heading in round_.headings]
        if recount:
            db.session.add(Recount(round_id=round_.id, reason=reason, counted_by_id=person.id))
        audit.record("round.recounted" if recount else "round.counted", actor=person, round_id=round_.id,
                     reason=reason or None, details=audit.count_details(results))
    except BaseException:
        db.session.rollback()
        raise
    db.session.commit()
    return results

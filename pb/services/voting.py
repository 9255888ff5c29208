"""Casting a ballot: checked by the tally engine's rules, written as a sealed ballot with
the roll entry in one transaction, and impossible twice (the roll's unique constraint
decides races). The mixer (``pb.services.ballot_box``) makes it a readable ballot, apart
from the roll, once voting has closed."""

import base64
import hashlib
import secrets
from dataclasses import dataclass
from fractions import Fraction

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from pb import tally
from pb.models import Ballot, Heading, RollEntry, Round, SealedBallot, db
from pb.models.people import _now
from pb.services import ballot_box, eligibility
from pb.services.errors import AlreadyVoted, NotAllowed, ServiceError, WrongPhase
from pb.services.proposals import on_ballot
from pb.services.rounds import current_phase


@dataclass(frozen=True)
class Cast:
    receipt: str  # shown once to the resident, stored only as a hash once mixed
    token: str  # one-time, for the receipt page and the equality questions; 30 minutes


class InvalidBallot(ServiceError):
    def __init__(self, problems: list):
        super().__init__(_l("Your ballot has a problem"))
        self.problems = problems


def ballot_rules(round_: Round) -> tally.BallotRules:
    kind = round_.ballot_type
    return tally.BallotRules(
        kind=kind,
        min_choices=round_.min_choices,
        max_choices=None if kind == "ranked" else round_.max_choices,
        max_ranks=round_.max_choices if kind == "ranked" else None,
        points=round_.points if kind == "cumulative" else None,
        min_spend_share=Fraction(round_.min_spend_percent, 100)
        if kind == "knapsack" and round_.min_spend_percent else None,
    )


def projects(heading: Heading) -> list[tally.Project]:
    return [tally.Project(id=p.project_id, cost=p.cost, name=p.title) for p in on_ballot(heading)]


def problems_with(heading: Heading, choices) -> list:
    return tally.validate_ballot(ballot_rules(heading.round), projects(heading), heading.budget, choices)


def new_receipt() -> str:
    """128 random bits, written in base 32 and shown in groups of four: ABCD-EFGH-..."""
    text = base64.b32encode(secrets.token_bytes(16)).decode().rstrip("=")
    return "-".join(text[i:i + 4] for i in range(0, len(text), 4))


def receipt_hash(receipt: str) -> str:
    tidy = "".join(ch for ch in receipt.upper() if ch.isalnum())
    return hashlib.sha256(tidy.encode()).hexdigest()


def has_voted(person, round_: Round) -> bool:
    return db.session.scalar(select(RollEntry.id).where(
        RollEntry.round_id == round_.id, RollEntry.person_id == person.id)) is not None


AGE_FIELD = "age_declared"  # the cast form's checkbox, where a missing declaration is shown


def check_age(round_: Round, age_declared: bool) -> None:
    """A round with an age range (a youth budget) takes only voters who declare they are
    within it; anyone may vote in any other round. Nothing is asked or kept but the yes."""
    if round_.age_range is None or age_declared is True:
        return
    youngest, oldest = round_.age_range
    if oldest is None:
        message = _l("Confirm that you are aged %(min)s or over to vote in this round", min=youngest)
    elif youngest is None:
        message = _l("Confirm that you are aged %(max)s or under to vote in this round", max=oldest)
    elif youngest == oldest:
        message = _l("Confirm that you are aged %(age)s to vote in this round", age=youngest)
    else:
        message = _l("Confirm that you are aged %(min)s to %(max)s to vote in this round",
                     min=youngest, max=oldest)
    raise ServiceError(message, field=AGE_FIELD)


def cast_ballot(person, heading: Heading, choices, channel: str = "web", *, reference: str | None = None,
                age_declared: bool = False, after_check=None, before_ballot=None, on_step=None) -> Cast:
    """Cast `choices` for `person` in `heading`. Final: it cannot be changed.

    One transaction writes the roll entry and the sealed ballot; if anything fails, neither
    stays. When the round has an eligibility list, `reference` must be one of its unused
    references, and the same transaction marks it used (identity data, like the roll
    entry: the sealed ballot never holds it). When the round has an age range, the voter
    must have declared they are within it (`age_declared=True`); the roll entry records
    the declaration, and the sealed ballot never holds it. `after_check`, `before_ballot` and `on_step` are seams for tests that force a
    race between the check and the insert, or a failure at each step.
    """
    step = on_step or (lambda name: None)
    round_ = heading.round
    if current_phase(round_) != "voting":
        raise WrongPhase(_l("Voting in this round is not open."))
    if person.ward_id != heading.ward_id:
        raise NotAllowed(_l("You can only vote for projects in your own ward."))
    problems = problems_with(heading, choices)
    if problems:
        raise InvalidBallot(problems)
    if has_voted(person, round_):
        raise AlreadyVoted()
    check_age(round_, age_declared)
    eligibility.check_reference(round_, reference)
    if after_check:
        after_check()
    receipt = new_receipt()
    token = ballot_box.new_token()
    row_id = secrets.token_hex(16)
    payload = {"choices": choices, "channel": channel, "receipt": receipt,
               "receipt_hash": receipt_hash(receipt), "answers": None}
    try:
        db.session.add(RollEntry(round_id=round_.id, person_id=person.id,
                                 age_declared=round_.age_range is not None))
        db.session.flush()
        step("roll")
        eligibility.use_reference(round_, reference)  # the conditional update decides races
        if before_ballot:
            before_ballot()
        db.session.add(SealedBallot(
            id=row_id, heading_id=heading.id, sealed=ballot_box.seal(row_id, heading.id, payload),
            token_hash=ballot_box.token_digest(token),
            token_expires_at=_now() + ballot_box.TOKEN_LIFETIME))
        db.session.flush()
        step("sealed")
        # checked after writing, under a share lock: the mixer cannot close the box in between
        if ballot_box.is_closed(heading.id):
            raise WrongPhase(_l("Voting in this round is not open."))
        step("checked")
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise AlreadyVoted() from None
    except BaseException:
        db.session.rollback()
        raise
    return Cast(receipt, token)


def ballot_for_receipt(heading: Heading, receipt: str) -> Ballot | None:
    return db.session.scalar(select(Ballot).where(
        Ballot.heading_id == heading.id, Ballot.receipt_hash == receipt_hash(receipt)))

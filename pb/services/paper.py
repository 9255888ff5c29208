"""Paper ballots, keyed twice.

Officers collect paper ballots in batches: a batch belongs to one ward of a round, has a
label ("Brixton library box 1") and the number of papers in it, and each paper carries a
number (1..n) the officer writes on it. Every paper is keyed by two different officers.
When both keyings agree, the paper becomes a sealed ballot with channel "paper"
(``ballot_box.add_paper_ballot``, in the same transaction): no roll entry, no receipt, no
token, a random id that nothing here records. When they disagree, the paper waits as a
mismatch until a supervisor (an officer or admin who keyed neither keying) enters what
the paper says. A paper either keyer marks spoilt (unreadable, or against the ballot's
rules) makes no ballot if the other agrees.

Papers can be keyed while voting is open and after it closes, until the round is counted.
The count refuses to run while any paper of the round is unsettled (keyed once, a
mismatch, or not keyed at all), saying how many. A paper settled after the ward's box was
closed and mixed is sealed like the rest and moved into ``ballots`` by the next mix, which
the count always runs first; the mixer takes whatever sealed ballots a ward has, however
often it runs.

Keyings hold only what the paper says and who keyed it, never a voter; they stay for the
audit of the count.
"""

import json

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from pb.models import Heading, Paper, PaperBatch, PaperKeying, Round, db
from pb.policy import can
from pb.services import audit, ballot_box, voting
from pb.services.errors import NotAllowed, ServiceError, WrongPhase
from pb.services.rounds import current_phase

LABEL_MAX = 100
MOST_PAPERS = 10_000
SETTLED = ("agreed", "resolved", "spoilt")


class SameKeyer(ServiceError):
    status = 409


def is_counted(round_: Round) -> bool:
    return any(heading.result is not None for heading in round_.headings)


def keying_open(round_: Round) -> bool:
    """Voting is open, or has closed and the round has not been counted yet."""
    return current_phase(round_) in ("voting", "counting") and not is_counted(round_)


def _refuse_unless_open(round_: Round) -> None:
    if not keying_open(round_):
        raise WrongPhase(_l("Paper ballots can be keyed only while voting is open, or after it "
                            "closes until the round is counted."))


def canonical(round_: Round, choices):
    """The choices as compared and stored: a set of projects in one order (as the ballot
    page reads them), and points of 0 are no points."""
    if round_.ballot_type == "cumulative" and isinstance(choices, dict):
        return {k: v for k, v in choices.items() if v != 0}
    if round_.ballot_type in ("approval", "knapsack") and isinstance(choices, list) \
            and all(isinstance(c, str) for c in choices):
        return sorted(set(choices), key=lambda x: (len(x), x))
    return choices


def _text(choices) -> str:
    return json.dumps(choices, sort_keys=True)


# -- batches ------------------------------------------------------------------------------

def create_batch(officer, heading: Heading, label: str, expected: int | None) -> PaperBatch:
    round_ = heading.round
    if not can(officer, "key_paper", round_):
        raise NotAllowed(_l("Only council officers can key paper ballots."))
    _refuse_unless_open(round_)
    label = " ".join((label or "").split())
    if not label:
        raise ServiceError(_l("Enter a label for the batch, like Brixton library box 1"), field="label")
    if len(label) > LABEL_MAX:
        raise ServiceError(_l("The label must be 100 characters or fewer"), field="label")
    if expected is None or not 1 <= expected <= MOST_PAPERS:
        raise ServiceError(_l("Enter how many papers are in the batch, from 1 to 10,000"), field="expected")
    batch = PaperBatch(heading_id=heading.id, label=label, expected=expected, created_by_id=officer.id)
    try:
        db.session.add(batch)
        db.session.flush()
        audit.record("paper.batch_created", actor=officer, round_id=round_.id, subject=f"paper_batch:{batch.id}",
                     details={"ward": heading.ward.slug, "label": label, "papers": expected}, day_only=True)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return batch


def summary(batch: PaperBatch) -> dict:
    """How far a batch has got: papers keyed once, agreed, mismatches, resolved, spoilt, not keyed."""
    counts = dict.fromkeys(("keyed_once", "agreed", "mismatch", "resolved", "spoilt"), 0)
    for status, number in db.session.execute(select(Paper.status, func.count()).where(
            Paper.batch_id == batch.id).group_by(Paper.status)):
        counts[status] = number
    counts["not_keyed"] = max(batch.expected - sum(counts.values()), 0)
    counts["settled"] = sum(counts[s] for s in SETTLED)
    counts["complete"] = counts["settled"] >= batch.expected
    return counts


def batches_of(round_: Round) -> list[PaperBatch]:
    heading_ids = [h.id for h in round_.headings]
    return list(db.session.scalars(select(PaperBatch).where(PaperBatch.heading_id.in_(heading_ids))
                                   .order_by(PaperBatch.id)))


def unsettled(round_: Round) -> int:
    """Papers of the round not settled yet: keyed once, mismatches, or not keyed at all."""
    return sum(batch.expected - summary(batch)["settled"] for batch in batches_of(round_))


def refuse_count_while_unsettled(round_: Round) -> None:
    waiting = unsettled(round_)
    if waiting:
        raise WrongPhase(lazy_ngettext(
            "%(num)s paper ballot is not settled yet (keyed once, keyed differently, or not "
            "keyed). Finish keying it, or resolve the mismatch, then count.",
            "%(num)s paper ballots are not settled yet (keyed once, keyed differently, or not "
            "keyed). Finish keying them, and resolve any mismatches, then count.", waiting))


# -- keying -------------------------------------------------------------------------------

def _paper(batch: PaperBatch, number: int) -> Paper | None:
    return db.session.scalar(select(Paper).where(Paper.batch_id == batch.id, Paper.number == number)
                             .with_for_update().execution_options(populate_existing=True))


def key_paper(officer, batch: PaperBatch, number: int | None, choices, *, spoilt: bool = False) -> Paper:
    """One officer's keying of paper `number`. The second keying, by another officer,
    settles it (one transaction: the keying, the paper's state and, if they agree on
    choices, the sealed ballot) or makes it a mismatch."""
    heading = batch.heading
    round_ = heading.round
    if not can(officer, "key_paper", round_):
        raise NotAllowed(_l("Only council officers can key paper ballots."))
    _refuse_unless_open(round_)
    if number is None or not 1 <= number <= batch.expected:
        raise ServiceError(_l("Enter the paper's number, from 1 to %(num)s", num=batch.expected), field="number")
    if spoilt:
        choices = None
    else:
        choices = canonical(round_, choices)
        problems = voting.problems_with(heading, choices)
        if problems:
            raise voting.InvalidBallot(problems)
    try:
        paper = _paper(batch, number)
        if paper is None:
            paper = Paper(batch_id=batch.id, number=number, status="keyed_once")
            db.session.add(paper)
            db.session.flush()
        if any(k.officer_id == officer.id for k in paper.keyings):
            raise SameKeyer(_l("You have already keyed paper %(num)s. A different officer must "
                               "key it the second time.", num=number), field="number")
        if paper.status != "keyed_once":
            raise SameKeyer(_l("Paper %(num)s has already been keyed twice.", num=number), field="number")
        first = paper.keyings[0] if paper.keyings else None
        paper.keyings.append(PaperKeying(officer_id=officer.id, spoilt=spoilt,
                                         choices=None if spoilt else _text(choices)))
        if first is not None:
            if first.spoilt and spoilt:
                paper.status = "spoilt"
            elif not first.spoilt and not spoilt and first.choices == _text(choices):
                paper.status = "agreed"
                ballot_box.add_paper_ballot(heading, choices)
                audit.record("paper.ballot_entered", actor=officer, round_id=round_.id, subject=f"paper_batch:{batch.id}", day_only=True)
            else:
                paper.status = "mismatch"
        db.session.commit()
    except IntegrityError:  # another officer created the paper at the same moment
        db.session.rollback()
        raise SameKeyer(_l("Paper %(num)s was being keyed by someone else at the same moment. "
                           "Check the batch and try again.", num=number), field="number") from None
    except BaseException:
        db.session.rollback()
        raise
    return paper


def mismatches(round_: Round) -> list[Paper]:
    heading_ids = [h.id for h in round_.headings]
    return list(db.session.scalars(select(Paper).join(PaperBatch).where(
        PaperBatch.heading_id.in_(heading_ids), Paper.status == "mismatch").order_by(Paper.batch_id, Paper.number)))


def resolve_paper(person, paper: Paper, choices, *, spoilt: bool = False) -> Paper:
    """A supervisor's reading of a mismatched paper becomes its ballot (or spoils it)."""
    heading = paper.batch.heading
    round_ = heading.round
    if not can(person, "resolve_paper", paper):
        raise NotAllowed(_l("A mismatch is resolved by an officer who keyed neither keying of the paper."))
    _refuse_unless_open(round_)
    if not spoilt:
        choices = canonical(round_, choices)
        problems = voting.problems_with(heading, choices)
        if problems:
            raise voting.InvalidBallot(problems)
    try:
        # one conditional update decides a race (two supervisors, or a double click): only
        # the request that moves the paper out of "mismatch" adds its ballot
        settled = db.session.execute(
            update(Paper).where(Paper.id == paper.id, Paper.status == "mismatch")
            .values(status="spoilt" if spoilt else "resolved", resolved_by_id=person.id)
            .execution_options(synchronize_session=False))
        if settled.rowcount != 1:
            raise WrongPhase(_l("This paper has already been settled."))
        if not spoilt:
            ballot_box.add_paper_ballot(heading, choices)
            audit.record("paper.ballot_entered", actor=person, round_id=round_.id, subject=f"paper_batch:{paper.batch_id}", day_only=True)
        db.session.commit()
        locked = db.session.get(Paper, paper.id, populate_existing=True)
    except BaseException:
        db.session.rollback()
        raise
    return locked


def keyed_choices(keying: PaperKeying):
    return None if keying.choices is None else json.loads(keying.choices)

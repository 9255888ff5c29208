"""Residents propose projects; officers review them onto the ballot.

Decisions stick: officers may review a proposal as soon as it is submitted, during the
proposals phase too, and once reviewed its text is frozen (the officer's costing and
reason were given for that text). Its author may withdraw it and submit a new one while
proposals are open. Each use-case is one transaction, rolled back on any error.
"""

import json

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from pb.i18n import LANGUAGES, lazy_money
from pb.models import Heading, Person, Proposal, db
from pb.policy import can
from pb.services import audit
from pb.services.errors import NotAllowed, ServiceError, WrongPhase
from pb.services.rounds import current_phase, is_frozen, published

CATEGORIES = {
    "parks": _l("Parks and green spaces"),
    "streets": _l("Streets and pavements"),
    "young_people": _l("Children and young people"),
    "older_people": _l("Older people"),
    "community": _l("Community spaces and events"),
    "environment": _l("Environment and climate"),
    "safety": _l("Safety"),
    "other": _l("Something else"),
}
EDITABLE_FIELDS = ("title", "summary", "description", "location", "category", "rough_cost", "original_locale")
# an officer's decision freezes the text; withdrawn and merged proposals are finished
REVIEWED = ("feasible", "unfeasible", "accepted", "rejected", "merged")
DECISIONS = ("accept", "reject", "unfeasible", "merge")
# the longest text each column holds (pb.models.Proposal), and the largest rough cost
LIMITS = {"title": 120, "summary": 200, "description": 5000, "location": 200, "rough_cost": 10_000_000}
# (message when empty, message when too long); the form shows the same words
TEXT_RULES = {
    "title": (_l("Enter a name for your project"), _l("The name must be 120 characters or fewer")),
    "summary": (_l("Describe your project in one line"),
                _l("The one-line description must be 200 characters or fewer")),
    "description": (_l("Say what should happen and why"),
                    _l("The description must be 5,000 characters or fewer")),
    "location": (None, _l("The place must be 200 characters or fewer")),
}


def _checked(data: dict) -> dict:
    """The proposal's fields, tidied, or a ServiceError about the first one that is wrong."""
    data = {field: data[field] for field in EDITABLE_FIELDS if field in data}
    for field, (empty, too_long) in TEXT_RULES.items():
        if field not in data:
            continue
        text = (data[field] or "").replace("\x00", "").strip()  # PostgreSQL cannot store NUL
        if not text and empty is not None:
            raise ServiceError(empty, field=field)
        if len(text) > LIMITS[field]:
            raise ServiceError(too_long, field=field)
        data[field] = text
    if data.get("location") == "":
        data["location"] = None
    if data.get("category") not in CATEGORIES:
        raise ServiceError(_l("Choose a category"), field="category")
    if "original_locale" in data and data["original_locale"] not in LANGUAGES:
        raise ServiceError(_l("Choose the language you are writing in"), field="original_locale")
    if "rough_cost" in data:
        cost = data["rough_cost"]
        if not isinstance(cost, int) or not 1 <= cost <= LIMITS["rough_cost"]:
            raise ServiceError(_l("Enter a cost between %(min)s and %(max)s", min=lazy_money(1),
                                  max=lazy_money(LIMITS["rough_cost"])), field="rough_cost")
    return data


def _same_proposal(person, heading: Heading, data: dict) -> Proposal | None:
    """This person's proposal in this ward with exactly this name, line and description."""
    return db.session.scalar(select(Proposal).where(
        Proposal.heading_id == heading.id, Proposal.author_id == person.id,
        Proposal.title == data["title"], Proposal.summary == data["summary"],
        Proposal.description == data["description"]).order_by(Proposal.id).limit(1))


def save_proposal(person, heading: Heading, data: dict, *, submit: bool,
                  proposal: Proposal | None = None) -> Proposal:
    """Create or edit a draft, and optionally submit it; only while proposals are open.

    Sending the same new proposal twice (a double click, a page sent again) keeps one:
    the second time returns the proposal already saved (a draft of it is updated, and
    submitted if asked) rather than refusing, because the resident did nothing wrong and
    the proposal they meant to send is there."""
    if current_phase(heading.round) != "proposals":
        raise WrongPhase(_l("Proposals for this round are closed."))
    if person.ward_id != heading.ward_id:
        raise NotAllowed(_l("Only residents of %(ward)s can propose projects here.", ward=heading.ward.name))
    if proposal is not None and proposal.author_id != person.id:
        raise NotAllowed(_l("You can only change your own proposals."))
    if proposal is not None and proposal.status in (*REVIEWED, "withdrawn"):
        raise WrongPhase(_l("This proposal has been reviewed, so it can no longer change. You can "
                            "withdraw it and submit a new one while proposals are open."))
    data = _checked(data)
    try:
        return _save(person, heading, data, submit, proposal)
    except BaseException:
        db.session.rollback()
        raise


def _save(person, heading: Heading, data: dict, submit: bool, proposal: Proposal | None) -> Proposal:
    if proposal is None:
        # One new proposal at a time per person: on PostgreSQL two copies of the same
        # request wait here for each other, so the second finds the first. (SQLite, for
        # development, ignores the lock; there only one request after another is caught.)
        db.session.execute(select(Person.id).where(Person.id == person.id)
                           .with_for_update(key_share=True))
        same = _same_proposal(person, heading, data)
        if same is not None and same.status != "draft":
            db.session.commit()  # ends the transaction, and with it the lock
            return same
        proposal = same
    if proposal is None:
        proposal = Proposal(heading=heading, author_id=person.id, status="draft")
        db.session.add(proposal)
    for field, value in data.items():
        setattr(proposal, field, value)
    if submit:
        proposal.status = "submitted"
    db.session.commit()
    return proposal


def withdraw_proposal(person, proposal: Proposal) -> Proposal:
    """The author takes a proposal back while proposals are open: it leaves the ballot."""
    if proposal.author_id != person.id:
        raise NotAllowed(_l("You can only change your own proposals."))
    if current_phase(proposal.heading.round) != "proposals":
        raise WrongPhase(_l("Proposals for this round are closed."))
    if proposal.status in ("withdrawn", "merged"):
        raise WrongPhase(_l("This proposal cannot be withdrawn."))
    proposal.status = "withdrawn"
    db.session.commit()
    return proposal


def review_proposal(officer, proposal: Proposal, *, decision: str, reason: str,
                    final_cost: int | None = None, merge_into: Proposal | None = None) -> Proposal:
    """Feasibility and cost check: accept onto the ballot, reject, mark unfeasible, or merge."""
    round_ = proposal.heading.round
    if not can(officer, "review_proposals", round_):
        raise NotAllowed(_l("Only council officers can review proposals."))
    if is_frozen(round_):
        raise WrongPhase(_l("Voting has opened, so the ballot can no longer change."))
    if proposal.status == "draft":
        raise ServiceError(_l("This proposal is still a draft."), field="decision")
    if proposal.status == "withdrawn":
        raise WrongPhase(_l("Its author has withdrawn this proposal."), field="decision")
    if decision not in DECISIONS:
        raise ServiceError(_l("Choose a decision"), field="decision")
    if not reason.strip():
        raise ServiceError(_l("Give a reason, which will be shown publicly"), field="reason")
    if decision == "accept":
        if not final_cost or final_cost <= 0:
            raise ServiceError(_l("Enter the final cost in pounds"), field="final_cost")
        if final_cost > proposal.heading.budget:
            raise ServiceError(_l("The final cost cannot be more than the ward's budget of %(budget)s",
                                  budget=lazy_money(proposal.heading.budget)), field="final_cost")
    if decision == "merge":
        if merge_into is None or merge_into.id == proposal.id or merge_into.heading_id != proposal.heading_id:
            raise ServiceError(_l("Choose another proposal in the same ward to merge into"),
                               field="merge_into")
    try:
        if decision == "accept":
            proposal.final_cost = final_cost
        if decision == "merge":
            proposal.merged_into_id = merge_into.id
        proposal.status = {"accept": "accepted", "reject": "rejected", "unfeasible": "unfeasible",
                           "merge": "merged"}[decision]
        proposal.feasibility_reason = reason.strip()
        proposal.reviewed_by_id = officer.id
        audit.record("proposal.reviewed", actor=officer, round_id=round_.id, subject=f"proposal:{proposal.id}",
                     reason=proposal.feasibility_reason, details={"decision": proposal.status,
                                                             "final_cost": proposal.final_cost})
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return proposal


def on_ballot(heading: Heading) -> list[Proposal]:
    return [p for p in heading.proposals if p.status == "accepted"]


def public_proposals(heading: Heading) -> list[Proposal]:
    return [p for p in heading.proposals if p.status not in ("draft", "withdrawn")]


def update_delivery(person, proposal: Proposal, status: str, note: str, progress: int | None = None) -> Proposal:
    from pb.models import DELIVERY_STATUSES

    if not can(person, "track_delivery", proposal.heading.round):
        raise NotAllowed(_l("You cannot update delivery for this round."))
    heading = proposal.heading
    if not published(heading) or proposal.project_id not in json.loads(heading.result.selected):
        raise WrongPhase(_l("Only funded projects, once results are published, have delivery to track."))
    if status not in DELIVERY_STATUSES:
        raise ServiceError(_l("Choose how delivery is going"), field="status")
    if progress is not None and (not isinstance(progress, int) or not 0 <= progress <= 100):
        raise ServiceError(_l("Enter the progress as a whole number from 0 to 100"), field="progress")
    try:
        proposal.delivery_status = status
        proposal.delivery_progress = progress
        proposal.delivery_note = note.strip() or None
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return proposal

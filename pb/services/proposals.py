"""Residents propose projects; officers review them onto the ballot."""

import json

from flask_babel import lazy_gettext as _l

from pb.models import Heading, Proposal, db
from pb.policy import can
from pb.services.errors import NotAllowed, ServiceError, WrongPhase
from pb.services.rounds import current_phase, is_frozen

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
EDITABLE_FIELDS = ("title", "summary", "description", "location", "category", "rough_cost")
DECISIONS = ("accept", "reject", "unfeasible", "merge")


def save_proposal(person, heading: Heading, data: dict, *, submit: bool,
                  proposal: Proposal | None = None) -> Proposal:
    """Create or edit a draft, and optionally submit it; only while proposals are open."""
    if current_phase(heading.round) != "proposals":
        raise WrongPhase(_l("Proposals for this round are closed."))
    if person.ward_id != heading.ward_id:
        raise NotAllowed(_l("Only residents of %(ward)s can propose projects here.", ward=heading.ward.name))
    if proposal is None:
        proposal = Proposal(heading=heading, author_id=person.id, status="draft")
        db.session.add(proposal)
    elif proposal.author_id != person.id:
        raise NotAllowed(_l("You can only change your own proposals."))
    for field in EDITABLE_FIELDS:
        if field in data:
            setattr(proposal, field, data[field])
    if data.get("category") not in CATEGORIES:
        db.session.rollback()
        raise ServiceError(_l("Choose a category"), field="category")
    if submit:
        proposal.status = "submitted"
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
    if decision not in DECISIONS:
        raise ServiceError(_l("Choose a decision"), field="decision")
    if not reason.strip():
        raise ServiceError(_l("Give a reason, which will be shown publicly"), field="reason")
    if decision == "accept":
        if not final_cost or final_cost <= 0:
            raise ServiceError(_l("Enter the final cost in pounds"), field="final_cost")
        if final_cost > proposal.heading.budget:
            raise ServiceError(_l("The final cost cannot be more than the ward's budget of £%(budget)s",
                                  budget=f"{proposal.heading.budget:,}"), field="final_cost")
        proposal.final_cost = final_cost
    if decision == "merge":
        if merge_into is None or merge_into.id == proposal.id or merge_into.heading_id != proposal.heading_id:
            raise ServiceError(_l("Choose another proposal in the same ward to merge into"),
                               field="merge_into")
        proposal.merged_into_id = merge_into.id
    proposal.status = {"accept": "accepted", "reject": "rejected", "unfeasible": "unfeasible",
                       "merge": "merged"}[decision]
    proposal.feasibility_reason = reason.strip()
    proposal.reviewed_by_id = officer.id
    db.session.commit()
    return proposal


def on_ballot(heading: Heading) -> list[Proposal]:
    return [p for p in heading.proposals if p.status == "accepted"]


def public_proposals(heading: Heading) -> list[Proposal]:
    return [p for p in heading.proposals if p.status != "draft"]


def update_delivery(person, proposal: Proposal, status: str, note: str) -> Proposal:
    from pb.models import DELIVERY_STATUSES

    if not can(person, "track_delivery", proposal.heading.round):
        raise NotAllowed(_l("You cannot update delivery for this round."))
    from pb.services.counting import published

    heading = proposal.heading
    if not published(heading) or proposal.project_id not in json.loads(heading.result.selected):
        raise WrongPhase(_l("Only funded projects, once results are published, have delivery to track."))
    if status not in DELIVERY_STATUSES:
        raise ServiceError(_l("Choose how delivery is going"), field="status")
    proposal.delivery_status = status
    proposal.delivery_note = note.strip() or None
    db.session.commit()
    return proposal

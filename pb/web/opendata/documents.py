"""Public documents of rounds, results and proposals, shared by the downloads and the API.

Only public data: a round only once published, a ward's results only once published,
proposals never as drafts or withdrawn and never with their author. No receipt, no
equality answer, no person except the officer's role on a decision.
"""

import json

from flask import url_for
from sqlalchemy import select

from pb.models import Heading, Result, Round, db
from pb.services import audit
from pb.services.proposals import public_proposals
from pb.services.rounds import current_phase, is_public, published
from pb.web.plans.exports import safe_cell  # noqa: F401 (one helper for every CSV)

LICENCE = {"name": "Open Government Licence v3.0",
           "url": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"}
PHASE_DATES = ("proposals", "review", "voting", "counting", "results", "delivery")

REASON_TEXT = {
    "funded_greedy": "Funded: among the most supported projects that fitted in the budget.",
    "funded_equal_shares": "Funded: its supporters paid for it from their equal shares of the budget.",
    "funded_from_leftover": "Funded from money left over after the equal shares were spent.",
    "did_not_fit": "Not funded: when its turn came, it cost more than the money left.",
    "supporters_could_not_afford": "Not funded: its supporters did not have enough of their equal shares left.",
    "no_support": "Not funded: nobody voted for it.",
}


def _num(value):
    """Stored numbers are ints or exact decimal strings; keep them exact, as strings if need be."""
    if value is None or isinstance(value, int):
        return value
    text = str(value)
    try:
        as_int = int(text)
    except ValueError:
        return text
    return as_int


def recount_command(heading: Heading) -> str:
    return (f"python -m pb.tally {ballots_filename(heading)} --rule {heading.result.rule} --json")


def ballots_filename(heading: Heading) -> str:
    return f"lambeth_{heading.ward.slug}_round_{heading.round_id}.pb"


def heading_summary(heading: Heading) -> dict:
    done = published(heading)
    return {"heading_id": heading.id, "ward": heading.ward.name, "ward_slug": heading.ward.slug,
            "ward_code": heading.ward.ons_code, "budget": heading.budget, "results_published": done,
            "results_url": url_for("opendata.results_json", round_id=heading.round_id,
                                   heading_id=heading.id, _external=True) if done else None}


def round_document(round_: Round) -> dict:
    return {"id": round_.id, "title": round_.title, "description": round_.description,
            "ballot_type": round_.ballot_type, "rule": round_.rule, "phase": current_phase(round_),
            "dates": {p: getattr(round_, f"{p}_from").isoformat() for p in PHASE_DATES},
            "min_age": round_.min_age, "max_age": round_.max_age,
            "wards": [heading_summary(h) for h in round_.headings],
            "date_changes": [{"phase": c.phase, "kind": c.kind, "from": c.old_date.isoformat(),
                              "to": c.new_date.isoformat(), "reason": c.reason}
                             for c in round_.date_changes],
            "recounts": [{"reason": r.reason, "at": r.counted_at.strftime("%Y-%m-%dT%H:%M:%SZ")}
                         for r in round_.recounts] if all(published(h) for h in round_.headings) else [],
            "url": url_for("rounds.show", round_id=round_.id, _external=True)}


def proposal_document(proposal) -> dict:
    heading = proposal.heading
    return {"id": proposal.id, "round_id": heading.round_id, "ward": heading.ward.name,
            "ward_slug": heading.ward.slug, "title": proposal.title, "summary": proposal.summary,
            "description": proposal.description, "location": proposal.location,
            "category": proposal.category, "rough_cost": proposal.rough_cost,
            "final_cost": proposal.final_cost, "status": proposal.status,
            "review_reason": proposal.feasibility_reason, "merged_into": proposal.merged_into_id,
            "delivery_status": proposal.delivery_status if published(heading) else None,
            "delivery_progress": proposal.delivery_progress if published(heading) else None,
            "url": url_for("rounds.proposal", round_id=heading.round_id, proposal_id=proposal.id,
                           _external=True)}


PROPOSAL_FIELDS = ("id", "round_id", "ward", "title", "summary", "description", "location", "category",
                   "rough_cost", "final_cost", "status", "review_reason", "merged_into",
                   "delivery_status", "delivery_progress", "url")


def proposals_of(heading: Heading) -> list[dict]:
    return [proposal_document(p) for p in public_proposals(heading)]


def audit_stamp(round_id: int) -> dict | None:
    entry = audit.count_entry(round_id)
    if entry is None:
        return None
    return {"seq": entry.seq, "hash": entry.hash,
            "verify_url": url_for("opendata.transparency", _external=True)}


def _payments(explanation: dict) -> list[dict]:
    return [{"supporters": _num(p["voters"]), "each": _num(p["each"]),
             "paid_all_they_had": p["paid_all_they_had"], "total": _num(p["total"])}
            for p in explanation.get("payments") or ()]


def result_document(heading: Heading) -> dict:
    """A published ward result: every project with its explanation and, under Equal Shares,
    who paid what (as groups), the ballots file's SHA-256 and the audit log's head."""
    result: Result = heading.result
    outcome = json.loads(result.outcome)
    titles = {p.project_id: p.title for p in heading.proposals}
    projects = []
    for project_id, e in outcome["explanations"].items():
        projects.append({"project_id": project_id, "title": titles.get(project_id), "cost": _num(e["cost"]),
                         "funded": e["funded"], "position": e.get("position"), "reason_code": e["code"],
                         "reason": REASON_TEXT.get(e["code"], e["code"]),
                         "supporters": _num(e["supporters"]), "score": _num(e["score"]),
                         "price": _num(e.get("price")), "payments": _payments(e)})
    projects.sort(key=lambda p: (not p["funded"], p["position"] or 0, p["project_id"]))
    return {"round_id": heading.round_id, "round_title": heading.round.title, "heading_id": heading.id,
            "ward": heading.ward.name, "ward_slug": heading.ward.slug, "ward_code": heading.ward.ons_code,
            "rule": result.rule, "tie_breaking": outcome.get("tie_breaking", "lexico"),
            "budget": _num(outcome["budget"]), "spent": _num(outcome["spent"]),
            "equal_share": _num(outcome.get("equal_share")), "final_share": _num(outcome.get("final_share")),
            "ballots_counted": result.ballots_counted, "selected": json.loads(result.selected),
            "counted_at": result.counted_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "projects": projects,
            "ballots_file": {"url": url_for("rounds.ballots_file", round_id=heading.round_id,
                                            heading_id=heading.id, _external=True),
                             "name": ballots_filename(heading), "sha256": result.ballots_sha256},
            "recount_command": recount_command(heading),
            "audit_head": audit_stamp(heading.round_id),
            "current_audit_head": audit.head(),
            "licence": LICENCE}


RESULT_FIELDS = ("round_id", "ward", "project_id", "title", "cost", "funded", "position", "reason_code",
                 "reason", "supporters", "score", "price", "payments", "ballots_sha256", "audit_head")


def _payments_text(payments: list[dict]) -> str:
    parts = []
    for p in payments:
        if p["paid_all_they_had"]:
            parts.append(f"{p['supporters']} paid all they had left, {p['total']} in total")
        else:
            parts.append(f"{p['supporters']} paid {p['each']} each, {p['total']} in total")
    return "; ".join(parts)


def result_rows(document: dict) -> list[dict]:
    stamp = document["audit_head"]["hash"] if document["audit_head"] else ""
    return [{**p, "round_id": document["round_id"], "ward": document["ward"],
             "payments": _payments_text(p["payments"]), "ballots_sha256": document["ballots_file"]["sha256"],
             "audit_head": stamp} for p in document["projects"]]


def receipt_hashes(heading: Heading) -> list[str]:
    """Every counted ballot's receipt hash, sorted: never in the ballots file's order, so a
    receipt proves that a ballot was counted, not which ballot (no one can show how they voted)."""
    from pb.models import Ballot

    return sorted(db.session.scalars(select(Ballot.receipt_hash).where(Ballot.heading_id == heading.id)))


def public_round(round_id: int) -> Round | None:
    round_ = db.session.get(Round, round_id)
    return round_ if round_ is not None and is_public(round_) else None


def public_heading(round_id: int, heading_id: int) -> Heading | None:
    round_ = public_round(round_id)
    heading = db.session.get(Heading, heading_id) if round_ is not None else None
    return heading if heading is not None and heading.round_id == round_id else None

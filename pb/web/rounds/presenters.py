"""Turning stored results into what the results page says, in the reader's language."""

import json
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from pb.models import Heading, Proposal
from pb.services.rounds import current_phase, last_day, published
from pb.tally import (
    DID_NOT_FIT,
    FUNDED_EQUAL_SHARES,
    FUNDED_GREEDY,
    FUNDED_LEFTOVER,
    NO_SUPPORT,
    SUPPORTERS_COULD_NOT_AFFORD,
)
from pb.web.names import (  # noqa: F401 (re-exported for the views)
    DELIVERY_COLOURS,
    DELIVERY_NAMES,
    OUTCOME_COLOURS,
    OUTCOME_NAMES,
    PHASE_NAMES,
    RULE_NAMES,
    STATUS_COLOURS,
    STATUS_NAMES,
)

REASONS = {
    FUNDED_GREEDY: _l("Funded: it was among the most supported projects that fitted in the budget."),
    FUNDED_EQUAL_SHARES: _l("Funded: its supporters paid for it from their equal shares of the budget."),
    FUNDED_LEFTOVER: _l("Funded from money left over after the equal shares were spent."),
    DID_NOT_FIT: _l("Not funded: when its turn came, it cost more than the money left."),
    SUPPORTERS_COULD_NOT_AFFORD: _l("Not funded: its supporters did not have enough of their equal shares left to pay for it."),
    NO_SUPPORT: _l("Not funded: nobody voted for it."),
}




def _number(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def results_view(heading: Heading) -> dict:
    result = heading.result
    outcome = json.loads(result.outcome)
    proposals = {p.project_id: p for p in heading.proposals}
    rows = []
    for project_id, explanation in outcome["explanations"].items():
        rows.append({
            "proposal": proposals.get(project_id),
            "funded": explanation["funded"],
            "position": explanation.get("position"),
            "cost": _number(explanation["cost"]),
            "supporters": _number(explanation["supporters"]),
            "reason": REASONS.get(explanation["code"], explanation["code"]),
        })
    funded = sorted((r for r in rows if r["funded"]), key=lambda r: r["position"] or 0)
    unfunded = sorted((r for r in rows if not r["funded"]), key=lambda r: -(r["supporters"] or 0))
    electorate = heading.ward.electorate_2022
    return {
        "funded": funded,
        "unfunded": unfunded,
        "spent": _number(outcome["spent"]),
        "budget": _number(outcome["budget"]),
        "ballots": result.ballots_counted,
        "electorate": electorate,
        "turnout": result.ballots_counted / electorate if electorate else None,
        "election_turnout": heading.ward.turnout_ballots_2022 / electorate if electorate else None,
        "rule": result.rule,
        "rule_name": RULE_NAMES[result.rule],
        "equal_share": _number(outcome.get("equal_share")),
        "final_share": _number(outcome.get("final_share")),
        "sha256": result.ballots_sha256,
        "delivery_names": DELIVERY_NAMES,
    }




def outcome(proposal: Proposal) -> str | None:
    """"funded" or "not_funded" once its ward's results are published; None before then
    and for proposals that never reached the ballot."""
    heading = proposal.heading
    if proposal.status != "accepted" or not published(heading):
        return None
    funded = proposal.project_id in json.loads(heading.result.selected)
    return "funded" if funded else "not_funded"


def _tag(text, colour: str) -> Markup:
    return Markup('<strong class="govuk-tag govuk-tag--{}">{}</strong>').format(colour, escape(text))


def proposal_tags(proposal: Proposal) -> Markup:
    """Where a proposal stands, as residents see it: its review status until the results,
    then whether it was funded and, for funded projects, how delivery is going."""
    result = outcome(proposal)
    if result is None:
        return _tag(STATUS_NAMES.get(proposal.status, proposal.status),
                    STATUS_COLOURS.get(proposal.status, "grey"))
    tags = _tag(OUTCOME_NAMES[result], OUTCOME_COLOURS[result])
    if result == "funded" and proposal.delivery_status in DELIVERY_NAMES:
        tags += Markup(" ") + _tag(DELIVERY_NAMES[proposal.delivery_status],
                                   DELIVERY_COLOURS[proposal.delivery_status])
    return tags


def _register_template_globals():
    """What the round, ballot, home and ward pages ask of a round while they render."""
    from pb.web.rounds import bp  # the package defines bp before it imports its routes

    bp.add_app_template_global(last_day, "last_day")
    bp.add_app_template_global(current_phase, "current_phase")
    bp.add_app_template_global(proposal_tags, "proposal_tags")


_register_template_globals()

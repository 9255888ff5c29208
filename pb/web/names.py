"""What residents and staff call phases, rules, statuses and ballots: each named once, here.

The admin pages and the public pages say the same words for the same thing, and a status
has one colour wherever its tag appears.
"""

from flask_babel import lazy_gettext as _l

PHASE_NAMES = {
    "draft": _l("Draft (not public)"),  # staff only: the public never sees a draft round
    "upcoming": _l("Coming soon"),
    "proposals": _l("Proposals open"),
    "review": _l("Proposals being checked"),
    "voting": _l("Voting open"),
    "counting": _l("Counting the votes"),
    "results": _l("Results published"),
    "delivery": _l("Projects being delivered"),
}

RULE_NAMES = {
    "greedy": _l("Most votes first, while the money lasts"),
    "mes": _l("Method of Equal Shares"),
    "mes-add1": _l("Method of Equal Shares, with the money left over spent on the most popular projects"),
}

BALLOT_TYPE_NAMES = {
    "approval": _l("Approval: tick the projects you support"),
    "knapsack": _l("Budget: choose projects that fit within the ward's budget"),
    "cumulative": _l("Points: spread a number of points over projects"),
    "ranked": _l("Ranked: put projects in order of preference"),
}

STATUS_NAMES = {
    "draft": _l("Draft"),
    "submitted": _l("Waiting for review"),
    # Translators: a proposal's public status: council officers checked it and it CAN be done
    # (a decision about the idea, not a forecast that "it will go well")
    "feasible": _l("Feasible"),
    # Translators: a proposal's public status: officers checked it and it cannot be done
    "unfeasible": _l("Not feasible"),
    "accepted": _l("On the ballot"),
    "rejected": _l("Not taken forward"),
    "merged": _l("Merged with another proposal"),
    "withdrawn": _l("Withdrawn by its author"),
}
STATUS_COLOURS = {"draft": "grey", "submitted": "blue", "feasible": "turquoise",
                  "unfeasible": "orange", "accepted": "green", "rejected": "red",
                  "merged": "purple", "withdrawn": "grey"}

DELIVERY_NAMES = {
    "not_started": _l("Not started"),
    "in_progress": _l("In progress"),
    "delivered": _l("Delivered"),
}
DELIVERY_COLOURS = {"not_started": "grey", "in_progress": "blue", "delivered": "green"}

# once a ward's results are published, a project on its ballot was funded or not
OUTCOME_NAMES = {
    # Translators: a project's result after the count: the council WILL pay for it (decided,
    # past tense). Different from "Would be funded", which is a hypothetical in the equalities report
    "funded": _l("Funded"),
    # Translators: a project's result after the count: it did not get money this time
    "not_funded": _l("Not funded"),
}
OUTCOME_COLOURS = {"funded": "green", "not_funded": "grey"}

"""A resident's ballot is checked the same way on the web, by SMS and on paper."""

import re
from decimal import Decimal
from fractions import Fraction

import pytest

from pb.tally import MONEY_PARAMS, BallotRules, Project, validate_ballot
from pb.tally.messages import MESSAGES

PROJECTS = [
    Project("1", 40_000, "Play area in Myatt's Fields"),
    Project("2", 25_000, "Benches on Brixton Road"),
    Project("3", 10_000, "Street trees"),
    Project("10", 5_500, "Community fridge"),
]
BUDGET = 60_000


def codes(problems):
    return [p.code for p in problems]


def test_a_valid_approval_ballot_has_no_problems():
    assert validate_ballot(BallotRules("approval", max_choices=3), PROJECTS, BUDGET, {"1", "3"}) == []


def test_approval_too_many_and_unknown_are_all_reported_at_once():
    problems = validate_ballot(BallotRules("approval", max_choices=2), PROJECTS, BUDGET,
                               ["1", "2", "3", "99"])
    assert codes(problems) == ["too_many", "unknown_project"]
    too_many = problems[0]
    assert too_many.message % too_many.params == "Choose no more than 2 projects"
    unknown = problems[1]
    assert unknown.project_id == "99"


def test_approval_too_few_and_empty():
    rules = BallotRules("approval", min_choices=2)
    assert codes(validate_ballot(rules, PROJECTS, BUDGET, ["1"])) == ["too_few"]
    assert codes(validate_ballot(rules, PROJECTS, BUDGET, [])) == ["empty"]


def test_approval_repeated_choice_names_the_project():
    problems = validate_ballot(BallotRules("approval"), PROJECTS, BUDGET, ["3", "3"])
    assert codes(problems) == ["duplicate"]
    assert problems[0].project_id == "3"
    assert "Street trees" in problems[0].message % problems[0].params


def test_knapsack_over_budget_gives_money_as_numbers():
    problems = validate_ballot(BallotRules("knapsack"), PROJECTS, BUDGET, ["1", "2"])
    assert codes(problems) == ["over_budget"]
    p = problems[0]
    assert p.params["total_cost"] == 65_000 and p.params["budget"] == 60_000
    assert {"total_cost", "budget"} <= MONEY_PARAMS
    # the web formats money params as currency, symbol included
    shown = {k: f"£{v:,}" if k in MONEY_PARAMS else v for k, v in p.params.items()}
    assert p.message % shown == "Your choices cost £65,000, which is more than the budget of £60,000"


def test_knapsack_minimum_spend_share():
    rules = BallotRules("knapsack", min_spend_share=Fraction(1, 2))
    problems = validate_ballot(rules, PROJECTS, Fraction(60_001), ["3"])
    assert codes(problems) == ["under_min_spend"]
    # half of £60,001 is £30,000.50: the message never asks for less than is needed
    assert problems[0].params["min_spend"] == Decimal("30000.5")
    assert validate_ballot(rules, PROJECTS, BUDGET, ["1"]) == []


def test_cumulative_points():
    rules = BallotRules("cumulative", points=10, max_choices=3)
    assert validate_ballot(rules, PROJECTS, BUDGET, {"1": 6, "2": 4}) == []
    problems = validate_ballot(rules, PROJECTS, BUDGET, {"1": 6, "2": 5, "3": Fraction(1, 2), "10": -1})
    assert codes(problems) == ["points_not_whole", "points_negative", "too_many_points"]
    assert problems[-1].params == {"points_given": Decimal("11.5"), "points": 10}
    assert codes(validate_ballot(rules, PROJECTS, BUDGET, {"1": 0})) == ["empty"]
    assert codes(validate_ballot(rules, PROJECTS, BUDGET, {"1": 1, "2": 1, "3": 1, "10": 1})) == ["too_many"]


def test_ranked_ballots():
    rules = BallotRules("ranked", max_ranks=3)
    assert validate_ballot(rules, PROJECTS, BUDGET, ["3", "1"]) == []
    problems = validate_ballot(rules, PROJECTS, BUDGET, ["3", "1", "3", "2", "10"])
    assert codes(problems) == ["duplicate_rank", "too_many_ranks"]
    assert problems[1].message % problems[1].params == "Rank no more than 3 projects"
    assert codes(validate_ballot(rules, PROJECTS, BUDGET, [])) == ["empty"]


def test_scoring_ballots():
    rules = BallotRules("scoring", points=5)
    assert validate_ballot(rules, PROJECTS, BUDGET, {"1": 5, "2": 0, "3": 2}) == []
    problems = validate_ballot(rules, PROJECTS, BUDGET, {"1": 6})
    assert codes(problems) == ["score_too_high"]


@pytest.mark.parametrize("kind", ["approval", "ranked", "cumulative"])
def test_a_ballot_of_the_wrong_shape_is_a_problem_not_a_crash(kind):
    rules = BallotRules(kind, points=10 if kind == "cumulative" else None)
    assert codes(validate_ballot(rules, PROJECTS, BUDGET, "1,2")) == ["not_a_ballot"]


def test_every_message_is_a_marked_msgid_whose_placeholders_are_named():
    source = open("pb/tally/messages.py", encoding="utf-8").read()
    for code, message in MESSAGES.items():
        assert "N_(" in source and message.split("%")[0].strip()[:10] in source, code
        for placeholder in re.findall(r"%\((\w+)\)", message):
            assert placeholder.isidentifier()
        assert not message.endswith("."), f"GOV.UK style: no full stop on {code}"

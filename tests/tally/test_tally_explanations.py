"""Every project gets a plain-data explanation: who paid, or why it was not funded."""

from fractions import Fraction

import pytest

from pb.tally import Ballot, BallotRules, Election, Project, count, read_pabulib
from pb.tally.outcome import FUNDED_CODES, UNFUNDED_CODES


def ward():
    """A small ward: a popular park, a niche café, a project nobody chose, one too dear."""
    projects = [Project("park", 60), Project("cafe", 30), Project("mural", 10),
                Project("bridge", 500), Project("bins", 20)]
    ballots = ([Ballot({"park", "bins"})] * 6 + [Ballot({"cafe"})] * 2 + [Ballot({"bridge"})]
               + [Ballot({"park", "cafe"})])
    return Election(100, projects, ballots, BallotRules("approval"))


def test_greedy_explains_order_and_what_did_not_fit():
    outcome = count(ward(), "greedy")
    e = outcome.explanations
    assert outcome.selected == ["park", "bins", "mural"]
    assert e["park"].supporters == 7 and e["park"].position == 1
    assert e["cafe"].code == "did_not_fit" and e["cafe"].budget_left == 20
    assert e["bridge"].code == "did_not_fit"
    # greedy funds a project nobody chose if it fits, as pabutools does
    assert e["mural"].funded and e["mural"].supporters == 0


def test_equal_shares_explains_who_paid_what():
    outcome = count(ward(), "mes")
    e = outcome.explanations
    assert outcome.equal_share == 10  # 100 / 10 voters
    park = e["park"]
    assert park.code == "funded_equal_shares"
    assert sum(p.total for p in park.payments) == 60
    assert sum(p.voters for p in park.payments) == park.supporters == 7
    assert e["mural"].code == "no_support" and not e["mural"].funded
    bridge = e["bridge"]
    assert bridge.code == "supporters_could_not_afford"
    assert bridge.supporters_money_left == 10 < bridge.cost


def test_equal_shares_groups_those_who_paid_all_they_had():
    # 4 voters with 10 each; three pay 9 each for "a", so voter 1 has 1 left for "b", and
    # voter 4 pays the other 9
    projects = [Project("a", 27), Project("b", 10)]
    ballots = [Ballot({"a", "b"}), Ballot({"a"}), Ballot({"a"}), Ballot({"b"})]
    outcome = count(Election(40, projects, ballots, BallotRules("approval")), "mes")
    a, b = outcome.explanations["a"], outcome.explanations["b"]
    assert outcome.selected == ["a", "b"]
    assert [(p.voters, p.each, p.paid_all_they_had, p.total) for p in a.payments] == [
        (3, 9, False, 27)]
    assert [(p.voters, p.each, p.paid_all_they_had, p.total) for p in b.payments] == [
        (1, 9, False, 9), (1, None, True, 1)]
    assert outcome.to_dict()["explanations"]["b"]["payments"][1] == {
        "voters": 1, "each": None, "paid_all_they_had": True, "total": 1}


def test_add1_explains_completion_and_levels():
    outcome = count(ward(), "mes-add1")
    assert outcome.final_share >= outcome.equal_share
    assert outcome.details["add1_levels_tried"] >= 1
    for pid in outcome.selected:
        assert outcome.explanations[pid].code in FUNDED_CODES
    left = outcome.budget - outcome.spent
    for e in outcome.explanations.values():
        assert e.code in (FUNDED_CODES if e.funded else UNFUNDED_CODES)
        if not e.funded:
            assert e.cost > left


@pytest.mark.parametrize("rule", ["greedy", "mes", "mes-add1"])
def test_explanations_are_plain_data_ready_for_open_data(rule, data_dir):
    import json

    outcome = count(read_pabulib(data_dir / "Switzerland_Zurich_D10.pb"), rule)
    data = outcome.to_dict()
    text = json.dumps(data, default=str)
    assert set(data["explanations"]) == {p for p in outcome.explanations}
    assert all(isinstance(v["code"], str) for v in data["explanations"].values())
    assert "Fraction" not in text


def test_weights_count_as_voters_in_explanations():
    projects = [Project("a", 30), Project("b", 30)]
    ballots = [Ballot({"a"}, weight=Fraction(3, 2)), Ballot({"b"}, weight=Fraction(1, 2))]
    outcome = count(Election(40, projects, ballots, BallotRules("approval")), "mes")
    assert outcome.equal_share == 20
    a = outcome.explanations["a"]
    assert a.funded and a.supporters == Fraction(3, 2)
    assert [(p.voters, p.each, p.total) for p in a.payments] == [(Fraction(3, 2), 20, 30)]


@pytest.mark.parametrize("rule", ["greedy", "mes", "mes-add1"])
def test_approval_choices_as_json_lists_count_the_same_as_sets(rule, data_dir):
    """Ballots stored as JSON come back as lists, in any order, maybe with a repeat."""
    election = read_pabulib(data_dir / "Netherlands_Assen_2024.pb")
    as_lists = [Ballot(sorted(b.choices, reverse=k % 2 == 0) + list(b.choices)[:1])
                for k, b in enumerate(election.ballots)]
    again = Election(election.budget, election.projects, as_lists, election.rules)
    assert count(again, rule).selected == count(election, rule).selected

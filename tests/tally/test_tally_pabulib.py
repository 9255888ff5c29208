"""Reading and writing Pabulib files: decimals, BOMs, round trips, and pabulib-checker."""

import contextlib
import io
from fractions import Fraction

import pytest
from pabulib.checker import Checker

from pb.tally import Ballot, BallotRules, Election, Project, count, read_pabulib, write_pabulib

SMALL = """META
key;value
description;Test
country;Poland
unit;Testowo
instance;2024
num_projects;3
num_votes;4
budget;{budget}
vote_type;{vote_type}
rule;greedy
date_begin;01.01.2024
date_end;02.01.2024
PROJECTS
project_id;cost;name
10;1,5;Ten
9;100.25;Nine
a;2;Ä
VOTES
voter_id;vote{points_header};age;sex;voting_method
1;10,9{p1};30;F;internet
2;9{p2};none;M;paper
3;{empty};44;F;internet
4;a,10{p4};61;O;paper
"""


def small(budget="150.5", vote_type="approval", cardinal=False):
    return SMALL.format(
        budget=budget, vote_type=vote_type,
        points_header=";points" if cardinal else "",
        p1=";2,1" if cardinal else "", p2=";3" if cardinal else "",
        p4=";1,2" if cardinal else "", empty=";" if cardinal else "",
    )


def check(path) -> dict:
    with contextlib.redirect_stdout(io.StringIO()):
        results = Checker().process_files([str(path)])
    key = next(k for k in results if k not in ("metadata", "summary"))
    return {"valid": results["metadata"]["valid"] == 1, **results[key]["results"]}


@pytest.mark.parametrize("budget, expected", [
    ("2828094.61", Fraction(282809461, 100)),
    ("400000.0", Fraction(400000)),
    ("150,5", Fraction(301, 2)),
])
def test_decimal_budgets_are_read_exactly(budget, expected):
    assert read_pabulib(small(budget)).budget == expected


def test_costs_ids_and_voter_fields(tmp_path):
    path = tmp_path / "bom.pb"
    path.write_text(small(), encoding="utf-8-sig")  # with a byte-order mark
    e = read_pabulib(path)
    assert [p.id for p in e.projects] == ["10", "9", "a"]
    assert e.project("10").cost == Fraction(3, 2)
    assert e.project("9").cost == Fraction(401, 4)
    assert e.project("a").name == "Ä"
    assert e.rules.kind == "approval"
    assert [set(b.choices) for b in e.ballots] == [{"10", "9"}, {"9"}, set(), {"a", "10"}]
    assert e.ballots[0].voter == {"voter_id": "1", "age": "30", "sex": "F", "voting_method": "internet"}
    assert "age" not in e.ballots[1].voter  # "none" means no value


@pytest.mark.parametrize("vote_type, kind", [("approval", "approval"), ("choose-1", "approval"),
                                             ("cumulative", "cumulative"), ("ordinal", "ranked"),
                                             ("scoring", "scoring")])
def test_vote_types_map_to_ballot_kinds(vote_type, kind):
    e = read_pabulib(small(vote_type=vote_type, cardinal=vote_type in ("cumulative", "scoring")))
    assert e.rules.kind == kind
    if kind == "ranked":
        assert e.ballots[3].choices == ["a", "10"]
    if kind == "cumulative":
        assert e.ballots[0].choices == {"10": 2, "9": 1}
        assert e.ballots[2].choices == {}
    if vote_type == "choose-1":
        assert e.rules.max_choices == 1


def _same_election(a: Election, b: Election):
    assert a.budget == b.budget
    assert [(p.id, p.cost, p.name) for p in a.projects] == [(p.id, p.cost, p.name) for p in b.projects]
    assert a.rules.kind == b.rules.kind
    norm = (lambda c: dict(c)) if a.rules.kind in ("cumulative", "scoring") else (
        list if a.rules.kind == "ranked" else set)
    assert [norm(x.choices) for x in a.ballots] == [norm(x.choices) for x in b.ballots]
    assert [x.voter for x in a.ballots] == [x.voter for x in b.ballots]


def test_round_trip_of_every_sample_file(tmp_path, data_dir):
    for path in sorted(data_dir.glob("*.pb")):
        original = read_pabulib(path)
        out = tmp_path / path.name
        write_pabulib(original, out)
        again = read_pabulib(out)
        _same_election(original, again)
        for rule in ("greedy", "mes"):
            assert count(again, rule).selected == count(original, rule).selected


@pytest.mark.parametrize("rule", [None, "greedy", "mes", "mes-add1"])
@pytest.mark.parametrize("name", ["Poland_Swiecie_2023.pb", "Switzerland_Zurich_D10.pb",
                                  "Switzerland_Zurich_S5R.pb", "Worldwide_Mechanical_Turk_Knapsack_7.pb"])
def test_files_we_write_pass_pabulib_checker(tmp_path, data_dir, name, rule):
    election = read_pabulib(data_dir / name)
    outcome = count(election, rule) if rule else None
    out = tmp_path / name
    write_pabulib(election, out, outcome)
    result = check(out)
    assert result["valid"], result["errors"]
    assert result["errors"] == {}
    if outcome is not None:
        written = read_pabulib(out)
        assert {p.id for p in written.projects if p.extra["selected"] == "1"} == set(outcome.selected)
        if election.rules.kind == "approval" and rule != "mes-add1":
            # pabulib-checker re-ran the rule and agreed with our selection
            assert "rule validation skipped" not in result["warnings"]


def test_an_election_built_in_the_app_is_written_as_a_valid_file(tmp_path):
    projects = [Project("1", 40_000, "Play area"), Project("2", 25_000, "Benches"),
                Project("3", 10_000, "Trees")]
    ballots = [Ballot({"1", "3"}, voter={"age": "34", "sex": "F", "voting_method": "internet"}),
               Ballot({"2"}, weight=2, voter={"voting_method": "paper"}),  # age and sex unknown
               Ballot({"3", "2"}, voter={"age": "71", "sex": "M", "voting_method": "paper"})]
    election = Election(60_000, projects, ballots, BallotRules("approval", max_choices=2),
                        meta={"unit": "Lambeth", "currency": "GBP"})
    outcome = count(election, "greedy")
    out = tmp_path / "lambeth.pb"
    write_pabulib(election, out, outcome)
    result = check(out)
    assert result["valid"], result["errors"]
    text = out.read_text(encoding="utf-8")
    assert "rule;greedy" in text and "num_votes;4" in text
    again = read_pabulib(out)
    assert len(again.ballots) == 4  # the weight-2 ballot became two rows
    assert count(again, "greedy").selected == outcome.selected


def test_fractional_weights_cannot_be_written(tmp_path):
    from pb.tally import TallyError

    e = Election(10, [Project("1", 5)], [Ballot({"1"}, weight=Fraction(1, 2))], BallotRules("approval"))
    with pytest.raises(TallyError):
        write_pabulib(e, tmp_path / "x.pb")

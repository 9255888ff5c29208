"""Hostile input: ballots no form would send, and text that tries to break a Pabulib file.

validate_ballot must answer every ballot with a list of problems, never an exception (an
exception is an HTTP 500). A Pabulib file we publish must read back exactly, whatever the text
in it, so that anyone recounting it gets our outcome.
"""

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pb.tally import Ballot, BallotRules, Election, Project, count, read_pabulib, write_pabulib
from pb.tally.messages import MESSAGES
from pb.tally.pabulib import _records
from pb.tally.validation import Problem, validate_ballot

PROJECTS = [Project("1", 40_000, "Play area"), Project("2", 25_000, "Benches"),
            Project("3", 10_000, "Street trees")]
BUDGET = 60_000

class Weird:
    """Neither a number nor text; even turning it into text fails."""

    def __repr__(self):
        return "Weird()"

    def __str__(self):
        raise RuntimeError("no text")


HOSTILE_POINTS = [
    "abc", "🙂", "1e1", "inf", "-inf", "nan", "NaN", "0x3", "-0", "-1", "+3", " 3 ", "3 ", "\t3",
    "3\n", "٣", "³", "1_000", "1.5", "3.0", "1,5", "1/2", "", " ", "9" * 5000, "0" * 5000 + "3",
    "1e999999999", 10**5000, -(10**5000), 1.5, 3.0, float("nan"), float("inf"), None, True,
    False, [], [3], {}, {"points": 3}, (3,), b"3", Decimal("NaN"), Decimal("Infinity"),
    Decimal("1e999999999"), Decimal("-1e-999999999"), Fraction(1, 3), Fraction(10**5000 + 1, 2),
    Weird(),
]
HOSTILE_IDS = [
    1, 1.0, None, True, b"1", [], ["1"], {}, ("1",), Weird(), "", " 1 ", "1\x00", "\ud800",
    "x" * 1_000_000, "🙂", "\u202e1", "<script>", "%(project)s", "%s",
]


def _id(value) -> str:
    try:
        return repr(value)[:30]
    except ValueError:  # more digits than Python will turn into text
        return f"huge-{type(value).__name__}"


def _answered(problems) -> list[Problem]:
    """Every problem is a known message whose text can be made, as the web makes it."""
    assert isinstance(problems, list)
    for p in problems:
        assert isinstance(p, Problem)
        assert MESSAGES[p.code] == p.message
        text = p.message % p.params
        assert len(text) < 300
        text.encode("utf-8")  # what the web sends must be valid UTF-8
        if p.project_id is not None:
            assert len(p.project_id) < 300
            p.project_id.encode("utf-8")
    return problems


@pytest.mark.parametrize("kind", ["cumulative", "scoring"])
@pytest.mark.parametrize("value", HOSTILE_POINTS,
                         ids=_id)
def test_every_hostile_points_value_is_a_problem(kind, value):
    rules = BallotRules(kind, points=10)
    problems = _answered(validate_ballot(rules, PROJECTS, BUDGET, {"1": value, "2": 3}))
    assert problems, f"{value!r} was accepted"
    assert problems[0].code in ("points_not_whole", "points_negative", "score_too_high")
    assert problems[0].project_id == "1"


@pytest.mark.parametrize("value", ["3", "03", 3, Fraction(3), Decimal("3"), Decimal("3.00")])
def test_plain_whole_points_are_still_accepted(value):
    rules = BallotRules("cumulative", points=10)
    assert validate_ballot(rules, PROJECTS, BUDGET, {"1": value, "2": 7}) == []


def test_a_single_project_given_more_than_all_the_points_is_named():
    rules = BallotRules("cumulative", points=10)
    problems = validate_ballot(rules, PROJECTS, BUDGET, {"1": "9" * 5000, "2": 3})
    assert [p.code for p in problems] == ["score_too_high"]
    assert problems[0].message % problems[0].params == "Give Play area no more than 10 points"


@pytest.mark.parametrize("kind", ["approval", "knapsack", "ranked"])
@pytest.mark.parametrize("bad", HOSTILE_IDS, ids=_id)
def test_every_hostile_id_is_a_problem(kind, bad):
    rules = BallotRules(kind)
    for choices in ([bad], ["1", bad], [bad, bad], ("3", bad, "1")):
        problems = _answered(validate_ballot(rules, PROJECTS, BUDGET, choices))
        assert problems, f"{choices!r} was accepted"


@pytest.mark.parametrize("kind", ["cumulative", "scoring"])
@pytest.mark.parametrize("bad", HOSTILE_IDS, ids=_id)
def test_every_hostile_id_is_a_problem_on_a_points_ballot(kind, bad):
    try:
        choices = {bad: 3, "2": 3}
    except TypeError:  # unhashable: cannot be a key
        return
    problems = _answered(validate_ballot(BallotRules(kind, points=10), PROJECTS, BUDGET, choices))
    assert problems


@pytest.mark.parametrize("kind", ["approval", "knapsack", "ranked", "cumulative", "scoring"])
@pytest.mark.parametrize("ballot", [None, 3, 1.5, "1", b"1", "", Weird(), iter([]), {1: 3},
                                    {("1",): 3}, ["1", ["2"]], [{"1": 1}], {"1": {"1": 1}}],
                         ids=lambda b: "iterator" if type(b).__name__ == "list_iterator" else repr(b))
def test_every_hostile_ballot_shape_is_a_problem(kind, ballot):
    rules = BallotRules(kind, points=10 if kind in ("cumulative", "scoring") else None)
    assert _answered(validate_ballot(rules, PROJECTS, BUDGET, ballot))


def test_ranked_and_approval_repeats_are_problems():
    for kind, code in (("ranked", "duplicate_rank"), ("approval", "duplicate")):
        problems = validate_ballot(BallotRules(kind), PROJECTS, BUDGET, ["1", "2", "1", "1"])
        assert [p.code for p in problems] == [code]


def test_a_huge_unknown_id_is_shown_short():
    [problem] = validate_ballot(BallotRules("approval"), PROJECTS, BUDGET, ["x" * 1_000_000])
    assert problem.code == "unknown_project"
    assert problem.message % problem.params == "x" * 40 + "… is not one of the projects you can vote for"


# ---------------------------------------------------------------- Pabulib text

SEPARATORS = ["\n", "\r\n", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028",
              "\u2029"]


def _two_projects(name: str) -> Election:
    """Project 2 wins greedy only if project 1's row is read intact."""
    projects = [Project("1", 10, f"Trees{name}3;5;x"), Project("2", 10, "Benches")]
    ballots = [Ballot({"1"}), Ballot({"1"}), Ballot({"2"})]
    return Election(10, projects, ballots, BallotRules("approval"),
                    meta={"description": f"Ward{name}budget", "subunit": f'"{name}"'})


@pytest.mark.parametrize("sep", SEPARATORS, ids=repr)
def test_line_separators_in_text_round_trip(tmp_path, sep):
    election = _two_projects(sep)
    path = tmp_path / "e.pb"
    write_pabulib(election, path)
    again = read_pabulib(path)
    assert [p.name for p in again.projects] == [p.name for p in election.projects]
    assert again.meta["description"] == election.meta["description"]
    assert again.meta["subunit"] == election.meta["subunit"]
    assert count(again, "greedy").selected == count(election, "greedy").selected == ["1"]


@pytest.mark.parametrize("text", ["none", "None", "NONE", " none ", "META", "votes", "Projects",
                                  " padded ", "\ttab", "", "=1+1", '"', '""', ";", "a,b"])
def test_awkward_values_round_trip(tmp_path, text):
    projects = [Project("1", 5, text or "x", {"description": text}), Project("2", 5, "Two")]
    voter = {"voter_id": text or "v", "age": text, "sex": text, "voting_method": text}
    election = Election(10, projects, [Ballot({"1"}, voter=voter)], BallotRules("approval"),
                        meta={"description": text, "unit": text})
    path = tmp_path / "e.pb"
    write_pabulib(election, path)
    again = read_pabulib(path)
    assert again.projects[0].name == (text or "x")
    assert again.projects[0].extra["description"] == text
    assert again.meta["description"] == again.meta["unit"] == text
    assert again.ballots[0].voter == voter
    assert set(again.ballots[0].choices) == {"1"}


def test_reading_keeps_quoted_fields_exact_and_strips_unquoted_ones():
    text = ('PROJECTS\r\nproject_id;cost;name;note\r\n'
            ' 1 ; 5 ;  Trees  ;"  kept  "\r\n'
            '2;5;"Park ""X"" ; two\nlines\r\nand more";"a"b \r\n'
            '3;5;Unquoted "middle" quote;x\rin the middle\n')
    rows = [row for row, _ in _records(text)]
    assert rows[2] == ["1", "5", "Trees", "  kept  "]
    assert rows[3] == ["2", "5", 'Park "X" ; two\nlines\r\nand more', "ab"]
    assert rows[4] == ["3", "5", 'Unquoted "middle" quote', "x\rin the middle"]


# ---------------------------------------------------------------- property

SPECIAL = list("=+-@\";,'\t ") + SEPARATORS + ["\x00", "\x7f", "\u200b", "\ufeff", "none"]
any_char = st.characters(exclude_categories=("Cs",))
texts = st.lists(st.one_of(any_char, any_char, st.sampled_from(SPECIAL)), max_size=12).map("".join)
prefixed = st.tuples(st.sampled_from(["", "", "=", "+", "-", "@", '"', " ", "\n"]), texts).map("".join)
META_KEYS = ["description", "subunit", "unit", "country", "district", "instance", "comment",
             "language", "date_begin", "acknowledgments", "ward_note"]
VOTER_KEYS = ["age", "sex", "voting_method", "neighborhood", "education"]
IDS = ["1", "2", "9", "10", "a", "B", "Ł1"]


@st.composite
def wild_elections(draw):
    kind = draw(st.sampled_from(["approval", "cumulative", "ranked", "scoring"]))
    ids = draw(st.lists(st.sampled_from(IDS), min_size=1, max_size=5, unique=True))
    projects = [Project(i, draw(st.sampled_from([1, 2, 3, 5, 10, Fraction(5, 2)])),
                        draw(prefixed.filter(bool)), {"description": draw(prefixed)})
                for i in ids]
    keys = draw(st.lists(st.sampled_from(VOTER_KEYS), unique=True, max_size=3))
    n = draw(st.integers(0, 6))
    voter_ids = draw(st.lists(prefixed, min_size=n, max_size=n, unique=True))
    ballots = []
    for voter_id in voter_ids:
        voter = {"voter_id": voter_id, **{k: draw(prefixed) for k in keys}}
        chosen = draw(st.lists(st.sampled_from(ids), max_size=len(ids), unique=True))
        if kind == "approval":
            choices = frozenset(chosen)
        elif kind == "ranked":
            choices = chosen
        else:
            choices = {p: draw(st.integers(1, 3)) for p in chosen}
        ballots.append(Ballot(choices, voter=voter))
    meta = draw(st.dictionaries(st.sampled_from(META_KEYS), prefixed, max_size=5))
    rules = BallotRules(kind, points=10 if kind in ("cumulative", "scoring") else None)
    return Election(draw(st.sampled_from([0, 3, 5, 10, 12])), projects, ballots, rules, meta)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(wild_elections())
def test_any_text_round_trips_and_recounts_the_same(election):
    import io

    out = io.StringIO()
    write_pabulib(election, out)
    again = read_pabulib(out.getvalue())
    assert [(p.id, p.cost, p.name) for p in again.projects] == [
        (p.id, p.cost, p.name) for p in election.projects]
    assert [p.extra for p in again.projects] == [p.extra for p in election.projects]
    assert {k: again.meta.get(k) for k in election.meta} == election.meta
    assert [b.voter for b in again.ballots] == [b.voter for b in election.ballots]
    for rule in ("greedy", "mes"):
        assert count(again, rule).selected == count(election, rule).selected


def test_a_ward_with_no_projects_and_no_ballots_writes_a_readable_file():
    import io

    from pb import tally

    election = tally.Election(budget=1000, projects=[], ballots=[],
                              rules=tally.BallotRules("approval"), meta={})
    outcome = tally.count(election, rule="greedy")
    buffer = io.StringIO()
    tally.write_pabulib(election, buffer, outcome=outcome)
    back = tally.read_pabulib(buffer.getvalue())
    assert back.projects == [] and back.ballots == [] and tally.count(back, rule="greedy").selected == []

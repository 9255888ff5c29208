"""No published figure rests on fewer than 10 people, and no small cell can be worked out."""

import random
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pb.equalities.census import ward_census_rows
from pb.equalities.characteristics import BY_KEY, CHARACTERISTICS, NON_RESPONSE, PREFER_NOT_TO_SAY
from pb.equalities.disclosure import protect, round_to_base, withheld_cells
from pb.equalities.report import build_report
from pb.tally import Ballot, BallotRules, Election, Project

CENSUS = ward_census_rows("E05014107")  # Myatt's Fields
PROJECTS = [Project("p1", 30), Project("p2", 20), Project("p3", 25), Project("p4", 10)]


def test_rounding_is_to_the_nearest_five_halves_up():
    assert [round_to_base(v) for v in (10, 12, 13, 17, 18, 22, 1234)] == [
        10, 10, 15, 15, 20, 20, 1235]


def test_one_small_cell_takes_the_next_smallest_with_it():
    group = protect({"a": 4, "b": 40, "c": 25, "d": 60})
    assert group.withheld == {"a", "c"}
    assert group.shown == {"a": None, "b": 40, "c": None, "d": 60}
    assert group.total == 130


def test_two_small_cells_adding_to_under_10_take_a_third():
    assert withheld_cells({"a": 3, "b": 0, "c": 50, "d": 12}) == {"a", "b", "d"}
    # two zeros would otherwise give themselves away (total minus shown = 0)
    assert withheld_cells({"a": 0, "b": 0, "c": 50, "d": 30}) == {"a", "b", "d"}


def test_non_response_is_the_complement_of_last_resort():
    cells = {"own": 50, "social": 40, NON_RESPONSE: 12, "rent_free": 3}
    assert withheld_cells(cells, last_resort=[NON_RESPONSE]) == {"rent_free", "social"}
    assert withheld_cells(cells) == {"rent_free", NON_RESPONSE}


def test_a_total_under_10_hides_everything():
    group = protect({"a": 5, "b": 4})
    assert group.total is None and group.shown == {"a": None, "b": None}


def test_nothing_withheld_when_every_cell_has_10():
    group = protect({"a": 10, "b": 11, "c": 13})
    assert not group.withheld and group.shown == {"a": 10, "b": 10, "c": 15}


# --- the property: random small rounds, then everything the report publishes ----------

@st.composite
def participants(draw):
    """A small round: each question gets its own random mix of answers (some cells big,
    many small or empty), and approval ballots over four projects."""
    n = draw(st.integers(0, 150))
    # people are drawn from a seeded generator: the search still picks every size, mix and
    # appetite, and drawing 150 people through Hypothesis's own random was most of the time
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))
    mixes = {}
    for ch in CHARACTERISTICS:
        options = [*ch.category_keys, PREFER_NOT_TO_SAY, None]
        mixes[ch.key] = (options, draw(st.lists(st.integers(0, 12), min_size=len(options),
                                                max_size=len(options)).filter(any)))
    appetite = draw(st.lists(st.floats(0, 1), min_size=4, max_size=4))
    people = []
    for _ in range(n):
        answers = {key: rng.choices(options, weights)[0]
                   for key, (options, weights) in mixes.items()}
        choices = {p for p, a in zip(["p1", "p2", "p3", "p4"], appetite, strict=True)
                   if rng.random() < a}
        people.append((answers, choices))
    return people


def members(ch, key):
    for m in ch.merges:
        if m.key == key:
            return (m.small, m.into)
    return (key,)


def true_counts(ch, answers, rows):
    counts = dict.fromkeys(rows, 0)
    counts[NON_RESPONSE] = 0
    for a in answers:
        value = a.get(ch.key)
        if value in ch.category_keys:
            counts[next(r for r in rows if value in members(ch, r))] += 1
        else:
            counts[NON_RESPONSE] += 1
    return counts


def check_group(published: dict, truth: dict, known_total: int):
    """``published``: key -> shown count or None. The reader knows ``known_total`` exactly and,
    at worst, the exact value of every shown cell."""
    hidden = [k for k, v in published.items() if v is None]
    for key, value in published.items():
        if value is not None:
            assert value % 5 == 0, (key, value)
            assert truth[key] >= 10, (key, truth[key])
            assert abs(value - truth[key]) <= 2
    if known_total < 10:
        assert len(hidden) == len(published)
        return
    if hidden:
        # what subtraction gives: the sum of the hidden cells, and nothing finer
        residual = known_total - sum(truth[k] for k in published if published[k] is not None)
        assert len(hidden) >= 2, (published, truth)
        assert residual >= 10, (published, truth)
        for key in hidden:
            # any split of the residual is possible: this cell could be 0 or the whole residual
            assert 0 <= truth[key] <= residual


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(participants())
def test_no_cell_under_10_can_be_recovered_from_what_is_shown(people):
    answers = [a for a, _ in people]
    election = Election(80, PROJECTS, [Ballot(sorted(c)) for _, c in people],
                        BallotRules("approval"))
    # a few bootstrap resamples are enough here: they publish only how many resamples
    # change the result, never a count, and 100 of them would only slow the search
    report = build_report("E05014107", CENSUS, answers, election=election, resamples=3)
    n = len(people)
    assert report.participants == (round_to_base(n) if n >= 10 else None)

    for section in report.characteristics:
        table = section.table
        ch = table.characteristic
        rows = [r.key for r in table.rows if not r.combined]
        truth = true_counts(ch, answers, rows)
        published = {r.key: r.count for r in table.rows if not r.combined} | {
            NON_RESPONSE: table.non_response}
        for r in table.rows:
            if r.combined:  # shown only as the sum of shown rows
                members = [m for m in rows if m in ("black_african", "black_caribbean")]
                assert r.count is None or r.count == sum(published[m] for m in members)
        check_group(published, truth, n)
        for r in table.rows:
            derived = (r.share, r.ratio, r.ratio_low, r.ratio_high)
            if r.count is None:
                assert derived == (None, None, None, None)
        if table.test is not None:
            assert all(r.count is not None for r in table.rows)
        assert {f.category for f in table.flags} <= {r.key for r in table.rows if r.count}

    for project in report.projects:
        supporters = [a for a, choices in people if project.project_id in choices]
        k = len(supporters)
        assert project.supporters == (round_to_base(k) if k >= 10 else None)
        if k < 10:
            assert project.weighted_supporters is None
        for breakdown in project.breakdowns:
            ch = BY_KEY[breakdown.characteristic]
            rows = [r["key"] for r in breakdown.rows]
            truth = true_counts(ch, supporters, rows)
            published = {r["key"]: r["supporters"] for r in breakdown.rows}
            published[NON_RESPONSE] = breakdown.non_response
            check_group(published, truth, k)
            for r in breakdown.rows:
                if r["supporters"] is None:
                    assert r["supporters_share"] is None

    if report.weighting is not None and n < 10:
        assert report.weighting.effective_sample_size is None
    for row in report.to_csv_rows():
        assert row["participants"] == "" or row["participants"] % 5 == 0


def test_a_project_breakdown_shows_shares_only_for_shown_cells():
    answers = [{"sex": "female"}] * 30 + [{"sex": "male"}] * 4
    ballots = [Ballot(["p1"])] * 34
    report = build_report("E05014107", CENSUS, answers,
                          election=Election(80, PROJECTS, ballots, BallotRules("approval")))
    p1 = next(p for p in report.projects if p.project_id == "p1")
    sex = next(b for b in p1.breakdowns if b.characteristic == "sex")
    assert [(r["key"], r["supporters"]) for r in sex.rows] == [("female", None), ("male", None)]
    assert p1.supporters == 35 and p1.weighted_supporters is not None
    voters = next(c.table for c in report.characteristics if c.characteristic.key == "sex")
    assert voters.row("male").count is None and voters.row("female").count is None
    assert voters.non_response is None  # 0 non-response, withheld, with the two others


@pytest.mark.parametrize("weight", [Fraction(1, 3), Fraction(2)])
def test_the_official_ballots_are_one_person_one_vote(weight):
    election = Election(80, PROJECTS, [Ballot(["p1"], weight=weight)], BallotRules("approval"))
    from pb.equalities.reweight import ReweightError
    with pytest.raises(ReweightError):
        build_report("E05014107", CENSUS, [{}], election=election)

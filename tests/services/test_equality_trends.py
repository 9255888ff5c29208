"""Trends across rounds in a ward (pb.services.equality_trends): every figure is the one the
round's own report publishes (final figures after voting, the last release during it), a
change between rounds is said only when the intervals allow and never as a number, and
setting two rounds side by side adds nothing to what their own reports publish (a tiny
round shows nothing at all)."""

import json
from datetime import date, timedelta

import numpy as np
from sqlalchemy import select

from pb.equalities.census import ward_census_rows
from pb.equalities.characteristics import census_margins
from pb.equalities.simulate import OLDER_OWNERS, PROJECTS, Tilt, draw_answers, draw_choices
from pb.models import Heading, MonitoringResponse, Proposal, Round, Ward, db
from pb.services.equalities import heading_report
from pb.services.equality_trends import (
    CANNOT_TELL,
    CLOSER,
    FURTHER,
    NOT_COMPARABLE,
    csv_rows,
    direction,
    ward_trend,
)
from tests.services.test_equalities_service import _ballot, _count

WARD = "brixton-acre-lane"
NAMES = ("proposals_from", "review_from", "voting_from", "counting_from", "results_from",
         "delivery_from")


def past_round(title: str, answers: list[dict], *, years_ago: int = 1, ward_slug: str = WARD,
               min_age: int | None = None, max_age: int | None = None) -> int:
    """A counted round ``years_ago`` years back in one ward, one ballot per entry of
    ``answers`` ({} for someone who skipped the questions). Returns the heading's id."""
    ward = db.session.scalar(select(Ward).where(Ward.slug == ward_slug))
    start = date.today() - timedelta(days=365 * years_ago + 60)
    dates = {n: start + timedelta(days=d) for n, d in zip(NAMES, (0, 10, 20, 30, 35, 40),
                                                          strict=True)}
    round_ = Round(title=title, description="", ballot_type="approval", status="published",
                   rule="greedy", min_age=min_age, max_age=max_age, **dates)
    heading = Heading(round=round_, ward=ward, budget=60_000)
    ids = {}
    for name, cost in PROJECTS.items():
        ids[name] = Proposal(heading=heading, title=name, summary=name, description=name,
                             category="other", rough_cost=cost, status="accepted")
        db.session.add(ids[name])
    db.session.flush()
    rng = np.random.default_rng(len(answers))
    for answer, choices in zip(answers, draw_choices(answers, rng), strict=True):
        ballot = _ballot(heading, [ids[c].project_id for c in choices])
        if answer:
            db.session.add(MonitoringResponse(ballot_id=ballot.id, heading_id=heading.id,
                                              answers=json.dumps(answer)))
    db.session.flush()
    _count(heading)
    db.session.commit()
    return heading.id


BALANCED = Tilt()


def _answers(n: int, seed: int, tilt: Tilt = BALANCED) -> list[dict]:
    ward = db.session.scalar(select(Ward).where(Ward.slug == WARD))
    margins = census_margins(ward_census_rows(ward.ons_code))
    return draw_answers(margins, n, np.random.default_rng(seed), tilt)


def _ward():
    return db.session.scalar(select(Ward).where(Ward.slug == WARD))


def test_each_round_shows_exactly_its_own_reports_figures_oldest_first(ctx):
    skewed = past_round("Budget 2024", _answers(500, 1, OLDER_OWNERS), years_ago=2)
    balanced = past_round("Budget 2025", _answers(500, 2), years_ago=1)
    trend = ward_trend(_ward())
    assert [p.heading.id for p in trend.points] == [skewed, balanced]
    for point in trend.points:
        report = heading_report(db.session.get(Heading, point.heading.id))
        assert point.stage == "final" and point.participants == report.participants == 500
        assert point.verdict == report.verdict and point.verdict in ("yes", "no",
                                                                      "could_not_check")
        assert point.changed == report.bootstrap.changed
        for item in report.characteristics:
            mine = point.characteristics[item.characteristic.key]
            assert mine.summary == item.summary  # the report's own figures, not recomputed
            assert mine.flags == tuple(item.table.flags)
            assert mine.answered == item.table.base and mine.answered % 5 == 0
            assert mine.response_rate == item.table.base / item.table.total  # published / published
    first, second = trend.points
    assert {"age", "tenure"} <= set(first.flagged) and "age" not in second.flagged
    assert all(c.change is None for c in first.characteristics.values())
    # the older owners' skew is gone: the age intervals no longer overlap, closer in words
    age = second.characteristics["age"]
    assert age.change == CLOSER and age.compared_with.heading.id == skewed
    before = first.characteristics["age"].summary.r_indicator_interval
    assert age.summary.r_indicator_interval[0] > before[1]


def test_direction_is_only_said_when_the_intervals_do_not_overlap():
    from pb.equalities.representation import Summary

    def s(low, high):
        return Summary([], 0.5, (0.4, 0.6), (low + high) / 2, (low, high), False)

    assert direction(s(0.5, 0.6), s(0.7, 0.8)) == CLOSER
    assert direction(s(0.7, 0.8), s(0.5, 0.6)) == FURTHER
    assert direction(s(0.5, 0.7), s(0.6, 0.8)) == CANNOT_TELL  # overlapping: could be chance
    assert direction(s(0.5, 0.7), s(0.7, 0.9)) == CANNOT_TELL  # touching is overlapping


def test_two_rounds_differing_by_one_voter_cannot_be_told_apart_and_add_no_figure(ctx):
    """The attack: round 2 is round 1's voters plus one person whose answers the attacker
    knows they gave. The trend must show each round exactly as its own report does (no
    figure of its own, no number for the change), and in words it cannot tell them apart."""
    voters = _answers(120, 3)
    newcomer = {"age": "16_24", "sex": "female", "ethnic_group": "black_african",
                "disability": "disabled", "english_proficiency": "english_main", "tenure": "social_rent"}
    one = past_round("Budget 2024", voters, years_ago=2)
    two = past_round("Budget 2025", [*voters, newcomer], years_ago=1)
    trend = ward_trend(_ward())
    rows = csv_rows(trend)
    by_round = {}
    for row in rows:
        by_round.setdefault(row["round_id"], []).append(row)
    for point in trend.points:
        report = heading_report(db.session.get(Heading, point.heading.id))
        for row, item in zip(by_round[point.round.id], report.characteristics, strict=True):
            table, s = item.table, item.summary
            assert row["characteristic"] == item.characteristic.key
            # only published counts: rounded to 5, never under 10
            assert row["answered"] == ("" if table.base is None else table.base)
            assert row["answered"] == "" or (row["answered"] % 5 == 0 and row["answered"] >= 10)
            assert row["voters"] == report.participants
            assert row["r_indicator"] == ("" if s is None else round(s.r_indicator, 2))
    # voters 120 and 121 both show as 120; every answered count shows the same in both rounds
    a, b = by_round[trend.points[0].round.id], by_round[trend.points[1].round.id]
    assert a[0]["voters"] == b[0]["voters"] == 120
    assert [r["answered"] for r in a] == [r["answered"] for r in b]
    # the change is only ever said in words, and one person never separates the intervals
    assert {r["change_since_previous"] for r in b} <= {CANNOT_TELL, ""}
    assert all(set(r) >= {"answered", "r_indicator"} and "difference" not in " ".join(r)
               for r in rows)
    assert [p.heading.id for p in trend.points] == [one, two]


def test_a_tiny_round_shows_nothing_at_all_and_is_never_a_comparison(ctx):
    past_round("Budget 2023", _answers(300, 4), years_ago=3)
    tiny = past_round("Pop-up budget 2024", _answers(7, 5), years_ago=2)
    past_round("Budget 2025", _answers(300, 6), years_ago=1)
    trend = ward_trend(_ward())
    point = next(p for p in trend.points if p.heading.id == tiny)
    assert point.participants is None and point.flagged == () and point.verdict is None
    assert point.changed is None and point.resamples is None
    for item in point.characteristics.values():
        assert item.answered is None and item.summary is None and item.flags == ()
        assert item.response_rate is None and item.change is None
    last = trend.points[-1]
    assert all(c.compared_with is None or c.compared_with.heading.id != tiny
               for c in last.characteristics.values())
    row = next(r for r in csv_rows(trend) if r["round_id"] == point.round.id)
    assert row["voters"] == row["answered"] == row["verdict"] == row["resamples"] == ""


def test_rounds_open_to_different_ages_are_not_compared(ctx):
    past_round("Budget 2024", _answers(300, 7), years_ago=2)
    past_round("Youth budget 2025", _answers(300, 8), years_ago=1, min_age=11, max_age=25)
    trend = ward_trend(_ward())
    assert {c.change for c in trend.points[1].characteristics.values()} == {NOT_COMPARABLE}


def test_the_open_round_shows_its_last_release_never_live_figures(app):
    """55 real casts make release 1; 20 more afterwards are not in the trend until the next
    release (they would be in a live count). Rounds not yet voting are not listed."""
    from pb.services import ballot_box, voting
    from pb.services.equalities import refresh_release
    from tests.factories import add_projects, make_round, resident

    with app.app_context():
        past_round("Budget 2025", _answers(200, 9), years_ago=1)
        make_round("proposals", wards=(WARD,))
        heading = make_round("voting", wards=(WARD,)).headings[0]
        project = add_projects(heading, [3000])[0]
        answers = _answers(75, 10)

        def cast(people):
            for i, answer in people:
                done = voting.cast_ballot(resident(f"Trend {i}", WARD), heading,
                                          [project.project_id])
                assert ballot_box.add_answers(done.token, answer)

        cast(list(enumerate(answers[:30])))
        trend = ward_trend(_ward())
        assert [p.stage for p in trend.points] == ["final", "none"]  # no release yet
        assert trend.points[1].characteristics == {} and trend.points[1].participants is None
        cast(list(enumerate(answers[30:55], start=30)))
        release = refresh_release(heading)
        assert release.number == 1
        cast(list(enumerate(answers[55:], start=55)))  # 20 more, no release
        point = ward_trend(_ward()).points[1]
        assert point.stage == "release" and point.release.id == release.id
        assert point.participants == 55 and point.verdict is None
        assert point.characteristics["sex"].voters == 55
        row = [r for r in csv_rows(ward_trend(_ward())) if r["round_id"] == heading.round_id]
        assert row[0]["figures"] == "release 1" and row[0]["voters"] == 55


def test_the_demo_has_two_rounds_to_compare_in_streatham_wells(ctx):
    from pb.services.demo import PAST_ROUND, seed_demo, seed_rounds

    seed_demo("test-password")
    seed_rounds()
    ward = db.session.scalar(select(Ward).where(Ward.slug == "streatham-wells"))
    points = ward_trend(ward).points
    assert [p.round.title for p in points][0] == PAST_ROUND and len(points) == 2
    assert [p.stage for p in points] == ["final", "final"]
    assert [p.participants for p in points] == [250, 400]
    assert all(c.change is not None for c in points[1].characteristics.values())

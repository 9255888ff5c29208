"""The published report: tables, charts, CSV, and who's missing during voting."""

import numpy as np
import pytest

from pb.equalities.census import ward_census_rows
from pb.equalities.characteristics import BY_KEY, CHARACTERISTICS, NON_RESPONSE, census_margins
from pb.equalities.outreach import missing_groups
from pb.equalities.report import build_report, published_table
from pb.equalities.simulate import OLDER_OWNERS, draw_answers

WARD = "E05014112"  # Streatham Common & Vale
CENSUS = ward_census_rows(WARD)
MARGINS = census_margins(CENSUS)


def answers(n, tilt=OLDER_OWNERS, seed=5):
    return draw_answers(MARGINS, n, np.random.default_rng(seed), tilt)


def test_during_voting_outreach_names_the_groups_missing_so_far_lowest_first():
    report = build_report(WARD, CENSUS, answers(600))
    groups = report.outreach.under_represented
    assert [g.category for g in groups] == [
        "private_rent_or_rent_free", "16_24", "25_34", "social_rent", "35_49"]
    assert groups[0].group == "Private renters and people who live rent free"
    ratios = [g.ratio for g in groups]
    assert ratios == sorted(ratios) and all(r < 1 for r in ratios) and len(groups) <= 5
    assert all(g.participants_share is not None for g in groups)


def test_outreach_waits_until_enough_people_have_answered():
    report = build_report(WARD, CENSUS, answers(40))
    assert report.outreach.under_represented == [] and report.outreach.withheld == []


def test_outreach_lists_withheld_groups_apart_and_without_figures():
    sex = BY_KEY["sex"]
    table = published_table(sex, {"female": 95, "male": 5, NON_RESPONSE: 12}, MARGINS["sex"])
    outreach = missing_groups([table])
    assert outreach.under_represented == []
    assert {g.category for g in outreach.withheld} == {"female", "male"}
    assert all(g.ratio is None and g.participants_share is None for g in outreach.withheld)


def test_the_report_rounds_every_count_and_gives_shares_for_charts():
    report = build_report(WARD, CENSUS, answers(1234), ward_name="Streatham Common & Vale")
    assert report.participants == 1235
    assert [c.characteristic.key for c in report.characteristics] == [
        ch.key for ch in CHARACTERISTICS]
    age = report.characteristics[0]
    chart = age.chart
    assert [bar["key"] for bar in chart] == list(BY_KEY["age"].category_keys)
    assert sum(bar["residents"] for bar in chart) == pytest.approx(1)
    for bar, row in zip(chart, age.table.rows, strict=True):
        assert row.count % 5 == 0  # shown rounded
        assert bar["participants"] == row.exact / age.table.exact_base  # inferred exactly
    assert report.projects == [] and report.result_changes is None


def test_csv_rows_carry_every_category_and_non_response():
    report = build_report(WARD, CENSUS, answers(800))
    rows = report.to_csv_rows()
    expected = sum(len(c.table.rows) + 1 for c in report.characteristics)
    assert len(rows) == expected
    nr = [r for r in rows if r["category"] == NON_RESPONSE]
    assert len(nr) == len(CHARACTERISTICS) and all(r["participants_share"] == "" for r in nr)
    flagged = [r for r in rows if r["flag"]]
    assert {r["flag"] for r in flagged} <= {"under", "over"} and flagged
    assert {r["ward_code"] for r in rows} == {WARD}
    assert all(r["participants"] == "" or r["participants"] % 5 == 0 for r in rows)
    assert set(rows[0]) >= {"characteristic", "category", "participants", "participants_share",
                            "residents", "residents_share", "ratio", "ratio_low", "ratio_high",
                            "flag", "chi_square", "p_value", "cohens_w", "census_table"}

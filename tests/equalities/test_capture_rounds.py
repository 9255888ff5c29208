"""A round in Clapham Town where older home owners turned out in force, and one where
participants looked like the ward: the first is flagged and its result would change, the
second raises nothing."""

from fractions import Fraction

import numpy as np
import pytest

from pb.equalities.census import ward_census_rows
from pb.equalities.characteristics import census_margins
from pb.equalities.report import build_report
from pb.equalities.responses import Responses
from pb.equalities.reweight import DENOMINATOR, exact_weights, would_result_change
from pb.equalities.simulate import (
    HERITAGE,
    OLDER_OWNERS,
    YOUTH,
    Tilt,
    draw_answers,
    synthetic_election,
)
from pb.tally import count

WARD = "E05014102"  # Clapham Town
CENSUS = ward_census_rows(WARD)
MARGINS = census_margins(CENSUS)
SEED = 20261122


def make_round(tilt):
    rng = np.random.default_rng(SEED)
    answers = draw_answers(MARGINS, 5000, rng, tilt)
    return answers, synthetic_election(answers, rng)


@pytest.fixture(scope="module")
def skewed():
    answers, election = make_round(OLDER_OWNERS)
    return answers, election, build_report(WARD, CENSUS, answers, election=election,
                                           rule="greedy", ward_name="Clapham Town")


@pytest.fixture(scope="module")
def balanced():
    answers, election = make_round(Tilt())
    return answers, election, build_report(WARD, CENSUS, answers, election=election,
                                           rule="greedy", ward_name="Clapham Town")


def test_the_skewed_round_flags_older_home_owners_and_missing_young_renters(skewed):
    _, _, report = skewed
    flags = {(f.characteristic, f.category, f.direction) for f in report.flags}
    assert {("age", "16_24", "under"), ("age", "25_34", "under"), ("age", "50_64", "over"),
            ("age", "65_74", "over"), ("age", "75_plus", "over"), ("tenure", "own", "over"),
            ("tenure", "private_rent_or_rent_free", "under")} <= flags
    # the characteristics that were not skewed are not flagged
    assert {c for c, _, _ in flags} == {"age", "tenure"}
    age = next(c.table for c in report.characteristics if c.characteristic.key == "age")
    assert age.test.p_value < 1e-6 and age.test.cohens_w > 0.5


def test_the_skewed_result_would_change_with_census_weights(skewed):
    _, election, report = skewed
    assert report.result_changes is True
    assert set(report.drops_out) & set(HERITAGE)
    assert set(report.comes_in) & set(YOUTH)
    assert set(report.weighting.used) == {"age", "sex", "ethnic_group", "disability",
                                          "english_proficiency"}
    assert report.verdict == "yes" and report.unweighted_flagged == ("tenure",)
    assert report.bootstrap.changed >= 90 and report.bootstrap.resamples == 100
    assert report.weighting.effective_sample_size < 5000 * 0.7
    # the official count is untouched: one person, one vote
    assert all(b.weight == 1 for b in election.ballots)
    official = count(election, rule="greedy").selected
    assert [p.project_id for p in report.projects if p.funded] == [
        p.id for p in election.projects if p.id in official]


def test_a_heritage_project_draws_its_support_from_older_voters(skewed):
    _, _, report = skewed
    bowls = next(p for p in report.projects if p.project_id == "bowls")
    assert bowls.funded and not bowls.funded_if_reweighted
    assert bowls.weighted_supporters < bowls.supporters
    age = next(b for b in bowls.breakdowns if b.characteristic == "age")
    older = next(r for r in age.rows if r["key"] == "65_74")
    assert older["supporters_share"] > 1.3 * older["voters_share"]
    young = next(r for r in age.rows if r["key"] == "16_24")
    assert young["supporters_share"] < 0.5 * young["voters_share"]
    # the biggest gap comes first: 50 to 64
    middle = next(r for r in age.rows if r["key"] == "50_64")
    msgid, params = age.sentences()[0]
    assert msgid % params == (
        f"{100 * middle['supporters_share']:.0f}% of this project's supporters answered "
        f"“50 to 64”, against {100 * middle['voters_share']:.0f}% of all voters")
    assert len(age.sentences(min_gap=0.05)) < len(age.sentences())


def test_the_balanced_round_raises_nothing_and_keeps_its_result(balanced):
    _, election, report = balanced
    assert report.flags == []
    assert report.result_changes is False and report.comes_in == () and report.drops_out == ()
    assert report.weighting.design_effect < 1.05
    assert all(g.ratio > 0.8 for g in report.outreach.under_represented)


@pytest.mark.parametrize("rule", ["mes", "mes-add1"])
def test_every_rule_can_be_rerun_with_weights(skewed, rule):
    answers, election, _ = skewed
    result = would_result_change(election, Responses.from_answers(answers), MARGINS, rule=rule)
    assert result.official == tuple(count(election, rule=rule).selected)
    assert result.changed and set(result.comes_in) & set(YOUTH)


def test_weights_reach_the_tally_as_rationals_on_one_denominator():
    weights = exact_weights([0.5, 1.25, 1 / 3])
    assert weights[:2] == [Fraction(1, 2), Fraction(5, 4)]
    assert all(isinstance(w, Fraction) and DENOMINATOR % w.denominator == 0 for w in weights)
    assert abs(weights[2] - Fraction(1, 3)) <= Fraction(1, 2 * DENOMINATOR)

"""Shares, ratios, intervals, tests and flags for one characteristic."""

import math

import pytest
from scipy import stats

from pb.equalities.characteristics import BY_KEY, NON_RESPONSE
from pb.equalities.representation import (
    OVER,
    UNDER,
    UNDER_HOUSEHOLDS,
    FlagPolicy,
    chi_square,
    represent,
    wilson_interval,
)

AGE = BY_KEY["age"]
CENSUS_AGE = {"16_24": 2005, "25_34": 5554, "35_49": 2939, "50_64": 2128, "65_74": 644,
              "75_plus": 497}  # Brixton Acre Lane, TS007 16+


@pytest.mark.parametrize(("k", "n"), [(0, 12), (7, 50), (50, 50), (230, 4740), (1, 1)])
def test_the_wilson_interval_matches_scipy(k, n):
    expected = stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    low, high = wilson_interval(k, n)
    assert low == pytest.approx(expected.low, abs=1e-12)
    assert high == pytest.approx(expected.high, abs=1e-12)


def test_the_ratio_and_its_interval_divide_by_the_census_share():
    counts = {"16_24": 50, "25_34": 200, "35_49": 250, "50_64": 300, "65_74": 120,
              "75_plus": 80, NON_RESPONSE: 40}
    table = represent(AGE, counts, CENSUS_AGE)
    assert table.base == 1000 and table.total == 1040 and table.non_response == 40
    row = table.row("16_24")
    census_share = 2005 / sum(CENSUS_AGE.values())
    assert row.share == pytest.approx(0.05)
    assert row.census_share == pytest.approx(census_share)
    assert row.ratio == pytest.approx(0.05 / census_share)
    ci = stats.binomtest(50, 1000).proportion_ci(method="wilson")
    assert row.ratio_low == pytest.approx(ci.low / census_share)
    assert row.ratio_high == pytest.approx(ci.high / census_share)


def test_the_chi_square_test_and_cohens_w_match_scipy():
    counts = {"16_24": 50, "25_34": 200, "35_49": 250, "50_64": 300, "65_74": 120, "75_plus": 80}
    table = represent(AGE, {**counts, NON_RESPONSE: 99}, CENSUS_AGE)
    total = sum(CENSUS_AGE.values())
    expected = [1000 * CENSUS_AGE[k] / total for k in counts]
    reference = stats.chisquare(list(counts.values()), expected)
    assert table.test.statistic == pytest.approx(reference.statistic)
    assert table.test.p_value == pytest.approx(reference.pvalue)
    assert table.test.dof == 5 and table.test.n == 1000
    assert table.test.cohens_w == pytest.approx(math.sqrt(reference.statistic / 1000))
    by_hand = sum((o - e) ** 2 / e for o, e in zip(counts.values(), expected, strict=True))
    assert table.test.statistic == pytest.approx(by_hand)


def test_a_category_with_no_residents_is_left_out_of_the_test():
    result = chi_square({"a": 30, "b": 70, "c": 0}, {"a": 500, "b": 500, "c": 0})
    reference = stats.chisquare([30, 70], [50, 50])
    assert result.dof == 1 and result.statistic == pytest.approx(reference.statistic)


def test_flags_say_who_is_under_and_over_represented_in_plain_words():
    counts = {"16_24": 50, "25_34": 300, "35_49": 200, "50_64": 250, "65_74": 120,
              "75_plus": 80, NON_RESPONSE: 40}
    table = represent(AGE, counts, CENSUS_AGE)
    flags = {(f.category, f.direction): f for f in table.flags}
    young = flags[("16_24", "under")]
    assert young.msgid == UNDER
    assert UNDER == ("%(group)s are under-represented: %(voters)s%% of voters who answered, "
                     "%(residents)s%% of residents")
    assert young.msgid % young.params == ("People aged 16 to 24 are under-represented: 5% of "
                                          "voters who answered, 15% of residents")
    assert young.robust  # even with all 40 non-answerers aged 16 to 24: 90/1040 < 0.8 x 15%
    older = flags[("65_74", "over")]
    assert older.msgid == OVER
    assert older.msgid % older.params == ("People aged 65 to 74 are over-represented: 12% of "
                                          "voters who answered, 5% of residents")
    # 35-49: 20% against 21% of residents: inside the band, no flag
    assert not any(f.category == "35_49" for f in table.flags)


def test_tenure_flags_compare_with_households():
    tenure = BY_KEY["tenure"]
    census = {"own": 2190, "social_rent": 2003, "private_rent": 2410, "rent_free": 12}
    table = represent(tenure, {"own": 700, "social_rent": 100, "private_rent": 200,
                               "rent_free": 0, NON_RESPONSE: 0}, census)
    social = next(f for f in table.flags if f.category == "social_rent")
    assert social.msgid == UNDER_HOUSEHOLDS
    assert social.msgid % social.params == (
        "Council and housing association tenants are under-represented: 10% of voters who "
        "answered, 30% of households")


def test_no_flag_when_the_interval_includes_one_or_too_few_answered():
    # 16-24: 2 of 30 is a ratio of 0.46, but the interval is wide and includes 1
    counts = {"16_24": 2, "25_34": 12, "35_49": 7, "50_64": 5, "65_74": 2, "75_plus": 2,
              NON_RESPONSE: 0}
    table = represent(AGE, counts, CENSUS_AGE)
    row = table.row("16_24")
    assert row.ratio < 0.8 and row.ratio_high > 1
    assert not table.flags
    strong = {"16_24": 0, "25_34": 0, "35_49": 0, "50_64": 0, "65_74": 20, "75_plus": 9}
    assert not represent(AGE, {**strong, NON_RESPONSE: 0}, CENSUS_AGE).flags  # 29 < min_base
    assert represent(AGE, {**strong, NON_RESPONSE: 0}, CENSUS_AGE,
                     FlagPolicy(min_base=20)).flags


def test_the_panel_sets_the_band():
    # 16-24: 13% of 10,000 voters against 14.6% of residents, a ratio of 0.89
    counts = {"16_24": 1300, "25_34": 3800, "35_49": 2000, "50_64": 1500, "65_74": 800,
              "75_plus": 600, NON_RESPONSE: 0}
    default = represent(AGE, counts, CENSUS_AGE)
    strict = represent(AGE, counts, CENSUS_AGE, FlagPolicy(low=0.95, high=1.05))
    assert "16_24" not in {f.category for f in default.flags}
    assert ("16_24", "under") in {(f.category, f.direction) for f in strict.flags}


def test_non_response_is_its_own_row_and_not_in_the_shares():
    sex = BY_KEY["sex"]
    table = represent(sex, {"female": 300, "male": 300, NON_RESPONSE: 400},
                      {"female": 500, "male": 500})
    assert [r.share for r in table.rows] == [0.5, 0.5]
    assert table.non_response == 400 and table.base == 600
    assert table.test.statistic == pytest.approx(0.0) and not table.flags

"""The monitoring questions line up with the census tables the app ships."""

import csv
from collections import defaultdict
from pathlib import Path

import pytest

from pb.equalities.census import lambeth_census_rows, ward_census_rows
from pb.equalities.characteristics import (
    BY_KEY,
    CHARACTERISTICS,
    PREFER_NOT_TO_SAY,
    CensusMappingError,
    census_margins,
    regroup,
    row_layout,
    thin_merges,
)

DATA = Path(__file__).resolve().parents[2] / "pb" / "data" / "lambeth"


def read(name):
    table = defaultdict(dict)
    with open(DATA / name, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            code = row.get("ward_code") or row["lsoa_code"]
            table[code][row["category"]] = int(row["count"])
    return table


AGE = read("lambeth_wards_age_ts007_census2021.csv")
SEX = read("lambeth_wards_sex_ts008_census2021.csv")
ETHNIC = read("lambeth_wards_ethnic_group_ts022_census2021.csv")
ENGLISH = read("lambeth_wards_english_proficiency_ts029_census2021.csv")
TENURE = read("lambeth_wards_tenure_ts054_census2021.csv")
DISABILITY = read("lambeth_lsoa21_disability_ts038_census2021.csv")
WARD_DISABILITY = read("lambeth_wards_disability_ts038_bestfit_census2021.csv")
AGE_SEX = read("lambeth_wards_age_by_sex_ons_mid2022_estimates.csv")
BESTFIT = {}
with open(DATA / "lambeth_lsoa21_to_ward22_bestfit.csv", newline="", encoding="utf-8") as fh:
    for row in csv.DictReader(fh):
        BESTFIT[row["lsoa_code"]] = row["ward_code"]


def sex_16_plus(code, sex):
    """Mid-2022 estimates: 20 and over whole, and 4 of the 5 years of 15-19."""
    total = 0.0
    for category, count in AGE_SEX[code].items():
        who, _, band = category.partition(" aged ")
        if who != sex:
            continue
        low = int(band.rstrip("+").split("-")[0])
        total += count if low >= 20 else count * 4 / 5 if low == 15 else 0
    return round(total)
UNDER_16 = ("Aged 4 years and under", "Aged 5 to 9 years", "Aged 10 to 15 years")


def test_all_25_lambeth_wards_have_every_characteristic():
    wards = lambeth_census_rows()
    assert len(wards) == 25
    for code in wards:
        assert set(census_margins(ward_census_rows(code))) == set(BY_KEY)


@pytest.mark.parametrize("code", sorted(AGE))
def test_each_ward_margin_adds_up_to_the_csv(code):
    margins = census_margins(ward_census_rows(code))
    age = AGE[code]
    assert sum(margins["age"].values()) == sum(age.values()) - sum(age[b] for b in UNDER_16)
    assert margins["age"]["16_24"] == age["Aged 16 to 19 years"] + age["Aged 20 to 24 years"]
    assert margins["age"]["75_plus"] == age["Aged 75 to 84 years"] + age["Aged 85 years and over"]
    assert margins["sex"] == {"female": sex_16_plus(code, "Female"),
                              "male": sex_16_plus(code, "Male")}
    assert sum(margins["ethnic_group"].values()) == sum(ETHNIC[code].values())
    assert margins["ethnic_group"]["black_caribbean"] == ETHNIC[code][
        "Black, Black British, Black Welsh or Caribbean background"]
    assert sum(margins["english_proficiency"].values()) == sum(ENGLISH[code].values())
    assert sum(margins["tenure"].values()) == sum(TENURE[code].values())
    assert margins["tenure"]["own"] == (TENURE[code]["Owns outright"]
                                        + TENURE[code]["Owns with a mortgage or loan"]
                                        + TENURE[code]["Shared ownership"])
    assert margins["tenure"]["social_rent"] == (TENURE[code]["Rents from council or Local Authority"]
                                                + TENURE[code]["Other social rented"])


def test_disability_is_each_wards_best_fit_sum_of_lsoas():
    assert len(DISABILITY) == 181 and len(BESTFIT) == 181
    by_ward = defaultdict(lambda: defaultdict(int))
    for lsoa, cells in DISABILITY.items():
        for category, count in cells.items():
            by_ward[BESTFIT[lsoa]][category] += count
    for code in AGE:
        expected = {"disabled": by_ward[code]["Disabled under the Equality Act"],
                    "not_disabled": by_ward[code]["Not disabled under the Equality Act"]}
        assert census_margins(ward_census_rows(code))["disability"] == expected
        assert WARD_DISABILITY[code] == {"Disabled under the Equality Act": expected["disabled"],
                                         "Not disabled under the Equality Act":
                                             expected["not_disabled"]}
    shares = [d["disabled"] / (d["disabled"] + d["not_disabled"])
              for d in (census_margins(ward_census_rows(c))["disability"] for c in AGE)]
    assert 0.10 < min(shares) < 0.11 and 0.16 < max(shares) < 0.17
    assert "best-fit" in BY_KEY["disability"].note and BY_KEY["disability"].eligible_bias


def test_the_round_age_range_restricts_the_age_and_sex_comparators():
    from pb.equalities.census import eligible_overrides
    code = "E05014095"
    adults = census_margins(ward_census_rows(code), (18, 24))["age"]
    assert adults["16_24"] == round(AGE[code]["Aged 16 to 19 years"] / 2) + AGE[code][
        "Aged 20 to 24 years"]
    assert all(adults[k] == 0 for k in adults if k != "16_24")
    young = dict((label, n) for topic, label, n in eligible_overrides(code, (16, 24))
                 if topic == "sex")
    assert young["Female"] < sex_16_plus(code, "Female") / 2


def test_an_unknown_census_label_is_refused_and_other_topics_are_ignored():
    with pytest.raises(CensusMappingError):
        census_margins([("sex", "Female", 10), ("sex", "Intersex", 2)])
    assert census_margins([("religion", "Christian", 50), ("sex", "Male", 3)]) == {
        "sex": {"female": 0, "male": 3}}


def test_every_question_is_optional_with_prefer_not_to_say_and_has_a_caveat():
    for ch in CHARACTERISTICS:
        options = ch.answer_options()
        assert options[-1][0] == PREFER_NOT_TO_SAY
        assert [value for value, _ in options[:-1]] == list(ch.category_keys)
        assert ch.question.endswith("?") or ch.question.endswith("?)")
        assert ch.note and ch.census_base and ch.census_table[:2] in ("TS", "ON")
    assert BY_KEY["tenure"].counts_households
    assert "households" in BY_KEY["tenure"].note
    assert "Caribbean" in BY_KEY["ethnic_group"].note


def test_a_thin_category_merges_with_its_neighbour_on_both_sides():
    tenure = BY_KEY["tenure"]
    counts = {"own": 40, "social_rent": 30, "private_rent": 25, "rent_free": 2}
    layout = row_layout(tenure, thin_merges(tenure, counts, 10))
    assert [r.key for r in layout] == ["own", "social_rent", "private_rent_or_rent_free"]
    assert regroup(counts, layout)["private_rent_or_rent_free"] == 27
    census = census_margins(ward_census_rows("E05014095"))["tenure"]
    assert regroup(census, layout)["private_rent_or_rent_free"] == 2410 + 12

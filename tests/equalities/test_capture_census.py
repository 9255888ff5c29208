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
    assert margins["sex"] == {"female": SEX[code]["Female"], "male": SEX[code]["Male"]}
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


def test_disability_is_the_borough_total_of_181_lsoas_for_every_ward():
    assert len(DISABILITY) == 181
    disabled = sum(v["Disabled under the Equality Act"] for v in DISABILITY.values())
    not_disabled = sum(v["Not disabled under the Equality Act"] for v in DISABILITY.values())
    for code in AGE:
        assert census_margins(ward_census_rows(code))["disability"] == {
            "disabled": disabled, "not_disabled": not_disabled}
    assert BY_KEY["disability"].geography == "borough"
    assert "181" in BY_KEY["disability"].note


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
        assert ch.note and ch.census_base and ch.census_table.startswith("TS")
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

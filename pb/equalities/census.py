"""Reading the census rows the check compares with, straight from ``pb/data/lambeth``.

The web app reads most figures from its database (``pb.services.census`` loads them);
this reader is for the CLI, tests and benchmark, and returns the same plain rows:
``(topic, category label, count)`` per ward.

Two comparators are better than the database's and come from here for the app too
(``eligible_overrides``):

- **disability by ward**: TS038 LSOA counts summed over the ONS best-fit LSOA-to-ward
  lookup (``lambeth_wards_disability_ts038_bestfit_census2021.csv``), instead of the
  borough figure for every ward; shares only (best-fit totals are not ward populations);
- **sex among residents of voting age**: the ONS mid-2022 ward estimates by 5-year band
  and sex, restricted to the round's age range (16+ by default). A band that straddles
  the range's edge (15-19 for 16+) counts in proportion to the years inside it, as if
  ages were spread evenly within the band.
"""

import csv
from functools import cache
from pathlib import Path

from pb.equalities.characteristics import age_fraction

DATA = Path(__file__).resolve().parent.parent / "data" / "lambeth"

WARD_FILES = {
    "age": "lambeth_wards_age_ts007_census2021.csv",
    "sex": "lambeth_wards_sex_ts008_census2021.csv",
    "ethnic_group": "lambeth_wards_ethnic_group_ts022_census2021.csv",
    "english_proficiency": "lambeth_wards_english_proficiency_ts029_census2021.csv",
    "tenure": "lambeth_wards_tenure_ts054_census2021.csv",
}
# LSOAs do not nest in wards: every ward is compared with the borough (181 LSOAs) total.
BOROUGH_FILES = {"disability": "lambeth_lsoa21_disability_ts038_census2021.csv"}
WARD_DISABILITY = "lambeth_wards_disability_ts038_bestfit_census2021.csv"
AGE_BY_SEX = "lambeth_wards_age_by_sex_ons_mid2022_estimates.csv"
DEFAULT_AGE_RANGE = (16, None)  # who may vote in a round without an age range

CensusRow = tuple[str, str, int]


def _read(path: Path):
    with open(path, newline="", encoding="utf-8") as fh:
        yield from csv.DictReader(fh)


@cache
def lambeth_census_rows(data: Path = DATA) -> dict[str, tuple[CensusRow, ...]]:
    """Every ward's rows, keyed by ONS ward code, with the borough disability rows added."""
    wards: dict[str, list[CensusRow]] = {}
    for topic, name in WARD_FILES.items():
        for row in _read(data / name):
            wards.setdefault(row["ward_code"], []).append(
                (topic, row["category"], int(row["count"])))
    borough: dict[tuple[str, str], int] = {}
    for topic, name in BOROUGH_FILES.items():
        for row in _read(data / name):
            borough[(topic, row["category"])] = borough.get((topic, row["category"]), 0) + int(
                row["count"])
    extra = [(topic, label, count) for (topic, label), count in borough.items()]
    return {code: _override(tuple(rows + extra), eligible_overrides(code, data=data))
            for code, rows in wards.items()}


def _override(rows, overrides):
    topics = {topic for topic, _, _ in overrides}
    return tuple(r for r in rows if r[0] not in topics) + tuple(overrides)


@cache
def _age_by_sex(data: Path) -> dict[str, list[tuple[str, int, int | None, int]]]:
    out: dict[str, list] = {}
    for row in _read(data / AGE_BY_SEX):
        sex, _, band = row["category"].partition(" aged ")
        if band.endswith("+"):
            low, high = int(band[:-1]), None
        else:
            low, high = (int(x) for x in band.split("-"))
        out.setdefault(row["ward_code"], []).append((sex, low, high, int(row["count"])))
    return out


@cache
def _ward_disability(data: Path) -> dict[str, list[CensusRow]]:
    out: dict[str, list] = {}
    for row in _read(data / WARD_DISABILITY):
        out.setdefault(row["ward_code"], []).append(
            ("disability", row["category"], int(row["count"])))
    return out


def eligible_overrides(ward_code: str, age_range=DEFAULT_AGE_RANGE,
                       data: Path = DATA) -> tuple[CensusRow, ...]:
    """Rows replacing the database's for ``sex`` (residents in the age range, mid-2022
    estimates) and ``disability`` (the ward's best-fit figure). Empty for unknown wards.
    Counts of sex are rounded to whole people after the band fractions."""
    rows: list[CensusRow] = list(_ward_disability(data).get(ward_code, ()))
    sexes: dict[str, float] = {}
    for sex, low, high, count in _age_by_sex(data).get(ward_code, ()):
        sexes[sex] = sexes.get(sex, 0.0) + count * age_fraction(low, high, age_range)
    rows += [("sex", sex, round(total)) for sex, total in sexes.items()]
    return tuple(rows)


def ward_census_rows(ward_code: str, data: Path = DATA) -> tuple[CensusRow, ...]:
    """One ward's rows; KeyError for a code that is not a Lambeth ward."""
    return lambeth_census_rows(data)[ward_code]

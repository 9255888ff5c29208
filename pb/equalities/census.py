"""Reading the census rows the check compares with, straight from ``pb/data/lambeth``.

The web app reads the same figures from its database (``pb.services.census`` loads them);
this reader is for the CLI, tests and benchmark, and returns the same plain rows:
``(topic, category label, count)`` per ward.
"""

import csv
from functools import cache
from pathlib import Path

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
    return {code: tuple(rows + extra) for code, rows in wards.items()}


def ward_census_rows(ward_code: str, data: Path = DATA) -> tuple[CensusRow, ...]:
    """One ward's rows; KeyError for a code that is not a Lambeth ward."""
    return lambeth_census_rows(data)[ward_code]

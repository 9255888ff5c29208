"""Loading the borough's wards, census tables, postcodes and boundaries from pb/data/lambeth.

Idempotent: running it again updates what changed and adds nothing twice, so a
live deployment can reload after a data refresh without losing rounds or plans.
"""

import csv
import hashlib
import json
import re
from collections import defaultdict
from pathlib import Path

from sqlalchemy import delete, or_, select

from pb.models import Borough, CensusFigure, Postcode, Ward, db

DATA = Path(__file__).resolve().parent.parent / "data" / "lambeth"
BOROUGH = ("E09000022", "Lambeth")

# topic -> (file, which people the table counts)
WARD_TABLES = {
    "age": ("lambeth_wards_age_ts007_census2021.csv", "usual_residents"),
    "sex": ("lambeth_wards_sex_ts008_census2021.csv", "usual_residents"),
    "ethnic_group": ("lambeth_wards_ethnic_group_ts022_census2021.csv", "usual_residents"),
    "english_proficiency": ("lambeth_wards_english_proficiency_ts029_census2021.csv",
                            "residents_3_plus"),
    "tenure": ("lambeth_wards_tenure_ts054_census2021.csv", "households"),
    "religion": ("lambeth_wards_religion_ts031_census2021.csv", "usual_residents"),
}
# Disability (TS038) is published for LSOAs, which do not nest in the 2022 wards,
# so the app keeps the borough figure (the sum over Lambeth's 181 LSOAs).
BOROUGH_TABLES = {
    "disability": ("lambeth_lsoa21_disability_ts038_census2021.csv", "usual_residents"),
}


def plain_name(name: str) -> str:
    """ONS writes '&'; the council (and GOV.UK style) writes 'and'."""
    return name.replace(" & ", " and ")


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower().replace("'", "")).strip("-")


def _rows(data: Path, name: str):
    with open(data / name, newline="", encoding="utf-8") as fh:
        yield from csv.DictReader(fh)


def load_census(data: Path = DATA) -> dict:
    """Load everything in one transaction; returns counts of what is now in the database."""
    borough = db.session.scalar(select(Borough).where(Borough.ons_code == BOROUGH[0]))
    if borough is None:
        borough = Borough(ons_code=BOROUGH[0], name=BOROUGH[1])
        db.session.add(borough)
        db.session.flush()

    wards = _load_wards(data, borough)
    figures = _load_figures(data, wards)
    postcodes = _load_postcodes(data, wards)
    db.session.commit()
    return {"wards": len(wards), "census_figures": figures, "postcodes": postcodes}


def _load_wards(data: Path, borough: Borough) -> dict[str, Ward]:
    existing = {w.ons_code: w for w in db.session.scalars(select(Ward))}
    boundaries = {
        f["properties"]["ward_code"]: json.dumps(f["geometry"], separators=(",", ":"))
        for f in json.loads((data / "lambeth_wards_2022_simplified.geojson").read_text())["features"]
    }
    election = defaultdict(dict)
    for row in _rows(data, "lambeth_wards_local_election_2022_turnout.csv"):
        election[row["ward_code"]][row["category"]] = int(row["count"])
    for row in _rows(data, "lambeth_wards_lookup.csv"):
        code = row["ward_code"]
        ward = existing.get(code) or Ward(ons_code=code)
        ward.borough = borough
        ward.name = plain_name(row["ward_name"])
        ward.slug = slug(ward.name)
        ward.councillor_seats = int(row["councillors"])
        ward.centroid_lat = float(row["centroid_lat"])
        ward.centroid_long = float(row["centroid_long"])
        ward.boundary = boundaries.get(code)
        ward.electorate_2022 = election[code].get("Electorate")
        ward.turnout_ballots_2022 = election[code].get("Ballot papers at the count")
        db.session.add(ward)
        existing[code] = ward
    db.session.flush()
    return existing


def _load_figures(data: Path, wards: dict[str, Ward]) -> int:
    existing = {(f.ward_id, f.topic, f.category): f for f in db.session.scalars(select(CensusFigure))}
    wanted = {}
    for topic, (name, base) in WARD_TABLES.items():
        positions = {}
        for row in _rows(data, name):
            position = positions.setdefault(row["category"], len(positions))
            key = (wards[row["ward_code"]].id, topic, row["category"])
            wanted[key] = (int(row["count"]), base, position)
    for topic, (name, base) in BOROUGH_TABLES.items():
        totals: dict[str, int] = {}
        for row in _rows(data, name):
            totals[row["category"]] = totals.get(row["category"], 0) + int(row["count"])
        for position, (category, count) in enumerate(totals.items()):
            wanted[(None, topic, category)] = (count, base, position)
    for key, (count, base, position) in wanted.items():
        figure = existing.get(key)
        if figure is None:
            figure = CensusFigure(ward_id=key[0], topic=key[1], category=key[2])
            db.session.add(figure)
        figure.count, figure.base_population, figure.position = count, base, position
    for key, figure in existing.items():
        if key not in wanted:
            db.session.delete(figure)
    return len(wanted)


def _load_postcodes(data: Path, wards: dict[str, Ward]) -> int:
    rows = [{"postcode": r["postcode"], "ward_id": wards[r["ward_code"]].id}
            for r in _rows(data, "lambeth_postcode_to_ward_onspd_may2026.csv")]
    db.session.execute(delete(Postcode))
    db.session.execute(Postcode.__table__.insert(), rows)
    return len(rows)


def figures_stamp(ward_id: int, *, with_borough: bool = False) -> str:
    """A digest of the ward's census rows (and the borough's, if asked): what a kept page part or
    a stored report made from them is keyed by. Every row's values are in it, because a reload
    (``_load_figures``) corrects counts in place: a correction that moves people from one group
    to another keeps the rows' number, largest id and sum the same."""
    where = CensusFigure.ward_id == ward_id
    if with_borough:
        where = or_(where, CensusFigure.ward_id.is_(None))
    digest = hashlib.blake2b(digest_size=12)
    for row in db.session.execute(
            select(CensusFigure.id, CensusFigure.count, CensusFigure.base_population,
                   CensusFigure.position, CensusFigure.topic, CensusFigure.category)
            .where(where).order_by(CensusFigure.id)):
        digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


def ward_profile(ward: Ward) -> dict[str, list[CensusFigure]]:
    """The ward's census tables by topic, each in the publisher's category order."""
    figures = db.session.scalars(
        select(CensusFigure).where(CensusFigure.ward_id == ward.id)
        .order_by(CensusFigure.topic, CensusFigure.position)
    )
    profile: dict[str, list[CensusFigure]] = defaultdict(list)
    for figure in figures:
        profile[figure.topic].append(figure)
    return dict(profile)

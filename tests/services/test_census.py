"""Loading the real Lambeth data, and doing it again without duplicates."""

import csv

from sqlalchemy import func, select

from pb.models import CensusFigure, Postcode, Ward, db
from pb.services.census import DATA, load_census, plain_name, slug, ward_profile


def test_loading_twice_changes_nothing(ctx):
    before = (db.session.scalar(select(func.count(Ward.id))),
              db.session.scalar(select(func.count(CensusFigure.id))),
              db.session.scalar(select(func.count()).select_from(Postcode)))
    counts = load_census()
    after = (db.session.scalar(select(func.count(Ward.id))),
             db.session.scalar(select(func.count(CensusFigure.id))),
             db.session.scalar(select(func.count()).select_from(Postcode)))
    assert before == after == (25, counts["census_figures"], 6168)


def test_a_changed_figure_is_put_right_on_reload(ctx):
    ward = db.session.scalar(select(Ward).where(Ward.ons_code == "E05014098"))
    figure = ward_profile(ward)["sex"][0]
    true_count = figure.count
    figure.count = 1
    db.session.commit()
    load_census()
    assert db.session.get(CensusFigure, figure.id).count == true_count


def test_every_ward_has_councillors_boundary_and_electorate(ctx):
    wards = db.session.scalars(select(Ward)).all()
    assert sum(w.councillor_seats for w in wards) == 63
    assert all(w.boundary and w.electorate_2022 and w.turnout_ballots_2022 for w in wards)


def test_census_tables_match_the_published_files(ctx):
    for topic, name in [("age", "lambeth_wards_age_ts007_census2021.csv"),
                        ("tenure", "lambeth_wards_tenure_ts054_census2021.csv")]:
        with open(DATA / name) as fh:
            expected = sum(int(r["count"]) for r in csv.DictReader(fh))
        loaded = db.session.scalar(
            select(func.sum(CensusFigure.count)).where(CensusFigure.topic == topic))
        assert loaded == expected


def test_disability_is_kept_for_the_whole_borough(ctx):
    rows = db.session.scalars(select(CensusFigure).where(CensusFigure.topic == "disability")).all()
    assert {r.ward_id for r in rows} == {None}
    with open(DATA / "lambeth_lsoa21_disability_ts038_census2021.csv") as fh:
        assert sum(r.count for r in rows) == sum(int(r["count"]) for r in csv.DictReader(fh))


def test_names_and_slugs():
    assert plain_name("Streatham Common & Vale") == "Streatham Common and Vale"
    assert slug("Knight's Hill") == "knights-hill"
    assert slug("Herne Hill and Loughborough Junction") == "herne-hill-and-loughborough-junction"

from flask import abort, render_template
from sqlalchemy import func, select

from pb.models import CensusFigure, Person, RoleGrant, Ward, db
from pb.services import rounds as round_dates
from pb.services.census import figures_stamp, ward_profile
from pb.services.plans import current_plan
from pb.services.rounds import current_phase, rounds_for_ward
from pb.web import census_labels
from pb.web.charts import bars, outline_path
from pb.web.rounds.presenters import PHASE_NAMES
from pb.web.rounds.stamps import ward_stamp
from pb.web.wards import bp


@bp.get("/")
def index():
    wards = db.session.scalars(select(Ward).order_by(Ward.name)).all()
    return render_template("wards/index.html", wards=wards)


@bp.get("/<slug>")
def show(slug: str):
    ward = db.session.scalar(select(Ward).where(Ward.slug == slug)) or abort(404)
    # The whole page under its heading is the same for every reader: it is rendered once per
    # language and kept (pb.web.fragments), keyed by stamps of what it shows, read on every view
    # with light queries; the data itself is only read when it has to be rendered. The census
    # part has its own stamp too (a digest of the ward's census rows, which a reload corrects in
    # place), so a change of plan or councillor does not re-render the charts.
    census_stamp = figures_stamp(ward.id)
    return render_template(
        "wards/show.html", ward=ward, topics=lambda: census_topics(ward), census_stamp=census_stamp,
        ward_stamp=ward_stamp(ward), today=round_dates.today(), page=lambda: _page(ward),
        phase_of=current_phase, phase_names=PHASE_NAMES,
    )


def _page(ward: Ward) -> dict:
    """What the cached part shows, read only when it is rendered."""
    councillors = db.session.scalars(
        select(Person).join(RoleGrant)
        .where(RoleGrant.role == "councillor", RoleGrant.ward_id == ward.id)
        .order_by(Person.name)
    ).all()
    population = db.session.scalar(
        select(func.coalesce(func.sum(CensusFigure.count), 0))
        .where(CensusFigure.ward_id == ward.id, CensusFigure.topic == "age"))
    return {"councillors": councillors, "population": population, "outline_d": outline_path(ward.boundary),
            "plan": current_plan(ward), "rounds": rounds_for_ward(ward)}


def census_topics(ward: Ward) -> list[dict]:
    profile = ward_profile(ward)
    topics = []
    for topic in census_labels.WARD_PAGE_TOPICS:
        figures = profile.get(topic, [])
        total = sum(f.count for f in figures)
        if not total:
            continue
        rows = [(census_labels.category_label(f.category), f.count, f.count / total) for f in figures]
        topics.append({
            "key": topic,
            "title": census_labels.TOPICS[topic],
            "base": census_labels.BASES[figures[0].base_population],
            "total": total,
            "rows": rows,
            "bars": bars([(str(label), share) for label, _count, share in rows]),
        })
    return topics

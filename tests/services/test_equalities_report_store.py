"""Equalities reports are computed once and stored (table ``equalities_reports``), so that
every app server serves the same report and none recomputes it (issue 17).

"Another server" is played by forgetting this process's decoded reports
(``pb.services.equalities._CACHE``): what is left is only what the database holds, which
is all another gunicorn worker or machine would have. Run on SQLite and on PostgreSQL
(``DATABASE_URL``)."""

from datetime import timedelta

import numpy as np
import pytest
from sqlalchemy import func, select, update

from pb.equalities import stored
from pb.equalities.census import ward_census_rows
from pb.equalities.characteristics import census_margins
from pb.equalities.simulate import draw_answers
from pb.models import Heading, db
from pb.models.equalities import EqualitiesReport
from pb.models.people import _now
from pb.services import equalities
from pb.services.equalities import (
    ReportPending,
    heading_report,
    latest_release,
    prepare_reports,
    refresh_release,
    set_threshold,
)
from tests.services.test_equalities_service import seed_heading


def _another_server():
    equalities._CACHE.clear()


def _rows(heading_id: int) -> list[EqualitiesReport]:
    return list(db.session.scalars(select(EqualitiesReport).where(
        EqualitiesReport.heading_id == heading_id).order_by(EqualitiesReport.id)))


def test_a_stored_report_round_trips_exactly(ctx):
    """The stored text rebuilds the same report: the same text again, the same flags,
    verdict, bootstrap and projects, characteristics as the module's own objects."""
    heading = db.session.get(Heading, seed_heading(n=600))
    report = heading_report(heading)
    text = stored.dumps(report)
    again = stored.loads(text)
    assert stored.dumps(again) == text
    assert again.flags == report.flags and again.bootstrap == report.bootstrap
    assert again.verdict == report.verdict and again.projects == report.projects
    assert again.weighting == report.weighting and again.outreach == report.outreach
    assert [c.characteristic for c in again.characteristics] == [
        c.characteristic for c in report.characteristics]
    assert again.to_csv_rows() == report.to_csv_rows()
    with pytest.raises((KeyError, TypeError)):
        stored.loads('{"~dc": "Popen", "f": {}}')  # only the report's own types are rebuilt


def test_the_report_is_computed_once_and_served_by_every_server(ctx, demo):
    heading = db.session.get(Heading, seed_heading(n=600))
    first = heading_report(heading)
    rows = _rows(heading.id)
    assert len(rows) == 1 and rows[0].body is not None and rows[0].finished_at is not None
    finished = rows[0].finished_at
    _another_server()
    served = heading_report(heading)
    assert stored.dumps(served) == stored.dumps(first) == rows[0].body
    db.session.expire_all()
    assert [(r.id, r.finished_at) for r in _rows(heading.id)] == [(rows[0].id, finished)]
    # the CSV's report (without the rerun) is stored apart; the band changes both
    heading_report(heading, with_result=False)
    assert len(_rows(heading.id)) == 2
    from pb.models import Person

    panel = db.session.scalar(select(Person).where(Person.email == demo["panel"]))
    set_threshold(panel, heading, 0.2, 5.0)
    _another_server()
    assert len(heading_report(heading).flags) < len(first.flags)
    assert len(_rows(heading.id)) == 3


def test_a_report_another_server_is_computing_is_not_computed_twice(ctx):
    heading = db.session.get(Heading, seed_heading(n=200))
    key = equalities._key_of(heading, True)
    db.session.add(EqualitiesReport(heading_id=heading.id, key=key, started_at=_now()))
    db.session.commit()
    with pytest.raises(ReportPending):
        heading_report(heading)
    assert prepare_reports([heading]) == 1  # the one without the rerun; the claimed one is left
    # a claim abandoned for longer than CLAIM_STALE (its server died) is taken over
    db.session.execute(update(EqualitiesReport).where(EqualitiesReport.key == key).values(
        started_at=_now() - equalities.CLAIM_STALE - timedelta(minutes=1)))
    db.session.commit()
    report = heading_report(heading)
    assert report.participants == 200
    assert all(r.body is not None for r in _rows(heading.id))


def test_a_stored_live_report_changes_at_a_release_point_and_not_before(app):
    """During voting the report is the latest release's, stored once per release: more
    votes without a release change nothing, on any server; the next release point changes
    it for every server (a new stored report, keyed by the release)."""
    from pb.services import ballot_box, voting
    from tests.factories import add_projects, make_round, resident

    with app.app_context():
        heading = make_round("voting", wards=("brixton-acre-lane",)).headings[0]
        project = add_projects(heading, [3000])[0]
        margins = census_margins(ward_census_rows(heading.ward.ons_code))
        answers = draw_answers(margins, 130, np.random.default_rng(5))
        cast_so_far = []

        def cast(n):
            for _ in range(n):
                i = len(cast_so_far)
                person = resident(f"Stored {i}", "brixton-acre-lane")
                done = voting.cast_ballot(person, heading, [project.project_id])
                assert ballot_box.add_answers(done.token, answers[i])
                cast_so_far.append(i)

        cast(55)
        first = refresh_release(heading)
        assert first.number == 1
        report = heading_report(heading)
        assert report.participants == 55 and len(_rows(heading.id)) == 1
        text = _rows(heading.id)[0].body

        cast(30)  # not enough for a release, even two days later
        later = _now() + timedelta(days=2)
        assert refresh_release(heading, now=later).id == first.id
        _another_server()
        assert stored.dumps(heading_report(heading)) == text
        assert len(_rows(heading.id)) == 1

        cast(30)  # 60 new since release 1, two days later: release 2
        second = refresh_release(heading, now=later)
        assert second.number == 2 and latest_release(heading).id == second.id
        # this server had release 1 in memory; the key names the release, so no server
        # can serve release 1's report once release 2 is out
        changed = heading_report(heading)
        assert changed.participants == 115
        assert len(_rows(heading.id)) == 2
        _another_server()
        assert stored.dumps(heading_report(heading)) == stored.dumps(changed) != text
        assert db.session.scalar(select(func.count(EqualitiesReport.id))) == 2


def test_a_census_correction_that_keeps_the_totals_makes_a_new_report(ctx):
    """A census reload corrects rows in place; moving people between two age groups keeps the
    ward's row count, largest id and total, and must still key a new report (the residents'
    shares it compares with have changed)."""
    from pb.models import CensusFigure

    heading = db.session.get(Heading, seed_heading(n=600))
    heading_report(heading)
    stored_before = len(_rows(heading.id))
    first, second = db.session.scalars(select(CensusFigure).where(
        CensusFigure.ward_id == heading.ward_id, CensusFigure.topic == "age")
        .order_by(CensusFigure.position).limit(2)).all()
    first.count, second.count = first.count - 7, second.count + 7
    db.session.commit()
    try:
        _another_server()
        heading_report(heading)
        assert len(_rows(heading.id)) == stored_before + 1
    finally:
        first.count, second.count = first.count + 7, second.count - 7
        db.session.commit()


def test_the_scheduled_job_takes_over_an_abandoned_claim(ctx):
    """A server that died while computing leaves its claim (no body); once it is older than
    CLAIM_STALE the job computes the report, so that no page view has to wait for it."""
    heading = db.session.get(Heading, seed_heading(n=200))
    key = equalities._key_of(heading, True)
    db.session.add(EqualitiesReport(heading_id=heading.id, key=key,
                                    started_at=_now() - equalities.CLAIM_STALE - timedelta(minutes=1)))
    db.session.commit()
    assert prepare_reports([heading]) == 2
    assert all(r.body is not None for r in _rows(heading.id))
    assert prepare_reports([heading]) == 0  # stored: nothing left to compute

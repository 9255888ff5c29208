"""The report pages read the stored report (issue 17): while another server computes it the
pages say so (200, Retry-After) instead of computing it a second time, and once it is
stored every page shows it."""

from pb.models import Heading, db
from pb.models.equalities import EqualitiesReport
from pb.models.people import _now
from pb.services import equalities
from tests.services.test_equalities_service import seed_heading


def test_pages_say_a_report_is_being_prepared_then_show_it(client, app, demo, sign_in):
    with app.app_context():
        heading_id = seed_heading(n=200)
        heading = db.session.get(Heading, heading_id)
        keys = [equalities._key_of(heading, w) for w in (True, False)]
        for key in keys:  # another server has claimed both reports
            db.session.add(EqualitiesReport(heading_id=heading_id, key=key, started_at=_now()))
        db.session.commit()
    sign_in(demo["panel"])
    for path in ("", "/missing", ".csv", "/summary"):
        response = client.get(f"/equalities/headings/{heading_id}{path}")
        assert response.status_code == 200, path
        assert response.headers["Retry-After"] == "60"
        assert "This report is being prepared" in response.get_data(as_text=True), path
    with app.app_context():  # that server finishes: it computes and stores them
        db.session.query(EqualitiesReport).filter_by(heading_id=heading_id).delete()
        db.session.commit()
        assert equalities.prepare_reports([db.session.get(Heading, heading_id)]) == 2
    body = client.get(f"/equalities/headings/{heading_id}").get_data(as_text=True)
    assert "Would the result change?" in body and "being prepared" not in body

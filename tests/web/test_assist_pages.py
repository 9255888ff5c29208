"""The assisted-voting and paper-ballot pages over HTTP: who may use them, the session
state of the resident being assisted (cleared on cast, cancel and sign-out; 15 minutes),
and hostile input answered with the error summary, never a 5xx."""

import re

import pytest
from sqlalchemy import func, select

from pb.models import AssistedCheck, Paper, PaperKeying, RollEntry, SealedBallot, db
from pb.web.assist import routes
from tests.factories import add_projects, make_round

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
RESIDENT = {"name": "Amara Okafor", "born": ["27", "3", "1970"], "postcode": "SW9 0AA", "method": "document"}


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def voting_round(app):
    with app.app_context():
        round_ = make_round("voting")
        ids = [p.project_id for p in add_projects(round_.headings[0], [3000, 4000])]
        return round_.id, ids


def post_from(client, page_url, post_url, data=None):
    token = CSRF.search(client.get(page_url).get_data(as_text=True)).group(1)
    return client.post(post_url, data={"csrf_token": token, **(data or {})})


def start(client, round_id, ids):
    response = client.submit(f"/assist/rounds/{round_id}/resident", RESIDENT)
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]
    response = client.submit(f"/assist/rounds/{round_id}/ballot", {"project": [ids[0]], "action": "continue"})
    assert response.status_code == 303
    return response


def test_an_officer_assists_and_the_cast_leaves_nothing_in_the_session(app, client, demo, sign_in, voting_round):
    round_id, ids = voting_round
    sign_in(demo["officer"])
    start(client, round_id, ids)
    confirm = client.get(f"/assist/rounds/{round_id}/confirm")
    assert confirm.status_code == 200 and "Project 1" in confirm.get_data(as_text=True)
    with client.session_transaction() as session:
        assert routes.ASSIST in session
    response = post_from(client, f"/assist/rounds/{round_id}/confirm", f"/assist/rounds/{round_id}/cast")
    assert response.status_code == 200 and "pb-receipt" in response.get_data(as_text=True)
    with client.session_transaction() as session:
        assert routes.ASSIST not in session and "voter_token" not in session and "ballot_draft" not in session
    assert count(app, RollEntry) == 1 and count(app, SealedBallot) == 1
    # posting the cast again (the back button) casts nothing
    response = post_from(client, f"/assist/rounds/{round_id}/resident", f"/assist/rounds/{round_id}/cast")
    assert response.status_code == 302 and response.headers["Location"].endswith("/resident")
    # the same resident again is refused at the check, next to nothing half-written
    response = client.submit(f"/assist/rounds/{round_id}/resident", RESIDENT)
    assert response.status_code == 409
    assert "already voted" in response.get_data(as_text=True)
    assert count(app, AssistedCheck) == 1


def test_cancel_clears_the_resident_and_nothing_is_cast(app, client, demo, sign_in, voting_round):
    round_id, ids = voting_round
    sign_in(demo["officer"])
    start(client, round_id, ids)
    response = post_from(client, f"/assist/rounds/{round_id}/confirm", "/assist/cancel")
    assert response.status_code == 303
    with client.session_transaction() as session:
        assert routes.ASSIST not in session
    assert client.get(f"/assist/rounds/{round_id}/ballot").status_code == 302
    assert count(app, RollEntry) == 0


def test_sign_out_clears_the_resident(app, client, demo, sign_in, voting_round):
    round_id, ids = voting_round
    sign_in(demo["officer"])
    start(client, round_id, ids)
    post_from(client, "/account/sign-out", "/account/sign-out")
    with client.session_transaction() as session:
        assert routes.ASSIST not in session


def test_the_check_lasts_15_minutes(app, client, demo, sign_in, voting_round, monkeypatch):
    round_id, ids = voting_round
    assert routes.ASSIST_LIFETIME_SECONDS == 15 * 60
    sign_in(demo["officer"])
    monkeypatch.setattr(routes, "ASSIST_LIFETIME_SECONDS", -1)  # as if 15 minutes had passed
    client.submit(f"/assist/rounds/{round_id}/resident", RESIDENT)
    response = client.get(f"/assist/rounds/{round_id}/ballot")
    assert response.status_code == 302 and response.headers["Location"].endswith("/resident")
    with client.session_transaction() as session:
        assert routes.ASSIST not in session


@pytest.mark.parametrize("who", ["resident", "councillor", "panel"])
def test_only_officers_and_admins(app, client, demo, sign_in, voting_round, who):
    round_id, _ids = voting_round
    if who == "resident":
        client.submit("/account/resident", {"name": "Neighbour", "postcode": "SW9 0AA"})
    else:
        sign_in(demo[who])
    for url in ("/assist/", f"/assist/rounds/{round_id}/resident", f"/assist/rounds/{round_id}/paper"):
        assert client.get(url).status_code == 403


def test_anonymous_visitors_are_sent_to_the_staff_sign_in(client, voting_round):
    response = client.get(f"/assist/rounds/{voting_round[0]}/resident")
    assert response.status_code == 302 and "/account/sign-in" in response.headers["Location"]


HOSTILE = ["", " ", "\x00", "9" * 5000, "١٢", "<script>", "-1", "0", "2147483648", "x" * 300]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_values_get_the_error_summary_and_write_nothing(app, client, demo, sign_in, voting_round, value):
    round_id, ids = voting_round
    sign_in(demo["officer"])
    for field in ("name", "postcode", "method", "note", "born"):
        data = {**RESIDENT, field: [value, value, value] if field == "born" else value}
        if field == "note":
            data["method"] = "other"
        response = client.submit(f"/assist/rounds/{round_id}/resident", data)
        assert response.status_code in (303, 400, 409), (field, response.status_code)
        if response.status_code != 303:
            assert "govuk-error-summary" in response.get_data(as_text=True)
    response = client.submit(f"/assist/rounds/{round_id}/paper",
                             {"heading": value, "label": value, "expected": value})
    assert response.status_code in (303, 400)
    batch = client.submit(f"/assist/rounds/{round_id}/paper",
                          {"heading": _heading_id(app, round_id), "label": "Box", "expected": "3"})
    url = batch.headers["Location"]
    response = client.submit(url, {"number": value, "project": value})
    assert response.status_code == 400 and "govuk-error-summary" in response.get_data(as_text=True)
    assert count(app, PaperKeying) == 0 and count(app, Paper) == 0


def _heading_id(app, round_id):
    from pb.models import Round

    with app.app_context():
        return str(db.session.get(Round, round_id).headings[0].id)

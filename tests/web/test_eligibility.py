"""Eligibility lists through the pages: an officer uploads the list on the round's page, a
councillor cannot, and a resident gives a reference on the check-your-answers page."""

import io
import re

from flask import Flask
from sqlalchemy import func, select

from pb.models import EligibilityEntry, RollEntry, Round, db
from tests.factories import add_projects, make_round, set_phase

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def upload(client, round_id: int, data: bytes, filename="register.csv"):
    page = client.get(f"/admin/rounds/{round_id}").get_data(as_text=True)
    token = CSRF.search(page).group(1)
    return client.post(f"/admin/rounds/{round_id}/eligibility", content_type="multipart/form-data",
                       data={"csrf_token": token, "references": (io.BytesIO(data), filename)})


def list_size(app: Flask, round_id: int) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(EligibilityEntry)
                                 .where(EligibilityEntry.round_id == round_id))


def round_in_review(app: Flask) -> int:
    with app.app_context():
        round_ = make_round("review")
        add_projects(round_.headings[0], [3000, 4000])
        return round_.id


def test_an_officer_uploads_a_list_and_sees_only_how_many_it_holds(app, client, demo, sign_in):
    round_id = round_in_review(app)
    sign_in(demo["officer"])
    page = client.get(f"/admin/rounds/{round_id}").get_data(as_text=True)
    assert "This round has no eligibility list" in page and 'class="govuk-file-upload' in page
    done = upload(client, round_id, b"AB 12 34 56\nCD789012\n")
    assert done.status_code == 302
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "The eligibility list now holds 2 reference numbers" in page
    assert "eligibility list of 2 reference numbers" in page
    assert "AB123456" not in page.replace(" ", "") and "CD789012" not in page
    assert list_size(app, round_id) == 2


def test_a_malformed_file_is_explained_in_the_error_summary_and_nothing_changes(app, client, demo, sign_in):
    round_id = round_in_review(app)
    sign_in(demo["officer"])
    assert upload(client, round_id, b"OLD1\n").status_code == 302
    bad = upload(client, round_id, b"AB1\nCD2\nab1\n")
    body = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "govuk-error-summary" in body
    assert "Line 3 repeats the reference number on line 1" in body and 'href="#references"' in body
    assert "<title>Error:" in body
    none = client.post(f"/admin/rounds/{round_id}/eligibility", content_type="multipart/form-data",
                       data={"csrf_token": CSRF.search(body).group(1)})
    assert none.status_code == 400 and "Select a CSV file of reference numbers" in none.get_data(as_text=True)
    wrong = upload(client, round_id, b"AB1\n", filename="register.xlsx")
    assert wrong.status_code == 400 and "The selected file must be a CSV" in wrong.get_data(as_text=True)
    assert list_size(app, round_id) == 1


def test_the_list_is_frozen_once_voting_opens(app, client, demo, sign_in):
    round_id = round_in_review(app)
    sign_in(demo["officer"])
    upload(client, round_id, b"OLD1\n")
    with app.app_context():
        set_phase(db.session.get(Round, round_id), "voting")
    page = client.get(f"/admin/rounds/{round_id}").get_data(as_text=True)
    assert "the eligibility list can no longer change" in page and "govuk-file-upload" not in page
    token = CSRF.search(page).group(1)
    late = client.post(f"/admin/rounds/{round_id}/eligibility", content_type="multipart/form-data",
                       data={"csrf_token": token, "references": (io.BytesIO(b"NEW1\n"), "register.csv")})
    assert late.status_code == 409 and "govuk-error-summary" in late.get_data(as_text=True)
    assert list_size(app, round_id) == 1


def test_a_councillor_cannot_upload_a_list(app, client, demo, sign_in):
    with app.app_context():
        round_id = make_round("review", wards=("brixton-acre-lane",)).id
    sign_in(demo["councillor"])
    page = client.get(f"/admin/rounds/{round_id}")
    assert page.status_code == 200 and "Who may vote" not in page.get_data(as_text=True)
    assert upload(client, round_id, b"AB1\n").status_code == 403
    assert list_size(app, round_id) == 0


def cast_with(client, round_id: int, project_id: str, name: str, reference: str | None):
    client.get("/account/sign-out")
    client.submit("/account/resident", {"name": name, "postcode": "SW9 0AA"})
    check = client.submit(f"/vote/{round_id}", {"project": [project_id], "action": "continue"},
                          follow_redirects=True)
    body = check.get_data(as_text=True)
    assert check.status_code == 200 and "Your reference number" in body
    data = {"csrf_token": CSRF.search(body).group(1), "project": [project_id]}
    if reference is not None:
        data["reference"] = reference
    return client.post(f"/vote/{round_id}/cast", data=data)


def test_a_resident_votes_with_a_reference_and_a_second_resident_with_it_is_refused(app, client, demo, sign_in):
    round_id = round_in_review(app)
    sign_in(demo["officer"])
    upload(client, round_id, b"AB123456\nCD789012\n")
    with app.app_context():
        round_ = db.session.get(Round, round_id)
        set_phase(round_, "voting")
        project_id = round_.headings[0].proposals[0].project_id
    missing = cast_with(client, round_id, project_id, "Ada Lovelace", "")
    body = missing.get_data(as_text=True)
    assert missing.status_code == 400 and "govuk-error-summary" in body
    assert "Enter your reference number" in body and 'href="#reference"' in body
    # the choices still wait on the check page
    again = client.get(f"/vote/{round_id}/check")
    assert again.status_code == 200 and "Your reference number" in again.get_data(as_text=True)
    token = CSRF.search(again.get_data(as_text=True)).group(1)
    cast = client.post(f"/vote/{round_id}/cast", data={"csrf_token": token, "project": [project_id],
                                                       "reference": " ab 12 34 56 "})
    assert cast.status_code == 303
    refused = cast_with(client, round_id, project_id, "Grace Hopper", "AB123456")
    body = refused.get_data(as_text=True)
    assert 400 <= refused.status_code < 500 and "govuk-error-summary" in body
    assert "We cannot accept that reference number" in body
    too_long = cast_with(client, round_id, project_id, "Grace Hopper", "X" * 61)
    assert too_long.status_code == 400 and "40 characters or fewer" in too_long.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(RollEntry)) == 1

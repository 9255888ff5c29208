"""The resident's journey through the pages, with the Flask test client."""

import re

from pb.models import db
from pb.services import counting
from tests.factories import add_projects, close_and_mix, make_round, officer, set_phase


def resident_signs_in(client, name="Ada Lovelace", postcode="SW8 1AA"):
    response = client.submit("/account/resident", {"name": name, "postcode": postcode})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]


def test_resident_sign_in_checks_the_postcode(client):
    response = client.submit("/account/resident", {"name": "Ada", "postcode": "N1 9GU"})
    assert response.status_code == 400
    assert "Enter a postcode in Lambeth" in response.get_data(as_text=True)


def test_a_knapsack_ballot_from_choice_to_receipt(app, client):
    with app.app_context():
        round_ = make_round("voting", ballot_type="knapsack", wards=("stockwell-east",), budget=10_000)
        projects = add_projects(round_.headings[0], [6000, 5000, 3000])
        round_id, ids = round_.id, [p.project_id for p in projects]
    resident_signs_in(client, postcode="SW9 0AA")
    page = client.get(f"/vote/{round_id}")
    assert page.status_code == 200 and "Your choices cost £0. Budget left: £10,000." in page.get_data(as_text=True)
    # over budget: explained next to the choices, nothing stored
    over = client.submit(f"/vote/{round_id}", {"project": [ids[0], ids[1]], "action": "continue"})
    assert over.status_code == 400
    body = over.get_data(as_text=True)
    assert "govuk-error-summary" in body and 'id="choices-error"' in body
    # the no-JavaScript running total
    total = client.submit(f"/vote/{round_id}", {"project": [ids[0], ids[2]], "action": "update"})
    assert "Your choices cost £9,000. Budget left: £1,000." in total.get_data(as_text=True)
    check = client.submit(f"/vote/{round_id}", {"project": [ids[0], ids[2]], "action": "continue"},
                          follow_redirects=True)
    body = check.get_data(as_text=True)
    with client.session_transaction() as session:  # the choices wait sealed, unreadable
        assert "choices" not in session["ballot_draft"] and "[" not in session["ballot_draft"]
    assert check.status_code == 200, body[body.find("<main"):][:1500]
    assert "Check your answers before you vote" in body and "Casting is final" in body
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', body).group(1)
    cast = client.post(f"/vote/{round_id}/cast", data={"csrf_token": token, "project": [ids[0], ids[2]]})
    assert cast.status_code == 303  # See Other: the back button never re-posts the ballot
    done = client.get(cast.headers["Location"]).get_data(as_text=True)
    receipt = re.search(r'class="pb-receipt">([A-Z2-7-]+)<', done).group(1)
    assert len(receipt.replace("-", "")) == 26
    again = client.get(f"/vote/{round_id}")
    assert again.status_code == 409 and "You have already voted" in again.get_data(as_text=True)

    with app.app_context():
        from pb.models import Round

        round_ = db.session.get(Round, round_id)
        close_and_mix(round_)
        counting.count_round(officer(), round_)
        set_phase(round_, "results")
        heading_id = round_.headings[0].id
    results = client.get(f"/rounds/{round_id}/wards/{heading_id}/results")
    body = results.get_data(as_text=True)
    assert results.status_code == 200 and "Funded projects" in body
    assert body.index("Project 1") < body.index("Projects not funded")
    assert f'href="/equalities/headings/{heading_id}/summary"' in body
    checked = client.submit(f"/rounds/{round_id}/wards/{heading_id}/results", {"receipt": receipt.lower()})
    assert "Your ballot was counted." in checked.get_data(as_text=True)
    wrong = client.submit(f"/rounds/{round_id}/wards/{heading_id}/results", {"receipt": "AAAA-BBBB"})
    assert "We could not find a ballot" in wrong.get_data(as_text=True)
    # a receipt in the address is ignored: it must never travel in a URL (or a log line)
    in_url = client.get(f"/rounds/{round_id}/wards/{heading_id}/results", query_string={"receipt": receipt})
    assert "Your ballot was counted." not in in_url.get_data(as_text=True)
    pb_file = client.get(f"/rounds/{round_id}/wards/{heading_id}/ballots.pb")
    assert pb_file.status_code == 200 and pb_file.get_data(as_text=True).startswith("META")


def test_proposal_form_errors_and_drafts(app, client):
    with app.app_context():
        round_id = make_round("proposals", wards=("stockwell-east",)).id
    resident_signs_in(client, postcode="SW9 0AA")
    bad = client.submit(f"/rounds/{round_id}/propose", {"title": "", "rough_cost": "lots", "action": "submit"})
    body = bad.get_data(as_text=True)
    assert bad.status_code == 400
    assert "Enter a name for your project" in body and "Enter a rough cost in pounds, like 2500" in body
    good = client.submit(f"/rounds/{round_id}/propose", {
        "title": "Street trees", "summary": "Ten trees on Stockwell Road", "description": "Shade",
        "category": "environment", "rough_cost": "£4,500", "action": "draft"}, follow_redirects=True)
    assert "Your draft “Street trees” is saved." in good.get_data(as_text=True)

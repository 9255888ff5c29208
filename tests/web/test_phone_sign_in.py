"""A resident signs in with a mobile number and a code read from the development outbox,
through the pages, and votes."""

import re

from sqlalchemy import select, update

from pb import create_app
from pb.models import PhoneNumber, SignInCode, db
from tests.factories import add_projects, make_round

NUMBER = "07911 123456"


def code_from_outbox(client, number="+447911123456") -> str:
    page = client.get("/dev/outbox")
    assert page.status_code == 200
    rows = re.findall(r'pb-outbox-number">([^<]+)</td>\s*<td class="govuk-table__cell pb-outbox-text">([^<]+)<',
                      page.get_data(as_text=True))
    return next(re.search(r"\b(\d{6})\b", text).group(1) for to, text in rows if to == number)


def asks_for_a_code(client, number=NUMBER, next_url=None):
    url = "/account/phone" + (f"?next={next_url}" if next_url else "")
    response = client.submit(url, {"number": number})
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    return response.headers["Location"]


def enters(client, url, code):
    return client.submit(url, {"code": code})


def test_a_resident_signs_in_with_a_code_and_votes(app, client):
    with app.app_context():
        round_ = make_round("voting", wards=("stockwell-east",))
        ids = [p.project_id for p in add_projects(round_.headings[0], [3000, 4000])]
        round_id = round_.id
    # the ballot asks who you are: the phone sign-in is the default
    asked = client.get(f"/vote/{round_id}")
    assert asked.status_code == 302 and asked.headers["Location"].startswith("/account/phone?next=")
    code_page = asks_for_a_code(client, next_url=f"/vote/{round_id}")
    assert code_page.startswith("/account/phone/code")
    body = client.get(code_page).get_data(as_text=True)
    assert "the number ending 456" in body
    postcode_page = enters(client, code_page, code_from_outbox(client))
    assert postcode_page.status_code == 302 and "/account/phone/postcode" in postcode_page.headers["Location"]
    signed_in = client.submit(postcode_page.headers["Location"], {"postcode": "SW9 0AA"})
    assert signed_in.status_code == 302 and signed_in.headers["Location"] == f"/vote/{round_id}"

    check = client.submit(f"/vote/{round_id}", {"project": [ids[0]], "action": "continue"},
                          follow_redirects=True)
    body = check.get_data(as_text=True)
    assert check.status_code == 200 and "Check your answers before you vote" in body
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', body).group(1)
    cast = client.post(f"/vote/{round_id}/cast", data={"csrf_token": token, "project": [ids[0]]})
    assert cast.status_code == 303

    # the same number on another phone's browser is the same voter: no second ballot
    other = type(client)(app.test_client())
    code_page = asks_for_a_code(other, "+44 7911 123456", next_url=f"/vote/{round_id}")
    back = enters(other, code_page, code_from_outbox(other))
    assert back.status_code == 302 and back.headers["Location"] == f"/vote/{round_id}"  # no postcode again
    again = other.get(f"/vote/{round_id}")
    assert again.status_code == 409 and "You have already voted" in again.get_data(as_text=True)


def test_next_stays_on_our_own_site(app, client):
    code_page = asks_for_a_code(client, next_url="//evil.example/x")
    enters(client, code_page, code_from_outbox(client))
    done = client.submit("/account/phone/postcode?next=//evil.example/x", {"postcode": "SW9 0AA"})
    assert done.status_code == 302 and done.headers["Location"] == "/"


def test_five_wrong_codes_void_the_code(client):
    code_page = asks_for_a_code(client)
    code = code_from_outbox(client)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(4):
        response = enters(client, code_page, wrong)
        body = response.get_data(as_text=True)
        assert response.status_code == 400 and "govuk-error-summary" in body
        assert "The code is not right" in body
    fifth = enters(client, code_page, wrong)
    assert fifth.status_code == 400 and "entered wrongly 5 times" in fifth.get_data(as_text=True)
    right = enters(client, code_page, code)
    assert right.status_code == 400 and "entered wrongly 5 times" in right.get_data(as_text=True)
    assert client.get("/account/").status_code == 302  # not signed in


def test_an_expired_code_is_refused(app, client):
    code_page = asks_for_a_code(client)
    with app.app_context():
        row = db.session.scalar(select(SignInCode))
        db.session.execute(update(SignInCode).values(expires_at=row.created_at))
        db.session.commit()
    response = enters(client, code_page, code_from_outbox(client))
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and "govuk-error-summary" in body
    assert "This code has expired" in body


def test_a_missing_or_malformed_code_is_named(client):
    code_page = asks_for_a_code(client)
    for typed in ("", "12ab56", "1234567"):
        response = enters(client, code_page, typed)
        assert response.status_code == 400
        assert "Enter the 6-digit code from the text message" in response.get_data(as_text=True)


def test_the_fourth_code_request_in_an_hour_is_refused(client):
    for _ in range(3):
        asks_for_a_code(client)
    response = client.submit("/account/phone", {"number": NUMBER})
    body = response.get_data(as_text=True)
    assert response.status_code == 429 and "govuk-error-summary" in body
    assert "You have asked for 3 codes for this number in the last hour" in body


def test_a_code_from_another_browser_session_is_refused(app, client):
    code_page = asks_for_a_code(client)
    code = code_from_outbox(client)
    thief = type(client)(app.test_client())
    assert thief.get("/account/phone/code").status_code == 302  # asked for no code: start again
    thief_page = asks_for_a_code(thief)
    refused = enters(thief, thief_page, code)
    assert refused.status_code == 400 and "The code is not right" in refused.get_data(as_text=True)
    assert thief.get("/account/phone/postcode").status_code == 302
    assert enters(client, code_page, code).status_code == 302  # the browser it was sent to


def test_bad_numbers_are_explained(client):
    for typed, message in [("", "Enter your mobile phone number"),
                           ("12345", "Enter a mobile phone number in the correct format"),
                           ("020 7926 1000", "Enter a mobile phone number that can receive text messages")]:
        response = client.submit("/account/phone", {"number": typed})
        body = response.get_data(as_text=True)
        assert response.status_code == 400 and message in body and "govuk-error-summary" in body


def test_the_number_is_stored_only_hashed(app, client):
    code_page = asks_for_a_code(client)
    enters(client, code_page, code_from_outbox(client))
    client.submit("/account/phone/postcode", {"postcode": "SW9 0AA"})
    with app.app_context():
        from sqlalchemy import text

        rows = [str(r) for t in ("people", "phone_numbers", "sign_in_codes")
                for r in db.session.execute(text(f"SELECT * FROM {t}")).all()]
        assert db.session.scalar(select(PhoneNumber)).last_digits == "456"
    assert rows and not any("7911123456" in row or "911123456" in row for row in rows)


def test_households_sharing_a_phone_are_pointed_to_assisted_voting(client):
    page = client.get("/account/phone")
    assert 'href="/account/phone/shared"' in page.get_data(as_text=True)
    shared = client.get("/account/phone/shared").get_data(as_text=True)
    assert "library" in shared and "One mobile number is one voter" in shared


def test_production_has_no_name_and_postcode_sign_in_and_no_outbox(app):
    production = create_app({"TESTING": True, "PB_ENV": "production", "SMS_ADAPTER": "notify"})
    web = production.test_client()
    assert web.get("/account/resident").status_code == 404
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                      web.get("/account/phone").get_data(as_text=True)).group(1)
    posted = web.post("/account/resident", data={"csrf_token": token, "name": "Ada", "postcode": "SW9 0AA"})
    assert posted.status_code == 404
    assert web.get("/dev/outbox").status_code == 404
    assert web.get("/account/phone").status_code == 200
    assert app.test_client().get("/account/resident").status_code == 200  # development keeps it

"""Staff accounts through the pages: the second step of signing in, setting up an
authenticator app, "Forgot your password?", invitations, and the admins' people pages."""

import re
import time
from datetime import timedelta

from sqlalchemy import select, update

from pb.models import EmailOutboxMessage, PendingSignIn, Person, RoleGrant, StaffAudit, db
from pb.services import staff
from pb.web.account.routes import STAFF_PENDING
from tests.conftest import FormClient
from tests.second_factor import code_for, current_code, secret_from_page, sign_in_staff

OFFICER = "test.officer@example.org"


def body(response) -> str:
    return response.get_data(as_text=True)


def new_officer(app, email=OFFICER, password="test-password") -> int:
    with app.app_context():
        person = Person(name="Test Officer", email=email)
        person.set_password(password)
        person.roles.append(RoleGrant(role="officer"))
        db.session.add(person)
        db.session.commit()
        return person.id


def password_step(client, email, password="test-password"):
    return client.submit("/account/sign-in", {"email": email, "password": password})


def last_email(app, address):
    with app.app_context():
        message = db.session.scalar(select(EmailOutboxMessage).where(EmailOutboxMessage.address == address)
                                    .order_by(EmailOutboxMessage.id.desc()))
        return message.subject, message.body


def link_path(app, address) -> str:
    return re.search(r"https?://[^/\s]+(/account/link/[A-Za-z0-9_-]+)", last_email(app, address)[1]).group(1)


# --- signing in -------------------------------------------------------------------------

def test_a_password_alone_does_not_open_the_staff_pages(app, client, demo):
    response = password_step(client, demo["officer"])
    assert response.status_code == 302 and response.headers["Location"] == "/account/sign-in/code"
    for url in ("/admin/", "/admin/people", "/equalities/"):
        refused = client.get(url)
        assert refused.status_code == 302 and "/account/sign-in" in refused.headers["Location"], url
    assert client.get("/account/").status_code == 302
    with client.session_transaction() as session:
        assert "_user_id" not in session
        assert set(session[STAFF_PENDING]) == {"attempt", "nonce", "person", "expires", "next"}
        assert session[STAFF_PENDING]["expires"] - time.time() <= 5 * 60


def test_the_code_page_follows_the_gov_uk_pattern_and_signs_in(app, client, demo):
    password_step(client, demo["officer"])
    page = body(client.get("/account/sign-in/code"))
    assert 'autocomplete="one-time-code"' in page and 'inputmode="numeric"' in page
    assert "Enter the code from your authenticator app" in page
    wrong = client.submit("/account/sign-in/code", {"code": "12345"})
    assert wrong.status_code == 400 and "Enter the 6-digit code" in body(wrong) and "govuk-error-summary" in body(wrong)
    done = client.submit("/account/sign-in/code", {"code": current_code(app, demo["officer"])})
    assert done.status_code == 302 and done.headers["Location"] == "/"
    assert client.get("/admin/").status_code == 200


def test_next_survives_the_second_step(app, client, demo):
    response = sign_in_staff(client, demo["officer"], next="/admin/")
    assert response.headers["Location"] == "/admin/"


def test_residents_with_a_password_need_no_second_factor(app, client):
    with app.app_context():
        person = Person(name="Rita Resident", email="rita@example.org")
        person.set_password("test-password")
        person.roles.append(RoleGrant(role="resident"))
        db.session.add(person)
        db.session.commit()
    response = password_step(client, "rita@example.org")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/account/").status_code == 200


def test_the_first_sign_in_sets_up_an_authenticator_app(app, client):
    person_id = new_officer(app)
    response = password_step(client, OFFICER)
    assert response.headers["Location"] == "/account/sign-in/set-up"
    page = client.get("/account/sign-in/set-up")
    html = body(page)
    secret = secret_from_page(html)
    assert re.search(r'class="pb-totp-secret">([A-Z2-7]{4} ){7}[A-Z2-7]{4}<', html)  # in groups of 4
    assert f"otpauth://totp/Lambeth%20Ward%20Budgets:test.officer%40example.org?secret={secret}" in html
    assert 'autocomplete="one-time-code"' in html
    assert secret_from_page(body(client.get("/account/sign-in/set-up"))) == secret  # the same on reload
    assert client.get("/account/sign-in/code").headers["Location"] == "/account/sign-in/set-up"
    wrong = client.submit("/account/sign-in/set-up", {"code": f"{(int(code_for(secret)) + 1) % 10**6:06d}"})
    assert wrong.status_code == 400 and "The code is not right" in body(wrong)
    with app.app_context():
        assert not staff.has_second_factor(db.session.get(Person, person_id))  # not saved yet
    done = client.submit("/account/sign-in/set-up", {"code": code_for(secret)})
    assert done.status_code == 302
    assert client.get("/admin/").status_code == 200
    client.submit("/account/sign-out", {})
    # the next time: the code page, and the set-up page is gone
    assert password_step(client, OFFICER).headers["Location"] == "/account/sign-in/code"
    assert client.get("/account/sign-in/set-up").headers["Location"] == "/account/sign-in/code"
    assert client.submit("/account/sign-in/code", {"code": current_code(app, OFFICER)}).status_code == 302


def test_five_wrong_codes_send_you_back_to_the_password(app, client, demo):
    password_step(client, demo["officer"])
    bad = f"{(int(current_code(app, demo['officer'])) + 500_000) % 10**6:06d}"
    for _ in range(4):
        assert client.submit("/account/sign-in/code", {"code": bad}).status_code == 400
    ended = client.submit("/account/sign-in/code", {"code": bad})
    assert ended.status_code == 302 and ended.headers["Location"] == "/account/sign-in"
    assert "You entered a wrong code 5 times" in body(client.get("/account/sign-in"))
    assert client.get("/account/sign-in/code").headers["Location"] == "/account/sign-in"
    assert client.get("/admin/").status_code == 302


def test_the_pending_marker_cannot_be_replayed_after_it_expires(app, client, demo):
    password_step(client, demo["officer"])
    cookie = client.get_cookie("session").value
    with app.app_context():  # five minutes and a second later, on the server
        db.session.execute(update(PendingSignIn).values(expires_at=staff._now() - timedelta(seconds=1)))
        db.session.commit()
    for replay in (client, FormClient(app.test_client())):
        replay.set_cookie("session", cookie)
        response = replay.get("/account/sign-in/code")
        assert response.status_code == 302 and response.headers["Location"] == "/account/sign-in"
        replay.set_cookie("session", cookie)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', body(replay.get("/account/sign-in"))).group(1)
        replay.set_cookie("session", cookie)
        posted = replay.post("/account/sign-in/code", data={"csrf_token": token, "code": current_code(app, demo["officer"])})
        assert posted.status_code in (302, 400) and replay.get("/admin/").status_code == 302
    # and the marker's own clock: a session whose marker says it expired is refused too
    fresh = FormClient(app.test_client())
    password_step(fresh, demo["officer"])
    with fresh.session_transaction() as session:
        marker = dict(session[STAFF_PENDING])
        marker["expires"] = int(time.time()) - 1
        session[STAFF_PENDING] = marker
    assert fresh.get("/account/sign-in/code").headers["Location"] == "/account/sign-in"


def test_the_sign_in_page_links_to_a_password_reset(client):
    page = body(client.get("/account/sign-in"))
    assert 'href="/account/forgot-password"' in page and "Forgot your password?" in page


# --- "Forgot your password?" --------------------------------------------------------------

def test_a_reset_by_email_then_the_code_signs_in_and_ends_other_sessions(app, client, demo):
    elsewhere = FormClient(app.test_client())
    sign_in_staff(elsewhere, demo["officer"])
    assert elsewhere.get("/admin/").status_code == 200
    form = client.get("/account/forgot-password")
    assert form.status_code == 200 and 'autocomplete="email"' in body(form)
    sent = client.submit("/account/forgot-password", {"email": demo["officer"]})
    assert sent.status_code == 302 and sent.headers["Location"] == "/account/forgot-password/sent"
    assert "If there is a staff account for that email address" in body(client.get(sent.headers["Location"]))
    subject, text = last_email(app, demo["officer"])
    assert subject == "Reset your Ward Budgets password" and "1 hour" in text
    opened = client.get(link_path(app, demo["officer"]))
    assert opened.status_code == 302 and opened.headers["Location"] == "/account/set-password"  # token off the URL
    page = client.get("/account/set-password")
    assert page.status_code == 200 and "Choose a new password" in body(page) and 'name="name"' not in body(page)
    assert 'autocomplete="new-password"' in body(page)
    short = client.submit("/account/set-password", {"password": "too short"})
    assert short.status_code == 400 and "at least 12 characters" in body(short)
    same = client.submit("/account/set-password", {"password": demo["officer"]})
    assert same.status_code == 400 and "must not be your email address" in body(same)
    done = client.submit("/account/set-password", {"password": "a fresh long passphrase"})
    assert done.status_code == 302 and done.headers["Location"] == "/account/sign-in/code"  # the app's code still
    assert elsewhere.get("/admin/").status_code == 302  # every other session ended
    assert client.get("/admin/").status_code == 302
    assert client.submit("/account/sign-in/code", {"code": current_code(app, demo["officer"])}).status_code == 302
    assert client.get("/admin/").status_code == 200
    assert client.get("/account/set-password").status_code == 410  # used


def test_an_invitation_through_the_pages(app, client, demo, sign_in):
    sign_in(demo["admin"])
    page = client.get("/admin/people/invite")
    assert page.status_code == 200
    missing = client.submit("/admin/people/invite", {"email": "", "role": "councillor"})
    assert missing.status_code == 400 and "Enter their email address" in body(missing)
    no_ward = client.submit("/admin/people/invite", {"email": "new.cllr@example.org", "role": "councillor", "ward": ""})
    assert no_ward.status_code == 400 and "Choose the councillor" in body(no_ward)
    with app.app_context():
        ward_id = str(db.session.scalar(select(RoleGrant.ward_id).where(RoleGrant.ward_id.is_not(None))))
    sent = client.submit("/admin/people/invite", {"email": "new.cllr@example.org", "role": "councillor", "ward": ward_id})
    assert sent.status_code == 302 and sent.headers["Location"] == "/admin/people"
    listing = body(client.get("/admin/people"))
    assert "Invitation sent to new.cllr@example.org" in listing and "Waiting: the link works until" in listing
    subject, text = last_email(app, "new.cllr@example.org")
    assert subject == "You are invited to Ward Budgets" and "Alex Admin" in text and "72 hours" in text

    invitee = FormClient(app.test_client())
    invitee.get(link_path(app, "new.cllr@example.org"))
    form = invitee.get("/account/set-password")
    assert "Set up your staff account" in body(form) and 'name="name"' in body(form)
    assert invitee.submit("/account/set-password", {"name": "", "password": "a long enough password"}).status_code == 400
    done = invitee.submit("/account/set-password", {"name": "Cllr New", "password": "a long enough password"})
    assert done.headers["Location"] == "/account/sign-in/set-up"
    secret = secret_from_page(body(invitee.get("/account/sign-in/set-up")))
    finished = invitee.submit("/account/sign-in/set-up", {"code": code_for(secret)})
    assert finished.headers["Location"] == "/admin/"
    assert invitee.get("/admin/").status_code == 200
    assert "Cllr New" in body(client.get("/admin/people"))


# --- the people pages -------------------------------------------------------------------

def test_only_admins_see_the_people_pages(app, client, demo, sign_in):
    assert client.get("/admin/people").headers["Location"].startswith("/account/sign-in")
    sign_in(demo["officer"])
    assert client.get("/admin/people").status_code == 403
    assert client.get("/admin/people/invite").status_code == 403
    assert "/admin/people" not in body(client.get("/admin/"))
    client.submit("/account/sign-out", {})
    sign_in(demo["admin"])
    assert 'href="/admin/people"' in body(client.get("/admin/"))
    listing = body(client.get("/admin/people"))
    assert "Olu Officer" in listing and "officer@demo.lambeth.example" in listing
    assert "Cllr " in listing and "Set up" in listing


def test_admins_grant_and_withdraw_roles_with_a_record(app, client, demo, sign_in):
    person_id = new_officer(app)
    sign_in(demo["admin"])
    assert client.get(f"/admin/people/{person_id}/grant").status_code == 200
    granted = client.submit(f"/admin/people/{person_id}/grant", {"role": "equalities"})
    assert granted.status_code == 302
    again = client.submit(f"/admin/people/{person_id}/grant", {"role": "equalities"})
    assert again.status_code == 400 and "They already have this role" in body(again)
    with app.app_context():
        grant_id = db.session.scalar(select(RoleGrant.id).where(RoleGrant.person_id == person_id,
                                                                RoleGrant.role == "officer"))
    confirm = client.get(f"/admin/people/{person_id}/roles/{grant_id}/withdraw")
    assert confirm.status_code == 200 and "Withdraw Council officer from Test Officer?" in body(confirm)
    withdrawn = client.submit(f"/admin/people/{person_id}/roles/{grant_id}/withdraw", {})
    assert withdrawn.status_code == 302
    listing = body(client.get("/admin/people"))
    assert "Council officer withdrawn from Test Officer." in listing
    assert listing.count('class="govuk-table__row pb-audit-entry"') == 2
    assert "Gave a role: Equalities panel member" in listing and "Withdrew a role: Council officer" in listing
    with app.app_context():
        assert db.session.scalar(select(StaffAudit.actor_id).where(StaffAudit.action == "withdrawn")) is not None
    assert client.get(f"/admin/people/{person_id}/roles/{grant_id}/withdraw").status_code == 404  # gone


def test_the_last_admin_cannot_withdraw_their_own_admin_role(app, client, demo, sign_in):
    sign_in(demo["admin"])
    with app.app_context():
        admin = db.session.scalar(select(Person).where(Person.email == demo["admin"]))
        grant_id, person_id = admin.roles[0].id, admin.id
    refused = client.submit(f"/admin/people/{person_id}/roles/{grant_id}/withdraw", {})
    assert refused.status_code == 409
    assert "You cannot withdraw the admin role from the last administrator" in body(refused)
    assert "govuk-error-summary" in body(refused)
    assert client.get("/admin/people").status_code == 200  # still an admin, still signed in


def test_an_admin_resets_a_second_factor(app, client, demo, sign_in):
    officer = FormClient(app.test_client())
    sign_in_staff(officer, demo["officer"])
    sign_in(demo["admin"])
    with app.app_context():
        person_id = db.session.scalar(select(Person.id).where(Person.email == demo["officer"]))
    assert "Check first that it is really them" in body(client.get(f"/admin/people/{person_id}/reset-second-factor"))
    assert client.submit(f"/admin/people/{person_id}/reset-second-factor", {}).status_code == 302
    assert officer.get("/admin/").status_code == 302  # signed out at once
    # the old password opens nothing now: the way back is the link emailed to the officer
    assert password_step(officer, demo["officer"]).status_code != 302
    with app.app_context():
        message = db.session.scalars(select(EmailOutboxMessage).order_by(EmailOutboxMessage.id.desc())).first()
        assert message.address == demo["officer"] and "/account/link/" in message.body
    assert "Reset the second factor" in body(client.get("/admin/people"))

"""Staff accounts under attack: "Forgot your password?" tells nothing about which emails
exist, one-time links work once, the cookie of a sign-in waiting for its code is worthless
once that sign-in is over, and wrong codes and reset requests are limited."""

import re
import statistics
import time

import pytest
from sqlalchemy import func, select

from pb.extensions import limiter
from pb.models import EmailOutboxMessage, Person, RoleGrant, StaffLink, db
from pb.web.account.routes import STAFF_PENDING
from tests.conftest import FormClient
from tests.second_factor import current_code, secret_from_page, sign_in_staff

KNOWN = "known.officer@example.org"
UNKNOWN = "nobody.here@example.org"
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


@pytest.fixture
def known(app):
    with app.app_context():
        person = Person(name="Known Officer", email=KNOWN)
        person.set_password("right-password")
        person.roles.append(RoleGrant(role="officer"))
        db.session.add(person)
        db.session.commit()


@pytest.fixture
def limits_on(app, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_ENABLED", True)
    limiter.reset()
    yield
    limiter.reset()


def client_at(app, address) -> FormClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return FormClient(client)


def body(response) -> str:
    return response.get_data(as_text=True)


def main_of(html: str) -> str:
    return re.sub(r'name="csrf_token" type="hidden" value="[^"]*"', "",
                  re.search(r"<main.*</main>", html, re.S).group(0))


def post_with_token(client, url, data):
    """Post as a browser holding this session would, with its CSRF token taken from a page
    that has a form (a refused link's page has none)."""
    token = CSRF.search(body(client.get("/account/sign-in"))).group(1)
    return client.post(url, data={"csrf_token": token, **data})


def emails(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(EmailOutboxMessage))


def link_path(app, address) -> str:
    with app.app_context():
        text = db.session.scalar(select(EmailOutboxMessage.body).where(EmailOutboxMessage.address == address)
                                 .order_by(EmailOutboxMessage.id.desc()))
    return re.search(r"(/account/link/[A-Za-z0-9_-]+)", text).group(1)


# --- "Forgot your password?" --------------------------------------------------------------

def test_a_known_and_an_unknown_email_get_the_same_reset_answer(app, client, known):
    answers = []
    for email in (KNOWN, UNKNOWN):
        before = emails(app)
        response = client.submit("/account/forgot-password", {"email": email})
        page = client.get(response.headers["Location"])
        answers.append((response.status_code, response.headers["Location"], page.status_code, main_of(body(page))))
        assert emails(app) == before + 1  # one email either way
    assert answers[0] == answers[1]
    with app.app_context():  # and one link row either way (the unknown one opens nothing)
        assert db.session.scalar(select(func.count()).select_from(StaffLink)) == 2


def test_a_known_and_an_unknown_email_take_about_as_long_to_reset(app, client, known):
    """The medians of 15 requests each, interleaved, within 3x of each other."""
    token = CSRF.search(body(client.get("/account/forgot-password"))).group(1)

    def attempt(email):
        started = time.perf_counter()
        response = client.post("/account/forgot-password", data={"csrf_token": token, "email": email})
        assert response.status_code == 302
        return time.perf_counter() - started

    attempt("warm.up@example.org")
    known_times, unknown_times = [], []
    for _ in range(15):
        known_times.append(attempt(KNOWN))
        unknown_times.append(attempt(UNKNOWN))
    slow, fast = sorted((statistics.median(known_times), statistics.median(unknown_times)), reverse=True)
    assert slow < 3 * fast, (statistics.median(known_times), statistics.median(unknown_times))


def test_reset_requests_are_limited_per_email_and_per_address(app, known, limits_on, monkeypatch):
    for n in range(3):
        assert client_at(app, f"192.0.2.{n + 1}").submit("/account/forgot-password", {"email": KNOWN}).status_code == 302
    refused = client_at(app, "192.0.2.9").submit("/account/forgot-password", {"email": KNOWN.upper()})
    assert refused.status_code == 429 and emails(app) == 3
    monkeypatch.setitem(app.config, "RATELIMIT_PASSWORD_RESETS_PER_IP", "2 per hour")
    sprayer = client_at(app, "198.51.100.30")
    for n in range(2):
        assert sprayer.submit("/account/forgot-password", {"email": f"staff{n}@example.org"}).status_code == 302
    assert sprayer.submit("/account/forgot-password", {"email": "staff9@example.org"}).status_code == 429


# --- one-time links ---------------------------------------------------------------------

def test_an_old_reset_link_is_refused(app, client, known):
    client.submit("/account/forgot-password", {"email": KNOWN})
    old = link_path(app, KNOWN)
    client.submit("/account/forgot-password", {"email": KNOWN})
    new = link_path(app, KNOWN)
    visitor = FormClient(app.test_client())
    assert visitor.get(old).headers["Location"] == "/account/set-password"
    gone = visitor.get("/account/set-password")
    assert gone.status_code == 410 and "This link does not work any more" in body(gone)
    refused = post_with_token(visitor, "/account/set-password", {"password": "an attacker's password"})
    assert refused.status_code == 410
    visitor.get(new)
    assert visitor.get("/account/set-password").status_code == 200


def test_a_used_invitation_link_is_refused(app, client, demo, sign_in):
    sign_in(demo["admin"])
    client.submit("/admin/people/invite", {"email": "invitee@example.org", "role": "officer"})
    link = link_path(app, "invitee@example.org")
    invitee = FormClient(app.test_client())
    invitee.get(link)
    assert invitee.submit("/account/set-password", {"name": "In Vitee", "password": "the invitee's password"}).status_code == 302
    for again in (invitee, FormClient(app.test_client())):
        again.get(link)
        assert again.get("/account/set-password").status_code == 410
        again.get(link)
        answer = post_with_token(again, "/account/set-password", {"name": "Someone", "password": "another long password"})
        assert answer.status_code == 410
    with app.app_context():
        person = db.session.scalar(select(Person).where(Person.email == "invitee@example.org"))
        assert person.name == "In Vitee" and person.check_password("the invitee's password")


def test_a_link_token_is_kept_only_hashed_and_leaves_the_address_bar(app, client, known):
    client.submit("/account/forgot-password", {"email": KNOWN})
    path = link_path(app, KNOWN)
    token = path.rsplit("/", 1)[1]
    with app.app_context():
        rows = " ".join(str(r) for r in db.session.execute(select(StaffLink.__table__)).all())
    assert token not in rows
    response = client.get(path)
    assert response.status_code == 302 and token not in response.headers["Location"]
    assert token not in body(client.get("/account/set-password"))


# --- the waiting sign-in ---------------------------------------------------------------

def test_a_copied_cookie_from_the_pending_step_is_worthless(app, client, demo):
    client.submit("/account/sign-in", {"email": demo["officer"], "password": "test-password"})
    thief = FormClient(app.test_client())
    thief.set_cookie("session", client.get_cookie("session").value)
    token = CSRF.search(body(thief.get("/account/sign-in"))).group(1)  # the copy, with a CSRF token of its own
    copied = thief.get_cookie("session").value
    assert thief.get("/admin/").status_code == 302  # it never signed anyone in
    # the owner finishes signing in; the copy cannot be finished with a fresh code
    assert client.submit("/account/sign-in/code", {"code": current_code(app, demo["officer"])}).status_code == 302
    thief.set_cookie("session", copied)
    answer = thief.post("/account/sign-in/code", data={"csrf_token": token, "code": current_code(app, demo["officer"])})
    assert answer.status_code == 302 and answer.headers["Location"] == "/account/sign-in"
    assert thief.get("/admin/").status_code == 302


def test_replaying_the_pending_cookie_does_not_buy_more_guesses(app, client, demo):
    client.submit("/account/sign-in", {"email": demo["officer"], "password": "test-password"})
    token = CSRF.search(body(client.get("/account/sign-in/code"))).group(1)
    copied = client.get_cookie("session").value  # before any wrong code
    bad = f"{(int(current_code(app, demo['officer'])) + 500_000) % 10**6:06d}"
    answers = []
    for _ in range(8):
        client.set_cookie("session", copied)  # the cookie from before any wrong code
        answers.append(client.post("/account/sign-in/code", data={"csrf_token": token, "code": bad}).status_code)
    assert answers == [400] * 4 + [302] * 4  # the count is on the server: 5 wrong codes end it
    client.set_cookie("session", copied)
    right = client.post("/account/sign-in/code", data={"csrf_token": token, "code": current_code(app, demo["officer"])})
    assert right.headers["Location"] == "/account/sign-in" and client.get("/admin/").status_code == 302


def test_a_forged_marker_opens_nothing(app, client, demo):
    victim = FormClient(app.test_client())
    victim.submit("/account/sign-in", {"email": demo["admin"], "password": "test-password"})
    with victim.session_transaction() as session:
        theirs = dict(session[STAFF_PENDING])
    client.get("/account/sign-in")
    for forged in ({**theirs, "nonce": "guessed"}, {**theirs, "attempt": theirs["attempt"] + 1},
                   {**theirs, "attempt": "1"}, {**theirs, "expires": "9999999999"}, "junk"):
        with client.session_transaction() as session:
            session[STAFF_PENDING] = forged
        assert client.get("/account/sign-in/code").headers["Location"] == "/account/sign-in", forged
        assert client.get("/account/sign-in/set-up").headers["Location"] == "/account/sign-in", forged


def test_wrong_codes_are_limited_per_account(app, demo, limits_on, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_STAFF_CODES_PER_ACCOUNT", "20 per hour;5 per day")
    bad = f"{(int(current_code(app, demo['officer'])) + 500_000) % 10**6:06d}"
    answers = []
    for n in range(2):  # two sign-ins from two addresses: 5 wrong codes (the 5th ends it), then 2 more
        guesser = client_at(app, f"198.51.100.{40 + n}")
        guesser.submit("/account/sign-in", {"email": demo["officer"], "password": "test-password"})
        for _ in range(5 if n == 0 else 2):
            answers.append(guesser.submit("/account/sign-in/code", {"code": bad}).status_code)
    assert answers == [400] * 4 + [302] + [400, 429]
    # another account is not held up by it
    other = client_at(app, "198.51.100.40")
    assert sign_in_staff(other, demo["admin"]).status_code == 302


def test_the_secret_is_shown_only_on_the_set_up_page_and_never_printed(app, client, known, capsys):
    client.submit("/account/sign-in", {"email": KNOWN, "password": "right-password"})
    secret = secret_from_page(body(client.get("/account/sign-in/set-up")))
    from tests.second_factor import code_for

    client.submit("/account/sign-in/set-up", {"code": code_for(secret)})
    assert client.get("/admin/").status_code == 200
    printed = capsys.readouterr()
    assert secret not in printed.out and secret not in printed.err
    with client.session_transaction() as session:
        assert secret not in str(dict(session))


def test_a_password_alone_cannot_set_up_an_authenticator_once_the_link_is_old(app, client, demo, sign_in):
    """Someone who learns an invitee's password after the invitee set it (but never finished
    setting up their app) cannot set up their own app: that needs a link used in the last
    30 minutes, so a fresh one from the invitee's mailbox."""
    sign_in(demo["admin"])
    client.submit("/admin/people/invite", {"email": "late@example.org", "role": "officer"})
    invitee = FormClient(app.test_client())
    invitee.get(link_path(app, "late@example.org"))
    assert invitee.submit("/account/set-password",
                          {"name": "Late Starter", "password": "the invitee's password"}).status_code == 302
    with app.app_context():
        from datetime import timedelta
        for row in db.session.scalars(select(StaffLink).where(StaffLink.used_at.is_not(None))):
            row.used_at -= timedelta(minutes=31)
        db.session.commit()
    thief = FormClient(app.test_client())
    for path in ("/account/sign-in/code", "/account/sign-in/set-up"):
        answer = thief.submit("/account/sign-in", {"email": "late@example.org",
                                                   "password": "the invitee's password"})
        assert answer.status_code == 302
        page = thief.get(path, follow_redirects=True)
        assert "/account/sign-in/set-up" not in page.request.path
        assert "You need a new link" in body(page)
    with app.app_context():
        person = db.session.scalar(select(Person).where(Person.email == "late@example.org"))
        from pb.models import StaffCredential
        credential = db.session.get(StaffCredential, person.id)
        assert credential is None or (credential.pending_secret is None and credential.totp_secret is None)
    # a reset link from the mailbox opens the window again
    client.submit("/account/forgot-password", {"email": "late@example.org"})
    again = FormClient(app.test_client())
    again.get(link_path(app, "late@example.org"))
    assert again.submit("/account/set-password", {"password": "a brand new password"}).status_code == 302
    signed = sign_in_staff(again, "late@example.org", password="a brand new password")
    assert again.get("/account/").status_code == 200, signed

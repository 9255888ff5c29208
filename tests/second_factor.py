"""Signing staff in through both steps, as a person with the authenticator app would: the
password, then a code computed with pyotp from the secret the account has (the demo's
documented one, or whatever set-up stored), or, the first time, from the key the set-up
page shows.

`sign_in_staff` drives a Flask test client, `sign_in_over_http` a requests session on the
live server and `sign_in_in_browser` a Playwright page; each ends signed in."""

import re
import time

import pyotp
from sqlalchemy import func, select

from pb.models import Person, StaffCredential, db
from pb.services import staff

# the suite's app (tests/conftest.py's `app` fixture puts it here), for the browser tests,
# which reach the live server and have no app of their own to read a secret with
APPS: list = []

SECRET_ON_PAGE = re.compile(r'class="pb-totp-secret">([A-Z2-7 ]+)<')
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def code_for(secret: str, last_step: int | None = None) -> str:
    """The code the app shows now, or the next one if now's was used already (the server
    accepts one step ahead, so a second sign-in within 30 seconds still works)."""
    step = staff.current_step()
    if last_step is not None and last_step >= step + 1:
        time.sleep((last_step + 1) * staff.TOTP_STEP - time.time() + 0.1)  # wait for a fresh step
        step = staff.current_step()
    if last_step is not None and last_step >= step:
        step = last_step + 1
    return pyotp.TOTP(secret, interval=staff.TOTP_STEP).generate_otp(step)


def current_code(app, email: str) -> str:
    """A good code for a staff account that has set up its app."""
    with (app or APPS[-1]).app_context():
        person = db.session.scalar(select(Person).where(func.lower(Person.email) == email.lower()))
        credential = db.session.get(StaffCredential, person.id)
        secret = staff.open_secret(person.id, credential.totp_secret)
        last_step = credential.last_step
        db.session.remove()
    return code_for(secret, last_step)


def secret_from_page(html: str) -> str:
    return SECRET_ON_PAGE.search(html).group(1).replace(" ", "")


def sign_in_staff(client, email, password="test-password", next=None):
    """Both steps with a FormClient; returns the last answer (a redirect to `next` or home)."""
    app = client.application
    options = {"query_string": {"next": next}} if next else {}
    response = client.submit("/account/sign-in", {"email": email, "password": password}, **options)
    if response.status_code != 302:
        return response
    where = response.headers["Location"]
    if where.endswith("/account/sign-in/set-up"):
        page = client.get(where).get_data(as_text=True)
        code = code_for(secret_from_page(page))
    elif where.endswith("/account/sign-in/code"):
        code = current_code(app, email)
    else:
        return response  # no second factor (a resident with a password)
    return client.submit(where, {"code": code})


def sign_in_over_http(http, base_url, app, email, password="test-password"):
    """Both steps with a requests.Session against the live server; returns the last answer."""
    page = http.get(f"{base_url}/account/sign-in")
    response = http.post(f"{base_url}/account/sign-in", allow_redirects=False, data={
        "csrf_token": CSRF.search(page.text).group(1), "email": email, "password": password})
    assert response.status_code == 302, response.text[:300]
    page = http.get(f"{base_url}{response.headers['Location']}")
    code = code_for(secret_from_page(page.text)) if "set-up" in page.url else current_code(app, email)
    return http.post(page.url, allow_redirects=False,
                     data={"csrf_token": CSRF.search(page.text).group(1), "code": code})


def sign_in_in_browser(page, axe_check, email, password="test-password", app=None):
    """On the sign-in page already: both steps in the browser, every page axe-checked."""
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    with page.expect_navigation():
        page.locator("form button[type=submit]").click()
    axe_check(page)
    if page.url.endswith("/account/sign-in/set-up"):
        code = code_for(page.locator(".pb-totp-secret").inner_text().replace(" ", ""))
    else:
        assert page.url.endswith("/account/sign-in/code"), page.url
        code = current_code(app, email)
    page.locator("#code").fill(code)
    with page.expect_navigation():
        page.locator("form button[type=submit]").click()
    axe_check(page)

"""In Chromium: an admin invites an officer; the officer opens the link from the development
outbox, sets a password, sets up an authenticator app (the code computed with pyotp from
the key the page shows), signs out, and signs in again with password and code. axe checks
every page."""

import re

import pytest
from playwright.sync_api import expect

from tests.second_factor import code_for, current_code, sign_in_in_browser

pytestmark = pytest.mark.e2e

OFFICER = "nia.officer@example.org"


def test_an_admin_invites_an_officer_who_sets_up_a_second_factor(app, demo, browser, live_server, axe_check):
    admin = axe_check.watch(browser.new_context().new_page())
    admin.goto(f"{live_server}/account/sign-in")
    axe_check(admin)
    sign_in_in_browser(admin, axe_check, demo["admin"])
    admin.goto(f"{live_server}/admin/")
    axe_check(admin)
    admin.get_by_role("link", name="Staff accounts: invite people, give and withdraw roles").click()
    axe_check(admin)
    admin.get_by_role("button", name="Invite someone").click()
    axe_check(admin)
    admin.get_by_role("button", name="Send the invitation").click()  # nothing filled in
    axe_check(admin)
    expect(admin.locator(".govuk-error-summary")).to_contain_text("Enter their email address")
    admin.get_by_label("Email address").fill(OFFICER)
    admin.get_by_label("Council officer").check()
    admin.get_by_role("button", name="Send the invitation").click()
    axe_check(admin)
    expect(admin.locator(".govuk-notification-banner")).to_contain_text(f"Invitation sent to {OFFICER}")
    expect(admin.locator("tr", has_text=OFFICER).first).to_contain_text("Waiting: the link works until")

    # the officer, on their phone, finds the email in the development outbox
    context = browser.new_context(viewport={"width": 360, "height": 740})
    officer = axe_check.watch(context.new_page())
    officer.goto(f"{live_server}/dev/outbox")
    axe_check(officer)
    email = officer.locator("tr", has_text=OFFICER).first.locator(".pb-outbox-body").inner_text()
    link = re.search(r"http://\S+/account/link/[A-Za-z0-9_-]+", email).group(0)
    officer.goto(link)
    axe_check(officer)
    assert officer.url.endswith("/account/set-password")  # the token is not left in the address bar
    expect(officer.get_by_role("heading", name="Set up your staff account")).to_be_visible()
    officer.get_by_label("Your full name").fill("Nia Officer")
    officer.get_by_label("New password").fill("short")
    officer.get_by_role("button", name="Save and continue").click()
    axe_check(officer)
    expect(officer.locator(".govuk-error-summary")).to_contain_text("at least 12 characters")
    officer.get_by_label("New password").fill("kennington oval lime trees")
    officer.get_by_role("button", name="Save and continue").click()
    axe_check(officer)

    # setting up the authenticator app: the key is shown as text, in groups
    expect(officer.get_by_role("heading", name="Set up an authenticator app")).to_be_visible()
    key = officer.locator(".pb-totp-secret").inner_text()
    assert re.fullmatch(r"([A-Z2-7]{4} ){7}[A-Z2-7]{4}", key)
    assert officer.get_by_role("link", name="open the key in your authenticator app").get_attribute(
        "href").startswith("otpauth://totp/")
    code = officer.get_by_label("Code from your authenticator app")
    assert code.get_attribute("autocomplete") == "one-time-code" and code.get_attribute("inputmode") == "numeric"
    code.fill(code_for(key.replace(" ", "")))
    officer.get_by_role("button", name="Continue").click()
    axe_check(officer)
    assert officer.url.endswith("/admin/")

    # signing out, then in with the password and the app's code
    officer.goto(f"{live_server}/account/sign-out")
    axe_check(officer)
    officer.get_by_role("button", name="Sign out").click()
    axe_check(officer)
    officer.goto(f"{live_server}/admin/")
    axe_check(officer)
    assert "/account/sign-in" in officer.url
    officer.get_by_label("Email address").fill(OFFICER)
    officer.get_by_label("Password", exact=True).fill("kennington oval lime trees")
    officer.get_by_role("button", name="Sign in").click()
    axe_check(officer)
    expect(officer.get_by_role("heading", name="Enter the code from your authenticator app")).to_be_visible()
    officer.get_by_label("Code from your authenticator app").fill(current_code(app, OFFICER))
    officer.get_by_role("button", name="Continue").click()
    axe_check(officer)
    assert officer.url.endswith("/admin/")
    expect(officer.get_by_role("heading", name="Budget rounds")).to_be_visible()

    # the admin sees the officer's account set up and the record of what happened
    admin.reload()
    axe_check(admin)
    row = admin.locator("tr", has_text=OFFICER).first
    expect(row).to_contain_text("Nia Officer")
    expect(row).to_contain_text("Set up")
    expect(admin.locator(".pb-audit-entry").first).to_contain_text("Set up an authenticator app")
    context.close()

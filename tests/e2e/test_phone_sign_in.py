"""In Chromium on a phone-sized screen: a resident signs in with a code read from the
development outbox, gives their postcode once, and votes."""

import re

import pytest
from playwright.sync_api import expect

from pb.models import Round, db
from tests.factories import add_projects, make_round

pytestmark = pytest.mark.e2e

PHONE = {"width": 360, "height": 740}


def test_a_resident_signs_in_with_a_code_from_the_outbox_and_votes(app, browser, live_server, axe_check):
    with app.app_context():
        round_ = make_round("voting", wards=("stockwell-east",))
        add_projects(round_.headings[0], [3000, 4000])
        round_id = round_.id
        titles = [p.title for p in db.session.get(Round, round_id).headings[0].proposals]
    context = browser.new_context(viewport=PHONE)
    page = axe_check.watch(context.new_page())
    outbox = axe_check.watch(context.new_page())

    page.goto(f"{live_server}/vote/{round_id}")  # the ballot asks who you are
    axe_check(page)
    expect(page.get_by_role("heading", name="Sign in with your mobile phone")).to_be_visible()
    page.get_by_label("Mobile phone number").fill("07911 123456")
    page.get_by_role("button", name="Send the code").click()
    axe_check(page)
    expect(page.get_by_text("the number ending 456")).to_be_visible()

    # a wrong code first: the error summary names it
    page.get_by_label("Code from the text message").fill("000000")
    page.get_by_role("button", name="Continue").click()
    axe_check(page)
    expect(page.locator(".govuk-error-summary")).to_contain_text("The code is not right")

    outbox.goto(f"{live_server}/account/phone/shared")  # for households sharing a phone
    axe_check(outbox)
    expect(outbox.get_by_text("One mobile number is one voter")).to_be_visible()
    outbox.goto(f"{live_server}/dev/outbox")
    axe_check(outbox)
    message = outbox.locator("tr", has_text="+447911123456").first.locator(".pb-outbox-text").inner_text()
    code = re.search(r"\b(\d{6})\b", message).group(1)

    page.get_by_label("Code from the text message").fill(code)
    page.get_by_role("button", name="Continue").click()
    axe_check(page)
    expect(page.get_by_role("heading", name="Where do you live?")).to_be_visible()
    page.get_by_label("Your postcode").fill("SW9 0AA")
    page.get_by_role("button", name="Continue").click()
    axe_check(page)

    assert page.url.endswith(f"/vote/{round_id}")
    page.locator("label", has_text=titles[0]).click()
    page.locator("button[value=continue]").click()
    axe_check(page)
    page.locator("form[action$='/cast'] button").click()
    expect(page.locator(".pb-receipt")).to_be_visible()
    axe_check(page)
    context.close()

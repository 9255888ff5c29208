"""The phone sign-in's refusals, in Chromium on a phone-sized screen, with codes read from
the development outbox: five wrong codes void a code, an expired code is refused, the
fourth code for one number in an hour is refused, and a second phone number cannot vote
again with an eligibility reference that has been used. Then a youth budget, where the
resident must tick that they are within its ages. axe checks every page."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select, update

from pb.models import RollEntry, Round, SealedBallot, SignInCode, db
from pb.models.people import _now
from tests.e2e.test_admin_pages import staff_sign_in
from tests.e2e.test_phone_sign_in import PHONE
from tests.e2e.test_round_journey import go
from tests.factories import add_projects, make_round, set_phase

pytestmark = pytest.mark.e2e

NUMBER, E164 = "07911 123456", "+447911123456"
OTHER_NUMBER, OTHER_E164 = "07911 123999", "+447911123999"


def phone_pages(browser, axe_check):
    """A resident's browser: the page they use, and a tab on the development outbox."""
    context = browser.new_context(viewport=PHONE)
    return axe_check.watch(context.new_page()), axe_check.watch(context.new_page())


def ask_for_a_code(page, axe_check, number=NUMBER):
    expect(page.get_by_role("heading", name="Sign in with your mobile phone")).to_be_visible()
    page.get_by_label("Mobile phone number").fill(number)
    page.get_by_role("button", name="Send the code").click()
    axe_check(page)


def code_from_outbox(outbox, live_server, axe_check, e164=E164) -> str:
    """The newest code texted to the number."""
    go(outbox, axe_check, f"{live_server}/dev/outbox")
    message = outbox.locator("tr", has_text=e164).first.locator(".pb-outbox-text").inner_text()
    return re.search(r"\b(\d{6})\b", message).group(1)


def enter_code(page, axe_check, code):
    page.get_by_label("Code from the text message").fill(code)
    page.get_by_role("button", name="Continue").click()
    axe_check(page)


def signs_in_by_phone(page, outbox, live_server, axe_check, number, e164, postcode="SW9 0AA"):
    """From the phone sign-in page to signed in (a new number gives its postcode once)."""
    ask_for_a_code(page, axe_check, number)
    enter_code(page, axe_check, code_from_outbox(outbox, live_server, axe_check, e164))
    expect(page.get_by_role("heading", name="Where do you live?")).to_be_visible()
    page.get_by_label("Your postcode").fill(postcode)
    page.get_by_role("button", name="Continue").click()
    axe_check(page)


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def error_summary(page):
    return page.locator(".govuk-error-summary")


def test_five_wrong_codes_void_the_code(app, browser, live_server, axe_check):
    page, outbox = phone_pages(browser, axe_check)
    go(page, axe_check, f"{live_server}/account/phone")
    ask_for_a_code(page, axe_check)
    code = code_from_outbox(outbox, live_server, axe_check)
    for _ in range(4):
        enter_code(page, axe_check, wrong(code))
        expect(error_summary(page)).to_contain_text("The code is not right")
    enter_code(page, axe_check, wrong(code))  # the fifth
    expect(error_summary(page)).to_contain_text("entered wrongly 5 times and no longer works")

    enter_code(page, axe_check, code)  # the right code, too late
    expect(error_summary(page)).to_contain_text(
        "This code was entered wrongly 5 times and no longer works. Ask for a new code.")
    expect(page.locator("#code-error")).to_contain_text("Ask for a new code")
    assert page.url.endswith("/account/phone/code")
    go(page, axe_check, f"{live_server}/account/phone/postcode")  # not verified: start again
    expect(page.get_by_role("heading", name="Sign in with your mobile phone")).to_be_visible()

    # a new code works
    ask_for_a_code(page, axe_check)
    enter_code(page, axe_check, code_from_outbox(outbox, live_server, axe_check))
    expect(page.get_by_role("heading", name="Where do you live?")).to_be_visible()
    page.context.close()


def test_an_expired_code_is_refused(app, browser, live_server, axe_check):
    page, outbox = phone_pages(browser, axe_check)
    go(page, axe_check, f"{live_server}/account/phone")
    ask_for_a_code(page, axe_check)
    code = code_from_outbox(outbox, live_server, axe_check)
    with app.app_context():  # eleven minutes pass
        db.session.execute(update(SignInCode).values(
            created_at=_now() - timedelta(minutes=11), expires_at=_now() - timedelta(minutes=1)))
        db.session.commit()
    enter_code(page, axe_check, code)
    expect(error_summary(page)).to_contain_text("This code has expired. Ask for a new code.")
    expect(page.locator("#code-error")).to_contain_text("This code has expired")
    page.get_by_role("link", name="Send a new code").click()
    axe_check(page)
    expect(page.get_by_role("heading", name="Sign in with your mobile phone")).to_be_visible()
    page.context.close()


def test_the_fourth_code_in_an_hour_is_refused(app, browser, live_server, axe_check):
    page, outbox = phone_pages(browser, axe_check)
    go(page, axe_check, f"{live_server}/account/phone")
    for _ in range(3):
        ask_for_a_code(page, axe_check)
        expect(page.get_by_text("the number ending 456")).to_be_visible()
        page.get_by_role("link", name="Send a new code").click()
        axe_check(page)
    ask_for_a_code(page, axe_check)  # the fourth
    expect(error_summary(page)).to_contain_text(
        "You have asked for 3 codes for this number in the last hour. Wait an hour, then ask for a new code.")
    expect(page.locator("#number-error")).to_contain_text("Wait an hour")
    error_summary(page).get_by_role("link").click()
    expect(page.get_by_label("Mobile phone number")).to_be_focused()
    # only three codes were sent
    go(outbox, axe_check, f"{live_server}/dev/outbox")
    expect(outbox.locator("tr", has_text=E164)).to_have_count(3)
    # another number is not held up by it
    ask_for_a_code(page, axe_check, OTHER_NUMBER)
    expect(page.get_by_text("the number ending 999")).to_be_visible()
    page.context.close()


def test_a_second_number_cannot_vote_again_with_a_used_reference(
        app, demo, browser, live_server, axe_check, tmp_path):
    with app.app_context():
        round_ = make_round("review")
        add_projects(round_.headings[0], [3000, 4000])
        round_id = round_.id
    register = tmp_path / "register.csv"
    register.write_text("reference\nAB 12 34 56\nCD789012\n")

    officer = axe_check.watch(browser.new_context(viewport=PHONE).new_page())
    staff_sign_in(officer, live_server, axe_check, demo["officer"])
    go(officer, axe_check, f"{live_server}/admin/rounds/{round_id}")
    officer.get_by_label("Upload a list of reference numbers").set_input_files(str(register))
    officer.get_by_role("button", name="Upload the list").click()
    axe_check(officer)
    expect(officer.get_by_text("The eligibility list now holds 2 reference numbers")).to_be_visible()
    officer.context.close()
    with app.app_context():
        set_phase(db.session.get(Round, round_id), "voting")

    def resident_votes(number, e164, reference):
        page, outbox = phone_pages(browser, axe_check)
        go(page, axe_check, f"{live_server}/vote/{round_id}")  # the ballot asks who you are
        signs_in_by_phone(page, outbox, live_server, axe_check, number, e164)
        assert page.url.endswith(f"/vote/{round_id}")
        page.locator("label", has_text="Project 1").click()
        page.locator("button[value=continue]").click()
        axe_check(page)
        page.get_by_label("Your reference number").fill(reference)
        page.locator("form[action$='/cast'] button").click()
        axe_check(page)
        return page

    first = resident_votes(NUMBER, E164, "AB123456")
    expect(first.locator(".pb-receipt")).to_be_visible()
    first.context.close()

    second = resident_votes(OTHER_NUMBER, OTHER_E164, "ab 12 34 56")
    expect(error_summary(second)).to_contain_text("We cannot accept that reference number")
    expect(second.locator("#reference-error")).to_contain_text("We cannot accept that reference number")
    error_summary(second).get_by_role("link").click()
    expect(second.get_by_label("Your reference number")).to_be_focused()
    assert re.search(r"/vote/\d+/cast$", second.url)
    with app.app_context():  # their ballot was not cast: one voter, one sealed ballot
        assert db.session.scalar(select(func.count()).select_from(RollEntry)) == 1
        assert db.session.scalar(select(func.count()).select_from(SealedBallot)) == 1
    # the second resident can still vote, with their own reference
    second.get_by_label("Your reference number").fill("CD789012")
    second.locator("form[action$='/cast'] button").click()
    expect(second.locator(".pb-receipt")).to_be_visible()
    axe_check(second)
    second.context.close()


def test_a_youth_budget_asks_the_resident_to_declare_their_age(app, browser, live_server, axe_check):
    with app.app_context():
        round_ = make_round("voting", min_age=11, max_age=25)
        add_projects(round_.headings[0], [3000, 4000])
        round_id = round_.id
    page, outbox = phone_pages(browser, axe_check)
    go(page, axe_check, f"{live_server}/rounds/{round_id}")
    expect(page.get_by_text("This budget is for people aged 11 to 25.")).to_be_visible()
    page.get_by_role("button", name="Vote now").click()
    axe_check(page)
    signs_in_by_phone(page, outbox, live_server, axe_check, NUMBER, E164)
    page.locator("label", has_text="Project 1").click()
    page.locator("button[value=continue]").click()
    axe_check(page)

    box = page.get_by_label("I am aged 11 to 25")
    expect(box).not_to_be_checked()
    page.locator("form[action$='/cast'] button").click()  # without ticking it
    axe_check(page)
    message = "Confirm that you are aged 11 to 25 to vote in this round"
    expect(error_summary(page)).to_contain_text(message)
    expect(page.locator("#age_declared-error")).to_contain_text(message)
    error_summary(page).get_by_role("link").click()
    expect(box).to_be_focused()
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(RollEntry)) == 0

    page.keyboard.press("Space")  # ticked from the keyboard
    expect(box).to_be_checked()
    page.locator("form[action$='/cast'] button").click()
    expect(page.locator(".pb-receipt")).to_be_visible()
    axe_check(page)
    with app.app_context():
        assert [e.age_declared for e in db.session.scalars(select(RollEntry))] == [True]
    page.context.close()

"""Assisted voting and paper ballots in a real browser.

(a) An officer signs in on a phone-sized screen with JavaScript off (320 px wide), checks a
resident in person, opens their ballot, the resident votes, and the officer's page shows
the receipt. (b) Two officers double-key 10 paper ballots with one mismatch: the count
refuses while the mismatch waits, a supervisor who keyed neither keying resolves it
against the paper, and the count then includes all 10. axe checks every page."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from pb.models import Ballot, Person, RoleGrant, Round, db
from tests.e2e.conftest import no_horizontal_scroll
from tests.e2e.test_admin_pages import staff_sign_in
from tests.e2e.test_round_journey import new_page
from tests.factories import add_projects, make_round, set_phase

pytestmark = pytest.mark.e2e


def test_an_officer_records_an_assisted_ballot_at_320px_without_javascript(
        app, demo, no_js_page, live_server, axe_check):
    with app.app_context():
        round_ = make_round("voting")
        add_projects(round_.headings[0], [3000, 4000])
        round_id = round_.id
    page = no_js_page
    page.set_viewport_size({"width": 320, "height": 700})
    staff_sign_in(page, live_server, axe_check, demo["officer"])
    page.goto(f"{live_server}/admin/rounds/{round_id}")
    axe_check(page)
    page.get_by_role("link", name="Help a resident to vote").click()
    axe_check(page)
    assert no_horizontal_scroll(page)

    # a postcode in another ward is refused next to the field
    page.get_by_label("Resident's full name").fill("Amara Okafor")
    page.locator("#born-day").fill("27")
    page.locator("#born-month").fill("3")
    page.locator("#born-year").fill("1970")
    page.get_by_label("Postcode").fill("SW2 1AH")
    page.get_by_label("I have seen a document with their name and date of birth").check()
    page.get_by_role("button", name="Continue to the ballot").click()
    axe_check(page)
    expect(page.locator(".govuk-error-summary")).to_contain_text("which is not part of this round")
    page.get_by_label("Postcode").fill("SW9 0AA")
    page.get_by_role("button", name="Continue to the ballot").click()
    axe_check(page)

    expect(page.get_by_role("heading", name="Your ballot")).to_be_visible()
    assert no_horizontal_scroll(page)
    page.locator("label", has_text="Project 2").click()
    page.locator("button[value=continue]").click()
    axe_check(page)
    expect(page.get_by_role("heading", name="Check your answers before you vote")).to_be_visible()
    page.get_by_role("button", name="Cast my vote").click()
    axe_check(page)
    receipt = page.locator(".pb-receipt").inner_text()
    assert re.fullmatch(r"[A-Z2-7]{4}(-[A-Z2-7]{1,4}){6}", receipt)
    assert no_horizontal_scroll(page)

    # the officer's device holds nothing more: the ballot page sends them back to the check
    page.goto(f"{live_server}/assist/rounds/{round_id}/confirm")
    axe_check(page)
    expect(page.get_by_role("heading", name="Check the resident's identity")).to_be_visible()


def staff(email: str) -> None:
    from pb.models.people import hash_password

    person = Person(name="Second Officer", email=email, password_hash=hash_password("test-password"))
    person.roles.append(RoleGrant(role="officer"))
    db.session.add(person)
    db.session.commit()


def key(page, axe_check, number: int, project: str):
    page.get_by_label("Paper number").fill(str(number))
    page.locator("label", has_text=project).click()
    page.get_by_role("button", name="Save this keying").click()
    axe_check(page)


def test_two_officers_double_key_ten_papers_and_a_supervisor_resolves_the_mismatch(
        app, demo, browser, live_server, axe_check):
    with app.app_context():
        round_ = make_round("voting", max_choices=1)
        add_projects(round_.headings[0], [3000, 4000])
        round_id = round_.id
        staff("second.officer@example.org")

    first = new_page(browser, axe_check)
    staff_sign_in(first, live_server, axe_check, demo["officer"])
    first.goto(f"{live_server}/admin/rounds/{round_id}")
    axe_check(first)
    first.get_by_role("link", name="Paper ballots").click()
    axe_check(first)
    first.get_by_label("Ward", exact=True).select_option(label="Stockwell East")
    first.get_by_label("Label", exact=True).fill("Brixton library box 1")
    first.get_by_label("Number of papers in the batch").fill("10")
    first.get_by_role("button", name="Start the batch").click()
    axe_check(first)
    batch_url = first.url
    for number in range(1, 11):
        key(first, axe_check, number, "Project 1" if number <= 6 else "Project 2")
    expect(first.locator("#batch-summary")).to_contain_text("Keyed once10")

    second = new_page(browser, axe_check)
    staff_sign_in(second, live_server, axe_check, "second.officer@example.org")
    second.goto(batch_url)
    axe_check(second)
    for number in range(1, 11):
        # paper 7 is read differently the second time
        key(second, axe_check, number, "Project 1" if number <= 6 or number == 7 else "Project 2")
    expect(second.locator(".govuk-notification-banner")).to_contain_text("both keyings agree")
    summary = second.locator("#batch-summary")
    expect(summary).to_contain_text("Keyed twice and agreeing9")
    expect(summary).to_contain_text("Mismatches1")

    # the same officer cannot key a paper twice
    key(second, axe_check, 3, "Project 1")
    expect(second.locator(".govuk-error-summary")).to_contain_text("A different officer must key it")

    # voting closes: the mismatch keeps the count from running
    with app.app_context():
        set_phase(db.session.get(Round, round_id), "counting")
    first.goto(f"{live_server}/admin/rounds/{round_id}")
    axe_check(first)
    first.locator("#run-count").click()
    axe_check(first)
    expect(first.locator(".govuk-error-summary")).to_contain_text("1 paper ballot is not settled")
    with app.app_context():
        assert db.session.scalar(select(Round).where(Round.id == round_id)).headings[0].result is None

    # a keyer cannot resolve it
    first.goto(f"{live_server}/assist/rounds/{round_id}/paper")
    axe_check(first)
    first.get_by_role("link", name="Paper 7 of Brixton library box 1").click()
    axe_check(first)
    expect(first.get_by_text("You keyed this paper")).to_be_visible()
    first.context.close()
    second.context.close()

    # the supervisor, who keyed neither, reads the paper and settles it
    supervisor = new_page(browser, axe_check)
    staff_sign_in(supervisor, live_server, axe_check, demo["admin"])
    supervisor.goto(f"{live_server}/assist/rounds/{round_id}/paper")
    axe_check(supervisor)
    supervisor.get_by_role("link", name="Paper 7 of Brixton library box 1").click()
    axe_check(supervisor)
    supervisor.locator("label", has_text="Project 2").click()
    supervisor.get_by_role("button", name="Settle this paper").click()
    axe_check(supervisor)
    expect(supervisor.get_by_text("No mismatches are waiting.")).to_be_visible()

    supervisor.goto(f"{live_server}/admin/rounds/{round_id}")
    axe_check(supervisor)
    supervisor.locator("#run-count").click()
    axe_check(supervisor)
    expect(supervisor.get_by_text("The count has run: 10 ballots counted.")).to_be_visible()
    with app.app_context():
        channels = [b.channel for b in db.session.scalars(select(Ballot))]
        assert channels == ["paper"] * 10
    supervisor.context.close()

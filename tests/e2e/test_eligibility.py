"""A round with an eligibility list, in a real browser: an officer uploads the list of
reference numbers on the round's page, a resident votes giving one, and a second
resident giving the same one is refused in the error summary. axe checks every page."""

import re

from playwright.sync_api import expect

from pb.models import Round, db
from tests.e2e.test_round_journey import go, new_page, resident_signs_in
from tests.factories import add_projects, make_round, set_phase
from tests.second_factor import sign_in_in_browser


def test_an_officer_uploads_a_list_and_a_resident_votes_with_a_reference(
        app, demo, browser, live_server, axe_check, tmp_path):
    with app.app_context():
        round_ = make_round("review")
        add_projects(round_.headings[0], [3000, 4000])
        round_id = round_.id
    register = tmp_path / "register.csv"
    register.write_text("reference\nAB 12 34 56\nCD789012\n")

    officer = new_page(browser, axe_check)
    go(officer, axe_check, f"{live_server}/account/sign-in")
    sign_in_in_browser(officer, axe_check, "officer@demo.lambeth.example")  # password, then code
    go(officer, axe_check, f"{live_server}/admin/rounds/{round_id}")
    officer.get_by_label("Upload a list of reference numbers").set_input_files(str(register))
    officer.get_by_role("button", name="Upload the list").click()
    axe_check(officer)
    expect(officer.get_by_text("The eligibility list now holds 2 reference numbers")).to_be_visible()
    officer.context.close()

    with app.app_context():
        set_phase(db.session.get(Round, round_id), "voting")

    def vote(name, reference):
        page = new_page(browser, axe_check)
        resident_signs_in(page, live_server, axe_check, name)
        go(page, axe_check, f"{live_server}/vote/{round_id}")
        page.locator("label", has_text="Project 1").click()
        page.locator("button[value=continue]").click()
        axe_check(page)
        page.get_by_label("Your reference number").fill(reference)
        page.locator("form[action$='/cast'] button").click()
        axe_check(page)
        return page

    first = vote("Amara Okafor", "ab123456")
    expect(first.locator(".pb-receipt")).to_be_visible()
    first.context.close()

    second = vote("Piotr Nowak", "AB 12 34 56")
    summary = second.locator(".govuk-error-summary")
    expect(summary).to_contain_text("We cannot accept that reference number")
    summary.get_by_role("link").click()
    expect(second.get_by_label("Your reference number")).to_be_focused()
    assert re.search(r"/vote/\d+/cast$", second.url)
    second.context.close()

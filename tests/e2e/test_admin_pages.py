"""The officer's pages of a round, in all eight languages at 320px and with errors
showing: axe finds nothing and nothing scrolls sideways. And creating a round with
JavaScript off."""

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from pb.models import Person, Proposal, Round, db
from pb.services import voting
from tests.e2e.conftest import LANGS, no_horizontal_scroll
from tests.factories import add_projects, make_round, set_phase
from tests.second_factor import sign_in_in_browser


@pytest.fixture
def admin_rounds(app):
    with app.app_context():
        review = make_round("review", wards=("brixton-acre-lane", "clapham-town"), budget=10_000)
        proposal = Proposal(heading=review.headings[0], title="A rather long proposal title for new benches",
                            summary="Benches", description="Line one\nLine two", location="By the library",
                            category="parks", rough_cost=4000, status="submitted")
        db.session.add(proposal)
        db.session.commit()
        counted = make_round("voting", wards=("brixton-acre-lane",), budget=10_000)
        projects = add_projects(counted.headings[0], [6000, 5000])
        for name in ("Ann", "Bo"):
            person = Person(name=name, ward_id=counted.headings[0].ward_id)
            db.session.add(person)
            db.session.commit()
            voting.cast_ballot(person, counted.headings[0], [projects[0].project_id])
        set_phase(counted, "counting")
        return {"review": review.id, "proposal": proposal.id, "counted": counted.id,
                "funded": projects[0].id}


def staff_sign_in(page, live_server, axe_check, email):
    page.goto(f"{live_server}/account/sign-in")
    axe_check(page)
    sign_in_in_browser(page, axe_check, email)  # the password, then the authenticator's code


@pytest.mark.parametrize("lang", LANGS)
def test_officer_pages_in_every_language(page, live_server, axe_check, demo, app, admin_rounds, lang):
    page.set_viewport_size({"width": 320, "height": 800})
    staff_sign_in(page, live_server, axe_check, demo["officer"])

    def visit(path):
        page.goto(f"{live_server}{path}?lang={lang}")
        axe_check(page)
        assert no_horizontal_scroll(page), f"{path} scrolls sideways in {lang}"

    def submit_empty(button):
        with page.expect_navigation():
            page.locator(button).click()
        axe_check(page)
        assert page.locator(".govuk-error-summary").is_visible()
        assert no_horizontal_scroll(page), f"{page.url} with errors scrolls sideways in {lang}"

    ids = admin_rounds
    for path in ["/admin/", f"/admin/rounds/{ids['review']}", "/equalities/"]:
        visit(path)
    visit("/admin/rounds/new")
    submit_empty("main form button[type=submit]")
    visit(f"/admin/proposals/{ids['proposal']}/review")
    submit_empty("main form button[type=submit]")
    visit(f"/admin/rounds/{ids['counted']}")
    with page.expect_navigation():
        page.locator("#run-count").click()
    axe_check(page)
    with app.app_context():
        set_phase(db.session.get(Round, ids["counted"]), "results")
    visit(f"/admin/rounds/{ids['counted']}")
    visit(f"/admin/proposals/{ids['funded']}/delivery")


def test_creating_a_round_without_javascript(no_js_page, live_server, axe_check, demo, app):
    page = no_js_page
    page.set_viewport_size({"width": 320, "height": 800})
    staff_sign_in(page, live_server, axe_check, demo["officer"])
    page.goto(f"{live_server}/admin/rounds/new")
    axe_check(page)
    page.get_by_label("Title").fill("No JavaScript round")
    page.get_by_label("Brixton Acre Lane").fill("12,000")
    page.get_by_label("Points: spread a number of points over projects").check()
    page.get_by_label("Points each voter can spread").fill("10")
    page.get_by_label("Method of Equal Shares", exact=True).check()
    for offset, phase in enumerate(["proposals", "review", "voting", "counting", "results", "delivery"]):
        day = date.today() + timedelta(days=offset + 1)
        page.locator(f"#{phase}_from-day").fill(str(day.day))
        page.locator(f"#{phase}_from-month").fill(str(day.month))
        page.locator(f"#{phase}_from-year").fill(str(day.year))
    with page.expect_navigation():
        page.get_by_role("button", name="Save the draft").click()
    axe_check(page)
    assert no_horizontal_scroll(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Publish the round").click()
    axe_check(page)
    with app.app_context():
        made = db.session.query(Round).filter_by(title="No JavaScript round").one()
        assert made.ballot_type == "cumulative" and made.points == 10 and made.headings[0].budget == 12_000
        assert made.status == "published"


def test_an_officer_extends_voting_once_with_a_reason(page, live_server, axe_check, demo, app):
    with app.app_context():
        round_ = make_round("voting", wards=("brixton-acre-lane",))
        round_id, closes = round_.id, round_.counting_from - timedelta(days=1)
    staff_sign_in(page, live_server, axe_check, demo["officer"])
    page.goto(f"{live_server}/admin/rounds/{round_id}")
    axe_check(page)
    new_close = closes + timedelta(days=4)
    page.locator("#closes_on-day").fill(str(new_close.day))
    page.locator("#closes_on-month").fill(str(new_close.month))
    page.locator("#closes_on-year").fill(str(new_close.year))
    page.get_by_role("button", name="Extend voting").click()
    axe_check(page)  # the reason is missing: an error summary, then the fix
    expect(page.locator(".govuk-error-summary")).to_contain_text("Give a reason for moving the date")
    page.get_by_label("Reason for giving more time").fill("The library was closed for two days")
    page.get_by_role("button", name="Extend voting").click()
    axe_check(page)
    expect(page.get_by_text("Voting now closes at the end of")).to_be_visible()
    expect(page.get_by_role("button", name="Extend voting")).to_have_count(0)  # once only
    with app.app_context():
        assert db.session.get(Round, round_id).counting_from == new_close + timedelta(days=1)

"""The trends page across rounds in a ward, in Chromium without JavaScript: reached from the
equalities index and a round's report, axe-checked, 320px wide without sideways scrolling,
and its printable version."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import no_horizontal_scroll
from tests.e2e.test_equalities import _cookie
from tests.services.test_equality_trends import _answers, past_round

pytestmark = pytest.mark.e2e


def test_the_panel_follows_a_ward_across_rounds(no_js_page, app, live_server, axe_check, demo):
    from pb.equalities.simulate import OLDER_OWNERS

    page = no_js_page
    with app.app_context():
        past_round("Budget 2024", _answers(300, 1, OLDER_OWNERS), years_ago=2)
        second = past_round("Budget 2025", _answers(300, 2), years_ago=1)
    page.context.add_cookies([_cookie(app, live_server, email=demo["panel"])])
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(f"{live_server}/equalities/")
    axe_check(page)
    page.get_by_role("link", name="Trends across rounds – Brixton Acre Lane").first.click()
    axe_check(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Trends across rounds")
    assert no_horizontal_scroll(page), "the trends page scrolls sideways at 320px"
    rounds = page.get_by_role("table", name="Rounds in this ward, oldest first")
    expect(rounds.get_by_role("row")).to_have_count(3)
    expect(page.get_by_role("table", name="Age across rounds")).to_contain_text(
        "Closer to the ward's population than Budget 2024")
    page.get_by_role("link", name="Budget 2025").first.click()  # to that round's report
    axe_check(page)
    assert page.url.endswith(f"/equalities/headings/{second}")
    page.get_by_role("link", name="Trends across rounds in this ward").click()
    axe_check(page)
    page.get_by_role("link", name="Printable version").click()
    axe_check(page)
    expect(page.locator(".govuk-footer")).to_have_count(0)
    expect(page.get_by_role("table", name="Rounds in this ward, oldest first")).to_be_visible()

"""WCAG 2.2 AA, proven further, one journey per language: the main pages at 200% zoom and at
320px lose nothing and scroll only downwards; every control has an accessible name (from
Playwright's ARIA snapshot, what a screen reader is given); axe on every page, in error
states and after each step; and the easy-read version, switched on by a plain link without
JavaScript, is remembered across pages and switched off again."""

import re

import pytest
from playwright.sync_api import expect

from pb.services import counting
from tests.e2e.conftest import LANGS, no_horizontal_scroll
from tests.factories import add_projects, close_and_mix, make_round, officer, resident, set_phase

pytestmark = pytest.mark.e2e

CONTROLS = ("link", "button", "textbox", "checkbox", "radio", "combobox", "spinbutton", "searchbox",
            "listbox", "slider", "switch", "tab", "menuitem")
UNNAMED = re.compile(r"^\s*- (" + "|".join(CONTROLS) + r")(?=\s*(?:\[[^\]]*\]\s*)*(?::|$))", re.M)

# Everything visible must stay inside the viewport (tables scroll in their own box). Inside a
# chart only the chart's own box is checked: a chart is a diagram, which WCAG 1.4.10 lets
# keep its two-dimensional layout, and the table beside each chart gives the same figures.
LOST = """() => {
  const width = document.documentElement.clientWidth;
  const lost = [];
  for (const el of document.body.querySelectorAll("*")) {
    if (el.closest(".pb-table-wrapper, .govuk-visually-hidden, script, style, template")) continue;
    if (el.ownerSVGElement) continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    const style = getComputedStyle(el);
    if (style.visibility === "hidden" || style.display === "none") continue;
    if (box.right > width + 1 || box.left < -1) lost.push(el.tagName + "." + el.getAttribute("class") + ": " + (el.textContent || "").trim().slice(0, 40));
  }
  return lost.slice(0, 5);
}"""


def unnamed_controls(page) -> list[str]:
    snapshot = page.locator("body").aria_snapshot()
    return [line.strip() for line in snapshot.splitlines() if UNNAMED.match(line)]


@pytest.fixture
def results_round(app):
    with app.app_context():
        voting = make_round("voting", ballot_type="approval", wards=("oval",), max_choices=2)
        add_projects(voting.headings[0], [4000, 3000, 2500])
        counted = make_round("voting", wards=("oval",))
        projects = add_projects(counted.headings[0], [6000, 3000, 2500])
        from pb.services.voting import cast_ballot

        for n, picks in enumerate([[0], [0, 1], [2], [1, 2], [0]]):
            cast_ballot(resident(f"Voter {n}", "oval"), counted.headings[0],
                        [projects[i].project_id for i in picks])
        close_and_mix(counted)
        counting.count_round(officer(), counted)
        set_phase(counted, "results")
        return voting.id, counted.id, counted.headings[0].id


@pytest.mark.parametrize("lang", LANGS)
def test_main_pages_zoom_names_errors_and_easy_read(page, live_server, axe_check, results_round, lang):
    voting_id, counted_id, heading_id = results_round
    main = ["/", "/how-to-take-part", "/wards/", "/wards/oval", "/rounds/", f"/rounds/{counted_id}",
            f"/rounds/{counted_id}/wards/{heading_id}/results", "/accessibility"]

    def check(path, where):
        axe_check(page)
        assert no_horizontal_scroll(page), f"{path} scrolls sideways {where} in {lang}"
        lost = page.evaluate(LOST)
        assert not lost, f"{path} loses content {where} in {lang}: {lost}"
        assert not unnamed_controls(page), f"{path} in {lang}: controls without a name {unnamed_controls(page)}"

    # 200% zoom of a 1280px-wide window: the page lays out in 640 CSS pixels
    page.set_viewport_size({"width": 640, "height": 400})
    for path in main:
        page.goto(f"{live_server}{path}?lang={lang}")
        check(path, "at 200% zoom")
    # and text alone at 200% (WCAG 1.4.4), on a desktop
    page.set_viewport_size({"width": 1280, "height": 800})
    for path in main[:3]:
        page.goto(f"{live_server}{path}?lang={lang}")
        page.evaluate("document.documentElement.style.fontSize = '200%'")
        check(path, "with text at 200%")

    # 320px: the easy-read version, switched on by its link and remembered
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(f"{live_server}/?lang={lang}")
    check("/", "at 320px")
    page.locator("#easy-read-switch").click()
    expect(page.locator("#easy-read li")).to_have_count(8)
    check("/ (easy read)", "at 320px")
    for path in ["/how-to-take-part", f"/rounds/{counted_id}/wards/{heading_id}/results"]:
        page.goto(live_server + path)  # no parameter: the cookie remembers
        expect(page.locator("#easy-read")).to_be_visible()
        check(path + " (easy read)", "at 320px")
        for line in page.locator("#easy-read li").all_inner_texts():
            assert len(line.split()) <= 16, f"an easy-read line is long in {lang}: {line!r}"

    # the ballot: sign in (an error state first), its easy-read help, then an error state
    page.goto(f"{live_server}/account/resident")
    check("/account/resident", "at 320px")
    page.locator("form button.govuk-button").click()  # nothing filled in
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    check("/account/resident (errors)", "at 320px")
    page.locator("#name").fill("Ngozi Eze")
    page.locator("#postcode").fill("SE11 4PP")
    page.locator("form button.govuk-button").click()
    axe_check(page)
    page.goto(f"{live_server}/vote/{voting_id}")
    expect(page.locator("#easy-read")).to_be_visible()
    check("ballot (easy read)", "at 320px")
    page.locator("input.pb-choice").nth(0).check()
    page.locator("input.pb-choice").nth(1).check()
    page.locator("input.pb-choice").nth(2).check()  # one more than the ballot allows
    page.locator("#continue").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    check("ballot (errors)", "at 320px")

    # and off again
    page.locator("#easy-read-switch").click()
    axe_check(page)
    expect(page.locator("#easy-read")).to_have_count(0)
    page.goto(live_server + "/")
    axe_check(page)
    expect(page.locator("#easy-read")).to_have_count(0)


def test_easy_read_switches_without_javascript(no_js_page, live_server, axe_check):
    page = no_js_page
    page.goto(live_server + "/how-to-take-part?lang=so")
    axe_check(page)
    expect(page.locator("#easy-read")).to_have_count(0)
    page.locator("#easy-read-switch").click()
    axe_check(page)
    expect(page.locator("#easy-read li").first).to_be_visible()
    page.goto(live_server + "/")
    axe_check(page)
    expect(page.locator("#easy-read")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "so")


def test_accessibility_statement_follows_the_govuk_model(page, live_server, axe_check):
    page.goto(live_server + "/")
    axe_check(page)
    page.get_by_role("contentinfo").get_by_role("link", name="Accessibility statement").click()
    axe_check(page)
    for heading in ["How accessible this website is", "Feedback and contact information",
                    "Reporting accessibility problems with this website", "Enforcement procedure",
                    "Compliance status", "Non-accessible content", "How we tested this website",
                    "Preparation of this accessibility statement"]:
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
    expect(page.locator("#compliance-status")).to_contain_text("partially compliant")
    expect(page.locator("#statement-dates")).to_contain_text("2 December 2026")
    expect(page.locator("main")).to_contain_text("@")  # a contact

"""Every public page in every language: axe finds nothing, 320px needs no sideways
scrolling, and the journeys work by keyboard alone and with JavaScript off."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import LANGS, no_horizontal_scroll

PAGES = [
    "/", "/wards/", "/wards/streatham-common-and-vale", "/find-your-ward?postcode=SW2+ZZZ",
    "/find-your-ward?postcode=N1+9GU", "/accessibility", "/privacy", "/cookies",
    "/account/sign-in", "/no-such-page",
]


@pytest.mark.parametrize("lang", LANGS)
def test_every_page_passes_axe_and_fits_320px(page, live_server, axe_check, lang):
    page.set_viewport_size({"width": 320, "height": 640})
    for path in PAGES:
        joiner = "&" if "?" in path else "?"
        page.goto(f"{live_server}{path}{joiner}lang={lang}")
        assert page.locator("html").get_attribute("lang") == lang
        axe_check(page)
        assert no_horizontal_scroll(page), f"{path} scrolls sideways at 320px in {lang}"


def test_desktop_pages_pass_axe(page, live_server, axe_check):
    page.set_viewport_size({"width": 1280, "height": 900})
    for path in PAGES:
        page.goto(live_server + path)
        axe_check(page)


def test_postcode_search_by_keyboard_alone(page, live_server, axe_check):
    page.goto(live_server + "/")
    axe_check(page)
    page.keyboard.press("Tab")  # the skip link comes first
    expect(page.locator(":focus")).to_have_text("Skip to main content")
    page.keyboard.press("Enter")
    for _ in range(30):  # tab on until the postcode field has focus
        if page.evaluate("document.activeElement.id") == "postcode":
            break
        page.keyboard.press("Tab")
    page.keyboard.type("SW2 1RW")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Brixton Acre Lane")
    axe_check(page)


def test_postcode_search_and_error_without_javascript(no_js_page, live_server, axe_check):
    page = no_js_page
    page.goto(live_server + "/")
    axe_check(page)
    page.get_by_label("Find your ward from your postcode").fill("not a postcode")
    page.get_by_role("button", name="Find my ward").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a real postcode")
    expect(page.locator("#postcode-error")).to_contain_text("Enter a real postcode")
    axe_check(page)
    page.get_by_label("Find your ward from your postcode").fill("SE27 9BB")
    page.get_by_role("button", name="Find my ward").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Knight's Hill")
    axe_check(page)


def test_error_summary_takes_focus_with_javascript(page, live_server, axe_check):
    page.goto(live_server + "/find-your-ward?postcode=SW2+ZZZ")
    axe_check(page)
    expect(page.locator(".govuk-error-summary")).to_be_focused()


def test_language_switcher_remembers_the_choice(page, live_server, axe_check):
    page.goto(live_server + "/wards/")
    axe_check(page)
    page.get_by_role("link", name="Soomaali").click()
    expect(page.locator("html")).to_have_attribute("lang", "so")
    axe_check(page)
    page.goto(live_server + "/accessibility")
    expect(page.locator("html")).to_have_attribute("lang", "so")
    axe_check(page)

"""Steps the ward-plan browser journeys share (tests/e2e/test_plans.py and
test_plan_consultation.py): a phone-sized page, every page axe-checked and never scrolling
sideways, staff sign-in, and a plan's three priorities and four outcomes typed in."""

from datetime import timedelta

from pb.services import plans
from tests.e2e.conftest import no_horizontal_scroll
from tests.second_factor import sign_in_in_browser

PHONE = {"width": 375, "height": 667}
ACRE = "brixton-acre-lane"
CLLR = "cllr.brixton-acre-lane.1@demo.lambeth.example"
PRIORITIES = ("Greener streets", "Safer crossings", "Youth space")
# (title, priority, days from today to its target date): one is overdue
OUTCOMES = (("20 new street trees", "Greener streets", 300), ("Raised crossing at the school", "Safer crossings", -10),
            ("Friday youth club", "Youth space", 100), ("Skate park sessions", "Youth space", 200))


def new_page(browser, axe_check):
    context = browser.new_context(viewport=PHONE)
    return axe_check.watch(context.new_page())


def checked(page, axe_check):
    axe_check(page)
    assert no_horizontal_scroll(page), f"{page.url} scrolls sideways on a phone"


def go(page, axe_check, url):
    page.goto(url)
    checked(page, axe_check)


def click(page, axe_check, locator):
    with page.expect_navigation():
        locator.click()
    checked(page, axe_check)


def staff_signs_in(page, axe_check, live_server, app, email):
    go(page, axe_check, f"{live_server}/account/sign-in")
    sign_in_in_browser(page, axe_check, email, app=app)


def add_priorities_and_outcomes(page, axe_check, describe_priorities: bool = False):
    """On a draft plan's page: adds PRIORITIES, then OUTCOMES, through the forms."""
    for title in PRIORITIES:
        click(page, axe_check, page.get_by_role("link", name="Add a priority"))
        page.locator("#title").fill(title)
        if describe_priorities:
            page.locator("#description").fill(f"Why {title.lower()} matter")
        click(page, axe_check, page.get_by_role("button", name="Save the priority"))
    today = plans.today()
    for title, priority, days in OUTCOMES:
        click(page, axe_check, page.get_by_role("link", name="Add an outcome"))
        target = today + timedelta(days=days)
        page.locator("#title").fill(title)
        page.locator("#priority_id").select_option(label=priority)
        page.locator("#responsible").fill("Highways")
        page.locator("#target_date-day").fill(str(target.day))
        page.locator("#target_date-month").fill(str(target.month))
        page.locator("#target_date-year").fill(str(target.year))
        page.locator("#measure").fill("Reported every quarter")
        click(page, axe_check, page.get_by_role("button", name="Save the outcome"))
    assert page.locator(".govuk-summary-card").count() == len(OUTCOMES)

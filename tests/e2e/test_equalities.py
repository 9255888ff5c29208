"""The equality monitoring questions after voting, the report and the published summary in
Chromium: axe on every page, 320px without sideways scrolling, and JavaScript off.

A ballot id is put in the browser's session the way the voting view does: the Flask test
client writes the real signed session cookie, which is copied into the browser."""


import pytest
from playwright.sync_api import expect

from tests.conftest import FormClient
from tests.e2e.conftest import LANGS, no_horizontal_scroll
from tests.second_factor import sign_in_staff
from tests.services.test_equalities_service import one_cast, recorded_answers, seed_heading

pytestmark = pytest.mark.e2e


def _cookie(app, live_server, ballot_id=None, email=None) -> dict:
    client = FormClient(app.test_client())
    if email:
        response = sign_in_staff(client, email)  # the password, then the authenticator's code
        assert response.status_code == 302
    if ballot_id:
        with client.session_transaction() as session:
            session["voter_token"] = ballot_id
    cookie = client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session"))
    return {"name": cookie.key, "value": cookie.value, "url": live_server}


def _with_ballot(page, app, live_server) -> str:
    with app.app_context():
        ballot_id, _ = one_cast()  # the one-time token a real cast leaves in the session
    page.context.add_cookies([_cookie(app, live_server, ballot_id=ballot_id)])
    return ballot_id


def _answers(app) -> list[dict]:
    with app.app_context():
        return recorded_answers()


def test_answering_the_questions_after_voting(page, app, live_server, axe_check):
    _with_ballot(page, app, live_server)
    page.goto(live_server + "/equalities/questions")
    axe_check(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Optional questions about you")
    page.get_by_role("group", name="What is your age?").get_by_label("25 to 34").check()
    page.get_by_role("group", name="What is your sex?").get_by_label("Prefer not to say").check()
    page.get_by_role("button", name="Send my answers").click()
    expect(page.locator(".govuk-panel")).to_contain_text("Your answers have been recorded")
    axe_check(page)
    assert _answers(app) == [{"age": "25_34", "sex": "prefer_not_to_say"}]
    page.goto(live_server + "/equalities/questions")  # the hand-off is over
    axe_check(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("There are no questions to answer")


def test_the_questions_work_without_javascript(no_js_page, app, live_server, axe_check):
    page = no_js_page
    _with_ballot(page, app, live_server)
    page.goto(live_server + "/equalities/questions")
    axe_check(page)
    page.get_by_role("group", name="Do you own or rent your home?").get_by_label(
        "I rent from a private landlord").check()
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    axe_check(page)
    assert _answers(app) == [{"tenure": "private_rent"}]


def test_skipping_the_questions(page, app, live_server, axe_check):
    _with_ballot(page, app, live_server)
    page.goto(live_server + "/equalities/questions")
    axe_check(page)
    page.get_by_role("link", name="Skip these questions").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You have finished")
    axe_check(page)
    assert _answers(app) == []


@pytest.mark.parametrize("lang", LANGS)
def test_the_questions_fit_320px_in_every_language(page, app, live_server, axe_check, lang):
    page.set_viewport_size({"width": 320, "height": 640})
    _with_ballot(page, app, live_server)
    page.goto(f"{live_server}/equalities/questions?lang={lang}")
    assert page.locator("html").get_attribute("lang") == lang
    axe_check(page)
    assert no_horizontal_scroll(page), f"the questions scroll sideways at 320px in {lang}"


@pytest.mark.parametrize("lang", LANGS)
def test_the_published_summary_in_every_language(page, app, live_server, axe_check, lang):
    with app.app_context():
        heading_id = seed_heading(n=200, phase="results")
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(f"{live_server}/equalities/headings/{heading_id}/summary?lang={lang}")
    assert page.locator("html").get_attribute("lang") == lang
    axe_check(page)
    assert no_horizontal_scroll(page), f"the summary scrolls sideways at 320px in {lang}"
    expect(page.locator("svg.pb-chart")).to_have_count(6)


def test_the_summary_before_the_results(page, app, live_server, axe_check):
    with app.app_context():
        heading_id = seed_heading(n=0, phase="voting")
    page.goto(f"{live_server}/equalities/headings/{heading_id}/summary")
    axe_check(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Not published yet")


def test_the_panel_reads_the_report_and_sets_the_thresholds(page, app, live_server, axe_check,
                                                             demo):
    with app.app_context():
        heading_id = seed_heading(n=600, phase="results")
    page.context.add_cookies([_cookie(app, live_server, email=demo["panel"])])
    report = f"{live_server}/equalities/headings/{heading_id}"
    page.goto(report)
    axe_check(page)
    expect(page.get_by_role("heading", name="Would the result change?")).to_be_visible()
    page.get_by_role("link", name="Who is missing so far").click()
    axe_check(page)
    expect(page.get_by_role("row", name="People aged 16 to 24")).to_be_visible()
    page.goto(report)
    axe_check(page)
    page.get_by_role("link", name="Change the thresholds for flags").click()
    axe_check(page)
    page.get_by_label("Lower threshold").fill("1.5")
    page.get_by_role("button", name="Save thresholds").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "The lower threshold must be between 0.1 and 0.99")
    axe_check(page)
    page.get_by_label("Lower threshold").fill("0.5")
    page.get_by_role("button", name="Save thresholds").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("The thresholds have been saved.")
    axe_check(page)
    page.goto(report + "?print=1")
    axe_check(page)


def test_the_report_fits_320px(page, app, live_server, axe_check, demo):
    with app.app_context():
        heading_id = seed_heading(n=300, phase="results")
    page.context.add_cookies([_cookie(app, live_server, email=demo["councillor"])])
    page.set_viewport_size({"width": 320, "height": 640})
    for path in ("", "/missing"):
        page.goto(f"{live_server}/equalities/headings/{heading_id}{path}")
        axe_check(page)
        assert no_horizontal_scroll(page), f"{path or 'the report'} scrolls sideways at 320px"

"""Ward plans in a browser, on a phone: a councillor drafts a plan for their ward with three
priorities and four outcomes and publishes it, an officer posts progress updates that move
statuses, and the public tracker shows the right statuses with one outcome overdue. Every
page is axe-checked and nothing scrolls sideways. And a plan full of stored-XSS payloads
opens no dialog and runs nothing."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from pb.models import Person, Ward, db
from pb.services import plans
from tests.e2e.plan_steps import ACRE, CLLR, PHONE, add_priorities_and_outcomes, click, go, new_page
from tests.e2e.plan_steps import staff_signs_in as sign_in
from tests.security.xss_payloads import browser_sample

pytestmark = pytest.mark.e2e

def test_a_councillor_publishes_a_plan_and_the_tracker_holds_the_council_to_account(
        browser, page, live_server, axe_check, app, demo):
    page.set_viewport_size(PHONE)
    sign_in(page, axe_check, live_server, app, CLLR)
    go(page, axe_check, f"{live_server}/wards/{ACRE}/plans")
    click(page, axe_check, page.get_by_role("link", name="Start a new plan"))
    # errors first, the GOV.UK way
    click(page, axe_check, page.get_by_role("button", name="Save the draft"))
    assert page.locator(".govuk-error-summary").is_visible()
    page.locator("#title").fill("Brixton Acre Lane plan 2026 to 2028")
    page.locator("#start_year").fill("2026")
    page.locator("#end_year").fill("2028")
    page.locator("#summary").fill("Greener, safer streets.\nMore for young people.")
    click(page, axe_check, page.get_by_role("button", name="Save the draft"))
    plan_url = page.url.split("#")[0]

    add_priorities_and_outcomes(page, axe_check, describe_priorities=True)

    click(page, axe_check, page.get_by_role("link", name="Publish the plan").first)
    click(page, axe_check, page.get_by_role("button", name="Publish the plan"))
    assert page.locator(".govuk-notification-banner--success").is_visible()

    # an officer posts progress updates that move the statuses
    officer = new_page(browser, axe_check)
    sign_in(officer, axe_check, live_server, app, demo["officer"])
    changes = [("20 new street trees", "In progress", None), ("Raised crossing at the school", "Agreed", None),
               ("Friday youth club", "Delivered", None), ("Skate park sessions", "Dropped", "The park is closed for repairs")]
    for title, status, reason in changes:
        go(officer, axe_check, plan_url)
        click(officer, axe_check, officer.get_by_role("link", name=f"Post an update {title}"))
        officer.locator("#body").fill(f"{title}: {status.lower()}")
        officer.get_by_label(status, exact=True).check()
        if reason:
            officer.locator("#dropped_reason").fill(reason)
        click(officer, axe_check, officer.get_by_role("button", name="Post the update"))

    # the public tracker, signed out
    public = new_page(browser, axe_check)
    go(public, axe_check, f"{live_server}/wards/{ACRE}")
    click(public, axe_check, public.get_by_role("link", name="Track what is being delivered in Brixton Acre Lane"))
    counts = {row.get_attribute("data-status"): row.locator("td").inner_text()
              for row in public.locator("#status-counts tbody tr").all()}
    assert counts == {"proposed": "0", "agreed": "1", "in_progress": "1", "delivered": "1", "dropped": "1",
                      "overdue": "1"}
    overdue = public.locator("#overdue-list li")
    assert overdue.count() == 1 and "Raised crossing at the school" in overdue.inner_text()
    assert "The park is closed for repairs" in public.content()
    timeline = public.locator("#timeline-list > li")
    assert timeline.count() == 4 and "Skate park sessions" in timeline.first.inner_text()
    go(public, axe_check, f"{live_server}/tracker")
    go(public, axe_check, plan_url)
    assert "Olu Officer, council officer" in public.content()


def test_a_plan_full_of_xss_payloads_runs_nothing(page, live_server, axe_check, app, demo):
    sample = browser_sample(30)
    with app.app_context():
        cllr = db.session.scalar(select(Person).where(Person.email == CLLR))
        ward = db.session.scalar(select(Ward).where(Ward.slug == ACRE))
        plan = plans.create_plan(cllr, ward, title=sample[0][:200], start_year=2026, end_year=2028,
                                 summary="\n".join(sample), you_said_we_did="\n".join(sample))
        priority = plans.add_priority(cllr, plan, title=sample[1][:200], description="\n".join(sample))
        made = [plans.add_outcome(cllr, plan, title=text[:200], description=text, priority_id=priority.id,
                                  responsible=text[:200], measure=text,
                                  target_date=plans.today() - timedelta(days=1)) for text in sample]
        plans.publish_plan(cllr, plan)
        for n, (outcome, text) in enumerate(zip(made, sample, strict=True)):
            plans.post_update(cllr, outcome, body=text, new_status="dropped" if n % 2 else "in_progress",
                              dropped_reason=text)
        plan_id = plan.id
    dialogs, errors = [], []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.set_viewport_size(PHONE)
    for path in (f"/plans/{plan_id}", f"/wards/{ACRE}/tracker", "/tracker", f"/wards/{ACRE}"):
        go(page, axe_check, f"{live_server}{path}")
        page.wait_for_timeout(300)  # time for any timer, load or focus handler to fire
        assert page.evaluate("window.__xss === undefined && top.__xss === undefined"), path
        where_text_is = ".pb-plan-text"  # every text typed into a plan is shown inside one of these
        assert page.locator(where_text_is).count() > 0, path
        assert page.locator(", ".join(f"{where_text_is} {tag}" for tag in (
            "script", "img", "svg", "math", "iframe", "object", "embed", "style", "form", "input", "video",
            "audio", "details", "marquee", "a[href^='javascript']"))).count() == 0, path
        assert "<script>window.__xss=1</script>" in page.locator("main").inner_text() or path != f"/plans/{plan_id}"
    assert dialogs == [] and errors == []


def test_plan_pages_in_every_language_at_320px(page, live_server, axe_check, app, demo):
    from tests.e2e.conftest import LANGS

    with app.app_context():
        cllr = db.session.scalar(select(Person).where(Person.email == CLLR))
        ward = db.session.scalar(select(Ward).where(Ward.slug == ACRE))
        live = plans.create_plan(cllr, ward, title="Brixton Acre Lane plan 2026 to 2028", start_year=2026,
                                 end_year=2028, summary="Greener streets.", you_said_we_did="You said trees.")
        priority = plans.add_priority(cllr, live, title="Greener streets", description="Trees")
        late = plans.add_outcome(cllr, live, title="Trees", priority_id=priority.id, responsible="Parks",
                                 target_date=plans.today() - timedelta(days=5), measure="Trees planted")
        plans.publish_plan(cllr, live)
        plans.post_update(cllr, late, body="Started", new_status="in_progress")
        draft = plans.create_plan(cllr, ward, title="Next plan", start_year=2029, end_year=2031, summary="Soon")
        plans.add_priority(cllr, draft, title="First")
        plans.add_priority(cllr, draft, title="Second")
        plans.add_outcome(cllr, draft, title="Outcome", responsible="Parks",
                          target_date=plans.today() + timedelta(days=50), measure="Count")
        ids = {"live": live.id, "draft": draft.id, "outcome": late.id}
    page.set_viewport_size({"width": 320, "height": 800})
    sign_in(page, axe_check, live_server, app, CLLR)
    pages = [f"/plans/{ids['live']}", f"/wards/{ACRE}/plan", f"/wards/{ACRE}/plans", f"/wards/{ACRE}/tracker",
             "/tracker", f"/wards/{ACRE}", f"/plans/{ids['draft']}", f"/plans/{ids['draft']}/edit",
             f"/plans/{ids['draft']}/publish", f"/plans/{ids['draft']}/delete",
             f"/plans/{ids['live']}/outcomes/{ids['outcome']}/update"]
    forms = [f"/plans/new?ward={ACRE}&", f"/plans/{ids['draft']}/priorities/new?",
             f"/plans/{ids['draft']}/outcomes/new?", f"/plans/{ids['live']}/outcomes/{ids['outcome']}/update?"]
    for lang in LANGS:
        for path in pages:
            go(page, axe_check, f"{live_server}{path}{'&' if '?' in path else '?'}lang={lang}")
        for path in forms:
            go(page, axe_check, f"{live_server}{path}lang={lang}")
            click(page, axe_check, page.locator("main form button[type=submit]").first)
            assert page.locator(".govuk-error-summary").is_visible(), (path, lang)


def test_drafting_a_plan_works_with_javascript_off(no_js_page, live_server, axe_check, app, demo):
    page = no_js_page
    page.set_viewport_size(PHONE)
    sign_in(page, axe_check, live_server, app, CLLR)
    go(page, axe_check, f"{live_server}/plans/new?ward={ACRE}")
    page.locator("#title").fill("Plan without JavaScript")
    page.locator("#start_year").fill("2030")
    page.locator("#end_year").fill("2031")
    page.locator("#summary").fill("Works everywhere")
    click(page, axe_check, page.get_by_role("button", name="Save the draft"))
    click(page, axe_check, page.get_by_role("link", name="Add a priority"))
    page.locator("#title").fill("Quiet streets")
    click(page, axe_check, page.get_by_role("button", name="Save the priority"))
    assert "Quiet streets" in page.content()
    go(page, axe_check, f"{live_server}/wards/{ACRE}/tracker")

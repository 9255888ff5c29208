"""Issue 12's browser test, on a phone: a councillor drafts a plan for their ward with three
priorities and four outcomes and opens a consultation; five residents respond (ratings, top
three, comments); one comment is reported by a resident and hidden by an officer with a
reason; the consultation closes and the councillor publishes the final plan with "You said,
we did"; an officer posts progress updates; the public tracker shows the right statuses with
one outcome overdue; and a follower of the ward gets every step in the development outbox,
then unsubscribes from the message's own link. Every page is axe-checked and nothing scrolls
sideways. Then: comments and answers full of stored-XSS payloads run nothing, and every new
page passes axe in all eight languages."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from pb.models import Consultation, EmailOutboxMessage, Person, Plan, WardFollow, db
from pb.services import consultation as consult
from pb.services import follows, plans
from tests.e2e.conftest import LANGS
from tests.e2e.plan_steps import (
    ACRE,
    CLLR,
    PHONE,
    add_priorities_and_outcomes,
    click,
    go,
    new_page,
    staff_signs_in,
)
from tests.factories import resident, ward
from tests.security.xss_payloads import browser_sample

pytestmark = pytest.mark.e2e

POSTCODE = "SW2 1AH"  # in Brixton Acre Lane
FOLLOWER = "follower@example.org"


def resident_signs_in(page, axe_check, live_server, name):
    go(page, axe_check, f"{live_server}/account/resident")
    page.locator("#name").fill(name)
    page.locator("#postcode").fill(POSTCODE)
    click(page, axe_check, page.locator("main form button.govuk-button"))


def emails_to_follower(app) -> list[str]:
    with app.app_context():
        return [m.body for m in db.session.scalars(select(EmailOutboxMessage).where(
            EmailOutboxMessage.address == FOLLOWER).order_by(EmailOutboxMessage.id))]


def link_in(body: str, live_server: str) -> str:
    """The message's link, on the test server (messages say the server they were sent from)."""
    url = next(word for word in body.split() if "/follow/" in word)
    return live_server + url[url.index("/follow/"):]


def test_a_ward_plan_is_consulted_on_published_and_tracked_and_a_follower_hears_of_it(
        browser, page, live_server, axe_check, app, demo):
    page.set_viewport_size(PHONE)
    staff_signs_in(page, axe_check, live_server, app, CLLR)
    go(page, axe_check, f"{live_server}/plans/new?ward={ACRE}")
    page.locator("#title").fill("Brixton Acre Lane plan 2026 to 2028")
    page.locator("#start_year").fill("2026")
    page.locator("#end_year").fill("2028")
    page.locator("#summary").fill("Greener, safer streets.")
    click(page, axe_check, page.get_by_role("button", name="Save the draft"))
    plan_url = page.url.split("#")[0]
    add_priorities_and_outcomes(page, axe_check)
    today = plans.today()

    # a resident follows the ward by email, confirmed by the link first
    follower = new_page(browser, axe_check)
    resident_signs_in(follower, axe_check, live_server, "Fola Follower")
    go(follower, axe_check, f"{live_server}/wards/{ACRE}/follow")
    follower.get_by_label("By email").check()
    follower.locator("#email").fill(FOLLOWER)
    click(follower, axe_check, follower.get_by_role("button", name="Follow Brixton Acre Lane"))
    assert "Check your email" in follower.content()
    [confirmation] = emails_to_follower(app)
    go(follower, axe_check, link_in(confirmation, live_server))
    assert "You are following Brixton Acre Lane" in follower.content()

    # the councillor opens the consultation
    click(page, axe_check, page.get_by_role("link", name="Consult the ward's residents"))
    click(page, axe_check, page.get_by_role("button", name="Open the consultation"))
    assert page.locator(".govuk-error-summary").is_visible()
    for field, day in (("opens_on", today), ("closes_on", today + timedelta(days=14))):
        page.locator(f"#{field}-day").fill(str(day.day))
        page.locator(f"#{field}-month").fill(str(day.month))
        page.locator(f"#{field}-year").fill(str(day.year))
    page.get_by_label("No, show comments at once").check()
    click(page, axe_check, page.get_by_role("button", name="Open the consultation"))
    assert "have their say" in emails_to_follower(app)[-1]
    with app.app_context():
        plan = db.session.scalar(select(Plan).where(Plan.title == "Brixton Acre Lane plan 2026 to 2028"))
        plan_id, priority_ids = plan.id, [p.id for p in plan.priorities]

    # five residents respond
    answers = [("support", "neutral", "oppose"), ("support", "support", "neutral"), ("oppose", "support", "support"),
               ("support", "oppose", "neutral"), ("neutral", "support", "support")]
    comments = ["More trees on Acre Lane, please", "The crossing by the school is dangerous",
                "A youth club on Fridays would help", "My neighbour at number 4 is a crook", ""]
    for n, (ratings, comment) in enumerate(zip(answers, comments, strict=True)):
        someone = new_page(browser, axe_check)
        resident_signs_in(someone, axe_check, live_server, f"Resident {n + 1}")
        go(someone, axe_check, plan_url)
        click(someone, axe_check, someone.get_by_role("link", name="Have your say"))
        if n == 0:  # errors first, the GOV.UK way
            click(someone, axe_check, someone.get_by_role("button", name="Send my response"))
            assert someone.locator(".govuk-error-summary").is_visible()
        for pid, rating in zip(priority_ids, ratings, strict=True):
            someone.locator(f"input[name='rating-{pid}'][value='{rating}']").check()
        for pid in priority_ids[n % 3:][:2] or priority_ids[:1]:
            someone.locator(f"input[name='top_three'][value='{pid}']").check()
        if comment:
            someone.locator(f"#comment-{priority_ids[min(n, 2)]}").fill(comment)
        someone.locator("#comment-0").fill(f"General thought {n + 1}")
        click(someone, axe_check, someone.get_by_role("button", name="Send my response"))
        assert "Your response has been saved" in someone.content()
        if n == 4:  # the last resident reports a comment
            go(someone, axe_check, f"{live_server}/plans/{plan_id}/consultation")
            rude = someone.locator(".pb-comment", has_text="My neighbour at number 4")
            click(someone, axe_check, rude.get_by_role("button", name="Report this comment"))
            assert "A council officer will look at the comment" in someone.content()
        someone.context.close()

    # an officer hides the reported comment, with a reason shown in its place
    officer = new_page(browser, axe_check)
    staff_signs_in(officer, axe_check, live_server, app, demo["officer"])
    go(officer, axe_check, f"{live_server}/plans/{plan_id}/consultation")
    click(officer, axe_check, officer.get_by_role("link", name="Moderate comments"))
    reported = officer.locator("#reported ~ .govuk-summary-card", has_text="My neighbour")
    click(officer, axe_check, reported.get_by_role("link", name="Hide with a reason"))
    officer.locator("#reason").fill("It named a private person.")
    click(officer, axe_check, officer.get_by_role("button", name="Hide the comment"))
    public = new_page(browser, axe_check)
    go(public, axe_check, f"{live_server}/plans/{plan_id}/consultation")
    assert "It named a private person." in public.content() and "My neighbour at number 4" not in public.content()
    assert "More trees on Acre Lane, please" in public.content() and "Resident 1" not in public.content()
    assert public.locator("#priority-results").count() == 0  # results wait for the close

    # time passes: the consultation closes, and the public sees the results
    with app.app_context():
        c = db.session.scalar(select(Consultation).where(Consultation.plan_id == plan_id))
        c.opens_on, c.closes_on = today - timedelta(days=15), today - timedelta(days=1)
        db.session.commit()
    go(public, axe_check, f"{live_server}/plans/{plan_id}/consultation")
    first = public.locator(f"#result-{priority_ids[0]}")
    assert [first.locator(f"[data-rating='{r}']").inner_text() for r in ("support", "neutral", "oppose", "top")] \
        == ["3", "1", "1", "2"]
    assert "5 residents responded." in public.content()

    # the councillor publishes the final plan with "You said, we did"
    go(page, axe_check, plan_url)
    click(page, axe_check, page.get_by_role("link", name="Publish the final plan"))
    click(page, axe_check, page.get_by_role("button", name="Publish the plan"))
    assert page.locator(".govuk-error-summary").is_visible()
    page.locator("#you_said_we_did").fill("You said the school crossing matters most: we moved it forward.")
    click(page, axe_check, page.get_by_role("button", name="Publish the plan"))
    assert "You said the school crossing matters most" in page.locator("#you-said-we-did + .govuk-inset-text").inner_text()
    assert "has been published" in " ".join(emails_to_follower(app))

    # an officer posts progress updates that move the statuses
    changes = [("20 new street trees", "In progress", None), ("Raised crossing at the school", "Agreed", None),
               ("Friday youth club", "Delivered", None), ("Skate park sessions", "Dropped", "The park is closed")]
    for title, status, reason in changes:
        go(officer, axe_check, plan_url)
        click(officer, axe_check, officer.get_by_role("link", name=f"Post an update {title}"))
        officer.locator("#body").fill(f"{title}: {status.lower()}")
        officer.get_by_label(status, exact=True).check()
        if reason:
            officer.locator("#dropped_reason").fill(reason)
        click(officer, axe_check, officer.get_by_role("button", name="Post the update"))

    # the public tracker: the right statuses, one overdue
    go(public, axe_check, f"{live_server}/wards/{ACRE}/tracker")
    counts = {row.get_attribute("data-status"): row.locator("td").inner_text()
              for row in public.locator("#status-counts tbody tr").all()}
    assert counts == {"proposed": "0", "agreed": "1", "in_progress": "1", "delivered": "1", "dropped": "1",
                      "overdue": "1"}
    overdue = public.locator("#overdue-list li")
    assert overdue.count() == 1 and "Raised crossing at the school" in overdue.inner_text()

    # the follower got each status change, and unsubscribes from the message itself
    mail = emails_to_follower(app)
    assert any("moved from Proposed to Delivered" in body or "Friday youth club" in body for body in mail)
    status_change = next(body for body in mail if "Raised crossing at the school" in body and "Agreed" in body)
    go(follower, axe_check, link_in(status_change, live_server))
    assert "You will get no more messages about Brixton Acre Lane" in follower.content()
    with app.app_context():
        assert db.session.scalar(select(WardFollow)).unsubscribed_at is not None
    click(follower, axe_check, follower.get_by_role("button", name="Undo: keep sending me messages"))
    with app.app_context():
        assert db.session.scalar(select(WardFollow)).active
    go(follower, axe_check, link_in(status_change, live_server))
    with app.app_context():
        assert not db.session.scalar(select(WardFollow)).active


def _consultation_world(app, texts=None) -> dict:
    """A plan in consultation, comments and answers (optionally payloads), one hidden."""
    with app.app_context():
        cllr = db.session.scalar(select(Person).where(Person.email == CLLR))
        plan = plans.create_plan(cllr, ward(ACRE), title="Consulted plan", start_year=2040, end_year=2042,
                                 summary="For residents")
        priorities = [plans.add_priority(cllr, plan, title=t) for t in ("Trees", "Crossings", "Youth")]
        plans.add_outcome(cllr, plan, title="Trees planted", responsible="Parks",
                          target_date=plans.today() + timedelta(days=30), measure="Count")
        c = consult.open_consultation(cllr, plan, opens_on=plans.today(),
                                      closes_on=plans.today() + timedelta(days=10), premoderated=False)
        free = consult.add_question(cllr, c, kind="text", text="Anything else?")
        consult.add_question(cllr, c, kind="multiple", text="How do you travel?", options="Walk\nBus")
        texts = texts or ["Plant oaks", "Slow the traffic"]
        sessions = []
        for n, text in enumerate(texts):
            person = resident(f"Resident {n}", ACRE)
            sessions.append(person.id)
            consult.respond(person, c, ratings={p.id: "support" for p in priorities},
                            top_three=[priorities[n % 3].id], comments={priorities[n % 3].id: text, 0: text},
                            answers={free.id: text})
        hidden = c.comments[0]
        consult.hide_comment(db.session.scalar(select(Person).where(Person.email == "officer@demo.lambeth.example")),
                             hidden, reason=texts[0][:500])
        draft = plans.create_plan(cllr, ward(ACRE), title="Draft", start_year=2044, end_year=2046, summary="x")
        plans.add_priority(cllr, draft, title="First")
        someone = resident("Fola", ACRE)
        row = follows.follow_by_email(someone, ward(ACRE), FOLLOWER)
        return {"plan": plan.id, "draft": draft.id, "comment": c.comments[-1].id,
                "token": follows.token(row, "unsubscribe"), "confirm": follows.token(row, "confirm")}


def test_comments_and_answers_full_of_xss_payloads_run_nothing(page, live_server, axe_check, app, demo):
    sample = browser_sample(30)
    ids = _consultation_world(app, sample)
    with app.app_context():
        c = db.session.scalar(select(Consultation).where(Consultation.plan_id == ids["plan"]))
        c.opens_on, c.closes_on = plans.today() - timedelta(days=5), plans.today() - timedelta(days=1)
        db.session.commit()
    dialogs, errors = [], []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.set_viewport_size(PHONE)
    go(page, axe_check, f"{live_server}/plans/{ids['plan']}/consultation")
    page.wait_for_timeout(300)
    assert page.evaluate("window.__xss === undefined && top.__xss === undefined")
    assert page.locator(", ".join(f".pb-comments {tag}, .pb-answers {tag}" for tag in (
        "script", "img", "svg", "math", "iframe", "object", "embed", "style", "video", "audio", "details",
        "marquee", "a[href^='javascript']"))).count() == 0
    assert "<script>window.__xss=1</script>" in page.locator("main").inner_text()
    assert dialogs == [] and errors == []


def test_every_new_page_in_every_language(browser, page, live_server, axe_check, app, demo):
    ids = _consultation_world(app)
    page.set_viewport_size({"width": 320, "height": 800})
    staff_signs_in(page, axe_check, live_server, app, demo["officer"])
    resident_page = new_page(browser, axe_check)
    resident_signs_in(resident_page, axe_check, live_server, "Rita Resident")
    anonymous = new_page(browser, axe_check)
    p = ids["plan"]
    staff_pages = [f"/plans/{p}/consultation", f"/plans/{p}/consultation/moderate",
                   f"/plans/{p}/consultation/comments/{ids['comment']}/hide", f"/plans/{p}",
                   f"/plans/{ids['draft']}/consultation/open"]
    resident_pages = [f"/plans/{p}/consultation/respond", f"/wards/{ACRE}/follow"]
    for lang in LANGS:
        for path in staff_pages:
            go(page, axe_check, f"{live_server}{path}?lang={lang}")
        click(page, axe_check, page.locator("main form button[type=submit]").first)  # the hide form, empty
        go(page, axe_check, f"{live_server}/plans/{ids['draft']}/consultation/open?lang={lang}")
        click(page, axe_check, page.locator("main form button[type=submit]").first)
        assert page.locator(".govuk-error-summary").is_visible(), lang
        for path in resident_pages:
            go(resident_page, axe_check, f"{live_server}{path}?lang={lang}")
            click(resident_page, axe_check, resident_page.locator("main form button[type=submit]").last)
            assert resident_page.locator(".govuk-error-summary").is_visible(), (path, lang)
        go(anonymous, axe_check, f"{live_server}/follow/unsubscribe/{ids['token']}?lang={lang}")
        click(anonymous, axe_check, anonymous.locator("main form button[type=submit]"))
        go(anonymous, axe_check, f"{live_server}/follow/confirm/{ids['confirm']}?lang={lang}")
    # while a comment may still be added: the question form
    with app.app_context():
        cllr = db.session.scalar(select(Person).where(Person.email == CLLR))
        plan = db.session.get(Plan, ids["draft"])
        consult.open_consultation(cllr, plan, opens_on=plans.today(), closes_on=plans.today(), premoderated=True)
    for lang in LANGS:
        go(page, axe_check, f"{live_server}/plans/{ids['draft']}/consultation/questions/new?lang={lang}")
        click(page, axe_check, page.locator("main form button[type=submit]").first)
        assert page.locator(".govuk-error-summary").is_visible(), lang

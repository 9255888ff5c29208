"""Consultation, moderation and following over HTTP: who may use each page (a councillor
of another ward gets 403 on every plan, consultation and moderation action), residents'
answers and their errors, the summary, publishing with "You said, we did", and the
one-step unsubscribe."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from pb.models import (
    Consultation,
    ConsultationComment,
    ConsultationResponse,
    EmailOutboxMessage,
    OutboxMessage,
    Person,
    PhoneNumber,
    Plan,
    WardFollow,
    db,
)
from pb.services import consultation as consult
from pb.services import plans
from pb.services.identity import number_hash
from tests.factories import resident, ward

ACRE = "brixton-acre-lane"
CLAPHAM = "clapham-town"
ACRE_CLLR = "cllr.brixton-acre-lane.1@demo.lambeth.example"
CLAPHAM_CLLR = "cllr.clapham-town.1@demo.lambeth.example"
OFFICER = "officer@demo.lambeth.example"
NUMBER = "+447911123456"


def person(email: str) -> Person:
    return db.session.scalar(select(Person).where(Person.email == email))


def csrf(client, path="/account/sign-out") -> str:
    page = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    return match.group(1) if match else ""


def as_resident(client, person_id_session: str) -> None:
    with client.session_transaction() as session:
        session["_user_id"] = person_id_session
        session["_fresh"] = True


@pytest.fixture
def world(app, demo):
    """Ward A's plan in consultation (3 priorities, a question, one response with a comment),
    and a plain draft plan of ward A."""
    with app.app_context():
        cllr = person(ACRE_CLLR)
        plan = plans.create_plan(cllr, ward(ACRE), title="Consulted plan", start_year=2040, end_year=2042,
                                 summary="For consultation")
        priorities = [plans.add_priority(cllr, plan, title=t) for t in ("Trees", "Crossings", "Youth club")]
        plans.add_outcome(cllr, plan, title="Twenty trees", responsible="Parks",
                          target_date=plans.today() + timedelta(days=60), measure="Trees")
        c = consult.open_consultation(cllr, plan, opens_on=plans.today(),
                                      closes_on=plans.today() + timedelta(days=20), premoderated=False)
        question = consult.add_question(cllr, c, kind="single", text="Lived here long?", options="Yes\nNo")
        ann = resident("Ann Acre", ACRE)
        consult.respond(ann, c, ratings={p.id: "support" for p in priorities}, top_three=[priorities[0].id],
                        comments={priorities[0].id: "Plant oaks"}, answers={})
        draft = plans.create_plan(cllr, ward(ACRE), title="Plain draft", start_year=2044, end_year=2046,
                                  summary="Draft")
        plans.add_priority(cllr, draft, title="Something")
        ids = {"plan": plan.id, "priorities": [p.id for p in priorities], "question": question.id,
               "comment": c.comments[0].id, "draft": draft.id, "ann": ann.get_id(),
               "ann_id": ann.id, "bea": resident("Bea Acre", ACRE).get_id(),
               "cy": resident("Cy Clapham", CLAPHAM).get_id()}
        return ids


def manage_routes(ids) -> list[tuple[str, str]]:
    p, d = ids["plan"], ids["draft"]
    routes = [("GET", f"/plans/{d}/consultation/open"), ("POST", f"/plans/{d}/consultation/open"),
              ("GET", f"/plans/{p}/consultation/questions/new"), ("POST", f"/plans/{p}/consultation/questions/new"),
              ("POST", f"/plans/{p}/consultation/questions/{ids['question']}/delete"),
              ("GET", f"/plans/{p}/publish"), ("POST", f"/plans/{p}/publish"),
              ("GET", f"/plans/{p}/consultation/moderate"),
              ("POST", f"/plans/{p}/consultation/comments/{ids['comment']}/approve"),
              ("GET", f"/plans/{p}/consultation/comments/{ids['comment']}/hide"),
              ("POST", f"/plans/{p}/consultation/comments/{ids['comment']}/hide"),
              ("GET", f"/plans/{p}/consultation/respond"), ("POST", f"/plans/{p}/consultation/respond")]
    return routes


def test_a_councillor_of_another_ward_gets_403_on_every_consultation_and_moderation_action(
        app, client, sign_in, world):
    sign_in(CLAPHAM_CLLR)
    token = csrf(client)
    for method, path in manage_routes(world):
        data = {"csrf_token": token, "opens_on": ["1", "1", "2030"], "closes_on": ["2", "1", "2030"],
                "premoderated": "no", "kind": "text", "text": "Mine", "reason": "Mine",
                "you_said_we_did": "Mine", f"rating-{world['priorities'][0]}": "oppose",
                "top_three": str(world["priorities"][0])}
        response = client.get(path) if method == "GET" else client.post(path, data=data)
        assert response.status_code == 403, (method, path, response.status_code)
    # the live summary is the ward's own until the close; the public page is not
    page = client.get(f"/plans/{world['plan']}/consultation").get_data(as_text=True)
    assert 'id="priority-results"' not in page and "Plant oaks" in page
    with app.app_context():
        c = db.session.scalar(select(Consultation).where(Consultation.plan_id == world["plan"]))
        assert len(c.questions) == 1 and c.comments[0].state == "shown" and len(c.responses) == 1
        assert db.session.get(Plan, world["draft"]).state == "draft"
        assert db.session.get(Plan, world["plan"]).state == "consultation"


def test_moderation_is_for_officers_not_the_wards_own_councillor(client, sign_in, world):
    sign_in(ACRE_CLLR)
    assert client.get(f"/plans/{world['plan']}/consultation/moderate").status_code == 403
    page = client.get(f"/plans/{world['plan']}/consultation").get_data(as_text=True)
    assert 'id="priority-results"' in page  # the ward's councillor sees the live results


def test_a_resident_answers_fixes_errors_changes_the_answers_and_reports_a_comment(app, client, world):
    path = f"/plans/{world['plan']}/consultation/respond"
    anonymous = client.get(path)
    assert anonymous.status_code == 302 and "/account/phone" in anonymous.headers["Location"]
    as_resident(client, world["cy"])  # another ward's resident
    assert client.get(path).status_code == 403
    as_resident(client, world["bea"])
    page = client.get(path)
    assert page.status_code == 200 and "Lived here long?" in page.get_data(as_text=True)
    first, second, third = world["priorities"]
    bad = client.submit(path, {f"rating-{first}": "love", "top_three": [str(first), str(second), str(third), "999"],
                               f"question-{world['question']}": "Maybe", "comment-0": "x" * 2001})
    body = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "There is a problem" in body
    for field in (f"rating-{first}", f"rating-{second}", "top_three", f"question-{world['question']}", "comment-0"):
        assert f'href="#{field}"' in body and f'id="{field}-error"' in body, field
    good = {f"rating-{first}": "support", f"rating-{second}": "oppose", f"rating-{third}": "neutral",
            "top_three": [str(first), str(third)], f"question-{world['question']}": "Yes",
            f"comment-{second}": "Not this crossing", "comment-0": "<script>alert(1)</script>"}
    assert client.submit(path, good).status_code == 302
    again = client.get(path).get_data(as_text=True)
    assert "Not this crossing" in again and "&lt;script&gt;alert(1)&lt;/script&gt;" in again
    good[f"comment-{second}"] = ""
    assert client.submit(path, good).status_code == 302
    with app.app_context():
        bea = db.session.scalar(select(ConsultationResponse).where(
            ConsultationResponse.person_id != world["ann_id"]))
        assert [c.priority_id for c in bea.comments] == [None]
        assert db.session.scalar(select(ConsultationResponse).where(
            ConsultationResponse.person_id == world["ann_id"])) is not None
    page = client.get(f"/plans/{world['plan']}/consultation").get_data(as_text=True)
    assert "Plant oaks" in page and "Ann Acre" not in page and "<script>alert(1)" not in page
    report = f"/plans/{world['plan']}/consultation/comments/{world['comment']}/report"
    token = csrf(client, f"/plans/{world['plan']}/consultation")
    first_report = client.post(report, data={"csrf_token": token}, follow_redirects=True)
    assert "A council officer will look at the comment" in first_report.get_data(as_text=True)
    second_report = client.post(report, data={"csrf_token": token}, follow_redirects=True)
    assert "already reported" in second_report.get_data(as_text=True)


def test_an_officer_hides_a_comment_with_a_reason_shown_in_its_place(app, client, sign_in, world):
    sign_in(OFFICER)
    hide = f"/plans/{world['plan']}/consultation/comments/{world['comment']}/hide"
    empty = client.submit(hide, {"reason": "  "})
    assert empty.status_code == 400 and "Enter why the comment is hidden" in empty.get_data(as_text=True)
    assert client.submit(hide, {"reason": "It named a neighbour"}).status_code == 302
    page = client.get(f"/plans/{world['plan']}/consultation").get_data(as_text=True)
    assert "It named a neighbour" in page and "Plant oaks" not in page
    assert client.get(hide).status_code == 409  # hidden already
    with app.app_context():
        assert db.session.get(ConsultationComment, world["comment"]).moderated_by_id == person(OFFICER).id


def test_the_final_plan_needs_the_close_and_you_said_we_did(app, client, sign_in, world):
    sign_in(ACRE_CLLR)
    publish = f"/plans/{world['plan']}/publish"
    assert client.get(publish).status_code == 409  # still open
    with app.app_context():
        c = db.session.scalar(select(Consultation).where(Consultation.plan_id == world["plan"]))
        c.opens_on, c.closes_on = plans.today() - timedelta(days=10), plans.today() - timedelta(days=1)
        db.session.commit()
    # closed: the public sees the summary
    client.get("/account/sign-out")
    summary = client.get(f"/plans/{world['plan']}/consultation").get_data(as_text=True)
    assert 'id="priority-results"' in summary and "1 resident responded." in summary
    sign_in(ACRE_CLLR)
    empty = client.submit(publish, {"you_said_we_did": ""})
    assert empty.status_code == 400 and "You said, we did" in empty.get_data(as_text=True)
    assert client.submit(publish, {"you_said_we_did": "You wanted oaks: we plant oaks."}).status_code == 302
    page = client.get(f"/plans/{world['plan']}").get_data(as_text=True)
    assert "You wanted oaks: we plant oaks." in page
    assert client.get(f"/plans/{world['plan']}.json").get_json()["you_said_we_did"] == "You wanted oaks: we plant oaks."


def test_follow_by_text_unsubscribe_in_one_step_and_undo(app, client, world):
    with app.app_context():
        db.session.add(PhoneNumber(number_hash=number_hash(NUMBER), last_digits="456", person_id=world["ann_id"]))
        db.session.commit()
    as_resident(client, world["ann"])
    path = f"/wards/{ACRE}/follow"
    wrong = client.submit(path, {"channel": "sms", "number": "07911 123457"})
    assert wrong.status_code == 400 and "Enter the mobile number you signed in with" in wrong.get_data(as_text=True), re.findall(r"error-summary__list.{0,400}", wrong.get_data(as_text=True), re.S)
    assert client.submit(path, {"channel": "sms", "number": "07911 123456"}).status_code == 302
    email = client.submit(path, {"channel": "email", "email": "ann@example.org"})
    assert email.status_code == 302
    with app.app_context():
        follows = db.session.scalars(select(WardFollow).order_by(WardFollow.channel)).all()
        assert [(f.channel, f.active) for f in follows] == [("email", False), ("sms", True)]
        link = db.session.scalars(select(EmailOutboxMessage).order_by(EmailOutboxMessage.id)).all()[-1].body.split("http://localhost")[1].split()[0]
        c = db.session.scalar(select(Consultation).where(Consultation.plan_id == world["plan"]))
        c.opens_on, c.closes_on = plans.today() - timedelta(days=10), plans.today() - timedelta(days=1)
        db.session.commit()
        plans.publish_plan(person(ACRE_CLLR), db.session.get(Plan, world["plan"]), you_said_we_did="Oaks")
        text = db.session.scalars(select(OutboxMessage).where(OutboxMessage.number == NUMBER).order_by(OutboxMessage.id)).all()[-1].text
    assert client.get(link).status_code == 200  # the email's confirmation link
    unsubscribe = "/follow/unsubscribe/" + text.split("/follow/unsubscribe/")[1].split()[0]
    page = client.get(unsubscribe)
    assert page.status_code == 200 and "You will get no more messages" in page.get_data(as_text=True)
    with app.app_context():
        assert not db.session.scalar(select(WardFollow).where(WardFollow.channel == "sms")).active
    undo = client.post(unsubscribe + "/undo", data={"csrf_token": csrf(client, unsubscribe)})
    assert undo.status_code == 200
    with app.app_context():
        assert db.session.scalar(select(WardFollow).where(WardFollow.channel == "sms")).active
    # a mail client's one-click unsubscribe: a POST with no form token
    assert client.post(unsubscribe, data={"List-Unsubscribe": "One-Click"}).status_code == 204
    assert client.get("/follow/unsubscribe/1-" + "0" * 32).status_code == 404
    with app.app_context():
        assert not db.session.scalar(select(WardFollow).where(WardFollow.channel == "sms")).active

"""Consultation on a draft plan, moderation, the summary's disclosure rule, publishing with
"You said, we did", and following a ward (issue 12), as use-cases on the real database."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from pb.models import (
    ConsultationResponse,
    EmailOutboxMessage,
    FollowNotification,
    OutboxMessage,
    Person,
    PhoneNumber,
    RoleGrant,
    WardFollow,
    db,
)
from pb.services import consultation as consult
from pb.services import follows, plans
from pb.services.errors import NotAllowed, ServiceError, WrongPhase
from pb.services.identity import number_hash
from pb.services.rounds import today
from tests.factories import officer, resident, ward

ACRE = "brixton-acre-lane"
CLAPHAM = "clapham-town"
NUMBER = "+447911123456"


def councillor(slug: str, name: str) -> Person:
    person = Person(name=name, email=f"{name.replace(' ', '.').lower()}@example.org")
    person.roles.append(RoleGrant(role="councillor", ward=ward(slug)))
    db.session.add(person)
    db.session.commit()
    return person


def plan_with_priorities(cllr, n=3):
    plan = plans.create_plan(cllr, ward(ACRE), title="Acre Lane plan", start_year=2026, end_year=2028,
                             summary="Greener streets")
    priorities = [plans.add_priority(cllr, plan, title=f"Priority {i}") for i in range(1, n + 1)]
    plans.add_outcome(cllr, plan, title="Trees", responsible="Parks", target_date=today() + timedelta(days=90),
                      measure="Trees planted", priority_id=priorities[0].id)
    return plan, priorities


def opened(cllr, plan, premoderated=False):
    return consult.open_consultation(cllr, plan, opens_on=today(), closes_on=today() + timedelta(days=28),
                                     premoderated=premoderated)


def answer(person, c, priorities, *, top=None, comments=None, answers=None, rating="support"):
    return consult.respond(person, c, ratings={p.id: rating for p in priorities},
                           top_three=top if top is not None else [priorities[0].id],
                           comments=comments or {}, answers=answers or {})


def close(c):
    """Time passes: the consultation's dates move into the past."""
    c.opens_on, c.closes_on = today() - timedelta(days=30), today() - timedelta(days=1)
    db.session.commit()


def test_the_wards_councillor_opens_a_consultation_and_the_plan_is_fixed_while_it_runs(ctx):
    jane = councillor(ACRE, "Cllr Jane Doe")
    other = councillor(CLAPHAM, "Cllr Other Ward")
    plan, priorities = plan_with_priorities(jane)
    with pytest.raises(NotAllowed):
        opened(other, plan)
    with pytest.raises(ServiceError) as err:
        consult.open_consultation(jane, plan, opens_on=today() - timedelta(days=1), closes_on=today(),
                                  premoderated=False)
    assert err.value.field == "opens_on"
    with pytest.raises(ServiceError) as err:
        consult.open_consultation(jane, plan, opens_on=today(), closes_on=today() - timedelta(days=1),
                                  premoderated=False)
    assert err.value.field == "closes_on"
    c = opened(jane, plan)
    assert plan.state == "consultation" and consult.status(c) == "open"
    assert plans.may_see(None, plan)  # the public reads the draft it is consulted on
    with pytest.raises(WrongPhase):
        plans.add_priority(jane, plan, title="Sneaked in")
    with pytest.raises(WrongPhase):
        plans.publish_plan(jane, plan, you_said_we_did="Nothing yet")
    with pytest.raises(WrongPhase):
        opened(jane, plan)


def test_one_response_per_resident_of_the_ward_editable_until_the_close(ctx):
    jane = councillor(ACRE, "Cllr Jane Doe")
    plan, priorities = plan_with_priorities(jane, 4)
    c = opened(jane, plan)
    question = consult.add_question(jane, c, kind="single", text="How long have you lived here?",
                                    options="Under a year\nA year or more")
    ann = resident("Ann", ACRE)
    outsider = resident("Olu", CLAPHAM)
    with pytest.raises(NotAllowed):
        answer(outsider, c, priorities)
    with pytest.raises(NotAllowed):
        answer(jane, c, priorities)  # a councillor with no home in the ward is not a resident here
    with pytest.raises(consult.ResponseErrors) as err:
        consult.respond(ann, c, ratings={priorities[0].id: "love"}, top_three=[p.id for p in priorities],
                        comments={}, answers={question.id: "Forever"})
    assert {f"rating-{priorities[0].id}", f"rating-{priorities[1].id}", "top_three",
            f"question-{question.id}"} <= set(err.value.errors)
    first = answer(ann, c, priorities, top=[priorities[0].id, priorities[1].id],
                   comments={priorities[0].id: "More trees please", 0: "Good plan"},
                   answers={question.id: "Under a year"})
    kept = {cm.priority_id: cm.id for cm in first.comments}
    again = answer(ann, c, priorities, top=[priorities[2].id], rating="oppose",
                   comments={priorities[0].id: "More trees please", priorities[1].id: "Slower traffic"})
    assert again.id == first.id
    assert db.session.scalar(select(func.count()).select_from(ConsultationResponse)) == 1
    assert {r.priority_id: (r.rating, r.top_three) for r in again.ratings} == {
        p.id: ("oppose", p.id == priorities[2].id) for p in priorities}
    assert again.answers == []  # an edit replaces the answers
    bodies = {cm.priority_id: cm for cm in again.comments}
    assert set(bodies) == {priorities[0].id, priorities[1].id}
    assert bodies[priorities[0].id].id == kept[priorities[0].id]  # unchanged text keeps its moderation
    with pytest.raises(WrongPhase):
        consult.add_question(jane, c, kind="text", text="Too late")
    close(c)
    with pytest.raises(WrongPhase):
        answer(ann, c, priorities)


def test_premoderation_reports_once_each_and_only_officers_hide_with_a_reason(ctx):
    jane = councillor(ACRE, "Cllr Jane Doe")
    plan, priorities = plan_with_priorities(jane)
    c = opened(jane, plan, premoderated=True)
    ann, bob = resident("Ann", ACRE), resident("Bob", ACRE)
    answer(ann, c, priorities, comments={priorities[0].id: "Fix the crossing"})
    comment = c.comments[0]
    assert comment.state == "pending" and consult.visible_comments(c) == []
    with pytest.raises(WrongPhase):
        consult.report_comment(bob, comment)  # nobody can see it yet
    with pytest.raises(NotAllowed):
        consult.approve_comment(jane, comment)  # the plan's own councillor does not moderate
    sam = officer()
    consult.approve_comment(sam, comment)
    assert consult.visible_comments(c) == [comment]
    assert consult.report_comment(bob, comment) is True
    assert consult.report_comment(bob, comment) is False  # once each
    assert consult.report_comment(ann, comment) is True
    assert consult.moderation_queue(c)["reported"] == [comment]
    with pytest.raises(ServiceError):
        consult.hide_comment(sam, comment, reason="   ")
    consult.hide_comment(sam, comment, reason="It named a neighbour")
    assert comment.state == "hidden" and comment.hidden_reason == "It named a neighbour"
    assert consult.visible_comments(c) == [comment]  # shown as its reason, in its place
    assert consult.moderation_queue(c)["reported"] == []


def test_the_summary_counts_exactly_per_priority_and_protects_the_plans_own_questions(ctx):
    jane = councillor(ACRE, "Cllr Jane Doe")
    plan, priorities = plan_with_priorities(jane)
    c = opened(jane, plan)
    single = consult.add_question(jane, c, kind="single", text="Age group?", options="Under 25\n25 or over")
    many = consult.add_question(jane, c, kind="multiple", text="How do you travel?", options="Walk\nBus\nCar")
    text = consult.add_question(jane, c, kind="text", text="Anything else?")
    for i in range(22):
        person = resident(f"Resident {i}", ACRE)
        answer(person, c, priorities, rating="support" if i < 7 else "oppose",
               top=[priorities[i % 3].id],
               answers={single.id: "25 or over" if i < 21 else "Under 25", many.id: ["Walk", "Bus"] if i < 12 else ["Car"],
                        text.id: f"zz answer {i}" if i % 2 else f"aa answer {i}"})
    result = consult.summary(c)
    assert result["responses"] == 22
    first = result["priorities"][0]
    assert first["counts"] == {"support": 7, "neutral": 0, "oppose": 15} and first["top_three"] == 8
    questions = {q["question"].id: q for q in result["questions"]}
    # 21 and 1: the 1 is withheld, and so (complementary) is the 21, or subtraction would give it
    assert dict(questions[single.id]["options"]) == {"Under 25": None, "25 or over": None}
    # 12 of 22 walk (and 10 do not): both shown, rounded to 5; 10 of 22 go by car (12 do not): 10
    assert dict(questions[many.id]["options"]) == {"Walk": 10, "Bus": 10, "Car": 10}
    texts = questions[text.id]["texts"]
    assert texts == sorted(texts, key=str.casefold) and len(texts) == 22  # no order of arrival
    assert consult.may_see_summary(jane, c) and not consult.may_see_summary(None, c)
    close(c)
    assert consult.may_see_summary(None, c)


def test_publishing_after_a_consultation_needs_the_close_and_you_said_we_did(ctx):
    jane = councillor(ACRE, "Cllr Jane Doe")
    plan, priorities = plan_with_priorities(jane)
    c = opened(jane, plan)
    close(c)
    plans.add_priority(jane, plan, title="Added after the consultation")  # editable once closed
    with pytest.raises(WrongPhase):
        plans.delete_priority(jane, priorities[0])  # what residents rated stays
    with pytest.raises(ServiceError) as err:
        plans.publish_plan(jane, plan, you_said_we_did="  ")
    assert err.value.field == "you_said_we_did"
    plans.publish_plan(jane, plan, you_said_we_did="You asked for trees; we added a priority.")
    assert plan.state == "published" and plan.you_said_we_did.startswith("You asked")


def verified(person, number=NUMBER):
    db.session.add(PhoneNumber(number_hash=number_hash(number), last_digits=number[-3:], person_id=person.id))
    db.session.commit()


def test_followers_get_messages_only_once_they_asked_and_can_unsubscribe(ctx, app):
    jane = councillor(ACRE, "Cllr Jane Doe")
    ann, bob = resident("Ann", ACRE), resident("Bob", CLAPHAM)
    verified(ann)
    with pytest.raises(ServiceError):
        follows.follow_by_sms(bob, ward(ACRE), "07911 123456")  # not his number
    sms = follows.follow_by_sms(ann, ward(ACRE), "07911 123456")
    assert sms.active and sms.address == NUMBER
    mail = follows.follow_by_email(bob, ward(ACRE), "bob@example.org")
    assert not mail.active
    confirmation = db.session.scalars(select(EmailOutboxMessage).order_by(EmailOutboxMessage.id)).all()[-1]
    assert confirmation.address == "bob@example.org" and "/follow/confirm/" in confirmation.body
    plan, priorities = plan_with_priorities(jane)
    opened(jane, plan)
    texts = db.session.scalars(select(OutboxMessage).where(OutboxMessage.number == NUMBER).order_by(OutboxMessage.id)).all()
    assert len(texts) == 1 and "have their say" in texts[0].text and "/follow/unsubscribe/" in texts[0].text
    emails = db.session.scalars(select(EmailOutboxMessage).where(EmailOutboxMessage.address == "bob@example.org").order_by(EmailOutboxMessage.id)).all()
    assert len(emails) == 1  # only the confirmation: no message before the link was followed
    token = confirmation.body.split("/follow/confirm/")[1].split()[0]
    assert follows.confirm(token).active
    assert follows.confirm("1-" + "0" * 32) is None
    close(plan.consultation)
    plans.publish_plan(jane, plan, you_said_we_did="Changed")
    outcome = plan.outcomes[0]
    plans.post_update(officer(), outcome, body="Started", new_status="in_progress")
    texts = [m.text for m in db.session.scalars(select(OutboxMessage).where(OutboxMessage.number == NUMBER).order_by(OutboxMessage.id))]
    assert len(texts) == 3 and "Proposed to In progress" in texts[-1]
    link = texts[-1].split("/follow/unsubscribe/")[1].split()[0]
    assert follows.unsubscribe(link).unsubscribed_at is not None
    plans.post_update(officer(), outcome, body="Done", new_status="delivered")
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.number == NUMBER)) == 3
    assert follows.undo_unsubscribe(link).active
    emails = db.session.scalars(select(EmailOutboxMessage).where(EmailOutboxMessage.address == "bob@example.org").order_by(EmailOutboxMessage.id)).all()
    assert len(emails) == 4 and "In progress to Delivered" in emails[-1].body


def test_a_failed_send_never_undoes_the_change_and_is_retried(ctx, app):
    jane = councillor(ACRE, "Cllr Jane Doe")
    ann = resident("Ann", ACRE)
    verified(ann)
    follows.follow_by_sms(ann, ward(ACRE), NUMBER)
    plan, priorities = plan_with_priorities(jane)
    app.config["SMS_ADAPTER"] = "notify"  # no Notify key: every send fails
    try:
        opened(jane, plan)
    finally:
        app.config["SMS_ADAPTER"] = "outbox"
    assert plan.state == "consultation"  # the change stands
    note = db.session.scalar(select(FollowNotification))
    assert note.sent_at is None and note.attempts == 1 and note.last_error
    assert follows.send_pending(retry=True) == (0, 0)  # too young: its own request may still send it
    note.created_at -= timedelta(minutes=5)
    db.session.commit()
    assert follows.send_pending(retry=True) == (1, 0)
    assert db.session.get(FollowNotification, note.id).sent_at is not None
    assert db.session.scalar(select(func.count()).select_from(WardFollow)) == 1


def test_the_demo_has_a_plan_in_consultation_with_responses_a_hidden_comment_and_a_follower(ctx):
    from pb.models import Consultation, Plan
    from pb.services.demo import seed_demo, seed_plans

    seed_demo("test-password")
    seed_plans()
    plan = db.session.scalar(select(Plan).where(Plan.title == "Gipsy Hill ward plan 2027 to 2030"))
    assert plan.state == "consultation"
    c = db.session.scalar(select(Consultation).where(Consultation.plan_id == plan.id))
    assert consult.status(c) == "open" and len(c.responses) == 6 and len(c.questions) == 1
    hidden = [cm for cm in c.comments if cm.state == "hidden"]
    assert len(hidden) == 1 and hidden[0].hidden_reason and hidden[0].reports
    assert all(len(r.ratings) == 3 and sum(x.top_three for x in r.ratings) == 2 for r in c.responses)
    assert db.session.scalar(select(func.count()).select_from(WardFollow).where(WardFollow.ward_id == plan.ward_id)) == 1
    assert seed_plans() == 0  # once

"""Ward plans as use-cases: drafting, publishing, progress updates, the tracker, and who may."""

from datetime import date, timedelta

import pytest

from pb.models import OutcomeUpdate, Person, Plan, RoleGrant, db
from pb.services import plans
from pb.services.errors import NotAllowed, ServiceError, WrongPhase
from tests.factories import make_round, officer, resident, ward

ACRE = "brixton-acre-lane"
CLAPHAM = "clapham-town"


def councillor(slug: str, name: str = "Cllr Jane Doe") -> Person:
    person = Person(name=name, email=f"{name.replace(' ', '.').lower()}.{slug}@example.org")
    person.roles.append(RoleGrant(role="councillor", ward=ward(slug)))
    db.session.add(person)
    db.session.commit()
    return person


def draft(person, slug=ACRE, **overrides) -> Plan:
    fields = {"title": "Acre Lane plan 2026 to 2028", "start_year": 2026, "end_year": 2028,
              "summary": "Greener, safer streets.\nMore for young people."}
    fields.update(overrides)
    return plans.create_plan(person, ward(slug), **fields)


def outcome_fields(**overrides) -> dict:
    fields = {"title": "20 new street trees", "description": "", "priority_id": None,
              "responsible": "Parks service", "target_date": date.today() + timedelta(days=200),
              "measure": "Trees planted"}
    fields.update(overrides)
    return fields


def published_plan(person) -> Plan:
    plan = draft(person)
    priority = plans.add_priority(person, plan, title="Greener streets")
    plans.add_outcome(person, plan, **outcome_fields(priority_id=priority.id))
    return plans.publish_plan(person, plan)


def test_a_councillor_drafts_and_publishes_a_plan_for_their_ward(ctx):
    jane = councillor(ACRE)
    plan = draft(jane)
    assert plan.state == "draft" and plan.ward.slug == ACRE and plan.created_by_id == jane.id
    first = plans.add_priority(jane, plan, title="Greener streets", description="Trees")
    second = plans.add_priority(jane, plan, title="Safer crossings")
    third = plans.add_priority(jane, plan, title="Youth space")
    assert [p.title for p in plan.priorities] == ["Greener streets", "Safer crossings", "Youth space"]
    plans.move_priority(jane, third, "up")
    assert [p.id for p in plan.priorities] == [first.id, third.id, second.id]
    plans.move_priority(jane, first, "up")  # already first: nothing moves
    assert plan.priorities[0].id == first.id
    outcome = plans.add_outcome(jane, plan, **outcome_fields(priority_id=second.id))
    assert outcome.status == "proposed" and outcome.priority.id == second.id
    assert plans.current_plan(ward(ACRE)) is None  # a draft is not the ward's plan
    plans.publish_plan(jane, plan)
    assert plan.state == "published" and plan.published_at is not None
    assert plans.current_plan(ward(ACRE)).id == plan.id


def test_a_councillor_of_another_ward_can_do_nothing_with_the_plan(ctx):
    jane = councillor(ACRE)
    other = councillor(CLAPHAM, "Cllr Other")
    with pytest.raises(NotAllowed):
        draft(other)  # not their ward
    plan = draft(jane)
    priority = plans.add_priority(jane, plan, title="Greener streets")
    outcome = plans.add_outcome(jane, plan, **outcome_fields())
    attempts = [
        lambda: plans.update_plan(other, plan, title="Mine", start_year=2026, end_year=2028, summary="x"),
        lambda: plans.add_priority(other, plan, title="Mine"),
        lambda: plans.update_priority(other, priority, title="Mine"),
        lambda: plans.move_priority(other, priority, "down"),
        lambda: plans.delete_priority(other, priority),
        lambda: plans.add_outcome(other, plan, **outcome_fields()),
        lambda: plans.update_outcome(other, outcome, **outcome_fields()),
        lambda: plans.delete_outcome(other, outcome),
        lambda: plans.publish_plan(other, plan),
        lambda: plans.delete_plan(other, plan),
    ]
    for attempt in attempts:
        with pytest.raises(NotAllowed):
            attempt()
    plans.publish_plan(jane, plan)
    with pytest.raises(NotAllowed):
        plans.post_update(other, outcome, body="Done", new_status="delivered")
    with pytest.raises(NotAllowed):
        plans.post_update(resident("Res", ACRE), outcome, body="Done")
    assert plan.title == "Acre Lane plan 2026 to 2028" and outcome.status == "proposed"


def test_officers_may_do_everything(ctx):
    staff = officer()
    plan = draft(staff)
    plans.add_priority(staff, plan, title="P")
    outcome = plans.add_outcome(staff, plan, **outcome_fields())
    plans.publish_plan(staff, plan)
    update = plans.post_update(staff, outcome, body="Agreed with Highways", new_status="agreed")
    assert (update.from_status, update.to_status, update.author_role) == ("proposed", "agreed", "officer")


def test_validation_errors_name_their_field_and_write_nothing(ctx):
    jane = councillor(ACRE)
    cases = [({"title": " "}, "title"), ({"start_year": 1999}, "start_year"),
             ({"end_year": 2025}, "end_year"), ({"end_year": 2040}, "end_year"),
             ({"summary": ""}, "summary"), ({"title": "x" * 201}, "title")]
    for overrides, field in cases:
        with pytest.raises(ServiceError) as err:
            draft(jane, **overrides)
        assert err.value.field == field and str(err.value.message)
    assert db.session.query(Plan).count() == 0
    draft(jane)
    with pytest.raises(ServiceError) as err:
        draft(jane, title="Same period again")
    assert err.value.field == "start_year"
    plan = db.session.query(Plan).one()
    for overrides, field in [({"title": ""}, "title"), ({"responsible": ""}, "responsible"),
                             ({"measure": " "}, "measure"), ({"priority_id": 999999}, "priority_id"),
                             ({"target_date": None}, "target_date")]:
        with pytest.raises(ServiceError) as err:
            plans.add_outcome(jane, plan, **outcome_fields(**overrides))
        assert err.value.field == field
    assert plan.outcomes == []
    with pytest.raises(ServiceError):
        plans.publish_plan(jane, plan)  # nothing in it yet
    assert plan.state == "draft"


def test_a_published_plan_is_fixed_and_changes_only_by_updates(ctx):
    jane = councillor(ACRE)
    plan = published_plan(jane)
    outcome, priority = plan.outcomes[0], plan.priorities[0]
    for attempt in [lambda: plans.add_priority(jane, plan, title="Late"),
                    lambda: plans.update_priority(jane, priority, title="Changed"),
                    lambda: plans.delete_priority(jane, priority),
                    lambda: plans.add_outcome(jane, plan, **outcome_fields()),
                    lambda: plans.update_outcome(jane, outcome, **outcome_fields(title="Changed")),
                    lambda: plans.delete_outcome(jane, outcome),
                    lambda: plans.delete_plan(jane, plan),
                    lambda: plans.update_plan(jane, plan, title="C", start_year=2026, end_year=2028, summary="s"),
                    lambda: plans.publish_plan(jane, plan)]:
        with pytest.raises(WrongPhase):
            attempt()
    update = plans.post_update(jane, outcome, body="Funding agreed", new_status="in_progress")
    assert (update.from_status, update.to_status) == ("proposed", "in_progress")
    assert update.author_name == "Cllr Jane Doe" and update.author_role == "councillor"
    note = plans.post_update(jane, outcome, body="Ten trees in")
    assert note.to_status is None and outcome.status == "in_progress"
    with pytest.raises(ServiceError) as err:
        plans.post_update(jane, outcome, body="Stopped", new_status="dropped")
    assert err.value.field == "dropped_reason" and outcome.status == "in_progress"
    with pytest.raises(ServiceError) as err:
        plans.post_update(jane, outcome, body=" ", new_status="delivered")
    assert err.value.field == "body"
    with pytest.raises(ServiceError):
        plans.post_update(jane, outcome, body="x", new_status="finished")
    plans.post_update(jane, outcome, body="Stopped", new_status="dropped", dropped_reason="No money left")
    assert outcome.status == "dropped" and outcome.dropped_reason == "No money left"
    assert db.session.query(OutcomeUpdate).count() == 3
    assert [u.body for u in outcome.updates][0] == "Stopped"


def test_updates_need_a_published_plan(ctx):
    jane = councillor(ACRE)
    plan = draft(jane)
    outcome = plans.add_outcome(jane, plan, **outcome_fields())
    with pytest.raises(WrongPhase):
        plans.post_update(jane, outcome, body="Too early")


def test_overdue_means_past_its_date_in_london_and_not_finished(ctx):
    jane = councillor(ACRE)
    plan = draft(jane)
    plans.add_priority(jane, plan, title="P")
    today = plans.today()
    late = plans.add_outcome(jane, plan, **outcome_fields(title="Late", target_date=today - timedelta(days=1)))
    due = plans.add_outcome(jane, plan, **outcome_fields(title="Due today", target_date=today))
    done = plans.add_outcome(jane, plan, **outcome_fields(title="Done", target_date=today - timedelta(days=9)))
    plans.publish_plan(jane, plan)
    plans.post_update(jane, done, body="Finished", new_status="delivered")
    assert plans.is_overdue(late) and not plans.is_overdue(due) and not plans.is_overdue(done)
    view = plans.tracker(ward(ACRE))
    assert [o.id for o in view["overdue"]] == [late.id]
    assert view["counts"] == {"proposed": 2, "agreed": 0, "in_progress": 0, "delivered": 1, "dropped": 0}
    assert [u.body for u in view["updates"]] == ["Finished"]
    assert plans.tracker(ward(CLAPHAM))["outcomes"] == []
    assert len(plans.tracker(None)["outcomes"]) == 3


def test_draft_plans_stay_out_of_the_tracker(ctx):
    jane = councillor(ACRE)
    plan = draft(jane)
    plans.add_outcome(jane, plan, **outcome_fields())
    assert plans.tracker(None)["outcomes"] == []
    assert plans.may_see(jane, plan) and not plans.may_see(resident("R", ACRE), plan)
    assert not plans.may_see(councillor(CLAPHAM, "Cllr Other"), plan)


def test_funded_projects_appear_in_the_tracker_with_progress(ctx):
    from tests.web.test_plans import counted_round

    _round, _heading, funded = counted_round()
    funded.delivery_status, funded.delivery_progress = "in_progress", 40
    db.session.commit()
    rows = plans.tracker(ward(ACRE))["projects"]
    assert [(r["proposal"].id, r["status"], r["progress"]) for r in rows] == [(funded.id, "in_progress", 40)]
    assert plans.tracker(ward(CLAPHAM))["projects"] == []


def test_a_round_serves_published_priorities_of_its_wards(ctx):
    jane = councillor(ACRE)
    plan = published_plan(jane)
    priority = plan.priorities[0]
    round_ = make_round("proposals", wards=(ACRE,))
    plans.set_round_priorities(officer(), round_, [str(priority.id)])
    assert [p.id for p in round_.priorities] == [priority.id]
    assert plans.plan_rounds(plan) == [round_]
    unpublished = draft(jane, start_year=2029, end_year=2030)
    hidden = plans.add_priority(jane, unpublished, title="Not yet")
    with pytest.raises(ServiceError):
        plans.set_round_priorities(officer(), round_, [hidden.id])
    with pytest.raises(ServiceError):
        plans.set_round_priorities(officer(), round_, ["nonsense"])
    with pytest.raises(NotAllowed):
        plans.set_round_priorities(councillor(CLAPHAM, "Cllr Other"), round_, [])
    plans.set_round_priorities(officer(), round_, [])
    assert round_.priorities == []


def test_the_demo_has_a_published_plan_with_every_status_and_a_draft(ctx):
    from pb.services.demo import seed_demo, seed_plans, seed_rounds

    seed_demo("pw")
    seed_rounds()
    assert seed_plans() == 0  # seed_rounds made them; a second run adds nothing
    windrush = plans.current_plan(ward("brixton-windrush"))
    assert {o.status for o in windrush.outcomes} == {"proposed", "agreed", "in_progress", "delivered", "dropped"}
    assert len(plans.tracker(ward("brixton-windrush"))["overdue"]) == 1
    assert plans.plan_rounds(windrush)
    assert plans.current_plan(ward("streatham-wells")) is None
    assert plans.plans_for(officer(), ward("streatham-wells"))[0].state == "draft"


def test_control_characters_are_dropped_as_the_forms_drop_them(ctx):
    plan = draft(councillor(ACRE), title="Nul\x00 plan\x1b", summary="One\r\nTwo\x00")
    assert (plan.title, plan.summary) == ("Nul plan", "One\nTwo")

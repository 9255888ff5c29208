"""A round's lifecycle as one state machine: draft, publish, dates that move only forward for
phases that have not started, one extension of open voting, and a count that never reopens."""

from datetime import datetime, timedelta
from itertools import product
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from pb.models import PHASES, PhaseDateChange, Recount, Round, db
from pb.services import counting, rounds, voting
from pb.services.errors import NotAllowed, ServiceError, WrongPhase
from pb.services.rounds import (
    current_phase,
    delete_draft,
    extend_voting,
    move_phase_date,
    publish_round,
    today,
    unpublish_round,
    update_draft,
)
from tests.factories import (
    add_projects,
    close_and_mix,
    dates_for,
    make_round,
    officer,
    resident,
    set_phase,
    ward,
)


def councillor(slug="stockwell-east"):
    from pb.models import Person, RoleGrant

    person = db.session.scalar(select(Person).where(Person.email == f"cllr.{slug}@example.org"))
    if person is not None:
        return person
    person = Person(name=f"Cllr {slug}", email=f"cllr.{slug}@example.org")
    person.roles.append(RoleGrant(role="councillor", ward=ward(slug)))
    db.session.add(person)
    db.session.commit()
    return person


def test_phases_follow_london_not_the_server():
    assert today() == datetime.now(ZoneInfo("Europe/London")).date()


def test_a_new_round_is_a_draft_that_only_staff_see(ctx):
    draft = make_round("draft")
    assert draft.status == "draft" and current_phase(draft) == "draft"
    assert draft not in db.session.scalars(rounds.public_rounds()).all()
    assert draft not in rounds.open_rounds()
    assert draft not in rounds.rounds_for_ward(ward("stockwell-east"))


def test_a_draft_is_edited_and_deleted_but_a_published_round_is_not(ctx):
    draft = make_round("draft")
    update_draft(officer(), draft, title="Stockwell East green grants", max_choices=2,
                 headings=[(ward("stockwell-east"), 5000), (ward("oval"), 7000)])
    assert draft.title == "Stockwell East green grants"
    assert sorted(h.budget for h in draft.headings) == [5000, 7000]
    with pytest.raises(ServiceError):
        update_draft(officer(), draft, headings=[(ward("oval"), 0)])
    assert sorted(h.budget for h in db.session.get(Round, draft.id).headings) == [5000, 7000]
    with pytest.raises(NotAllowed):
        delete_draft(councillor("clapham-town"), draft)
    delete_draft(officer(), draft)
    assert db.session.scalar(select(func.count()).select_from(Round)) == 0
    live = make_round("proposals")
    with pytest.raises(WrongPhase):
        delete_draft(officer(), live)
    with pytest.raises(WrongPhase):
        update_draft(officer(), live, title="Changed")


def test_publishing_checks_the_dates_from_today(ctx):
    draft = make_round("draft")
    past = {p: d - timedelta(days=10) for p, d in dates_for("upcoming").items()}
    update_draft(officer(), draft, dates=past)
    with pytest.raises(ServiceError) as error:
        publish_round(officer(), draft)
    assert error.value.field == "proposals_from"
    assert db.session.get(Round, draft.id).status == "draft"
    update_draft(officer(), draft, dates=dates_for("upcoming"))
    publish_round(officer(), draft)
    assert current_phase(draft) == "upcoming"
    with pytest.raises(WrongPhase):
        publish_round(officer(), draft)
    unpublish_round(officer(), draft)  # nothing has happened yet: back to a draft
    assert current_phase(draft) == "draft"
    publish_round(officer(), draft)
    set_phase(draft, "proposals")
    with pytest.raises(WrongPhase):
        unpublish_round(officer(), draft)


@pytest.mark.parametrize("phase", PHASES)
def test_a_started_phase_never_moves(ctx, phase):
    round_ = make_round("delivery")
    for who, days in product((officer(), councillor()), (-30, -1, 0, 1, 30)):
        with pytest.raises((WrongPhase, ServiceError)):
            move_phase_date(who, round_, phase, today() + timedelta(days=days), "Because")
    assert current_phase(db.session.get(Round, round_.id)) == "delivery"
    assert db.session.scalar(select(func.count()).select_from(PhaseDateChange)) == 0


def test_a_phase_that_has_not_started_moves_into_the_future_only(ctx):
    round_ = make_round("proposals")
    for day in (today() - timedelta(days=1), today()):
        with pytest.raises(ServiceError) as error:
            move_phase_date(officer(), round_, "review", day, "Earlier")
        assert error.value.field == "new_date"
    with pytest.raises(ServiceError):
        move_phase_date(officer(), round_, "review", today() + timedelta(days=1), "   ")
    change = move_phase_date(councillor(), round_, "results", round_.results_from + timedelta(days=1),
                             "The count needs a committee meeting")
    assert change.kind == "move" and change.reason == "The count needs a committee meeting"
    with pytest.raises(ServiceError):  # out of order: voting after counting
        move_phase_date(officer(), round_, "voting", round_.counting_from + timedelta(days=1), "x")
    assert current_phase(db.session.get(Round, round_.id)) == "proposals"


def test_open_voting_is_extended_once_by_an_officer(ctx):
    round_ = make_round("voting")
    closes = rounds.last_day(round_, "voting")
    with pytest.raises(WrongPhase):  # the end of voting is not a plain move
        move_phase_date(officer(), round_, "counting", closes + timedelta(days=5), "Later")
    with pytest.raises(NotAllowed):
        extend_voting(councillor(), round_, closes + timedelta(days=5), "More time")
    with pytest.raises(ServiceError):
        extend_voting(officer(), round_, closes, "Same day")
    change = extend_voting(officer(), round_, closes + timedelta(days=5), "The library was shut")
    assert change.kind == "extension"
    assert rounds.last_day(round_, "voting") == closes + timedelta(days=5)
    assert round_.results_from >= round_.counting_from  # later phases moved along, on the record
    with pytest.raises(WrongPhase):
        extend_voting(officer(), round_, closes + timedelta(days=9), "Again")
    other = make_round("counting")
    with pytest.raises(WrongPhase):
        extend_voting(officer(), other, today() + timedelta(days=3), "Too late")


def test_nobody_reopens_a_counted_round_and_a_recount_needs_a_reason(ctx):
    round_ = make_round("voting")
    heading = round_.headings[0]
    project = add_projects(heading, [3000])[0]
    voting.cast_ballot(resident("Vi", "stockwell-east"), heading, [project.project_id])
    close_and_mix(round_)
    counting.mix_and_count(officer(), round_)
    late = resident("Late", "stockwell-east")
    for who, phase, days in product((officer(), councillor()), PHASES, (-3, 0, 1, 10, 40)):
        try:
            move_phase_date(who, round_, phase, today() + timedelta(days=days), "Reopen")
        except (WrongPhase, ServiceError, NotAllowed):
            pass
        assert current_phase(db.session.get(Round, round_.id)) in ("counting", "results", "delivery")
    for who in (officer(), councillor()):
        with pytest.raises((WrongPhase, NotAllowed)):
            extend_voting(who, round_, today() + timedelta(days=10), "Reopen")
    with pytest.raises(WrongPhase):
        voting.cast_ballot(late, heading, [project.project_id])
    with pytest.raises(ServiceError) as error:  # a recount before publication needs a reason
        counting.mix_and_count(officer(), round_)
    assert error.value.field == "reason"
    with pytest.raises(NotAllowed):
        counting.mix_and_count(councillor(), round_, "I prefer another result")
    counting.mix_and_count(officer(), round_, "The wrong rule was shown on the ballot page")
    assert db.session.scalars(select(Recount)).one().reason.startswith("The wrong rule")
    assert heading.result.ballots_counted == 1
    set_phase(round_, "results")
    with pytest.raises(WrongPhase):
        counting.mix_and_count(officer(), round_, "After publication")
    with pytest.raises(WrongPhase):
        counting.count_round(officer(), round_, "After publication")


def test_a_reviewed_proposal_is_frozen_and_its_author_may_withdraw_it(ctx):
    from pb.services import proposals

    round_ = make_round("proposals")
    heading = round_.headings[0]
    author = resident("Pat", "stockwell-east")
    text = {"title": "Plant trees", "summary": "Trees on the green", "description": "Shade",
            "category": "parks", "rough_cost": 4000}
    proposal = proposals.save_proposal(author, heading, text, submit=True)
    proposals.review_proposal(officer(), proposal, decision="accept", reason="Good idea",
                              final_cost=4500)
    with pytest.raises(WrongPhase):
        proposals.save_proposal(author, heading, {**text, "title": "Build a car park"}, submit=True,
                                proposal=proposal)
    stored = db.session.get(type(proposal), proposal.id)
    assert (stored.title, stored.final_cost, stored.status) == ("Plant trees", 4500, "accepted")
    rejected = proposals.save_proposal(author, heading, {**text, "title": "Paint the bridge"},
                                       submit=True)
    proposals.review_proposal(officer(), rejected, decision="reject", reason="Not ours")
    with pytest.raises(WrongPhase):  # a rejected proposal does not become "submitted" again
        proposals.save_proposal(author, heading, {**text, "title": "Paint it blue"}, submit=True,
                                proposal=rejected)
    assert db.session.get(type(rejected), rejected.id).status == "rejected"
    with pytest.raises(NotAllowed):
        proposals.withdraw_proposal(resident("Other", "stockwell-east"), proposal)
    proposals.withdraw_proposal(author, proposal)
    assert proposal.status == "withdrawn" and proposal not in proposals.on_ballot(heading)
    assert proposal not in proposals.public_proposals(heading)
    with pytest.raises(WrongPhase):
        proposals.review_proposal(officer(), proposal, decision="accept", reason="x", final_cost=10)
    again = proposals.save_proposal(author, heading, {**text, "title": "Plant more trees"}, submit=True)
    assert again.status == "submitted"
    set_phase(round_, "review")
    with pytest.raises(WrongPhase):
        proposals.withdraw_proposal(author, again)


def test_a_form_sent_twice_makes_one_draft_and_one_date_change(ctx):
    from pb.services.rounds import create_round

    options = dict(title="Twice", description="", ballot_type="approval", rule="greedy",
                   headings=[(ward("oval"), 5000)], dates=dates_for("upcoming"))
    first = create_round(officer(), **options)
    second = create_round(officer(), **options)
    assert first.id == second.id and db.session.scalar(select(func.count()).select_from(Round)) == 1
    live = make_round("proposals")
    day = live.results_from + timedelta(days=1)
    move_phase_date(officer(), live, "results", day, "Committee")
    again = move_phase_date(officer(), live, "results", day, "Committee")
    assert again.new_date == day
    assert db.session.scalar(select(func.count()).select_from(PhaseDateChange)) == 1

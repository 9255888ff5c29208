"""A round for some ages only (a youth budget for 11 to 25s): the round keeps its ages, a
voter must declare they are within them to cast, and the roll records the declaration,
never the sealed ballot. Rounds for any age are unchanged."""

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from pb.models import RollEntry, Round, SealedBallot, db
from pb.services import ballot_box, rounds, voting
from pb.services.errors import ServiceError
from tests.factories import add_projects, dates_for, make_round, officer, resident, ward


def rows(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def youth_round(min_age=11, max_age=25):
    round_ = make_round("voting", min_age=min_age, max_age=max_age)
    projects = add_projects(round_.headings[0], [3000, 4000])
    return round_, round_.headings[0], projects


def test_a_youth_round_refuses_a_ballot_without_the_declaration(ctx):
    round_, heading, projects = youth_round()
    assert round_.age_range == (11, 25)
    ada = resident("Ada", "stockwell-east")
    for declared in (False, None, "yes", 1):  # only a real yes is a declaration
        with pytest.raises(ServiceError) as err:
            voting.cast_ballot(ada, heading, [projects[0].project_id], age_declared=declared)
        assert err.value.field == "age_declared"
        assert str(err.value.message) == "Confirm that you are aged 11 to 25 to vote in this round"
    assert (rows(RollEntry), rows(SealedBallot)) == (0, 0)
    assert not voting.has_voted(ada, round_)


def test_the_declaration_is_recorded_on_the_roll_and_not_in_the_ballot(ctx):
    round_, heading, projects = youth_round()
    ada = resident("Ada", "stockwell-east")
    cast = voting.cast_ballot(ada, heading, [projects[0].project_id], age_declared=True)
    entry = db.session.scalars(select(RollEntry)).one()
    assert (entry.person_id, entry.age_declared) == (ada.id, True)
    sealed = db.session.scalars(select(SealedBallot)).one()
    payload = ballot_box.unseal(sealed.id, heading.id, sealed.sealed)
    assert set(payload) == {"choices", "channel", "receipt", "receipt_hash", "answers"}
    assert "age" not in repr(payload)
    assert cast.receipt


def test_ordinary_rounds_need_no_declaration_and_record_none(ctx):
    round_ = make_round("voting")
    heading = round_.headings[0]
    projects = add_projects(heading, [3000])
    assert round_.age_range is None
    voting.cast_ballot(resident("Bo", "stockwell-east"), heading, [projects[0].project_id])
    voting.cast_ballot(resident("Cy", "stockwell-east"), heading, [projects[0].project_id], age_declared=True)
    assert [e.age_declared for e in db.session.scalars(select(RollEntry))] == [False, False]


@pytest.mark.parametrize("min_age, max_age, message", [
    (16, None, "Confirm that you are aged 16 or over to vote in this round"),
    (None, 25, "Confirm that you are aged 25 or under to vote in this round"),
    (0, 25, "Confirm that you are aged 25 or under to vote in this round"),  # 0 asks nothing
    (18, 18, "Confirm that you are aged 18 to vote in this round"),
])
def test_one_sided_ranges_are_worded_for_what_they_ask(ctx, min_age, max_age, message):
    _, heading, projects = youth_round(min_age, max_age)
    with pytest.raises(ServiceError) as err:
        voting.cast_ballot(resident("Di", "stockwell-east"), heading, [projects[0].project_id])
    assert str(err.value.message) == message


def test_a_minimum_of_zero_alone_is_no_age_range(ctx):
    round_, heading, projects = youth_round(0, None)
    assert round_.age_range is None
    voting.cast_ballot(resident("Ed", "stockwell-east"), heading, [projects[0].project_id])
    assert rows(RollEntry) == 1


@pytest.mark.parametrize("min_age, max_age, field", [
    (-1, None, "min_age"), (121, None, "min_age"), (None, 121, "max_age"), (None, -3, "max_age"),
    (25, 11, "max_age"), ("11", None, "min_age"), (True, None, "min_age"),
])
def test_ages_must_be_whole_years_from_0_to_120_and_in_order(ctx, min_age, max_age, field):
    with pytest.raises(ServiceError) as err:
        rounds.create_round(officer(), title="Youth budget", description="", ballot_type="approval",
                            rule="greedy", headings=[(ward("stockwell-east"), 5000)],
                            dates=dates_for("upcoming"), min_age=min_age, max_age=max_age)
    assert err.value.field == field
    assert rows(Round) == 0


def test_the_database_refuses_ages_out_of_range_too(ctx):
    round_ = make_round("draft")
    round_.max_age = 130
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    round_.min_age, round_.max_age = 25, 11
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_ages_change_with_the_draft_and_not_after_publishing(ctx):
    draft = make_round("draft")
    rounds.update_draft(officer(), draft, min_age=11, max_age=25)
    assert (draft.min_age, draft.max_age) == (11, 25)
    with pytest.raises(ServiceError) as err:
        rounds.update_draft(officer(), draft, min_age=30)
    assert err.value.field == "max_age"
    db.session.refresh(draft)
    assert (draft.min_age, draft.max_age) == (11, 25)
    open_round = make_round("proposals", min_age=11, max_age=25)
    with pytest.raises(ServiceError):
        rounds.update_draft(officer(), open_round, max_age=30)
    db.session.refresh(open_round)
    assert open_round.max_age == 25


def test_the_demo_has_a_youth_round_open_for_voting(ctx):
    from pb.services.demo import YOUTH_ROUND, seed_demo, seed_rounds

    seed_demo("test-password")
    seed_rounds()
    seed_rounds()  # once only
    youth = db.session.scalars(select(Round).where(Round.title == YOUTH_ROUND)).one()
    assert youth.age_range == (11, 25)
    assert rounds.current_phase(youth) == "voting"
    heading = youth.headings[0]
    projects = [p.project_id for p in heading.proposals]
    voter = resident("Zara", heading.ward.slug)
    with pytest.raises(ServiceError):
        voting.cast_ballot(voter, heading, projects[:1])
    voting.cast_ballot(voter, heading, projects[:1], age_declared=True)

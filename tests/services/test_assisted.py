"""Assisted voting: an officer checks a resident in person, the check is audited apart from
the ballot, and the same resident cannot be assisted twice in a round."""

import json
from datetime import date

import pytest
from sqlalchemy import func, inspect, select

from pb.models import AssistedCheck, AssistedIdentity, Ballot, Person, RollEntry, SealedBallot, db
from pb.services import assisted, voting
from pb.services.errors import AlreadyVoted, NotAllowed, ServiceError, WrongPhase
from tests.factories import add_projects, close_and_mix, make_round, officer, resident

BORN = date(1970, 3, 27)


def check(round_, name="Amara Okafor", born=BORN, postcode="SW9 0AA", method="document", **kw):
    return assisted.check_resident(officer(), round_, name=name, born=born, postcode=postcode,
                                   method=method, **kw)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_an_assisted_resident_votes_once_with_channel_assisted(ctx):
    round_ = make_round("voting")
    heading = round_.headings[0]
    projects = add_projects(heading, [3000, 4000])
    person = check(round_)
    assert person.ward_id == heading.ward_id and person.name == ""
    done = voting.cast_ballot(person, heading, [projects[0].project_id], channel="assisted")
    assert done.receipt
    # the same resident, written differently, is the same person: refused at the check
    with pytest.raises(assisted.ResidentHasVoted):
        check(round_, name="  amara   OKAFOR. ", postcode="sw90aa")
    with pytest.raises(AlreadyVoted):
        voting.cast_ballot(person, heading, [projects[1].project_id], channel="assisted")
    assert count(AssistedIdentity) == 1 and count(RollEntry) == 1
    close_and_mix(round_)
    ballot = db.session.scalars(select(Ballot)).one()
    assert json.loads(ballot.choices) == [projects[0].project_id]
    # the ward's only assisted ballot would be its voter's: below the floor it reads "web"
    assert ballot.channel == "web"


def test_the_assisted_channel_is_kept_only_from_ten_ballots_up(ctx):
    from pb.services.ballot_box import CHANNEL_FLOOR

    round_ = make_round("voting")
    heading = round_.headings[0]
    projects = add_projects(heading, [3000, 4000])
    for i in range(CHANNEL_FLOOR):
        person = check(round_, name=f"Resident Number {chr(65 + i)}")
        voting.cast_ballot(person, heading, [projects[i % 2].project_id], channel="assisted")
    close_and_mix(round_)
    assert db.session.scalars(select(Ballot.channel)).all() == ["assisted"] * CHANNEL_FLOOR


def test_a_different_date_of_birth_is_a_different_resident(ctx):
    round_ = make_round("voting")
    first = check(round_)
    second = check(round_, born=date(1971, 3, 27))
    assert first.id != second.id


def test_a_ward_outside_the_round_is_refused_and_nothing_is_written(ctx):
    round_ = make_round("voting")  # Stockwell East only
    with pytest.raises(ServiceError, match="not part of this round") as err:
        check(round_, postcode="SW2 1AH")  # Brixton Acre Lane
    assert err.value.field == "postcode"
    with pytest.raises(ServiceError, match="Enter a postcode in Lambeth"):
        check(round_, postcode="SW1A 1AA")
    assert count(AssistedCheck) == 0 and count(AssistedIdentity) == 0
    assert count(Person) == 1  # the officer


@pytest.mark.parametrize("field, kwargs", [
    ("name", {"name": "  .. "}), ("born", {"born": None}), ("born", {"born": date(2999, 1, 1)}),
    ("postcode", {"postcode": "nonsense"}), ("method", {"method": "guess"}),
    ("note", {"method": "other", "note": ""}),
])
def test_each_missing_or_wrong_detail_is_named(ctx, field, kwargs):
    round_ = make_round("voting")
    with pytest.raises(ServiceError) as err:
        check(round_, **kwargs)
    assert err.value.field == field
    assert count(AssistedCheck) == 0


def test_only_in_voting_and_only_staff(ctx):
    with pytest.raises(WrongPhase):
        check(make_round("counting"))
    round_ = make_round("voting")
    with pytest.raises(NotAllowed):
        assisted.check_resident(resident("Neighbour", "stockwell-east"), round_, name="A B", born=BORN,
                                postcode="SW9 0AA", method="known")


def test_the_audit_record_says_who_checked_how_and_on_which_day_and_nothing_more(ctx):
    round_ = make_round("voting")
    heading = round_.headings[0]
    projects = add_projects(heading, [3000])
    person = check(round_, method="other", note="Library card and a letter")
    voting.cast_ballot(person, heading, [projects[0].project_id], channel="assisted")
    row = db.session.scalars(select(AssistedCheck)).one()
    assert (row.officer_id, row.round_id, row.ward_id, row.method, row.note, row.checked_on) == (
        officer().id, round_.id, heading.ward_id, "other", "Library card and a letter", date.today())
    columns = {c.name for c in inspect(AssistedCheck).columns}
    assert columns == {"id", "officer_id", "round_id", "ward_id", "method", "note", "checked_on"}
    close_and_mix(round_)
    ballot = db.session.scalars(select(Ballot)).one()
    # no shared id, no person, no time finer than the day
    assert row.id not in (ballot.id, ballot.receipt_hash) and len(row.id) == 32
    assert str(person.id) not in (row.id,)
    assert count(SealedBallot) == 0


def test_an_eligibility_reference_is_checked_at_the_check_and_used_at_the_cast(ctx):
    from pb.services import eligibility

    round_ = make_round("review")
    eligibility.upload_list(officer(), round_, "list.csv", b"AB123456\n")
    from tests.factories import set_phase
    set_phase(round_, "voting")
    heading = round_.headings[0]
    projects = add_projects(heading, [3000])
    with pytest.raises(ServiceError) as err:
        check(round_)
    assert err.value.field == "reference"
    with pytest.raises(ServiceError):
        check(round_, reference="ZZ999")
    assert count(AssistedCheck) == 0
    person = check(round_, reference="ab 123456")
    voting.cast_ballot(person, heading, [projects[0].project_id], channel="assisted", reference="AB123456")
    # the same reference cannot be used again, by phone or assisted
    with pytest.raises(ServiceError):
        check(round_, name="Someone Else", reference="AB123456")


@pytest.mark.skipif(not hasattr(__import__("pb.models", fromlist=["Round"]).Round, "min_age"),
                    reason="rounds have no age range in this tree")
def test_a_youth_budget_takes_the_date_of_birth_the_officer_saw_as_the_age_declaration(ctx):
    round_ = make_round("voting", min_age=11, max_age=25)
    heading = round_.headings[0]
    projects = add_projects(heading, [3000])
    today = date.today()
    with pytest.raises(ServiceError) as err:
        check(round_, born=date(1970, 3, 27))
    assert err.value.field == "born"
    assert count(AssistedCheck) == 0
    person = check(round_, born=date(today.year - 18, 1, 1))
    voting.cast_ballot(person, heading, [projects[0].project_id], channel="assisted",
                       **assisted.cast_options(round_))
    assert db.session.scalars(select(RollEntry)).one().age_declared is True

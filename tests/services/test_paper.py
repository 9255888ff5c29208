"""Paper ballots: each paper keyed twice by two different officers; agreeing keyings become
one sealed ballot with channel "paper", counted after the mix; a mismatch stays out of the
count until a supervisor who keyed neither keying resolves it; the count refuses while any
paper is unsettled."""

import json

import pytest
from sqlalchemy import func, select

from pb.models import Ballot, Paper, Person, RoleGrant, RollEntry, SealedBallot, db
from pb.services import counting, paper, voting
from pb.services.errors import NotAllowed, ServiceError, WrongPhase
from tests.factories import add_projects, close_and_mix, make_round, officer, resident, set_phase


def staff(name: str, role: str = "officer") -> Person:
    person = Person(name=name, email=f"{name.lower().replace(' ', '.')}@example.org")
    person.roles.append(RoleGrant(role=role))
    db.session.add(person)
    db.session.commit()
    return person


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def setup(ctx):
    round_ = make_round("voting", max_choices=2)
    heading = round_.headings[0]
    ids = [p.project_id for p in add_projects(heading, [3000, 4000, 5000])]
    return round_, heading, ids, staff("Keyer One"), staff("Keyer Two")


def test_two_agreeing_keyings_make_one_sealed_paper_ballot_that_is_counted(setup):
    round_, heading, ids, one, two = setup
    batch = paper.create_batch(one, heading, "Brixton library box 1", 1)
    first = paper.key_paper(one, batch, 1, [ids[1], ids[0]])
    assert first.status == "keyed_once" and count(SealedBallot) == 0
    second = paper.key_paper(two, batch, 1, [ids[0], ids[1]])
    assert second.status == "agreed"
    assert count(SealedBallot) == 1 and count(RollEntry) == 0
    sealed = db.session.scalars(select(SealedBallot)).one()
    assert sealed.token_hash is None
    assert close_and_mix(round_) == 1
    ballot = db.session.scalars(select(Ballot)).one()
    assert ballot.channel == "paper" and json.loads(ballot.choices) == sorted([ids[0], ids[1]])
    results = counting.count_round(officer(), round_)
    assert results[0].ballots_counted == 1
    assert "paper" in results[0].pabulib


def test_the_same_officer_cannot_key_both(setup):
    round_, heading, ids, one, two = setup
    batch = paper.create_batch(one, heading, "Box", 3)
    paper.key_paper(one, batch, 1, [ids[0]])
    with pytest.raises(paper.SameKeyer, match="A different officer must key it"):
        paper.key_paper(one, batch, 1, [ids[0]])
    assert db.session.scalars(select(Paper)).one().status == "keyed_once"
    assert count(SealedBallot) == 0
    paper.key_paper(two, batch, 1, [ids[0]])
    with pytest.raises(paper.SameKeyer, match="already been keyed twice"):
        paper.key_paper(staff("Keyer Three"), batch, 1, [ids[0]])


def test_an_invalid_paper_is_refused_or_marked_spoilt(setup):
    round_, heading, ids, one, two = setup
    batch = paper.create_batch(one, heading, "Box", 2)
    with pytest.raises(voting.InvalidBallot):
        paper.key_paper(one, batch, 1, ids)  # three choices where two are allowed
    with pytest.raises(ServiceError) as err:
        paper.key_paper(one, batch, 3, [ids[0]])
    assert err.value.field == "number"
    paper.key_paper(one, batch, 1, None, spoilt=True)
    assert paper.key_paper(two, batch, 1, None, spoilt=True).status == "spoilt"
    assert count(SealedBallot) == 0
    assert paper.summary(batch)["spoilt"] == 1


def test_a_mismatch_stays_out_of_the_count_until_a_supervisor_resolves_it(setup):
    round_, heading, ids, one, two = setup
    batch = paper.create_batch(one, heading, "Box", 2)
    for number in (1, 2):
        paper.key_paper(one, batch, number, [ids[0]])
    paper.key_paper(two, batch, 1, [ids[0]])
    mismatch = paper.key_paper(two, batch, 2, [ids[1]])
    assert mismatch.status == "mismatch"
    assert count(SealedBallot) == 1
    summary = paper.summary(batch)
    assert (summary["agreed"], summary["mismatch"], summary["keyed_once"]) == (1, 1, 0)
    close_and_mix(round_)
    # the count refuses, saying how many papers wait
    with pytest.raises(WrongPhase, match="1 paper ballot is not settled"):
        counting.mix_and_count(officer(), round_)
    assert heading.result is None
    # neither keyer may resolve it; a third officer may, after the box was mixed
    for keyer in (one, two):
        with pytest.raises(NotAllowed):
            paper.resolve_paper(keyer, mismatch, [ids[1]])
    supervisor = staff("Supervisor")
    paper.resolve_paper(supervisor, mismatch, [ids[1]])
    assert mismatch.status == "resolved" and mismatch.resolved_by_id == supervisor.id
    results = counting.mix_and_count(officer(), round_)  # mixes the late paper, then counts
    assert results[0].ballots_counted == 2
    assert sorted(b.channel for b in db.session.scalars(select(Ballot))) == ["paper", "paper"]
    # once counted, no paper can be keyed any more
    with pytest.raises(WrongPhase):
        paper.create_batch(one, heading, "Late box", 1)


def test_papers_not_keyed_at_all_or_keyed_once_hold_the_count(setup):
    round_, heading, ids, one, two = setup
    batch = paper.create_batch(one, heading, "Box", 3)
    paper.key_paper(one, batch, 1, [ids[0]])
    set_phase(round_, "counting")
    with pytest.raises(WrongPhase, match="3 paper ballots"):
        counting.mix_and_count(officer(), round_)
    assert paper.unsettled(round_) == 3


def test_keying_needs_voting_or_an_uncounted_round_and_an_officer(ctx):
    round_ = make_round("review")
    heading = round_.headings[0]
    with pytest.raises(WrongPhase):
        paper.create_batch(officer(), heading, "Box", 1)
    set_phase(round_, "voting")
    with pytest.raises(NotAllowed):
        paper.create_batch(resident("Neighbour", "stockwell-east"), heading, "Box", 1)
    with pytest.raises(ServiceError) as err:
        paper.create_batch(officer(), heading, "  ", 1)
    assert err.value.field == "label"
    with pytest.raises(ServiceError) as err:
        paper.create_batch(officer(), heading, "Box", 0)
    assert err.value.field == "expected"


def test_an_admin_who_keyed_cannot_resolve_either(setup):
    round_, heading, ids, one, two = setup
    admin = staff("Admin Keyer", "admin")
    batch = paper.create_batch(one, heading, "Box", 1)
    paper.key_paper(admin, batch, 1, [ids[0]])
    mismatch = paper.key_paper(two, batch, 1, [ids[2]])
    with pytest.raises(NotAllowed):
        paper.resolve_paper(admin, mismatch, [ids[0]])
    paper.resolve_paper(staff("Other Admin", "admin"), mismatch, None, spoilt=True)
    assert mismatch.status == "spoilt" and count(SealedBallot) == 0

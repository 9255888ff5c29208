"""Casting: rules checked, one ballot each (enforced by the database), nothing half-written,
and nothing stored that links a person to their ballot: casting writes a sealed ballot
beside the roll entry, and the mixer makes it a ballot when voting closes."""

import json
import threading
import time

import pytest
from sqlalchemy import func, inspect, select

from pb.models import Ballot, RollEntry, SealedBallot, db
from pb.services import voting
from pb.services.errors import AlreadyVoted, NotAllowed, WrongPhase
from tests.factories import add_projects, close_and_mix, make_round, resident, set_phase


def counts():
    """(ballots waiting sealed or mixed, roll entries)"""
    return (db.session.scalar(select(func.count()).select_from(Ballot))
            + db.session.scalar(select(func.count()).select_from(SealedBallot)),
            db.session.scalar(select(func.count()).select_from(RollEntry)))


def test_a_resident_casts_once_and_gets_a_128_bit_receipt(ctx):
    round_ = make_round("voting", max_choices=2)
    heading = round_.headings[0]
    projects = add_projects(heading, [3000, 4000, 5000])
    ada = resident("Ada", "stockwell-east")
    cast = voting.cast_ballot(ada, heading, [projects[0].project_id, projects[2].project_id])
    groups = cast.receipt.split("-")
    assert len("".join(groups)) == 26 and all(len(g) <= 4 for g in groups)  # 26 base-32 digits = 130 bits
    with pytest.raises(AlreadyVoted):
        voting.cast_ballot(ada, heading, [projects[1].project_id])
    assert counts() == (1, 1)
    sealed = db.session.scalars(select(SealedBallot)).one()
    assert b"choices" not in sealed.sealed and cast.receipt.encode() not in sealed.sealed
    assert voting.ballot_for_receipt(heading, cast.receipt) is None  # not until mixed
    assert close_and_mix(round_) == 1
    ballot = db.session.scalars(select(Ballot)).one()
    assert json.loads(ballot.choices) == [projects[0].project_id, projects[2].project_id]
    assert voting.ballot_for_receipt(heading, cast.receipt.lower()) is ballot
    assert counts() == (1, 1)


def test_the_ballot_table_cannot_link_to_a_person():
    columns = {c.name for c in inspect(Ballot).columns}
    assert columns == {"id", "heading_id", "choices", "receipt_hash", "channel"}
    # the age declaration is the same for every voter of a round: it says nothing about a ballot
    assert {c.name for c in inspect(RollEntry).columns} == {"id", "round_id", "person_id", "age_declared"}


def test_invalid_ballots_are_explained_and_not_stored(ctx):
    round_ = make_round("voting", max_choices=1)
    heading = round_.headings[0]
    projects = add_projects(heading, [3000, 4000])
    with pytest.raises(voting.InvalidBallot) as err:
        voting.cast_ballot(resident("Bo", "stockwell-east"), heading, [p.project_id for p in projects])
    assert [p.code for p in err.value.problems]
    assert counts() == (0, 0)


def test_voting_only_while_open_and_only_in_your_ward(ctx):
    round_ = make_round("review")
    heading = round_.headings[0]
    projects = add_projects(heading, [3000])
    with pytest.raises(WrongPhase):
        voting.cast_ballot(resident("Cy", "stockwell-east"), heading, [projects[0].project_id])
    set_phase(round_, "voting")
    with pytest.raises(NotAllowed):
        voting.cast_ballot(resident("Di", "oval"), heading, [projects[0].project_id])
    assert counts() == (0, 0)


def test_a_failure_partway_through_casting_leaves_neither_row(ctx):
    round_ = make_round("voting")
    heading = round_.headings[0]
    projects = add_projects(heading, [3000])
    person = resident("Ed", "stockwell-east")

    def power_cut():
        raise RuntimeError("the database connection dropped")

    with pytest.raises(RuntimeError):
        voting.cast_ballot(person, heading, [projects[0].project_id], before_ballot=power_cut)
    assert counts() == (0, 0)
    voting.cast_ballot(person, heading, [projects[0].project_id])  # and can still vote afterwards
    assert counts() == (1, 1)


def test_fifty_concurrent_casts_for_one_person_leave_one_ballot(app):
    """Every request passes the 'has voted?' check, pauses, then inserts: the database decides."""
    with app.app_context():
        round_ = make_round("voting")
        heading = round_.headings[0]
        project_id = add_projects(heading, [3000])[0].project_id
        person_id = resident("Fay", "stockwell-east").id
        heading_id = heading.id
    barrier = threading.Barrier(50, timeout=30)
    outcomes = []

    def attempt():
        with app.app_context():
            from pb.models import Heading, Person

            person = db.session.get(Person, person_id)
            target = db.session.get(Heading, heading_id)
            try:
                voting.cast_ballot(person, target, [project_id],
                                   after_check=lambda: (barrier.wait(), time.sleep(0.05)))
                outcomes.append("cast")
            except AlreadyVoted:
                outcomes.append("refused")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(set(outcomes)) == ["cast", "refused"] and outcomes.count("cast") == 1
    with app.app_context():
        assert counts() == (1, 1)

"""The ballot box under failure and races: a failure at any step of casting or of mixing
leaves no voter marked as voted without their ballot reaching the count; the count
refuses while ballots wait; a cast racing the mixer either makes it in or leaves nothing.
Runs on SQLite and on PostgreSQL (DATABASE_URL)."""

import json
import threading
import time

import pytest
from sqlalchemy import func, select

from pb.models import (
    Ballot,
    Heading,
    MonitoringResponse,
    Person,
    RollEntry,
    Round,
    SealedBallot,
    db,
)
from pb.services import ballot_box, counting, voting
from pb.services.errors import WrongPhase
from tests.factories import add_projects, close_and_mix, make_round, officer, resident, set_phase

CAST_STEPS = ("roll", "sealed", "checked")
MIX_STEPS = ("closed", "opened", "ballots", "answers", "deleted")


class Injected(RuntimeError):
    pass


def fail_at(name):
    def step(current):
        if current == name:
            raise Injected(name)
    return step


def rows(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def cast_some(n: int, answered: int = 0):
    round_ = make_round("voting")
    heading = round_.headings[0]
    project = add_projects(heading, [3000, 2000])
    for i in range(n):
        cast = voting.cast_ballot(resident(f"Voter {i}", "stockwell-east"), heading,
                                  [project[i % 2].project_id])
        if i < answered:
            ballot_box.add_answers(cast.token, {"age": "25_34"})
    return round_, heading, project


@pytest.mark.parametrize("step", CAST_STEPS)
def test_a_failure_at_any_step_of_casting_leaves_nothing(ctx, step):
    round_, heading, project = cast_some(0)
    person = resident("Gil", "stockwell-east")
    with pytest.raises(Injected):
        voting.cast_ballot(person, heading, [project[0].project_id], on_step=fail_at(step))
    assert (rows(RollEntry), rows(SealedBallot), rows(Ballot)) == (0, 0, 0)
    assert not voting.has_voted(person, round_)
    voting.cast_ballot(person, heading, [project[0].project_id])  # and they can still vote
    assert (rows(RollEntry), rows(SealedBallot)) == (1, 1)


@pytest.mark.parametrize("step", MIX_STEPS)
def test_a_failure_at_any_step_of_mixing_leaves_every_ballot_waiting(ctx, step):
    round_, heading, _ = cast_some(12, answered=7)
    set_phase(round_, "counting")
    with pytest.raises(Injected):
        ballot_box.mix_heading(heading, on_step=fail_at(step))
    db.session.expire_all()
    assert (rows(SealedBallot), rows(Ballot), rows(MonitoringResponse)) == (12, 0, 0)
    assert db.session.get(Heading, heading.id).mixed_at is None
    with pytest.raises(WrongPhase):  # the count refuses while ballots wait
        counting.count_round(officer(), round_)
    assert ballot_box.mix_heading(db.session.get(Heading, heading.id)) == 12
    results = counting.count_round(officer(), db.session.get(Round, round_.id))
    assert results[0].ballots_counted == rows(RollEntry) == rows(Ballot) == 12
    assert rows(MonitoringResponse) == 7 and rows(SealedBallot) == 0


def test_the_mixer_runs_only_after_voting_and_a_second_mix_changes_nothing(ctx):
    round_, heading, _ = cast_some(3)
    with pytest.raises(WrongPhase):
        ballot_box.mix_heading(heading)
    assert close_and_mix(round_) == 3
    before = sorted(db.session.scalars(select(Ballot.id)))
    assert close_and_mix(round_) == 0
    assert sorted(db.session.scalars(select(Ballot.id))) == before


def test_no_ballot_is_cast_once_the_box_is_closed(ctx):
    round_, heading, project = cast_some(1)
    late = resident("Late", "stockwell-east")
    close_and_mix(round_)
    set_phase(round_, "voting")  # even if the dates were moved back to voting
    with pytest.raises(WrongPhase):
        voting.cast_ballot(late, heading, [project[0].project_id])
    assert rows(RollEntry) == 1 and rows(SealedBallot) == 0


def test_mixed_ballots_keep_the_choices_and_answers_but_not_their_order(ctx):
    round_, heading, project = cast_some(40, answered=40)
    sealed_order = list(db.session.scalars(select(SealedBallot.id)))
    close_and_mix(round_)
    ballots = db.session.scalars(select(Ballot)).all()
    assert sorted(json.loads(b.choices)[0] for b in ballots) == sorted(
        [project[i % 2].project_id for i in range(40)])
    assert not set(sealed_order) & {b.id for b in ballots}  # fresh keys
    answers = db.session.scalars(select(MonitoringResponse)).all()
    assert {a.ballot_id for a in answers} == {b.id for b in ballots}


def test_a_cast_racing_the_mixer_either_makes_it_in_or_leaves_nothing(app):
    """The cast has written its rows and pauses before checking the box; the mixer closes
    the box meanwhile. Whatever order the database chooses, the roll and the ballots agree."""
    with app.app_context():
        round_, heading, project = cast_some(5)
        racer_id = resident("Racer", "stockwell-east").id
        heading_id, round_id, project_id = heading.id, round_.id, project[0].project_id
    written = threading.Event()
    outcome = {}

    def cast():
        with app.app_context():
            def pause(step):
                if step == "sealed":
                    written.set()
                    time.sleep(0.5)
            try:
                voting.cast_ballot(db.session.get(Person, racer_id), db.session.get(Heading, heading_id),
                                   [project_id], on_step=pause)
                outcome["cast"] = "cast"
            except WrongPhase:
                outcome["cast"] = "refused"
            finally:
                db.session.remove()

    def mix():
        written.wait(10)
        with app.app_context():
            set_phase(db.session.get(Round, round_id), "counting")
            outcome["mixed"] = ballot_box.mix_heading(db.session.get(Heading, heading_id))
            db.session.remove()

    threads = [threading.Thread(target=cast), threading.Thread(target=mix)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    with app.app_context():
        if rows(SealedBallot):  # the cast committed after the mixer: mixing again takes it
            assert outcome["cast"] == "cast"
            ballot_box.mix_heading(db.session.get(Heading, heading_id))
        racer_voted = db.session.scalar(select(RollEntry.id).where(RollEntry.person_id == racer_id))
        assert (racer_voted is not None) == (outcome["cast"] == "cast")
        assert rows(RollEntry) == rows(Ballot) == 5 + (outcome["cast"] == "cast")
        assert rows(SealedBallot) == 0


def test_every_sealed_ballot_in_a_ward_has_the_same_length(ctx):
    """AES-GCM keeps the plaintext's length: the seal pads it, so a live reader learns nothing
    about the choices or answers from a sealed row's size."""
    round_ = make_round("voting", budget=50_000)
    heading = round_.headings[0]
    ids = [p.project_id for p in add_projects(heading, [1000] * 12)]
    for n in range(8):
        cast = voting.cast_ballot(resident(f"Len {n}", "stockwell-east"), heading, ids[:n + 1])
        if n % 2:
            ballot_box.add_answers(cast.token, {"age": "25_34", "ethnic_group": "black_caribbean",
                                                "disability": "not_disabled"})
        else:
            ballot_box.take_receipt(cast.token)
    lengths = {len(row.sealed) for row in db.session.scalars(select(SealedBallot))}
    assert len(lengths) == 1
    drafts = {len(ballot_box.seal_draft(1, round_.id, ids[:n + 1])) for n in range(12)}
    assert len(drafts) == 1 and drafts.pop() < 2000  # and small enough for a cookie


def test_a_token_dies_when_the_box_closes(ctx):
    round_, heading, _ = cast_some(0)
    cast = voting.cast_ballot(resident("Closing", "stockwell-east"), heading,
                              [add_projects(heading, [500])[0].project_id])
    db.session.get(Heading, heading.id).mixed_at = db.func.now()
    db.session.commit()
    assert ballot_box.add_answers(cast.token, {"age": "25_34"}) is False
    assert ballot_box.take_receipt(cast.token) is None


def test_a_wrong_seal_key_refuses_the_mix_and_moves_nothing(app):
    with app.app_context():
        round_, heading, _ = cast_some(3)
        set_phase(round_, "counting")
        right = app.config["BALLOT_SEAL_KEY"]
        app.config["BALLOT_SEAL_KEY"] = bytes(32)
        try:
            with pytest.raises(ballot_box.SealBroken) as error:
                ballot_box.mix_heading(db.session.get(Heading, heading.id))
            assert error.value.status == 409
        finally:
            app.config["BALLOT_SEAL_KEY"] = right
        assert (rows(SealedBallot), rows(Ballot)) == (3, 0)
        assert ballot_box.mix_heading(db.session.get(Heading, heading.id)) == 3


def test_the_first_mix_also_shuffles_ballots_stored_readable_before_sealing(ctx):
    """A ward mid-vote when the sealing upgrade ran: its older readable ballots are written
    again, with fresh keys, in the same shuffle as the sealed ones."""
    round_, heading, project = cast_some(4)
    old = Ballot(id="0" * 32, heading_id=heading.id, receipt_hash="f" * 64, channel="web",
                 choices=json.dumps([project[1].project_id]))
    db.session.add(old)
    db.session.flush()
    db.session.add(MonitoringResponse(ballot_id=old.id, heading_id=heading.id,
                                      answers=json.dumps({"age": "65_74"})))
    db.session.commit()
    close_and_mix(round_)
    ballots = db.session.scalars(select(Ballot)).all()
    assert len(ballots) == 5 and "0" * 32 not in {b.id for b in ballots}
    moved = db.session.scalar(select(Ballot).where(Ballot.receipt_hash == "f" * 64))
    assert json.loads(db.session.get(MonitoringResponse, moved.id).answers) == {"age": "65_74"}

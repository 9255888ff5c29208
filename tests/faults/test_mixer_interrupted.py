"""The mixer killed in the middle of its transaction (`flask pb mix`, SIGKILL): no ballot is
lost or doubled, every ballot is still sealed and the box is still open, and running the
mix again completes it. On SQLite and on PostgreSQL (DATABASE_URL). An exception at each
step of the mix is tests/security/test_ballot_box.py's."""

import os
import signal
import subprocess
import time

import pytest
from sqlalchemy import func, select

from pb.models import Ballot, Heading, SealedBallot, db
from pb.services import counting, voting
from tests.factories import officer, resident, set_phase
from tests.faults.conftest import FLASK, ROOT, WARD, Blocker, is_postgres, open_round, wait_for

pytestmark = pytest.mark.slow
VOTERS = 40


def rows(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def mix() -> subprocess.Popen:
    return subprocess.Popen([str(FLASK), "--app", "app", "pb", "mix"], cwd=ROOT, env=dict(os.environ),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def waiting_on_lock(app, process) -> bool:
    if is_postgres(app):  # the mixer's backend waits for our row lock
        from sqlalchemy import text
        waiting = db.session.scalar(text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND query ILIKE '%sealed_ballots%'"))
        db.session.rollback()  # pg_stat_activity is read once a transaction
        return bool(waiting)
    # SQLite: the mixer has the database file open (then waits up to its busy timeout)
    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    try:
        return any(os.readlink(f"/proc/{process.pid}/fd/{fd}") == path for fd in os.listdir(f"/proc/{process.pid}/fd"))
    except FileNotFoundError:
        return False


def test_the_mixer_killed_mid_transaction_loses_and_doubles_nothing(app, ctx):
    round_id, heading_id, projects, _ = open_round()
    heading = db.session.get(Heading, heading_id)
    receipts = [voting.cast_ballot(resident(f"Voter {i}", WARD), heading, [projects[i % 3]]).receipt
                for i in range(VOTERS)]
    set_phase(heading.round, "counting")
    first_sealed = db.session.scalar(select(SealedBallot.id).limit(1))
    db.session.commit()

    # the mixer closes the ward's box, then waits for a sealed row we hold: killed there
    blocker = Blocker(app, "SELECT id FROM sealed_ballots WHERE id = :id FOR UPDATE", id=first_sealed)
    process = mix()
    try:
        wait_for(lambda: waiting_on_lock(app, process), seconds=40)
        time.sleep(0.3)
        process.send_signal(signal.SIGKILL)
        process.wait(10)
    finally:
        blocker.release()
    assert process.returncode == -signal.SIGKILL
    assert (rows(SealedBallot), rows(Ballot)) == (VOTERS, 0)  # every ballot still sealed
    assert db.session.get(Heading, heading_id).mixed_at is None  # the box's closing undone too

    # run again: it completes, each ballot once
    again = mix()
    output, _ = again.communicate(timeout=60)
    assert again.returncode == 0, output
    assert f"Mixed {VOTERS} sealed ballots." in output
    assert (rows(SealedBallot), rows(Ballot)) == (0, VOTERS)
    heading = db.session.get(Heading, heading_id)
    assert all(voting.ballot_for_receipt(heading, receipt) for receipt in receipts)
    counting.count_round(officer(), heading.round)  # and the count runs on them

"""Assisted and paper ballots keep the secrecy promise.

Twenty residents are checked in person by an officer and vote on the officer's device over
HTTP, each with different choices; three paper ballots are keyed twice. After the mix,
every way we know of to line up the audit records, the keyings, the people and the roll
with the ballots (shared ids, row order, physical order, transaction ids on PostgreSQL,
times) pairs no more people with their own choices than chance would. The officer's
session cookie after each cast holds nothing about the ballot or the resident."""

import base64
import itertools
import json
import re
import zlib
from datetime import date

import pytest
from sqlalchemy import Date, DateTime, inspect, select, text

from pb.models import (
    AssistedCheck,
    AssistedIdentity,
    Ballot,
    Paper,
    PaperBatch,
    PaperKeying,
    RollEntry,
    Round,
    db,
)
from pb.services import assisted, paper
from tests.factories import add_projects, close_and_mix, make_round
from tests.services.test_paper import staff

RESIDENTS = 20
# a random pairing of 20 people with 20 distinct ballots scores >= 8 with probability ~1e-5
TOLERANCE = 8


def decode_session(cookie: str) -> str:
    payload = cookie.split(".")[1] if cookie.startswith(".") else cookie.split(".")[0]
    raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    return (zlib.decompress(raw) if cookie.startswith(".") else raw).decode()


def born(i: int) -> date:
    return date(1950 + i, 1 + i % 12, 1 + i % 28)


def test_nothing_pairs_assisted_residents_or_paper_keyings_with_ballots(app, client, demo, sign_in):
    with app.app_context():
        round_ = make_round("voting")
        heading = round_.headings[0]
        ids = [p.project_id for p in add_projects(heading, [1000, 2000, 3000, 4000, 5000])]
        round_id, heading_id = round_.id, heading.id
    subsets = [sorted(c, key=lambda x: (len(x), x))
               for n in (1, 2, 3) for c in itertools.combinations(ids, n)][:RESIDENTS]
    sign_in(demo["officer"])

    truth: dict[int, list[str]] = {}  # person -> their choices
    audit_person: dict[str, int] = {}  # audit row -> the person it checked (known only to the test)
    receipts = []
    for i, choices in enumerate(subsets):
        name, postcode = f"Resident Number {i}", "SW9 0AA"
        with app.app_context():
            before = set(db.session.scalars(select(AssistedCheck.id)))
        response = client.submit(f"/assist/rounds/{round_id}/resident", {
            "name": name, "born": [str(born(i).day), str(born(i).month), str(born(i).year)],
            "postcode": postcode, "method": "document"})
        assert response.status_code == 303, response.get_data(as_text=True)[:2000]
        response = client.submit(f"/assist/rounds/{round_id}/ballot", {"project": choices, "action": "continue"})
        assert response.status_code == 303
        confirm = client.get(f"/assist/rounds/{round_id}/confirm").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', confirm).group(1)
        response = client.post(f"/assist/rounds/{round_id}/cast", data={"csrf_token": token})
        page = response.get_data(as_text=True)
        assert response.status_code == 200 and "pb-receipt" in page
        receipt = page.split('class="pb-receipt">')[1].split("<")[0]
        receipts.append(receipt)
        cookie = decode_session(client.get_cookie("session").value)
        for secret in (receipt, "voter_token", "assisting", "ballot_draft", "choices", name):
            assert secret not in cookie
        with app.app_context():
            person_id = db.session.scalar(select(AssistedIdentity.person_id).where(
                AssistedIdentity.identity_hash == assisted.identity_hash(name, born(i), postcode)))
            (new_check,) = set(db.session.scalars(select(AssistedCheck.id))) - before
        truth[person_id] = choices
        audit_person[new_check] = person_id

    with app.app_context():
        one, two = staff("Keyer One"), staff("Keyer Two")
        batch = paper.create_batch(one, db.session.get(Round, round_id).headings[0], "Box 1", 3)
        for number, choices in enumerate([[ids[0]], [ids[1]], [ids[4]]], start=1):
            paper.key_paper(one, batch, number, choices)
            paper.key_paper(two, batch, number, choices)
        close_and_mix(db.session.get(Round, round_id))
        dialect = db.engine.dialect.name

        ballots = db.session.scalars(select(Ballot)).all()
        assert sorted(b.channel for b in ballots) == ["assisted"] * RESIDENTS + ["paper"] * 3
        choices_of = {b.id: json.loads(b.choices) for b in ballots}
        ballot_values = {b.id for b in ballots} | {b.receipt_hash for b in ballots}

        # no shared value: no audit, identity, roll, paper or keying row holds a ballot's id or hash
        for model in (AssistedCheck, AssistedIdentity, RollEntry, Paper, PaperBatch, PaperKeying):
            for row in db.session.scalars(select(model)):
                values = {str(getattr(row, c.key)) for c in inspect(model).columns}
                assert not values & ballot_values, model.__tablename__
        # no time finer than a day where a check or a keying is kept, and none on a ballot
        for model in (AssistedCheck, AssistedIdentity, Paper, PaperBatch, PaperKeying, Ballot):
            for column in inspect(model).columns:
                assert not isinstance(column.type, DateTime), (model.__tablename__, column.key)
        assert isinstance(inspect(AssistedCheck).columns["checked_on"].type, Date)
        assert "person_id" not in {c.key for c in inspect(AssistedCheck).columns}

        q = lambda sql: [r[0] for r in db.session.execute(text(sql), {"r": round_id, "h": heading_id})]  # noqa: E731
        people_in_order = {
            "roll id": q("SELECT person_id FROM roll_entries WHERE round_id = :r ORDER BY id"),
            "person id": q("SELECT person_id FROM roll_entries WHERE round_id = :r ORDER BY person_id"),
            "person created": q("SELECT p.id FROM people p JOIN roll_entries r ON r.person_id = p.id "
                                "WHERE r.round_id = :r ORDER BY p.created_at, p.id"),
            "identity id": q("SELECT person_id FROM assisted_identities ORDER BY id"),
            "audit id": [audit_person[a] for a in q("SELECT id FROM assisted_checks ORDER BY id")],
            "audit physical order": [audit_person[a] for a in q("SELECT id FROM assisted_checks")],
        }
        ballots_in_order = {
            "ballot id": q("SELECT id FROM ballots WHERE heading_id = :h AND channel = 'assisted' ORDER BY id"),
            "physical order": q("SELECT id FROM ballots WHERE heading_id = :h AND channel = 'assisted'"),
            "receipt hash": q("SELECT id FROM ballots WHERE heading_id = :h AND channel = 'assisted' "
                              "ORDER BY receipt_hash"),
        }
        if dialect == "postgresql":
            people_in_order["roll xmin"] = q("SELECT person_id FROM roll_entries WHERE round_id = :r "
                                             "ORDER BY xmin::text::bigint")
            people_in_order["audit xmin"] = [audit_person[a] for a in q(
                "SELECT id FROM assisted_checks ORDER BY xmin::text::bigint, ctid")]
            ballots_in_order["ctid"] = q("SELECT id FROM ballots WHERE heading_id = :h AND channel = 'assisted' "
                                         "ORDER BY ctid")
            # the ballots share the mixer's transaction, and no check, roll entry or keying does
            xmins = set(q("SELECT xmin::text FROM ballots WHERE heading_id = :h"))
            assert len(xmins) <= 2  # the box's mix, and the papers (settled before it) in it too
            for table in ("assisted_checks", "assisted_identities", "roll_entries", "paper_keyings", "papers"):
                assert not set(q(f"SELECT xmin::text FROM {table}")) & xmins, table

    def score(people: list[int], ballot_ids: list[str]) -> int:
        return sum(truth[p] == choices_of[b] for p, b in zip(people, ballot_ids, strict=False))

    true_order = [next(b for b in choices_of if choices_of[b] == truth[p]) for p in truth]
    assert score(list(truth), true_order) == RESIDENTS  # the scoring itself works
    for people_name, people in people_in_order.items():
        assert sorted(people) == sorted(truth)
        for ballots_name, ballot_ids in ballots_in_order.items():
            for reverse in (False, True):
                got = score(people, ballot_ids[::-1] if reverse else ballot_ids)
                assert got < TOLERANCE, (people_name, ballots_name, reverse, got)


def test_a_mismatch_resolved_twice_at_once_adds_one_ballot(ctx):
    """Two supervisors (or one double click): the second request still holds the paper it
    loaded as a mismatch when the first has settled it. Only one ballot may come of it."""
    from sqlalchemy import func, select, text

    from pb.models import Paper, Person, SealedBallot, db
    from pb.services import paper
    from pb.services.errors import WrongPhase
    from tests.factories import add_projects, make_round
    from tests.services.test_paper import staff

    round_ = make_round("voting", max_choices=2)
    heading = round_.headings[0]
    ids = [p.project_id for p in add_projects(heading, [3000, 4000, 5000])]
    one, two, supervisor = staff("Keyer One"), staff("Keyer Two"), staff("Supervisor")
    batch = paper.create_batch(one, heading, "Box", 1)
    paper.key_paper(one, batch, 1, [ids[0]])
    paper_id = paper.key_paper(two, batch, 1, [ids[1]]).id
    supervisor_id = supervisor.id
    db.session.commit()
    db.session.expunge_all()
    stale = db.session.get(Paper, paper_id)  # the second request has loaded the paper
    with db.engine.begin() as other:  # the first request settles it meanwhile
        other.execute(text("UPDATE papers SET status = 'resolved' WHERE id = :id"), {"id": paper_id})
    with pytest.raises(WrongPhase):
        paper.resolve_paper(db.session.get(Person, supervisor_id), stale, [ids[2]])
    assert db.session.scalar(select(func.count()).select_from(SealedBallot)) == 0

"""Ballot secrecy, attacked: 60 residents vote over real HTTP in a random order, most answer
the equality questions, some check their receipt after the results; then every linking
attack we can think of runs against the database, the published file, the logs and the
cookies. Runs on SQLite and on PostgreSQL (DATABASE_URL).

The promise under test (README, "Ballot secrecy"): after voting has closed and the ballots
are mixed, nobody who can read the database, the downloads, the logs or a cookie can pair
people with their ballots better than a random matching would.

How "better than chance" is judged: an attack proposes a pairing of the people on the roll
with the ward's ballots. Its score is how many people it pairs with a ballot whose choices
are exactly theirs (so guessing the content counts, not only the row). The test draws
20,000 uniformly random pairings of the same people and ballots, and takes as tolerance
the score that random pairings reach with probability at most 0.001 / (number of attacks)
(a Bonferroni bound, so the whole family of attacks fails by bad luck at most once in a
thousand runs). Every attack must score at or below that tolerance.
"""

import base64
import json
import logging
import random
import re
import zlib
from collections import Counter
from datetime import date, timedelta

import pytest
import requests
from sqlalchemy import select, text

from pb.equalities.characteristics import CHARACTERISTICS
from pb.models import (
    Ballot,
    Heading,
    MonitoringResponse,
    OutboxMessage,
    Person,
    PhoneNumber,
    Postcode,
    Result,
    RollEntry,
    Round,
    SealedBallot,
    SmsConversation,
    db,
)
from pb.services.identity import number_hash
from pb.services.voting import receipt_hash
from tests.factories import add_projects, dates_for, make_round, officer, ward
from tests.second_factor import sign_in_over_http

VOTERS = 60
TEXTERS = 12  # of the 60 vote by text message (pb/web/sms): at least CHANNEL_FLOOR, so "sms" is kept
INBOUND_TOKEN = "secrecy-test-inbound-token-" + "z" * 16
WARD = "stockwell-east"
RANDOM_PAIRINGS = 20_000
FAMILY_ALPHA = 0.001


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or \
        re.search(r'value="([^"]+)"[^>]*name="csrf_token"', html)
    assert match, html[:400]
    return match.group(1)


def decode_session(cookie: str) -> str:
    """What anyone holding the cookie can read: Flask signs the session, it does not encrypt it."""
    payload = cookie.split(".")[1] if cookie.startswith(".") else cookie.split(".")[0]
    raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    return (zlib.decompress(raw) if cookie.startswith(".") else raw).decode()


class Resident:
    def __init__(self, base: str, name: str, postcode: str, rng: random.Random):
        self.base, self.name, self.postcode = base, name, postcode
        self.http = requests.Session()
        self.rng = rng
        self.receipt = None
        self.choices: list[str] = []
        self.cookie_after_cast = ""

    def get(self, path):
        response = self.http.get(self.base + path, allow_redirects=True, timeout=30)
        assert response.status_code < 500, (path, response.status_code)
        return response

    def post(self, path, data, allow_redirects=True):
        page = self.get(path)
        response = self.http.post(self.base + path, data={"csrf_token": _csrf(page.text), **data},
                                  allow_redirects=allow_redirects, timeout=30)
        assert response.status_code < 500, (path, response.status_code, response.text[:300])
        return response

    def sign_in(self):
        response = self.post("/account/resident", {"name": self.name, "postcode": self.postcode})
        assert response.ok, response.text[:300]

    def vote(self, round_id: int, project_ids: list[str]):
        # three of eight projects: 56 possible ballots, so a right guess of the content is rare
        self.choices = sorted(self.rng.sample(project_ids, 3), key=int)
        ballot = self.get(f"/vote/{round_id}")
        response = self.http.post(f"{self.base}/vote/{round_id}/cast", allow_redirects=False,
                                  data={"csrf_token": _csrf(ballot.text), "project": self.choices},
                                  timeout=30)
        assert response.status_code == 303, response.text[:500]
        self.cookie_after_cast = self.http.cookies.get("session")
        done = self.get(f"/vote/{round_id}/done")
        self.receipt = re.search(r'class="pb-receipt">([A-Z0-9-]+)<', done.text).group(1)
        again = self.get(f"/vote/{round_id}/done")  # shown once: a reload does not show it
        assert self.receipt not in again.text

    def answer_questions(self, answers: dict):
        response = self.post("/equalities/questions", answers)
        assert "Thank you" in response.text, response.text[:500]

    def sign_out(self):
        self.post("/account/sign-out", {})
        assert "session" not in self.http.cookies or not decode_session(
            self.http.cookies["session"]).strip("{}")


class Texter(Resident):
    """A resident who votes by text message: Notify's callbacks over real HTTP, the replies
    read from the development outbox. No browser, so no cookie and no equality questions."""

    def __init__(self, base, name, postcode, rng, app, number: str):
        super().__init__(base, name, postcode, rng)
        self.app, self.number = app, number  # "4479..." as Notify sends it

    def sign_in(self):
        pass

    def text(self, message: str):
        response = requests.post(self.base + "/sms/notify/received", timeout=30, json={
            "id": f"{self.rng.getrandbits(64):016x}", "source_number": self.number,
            "destination_number": "07860033333", "message": message,
            "date_received": "2026-12-02T05:15:30.000000Z"},
            headers={"Authorization": f"Bearer {INBOUND_TOKEN}"})
        assert response.status_code == 204, response.text[:300]

    def vote(self, round_id: int, project_ids: list[str]):
        self.choices = sorted(self.rng.sample(project_ids, 3), key=int)
        for message in ("VOTE", self.postcode, " ".join(str(project_ids.index(p) + 1) for p in self.choices),
                        "YES"):
            self.text(message)
        with self.app.app_context():
            last = db.session.scalar(select(OutboxMessage.text).where(
                OutboxMessage.number == "+" + self.number).order_by(OutboxMessage.id.desc()).limit(1))
        self.receipt = re.search(r"receipt is ([A-Z0-9-]+)", last).group(1)

    def person_id(self) -> int:
        return db.session.scalar(select(PhoneNumber.person_id).where(
            PhoneNumber.number_hash == number_hash("+" + self.number)))


def person_id(resident) -> int:
    """The resident's person on the roll (inside an app context)."""
    if isinstance(resident, Texter):
        return resident.person_id()
    return db.session.scalar(select(Person.id).where(Person.name == resident.name))


def random_answers(rng: random.Random) -> dict:
    answers = {}
    for characteristic in CHARACTERISTICS:
        if rng.random() < 0.85:
            answers[characteristic.key] = rng.choice(characteristic.category_keys)
    return answers


@pytest.fixture
def record_logs():
    records = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(self.format(record))

    handler = Keep()
    root = logging.getLogger()
    old_level = root.level
    root.setLevel(logging.DEBUG)
    root.addHandler(handler)
    logging.getLogger("werkzeug").setLevel(logging.INFO)
    yield records
    root.removeHandler(handler)
    root.setLevel(old_level)


def election(app, live_server, rng):
    """The whole vote, over HTTP. Returns what each resident knows of their own vote."""
    with app.app_context():
        round_ = make_round("voting", budget=20_000, max_choices=3)
        heading = round_.headings[0]
        project_ids = [p.project_id for p in add_projects(heading, [3000, 4000, 5000, 6000, 2500,
                                                                     3500, 4500, 1500])]
        postcodes = db.session.scalars(select(Postcode.postcode).where(
            Postcode.ward_id == ward(WARD).id).limit(40)).all()
        round_id, heading_id = round_.id, heading.id
    residents = [Resident(live_server, f"Resident {n:02d} {rng.random():.6f}", rng.choice(postcodes), rng)
                 for n in range(VOTERS - TEXTERS)]
    residents += [Texter(live_server, f"Texter {n:02d}", rng.choice(postcodes), rng, app, f"4479111236{n:02d}")
                  for n in range(TEXTERS)]
    # a random schedule: each resident signs in and casts; answering the questions (or not,
    # or signing out first) happens later, with other residents' casts in between
    steps = [(r, "cast") for r in residents]
    rng.shuffle(steps)
    schedule = []
    pending = []
    for resident, _ in steps:
        schedule.append((resident, "cast"))
        pending.append(resident)
        while pending and rng.random() < 0.5:
            schedule.append((pending.pop(rng.randrange(len(pending))), "after"))
    schedule += [(r, "after") for r in pending]
    answered = 0
    watcher = LiveReader(app)
    for resident, step in schedule:
        if step == "cast":
            resident.sign_in()
            resident.vote(round_id, project_ids)
        elif isinstance(resident, Texter):
            pass
        elif rng.random() < 0.8:
            resident.answer_questions(random_answers(rng))
            answered += 1
        elif rng.random() < 0.5:
            resident.sign_out()
        watcher.look(resident)
    assert answered >= VOTERS // 2
    return residents, round_id, heading_id, watcher


class LiveReader:
    """Someone who reads the database after every request while voting is open: which
    sealed row appeared or changed with each resident's action, and how long it is."""

    def __init__(self, app):
        self.app = app
        self.rows: dict[str, bytes] = {}
        self.length_of: dict[str, int] = {}  # resident's name -> their sealed row's length

    def look(self, resident):
        with self.app.app_context():
            now = dict(db.session.execute(select(SealedBallot.id, SealedBallot.sealed)).all())
        changed = [key for key, value in now.items() if self.rows.get(key) != value]
        for key in changed:
            self.length_of[resident.name] = len(now[key])
        self.rows = now


def close_count_and_publish(app, live_server, round_id):
    """An officer counts over HTTP (the count button mixes first), then results are published."""
    with app.app_context():
        round_ = db.session.get(Round, round_id)
        dates = dates_for("counting")
        for name, day in dates.items():
            setattr(round_, f"{name}_from", day)
        db.session.commit()
        email = officer().email
        officer().set_password("test-password")
        db.session.commit()
    staff = requests.Session()
    sign_in_over_http(staff, live_server, app, email)  # the password, then the authenticator's code
    page = staff.get(f"{live_server}/admin/rounds/{round_id}")
    assert page.status_code == 200, page.text[:300]
    response = staff.post(f"{live_server}/admin/rounds/{round_id}/count",
                          data={"csrf_token": _csrf(page.text)})
    assert response.status_code < 400, response.text[:500]
    with app.app_context():
        round_ = db.session.get(Round, round_id)
        round_.results_from = date.today()
        round_.delivery_from = date.today() + timedelta(days=5)
        db.session.commit()


# -- the attacks --------------------------------------------------------------------------

def pair_in_order(people: list[int], ballots: list[str]) -> dict[int, str]:
    return dict(zip(people, ballots, strict=False))


def attacks(dialect: str, heading_id: int, round_id: int) -> dict[str, dict[int, str]]:
    """Every pairing an attacker with full read access could try. Each maps person -> ballot id."""
    q = lambda sql: db.session.execute(text(sql), {"h": heading_id, "r": round_id}).all()  # noqa: E731
    found: dict[str, dict[int, str]] = {}
    roll_where = "WHERE round_id = :r"
    ballot_where = "WHERE heading_id = :h"

    def ordered(name, roll_key, ballot_key, roll_table="roll_entries", ballot_table="ballots",
                ballot_col="id", roll_col="person_id"):
        people = [row[0] for row in q(f"SELECT {roll_col} FROM {roll_table} {roll_where} ORDER BY {roll_key}")]
        ballots = [row[0] for row in q(f"SELECT {ballot_col} FROM {ballot_table} {ballot_where} ORDER BY {ballot_key}")]
        found[name] = pair_in_order(people, ballots)
        found[name + " (reversed)"] = pair_in_order(people, ballots[::-1])

    ordered("roll id vs ballot id", "id", "id")
    ordered("person id vs ballot id", "person_id", "id")
    ordered("roll id vs receipt hash", "id", "receipt_hash")
    ordered("roll id vs equality answers' key", "id", "ballot_id",
            ballot_table="monitoring_responses", ballot_col="ballot_id")
    # physical order: what a plain SELECT returns
    people = [row[0] for row in q(f"SELECT person_id FROM roll_entries {roll_where}")]
    found["physical order"] = pair_in_order(people, [r[0] for r in q(f"SELECT id FROM ballots {ballot_where}")])
    found["physical order of the answers"] = pair_in_order(
        people, [r[0] for r in q(f"SELECT ballot_id FROM monitoring_responses {ballot_where}")])
    # when people signed in
    people_by_time = [r[0] for r in q(
        "SELECT p.id FROM people p JOIN roll_entries r ON r.person_id = p.id "
        "WHERE r.round_id = :r ORDER BY p.created_at, p.id")]
    found["sign-in time vs physical order"] = pair_in_order(
        people_by_time, [r[0] for r in q(f"SELECT id FROM ballots {ballot_where}")])
    # voting by text: the conversations' last change (at the cast) against the ballots' order
    texters = [r[0] for r in q(
        "SELECT p.person_id FROM sms_conversations c JOIN phone_numbers p ON p.number_hash = c.number_hash "
        "ORDER BY c.updated_at, c.id")]
    found["text conversations' last change vs physical order"] = pair_in_order(
        texters, [r[0] for r in q(f"SELECT id FROM ballots {ballot_where} AND channel = 'sms'")])
    if dialect == "postgresql":
        for column, key in (("xmin", "xmin::text::bigint"), ("xmax", "xmax::text::bigint"),
                            ("ctid", "ctid")):
            ordered(f"{column} order", key, key)
            ordered(f"{column} order of the answers", key, key,
                    ballot_table="monitoring_responses", ballot_col="ballot_id")
        same = q("SELECT r.person_id, b.id FROM roll_entries r JOIN ballots b "
                 "ON b.xmin = r.xmin WHERE r.round_id = :r AND b.heading_id = :h")
        found["equal xmin"] = dict(same)
        same = q("SELECT r.person_id, m.ballot_id FROM roll_entries r JOIN monitoring_responses m "
                 "ON m.xmin = r.xmin WHERE r.round_id = :r AND m.heading_id = :h")
        found["equal xmin with the answers"] = dict(same)
    else:
        ordered("roll rowid vs physical order", "rowid", "id")
        for table in ("ballots", "monitoring_responses", "sealed_ballots"):
            with pytest.raises(Exception, match="rowid"):
                db.session.execute(text(f"SELECT rowid FROM {table}")).all()
            db.session.rollback()
    return found


@pytest.fixture
def inbound_texts(app):
    app.config["NOTIFY_INBOUND_TOKEN"] = INBOUND_TOKEN
    yield
    app.config["NOTIFY_INBOUND_TOKEN"] = ""


def test_nobody_can_pair_people_with_their_ballots(app, live_server, record_logs, inbound_texts):
    rng = random.Random(20261201)
    residents, round_id, heading_id, watcher = election(app, live_server, rng)

    # the browser side: cookies hold no receipt and no ballot key
    with app.app_context():
        sealed_ids = set(db.session.scalars(select(SealedBallot.id)))
        assert len(sealed_ids) == VOTERS
        assert db.session.scalar(select(db.func.count()).select_from(Ballot)) == 0
    for resident in residents:
        if isinstance(resident, Texter):
            continue
        cookie = decode_session(resident.cookie_after_cast)
        assert resident.receipt not in cookie and resident.receipt.replace("-", "") not in cookie
        assert receipt_hash(resident.receipt) not in cookie
        assert not any(key in cookie for key in sealed_ids)
        assert set(json.loads(cookie)) <= {"_user_id", "_fresh", "_id", "csrf_token", "voter_token"}

    close_count_and_publish(app, live_server, round_id)

    # residents check their receipts after the results: by POST, never in a URL
    for resident in residents[:10]:
        page = resident.post(f"/rounds/{round_id}/wards/{heading_id}/results",
                             {"receipt": resident.receipt.lower()})
        assert "Your ballot was counted." in page.text
        assert resident.receipt.lower() not in "".join(re.findall(r'href="([^"]*)"', page.text))
    for line in record_logs:
        for resident in residents:
            assert resident.receipt not in line and resident.receipt.lower() not in line

    with app.app_context():
        dialect = db.engine.dialect.name
        assert db.session.scalar(select(db.func.count()).select_from(SealedBallot)) == 0
        heading = db.session.get(Heading, heading_id)
        ballots = {b.id: tuple(json.loads(b.choices)) for b in db.session.scalars(
            select(Ballot).where(Ballot.heading_id == heading_id))}
        assert len(ballots) == VOTERS == db.session.scalar(
            select(db.func.count()).select_from(RollEntry).where(RollEntry.round_id == round_id))
        assert db.session.scalar(select(db.func.count()).select_from(MonitoringResponse)) >= VOTERS // 2
        truth = {}
        for resident in residents:
            person = person_id(resident)
            truth[person] = tuple(resident.choices)
            # each resident's receipt finds a ballot with their choices: the ballots are theirs
            ballot = db.session.scalar(select(Ballot).where(
                Ballot.receipt_hash == receipt_hash(resident.receipt)))
            assert tuple(json.loads(ballot.choices)) == truth[person]
        # text ballots are counted like the rest, keep their channel (at least 10 of them),
        # and no conversation holds anything of a ballot
        assert Counter(b.channel for b in db.session.scalars(select(Ballot))) == {
            "web": VOTERS - TEXTERS, "sms": TEXTERS}
        assert db.session.scalar(select(db.func.count()).select_from(SmsConversation).where(
            SmsConversation.draft.is_not(None) | SmsConversation.heading_id.is_not(None))) == 0
        found = attacks(dialect, heading_id, round_id)
        # the live reader's attack: a sealed row's length against each mixed ballot's size
        answers_of = dict(db.session.execute(select(MonitoringResponse.ballot_id,
                                                    MonitoringResponse.answers)).all())
        predicted = sorted(
            (28 + len(json.dumps({"answers": json.loads(answers_of[b.id]) if b.id in answers_of
                                  else None, "channel": b.channel,
                                  "choices": json.loads(b.choices), "receipt_hash": b.receipt_hash},
                                 sort_keys=True)), b.id)
            for b in db.session.scalars(select(Ballot).where(Ballot.heading_id == heading_id)))
        person_of = {r.name: person_id(r) for r in residents}
        observed = sorted((watcher.length_of[r.name], person_of[r.name]) for r in residents)
        found["sealed length seen live vs ballot size"] = pair_in_order(
            [p for _, p in observed], [b for _, b in predicted])
        # the published file holds exactly the ballots residents cast
        cast = sorted(tuple(r.choices) for r in residents)
        # the published ballots file, in its order, against the roll's order
        result = db.session.scalar(select(Result).where(Result.heading_id == heading.id))
        votes = result.pabulib.split("VOTES", 1)[1].strip().splitlines()[1:]
        # an approval vote's projects in the residents' (numeric) order: the file sorts them
        # as text, which differs once project ids pass 999 (as on a long PostgreSQL run)
        file_choices = [tuple(sorted(row.split(";")[1].split(","), key=int)) for row in votes]
        assert sorted(file_choices) == cast
        roll_order = [r[0] for r in db.session.execute(text(
            "SELECT person_id FROM roll_entries WHERE round_id = :r ORDER BY id"), {"r": round_id})]

    def score(pairing: dict[int, str]) -> int:
        return sum(1 for person, ballot in pairing.items()
                   if person in truth and ballots.get(ballot) == truth[person])

    scores = {name: score(pairing) for name, pairing in found.items()}
    scores["published file order vs roll order"] = sum(
        1 for person, choices in zip(roll_order, file_choices, strict=True) if truth[person] == choices)

    # the tolerance: what uniformly random pairings reach with small probability
    people = list(truth)
    contents = list(ballots.values())
    chance = random.Random(7)
    random_scores = Counter()
    for _ in range(RANDOM_PAIRINGS):
        chance.shuffle(contents)
        random_scores[sum(1 for p, c in zip(people, contents, strict=True) if truth[p] == c)] += 1
    alpha = FAMILY_ALPHA / len(scores)
    tail, tolerance = 0, max(random_scores)
    for value in sorted(random_scores, reverse=True):
        if (tail + random_scores[value]) / RANDOM_PAIRINGS > alpha:
            tolerance = value
            break
        tail += random_scores[value]
    mean = sum(v * n for v, n in random_scores.items()) / RANDOM_PAIRINGS
    report = "\n".join(f"  {name}: {value}" for name, value in sorted(scores.items()))
    print(f"\n{len(scores)} attacks on {dialect}; random pairings average {mean:.2f} right, "
          f"tolerance {tolerance} (random reaches more with p <= {alpha:.1e})\n{report}")
    assert len(scores) >= 12
    truly = {person: next(b for b, c in ballots.items() if c == truth[person]) for person in truth}
    assert score(truly) == VOTERS > tolerance  # the scoring itself can tell a real link
    assert len(set(watcher.length_of.values())) == 1  # every sealed row had one size
    assert max(scores.values()) <= tolerance, report

"""Abuse limits: guessing staff passwords and checking receipts are limited, voting is not.

The suite's app has limits off (it is made with TESTING); these tests turn them on for
themselves with app.config["RATELIMIT_ENABLED"] and start from empty counts."""

import re

import pytest

from pb.extensions import limiter
from pb.models import Round, db
from pb.services import counting, eligibility
from tests.conftest import FormClient
from tests.factories import add_projects, close_and_mix, make_round, officer, set_phase

LIBRARY = "203.0.113.7"
TOO_MANY = "Sorry, there have been too many attempts"


@pytest.fixture
def limits_on(app, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_ENABLED", True)
    limiter.reset()
    yield
    limiter.reset()


def client_at(app, address) -> FormClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return FormClient(client)


def assert_limited(response):
    assert response.status_code == 429
    assert TOO_MANY in response.get_data(as_text=True)  # the GOV.UK page, not Flask-Limiter's
    assert int(response.headers["Retry-After"]) > 0


def test_the_test_suite_runs_without_limits(app):
    assert app.config["RATELIMIT_ENABLED"] is False


def test_thirty_wrong_passwords_are_stopped_well_before_thirty(app, demo, limits_on):
    guesser = client_at(app, "198.51.100.20")
    answers = []
    for attempt in range(30):
        email = demo["officer"].upper() if attempt % 2 else demo["officer"]  # one account, any case
        answers.append(guesser.submit("/account/sign-in", {"email": email, "password": f"guess-{attempt}"}).status_code)
    assert answers[:10] == [400] * 10
    assert answers[10:] == [429] * 20
    # while limited, the right password is refused too, from anywhere
    elsewhere = client_at(app, "192.0.2.44")
    assert_limited(elsewhere.submit("/account/sign-in", {"email": demo["officer"], "password": "test-password"}))
    # another account is not locked out by it, even from the guesser's address
    other = guesser.submit("/account/sign-in", {"email": demo["admin"], "password": "test-password"})
    assert other.status_code == 302


def test_failed_sign_ins_are_limited_per_address(app, demo, limits_on, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_STAFF_SIGN_IN_PER_IP", "3 per 10 minutes")
    stuffer = client_at(app, "198.51.100.21")
    for n in range(3):
        response = stuffer.submit("/account/sign-in", {"email": f"staff{n}@example.org", "password": "Spring2026"})
        assert response.status_code == 400
    assert_limited(stuffer.submit("/account/sign-in", {"email": "staff9@example.org", "password": "Spring2026"}))
    assert stuffer.get("/account/sign-in").status_code == 200  # only posting is limited
    office = client_at(app, "192.0.2.45")
    assert office.submit("/account/sign-in", {"email": demo["officer"], "password": "test-password"}).status_code == 302


def test_successful_sign_ins_do_not_count(app, demo, limits_on, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_STAFF_SIGN_IN_PER_ACCOUNT", "2 per 10 minutes")
    for _ in range(4):
        staff = client_at(app, "192.0.2.46")
        assert staff.submit("/account/sign-in", {"email": demo["officer"], "password": "test-password"}).status_code == 302


def _published_round(app, voters=0):
    with app.app_context():
        round_ = make_round("voting", wards=("stockwell-east",), budget=10_000)
        projects = add_projects(round_.headings[0], [6000, 5000, 3000])
        return round_.id, round_.headings[0].id, [p.project_id for p in projects]


def _publish_results(app, round_id):
    with app.app_context():
        round_ = db.session.get(Round, round_id)
        close_and_mix(round_)
        counting.count_round(officer(), round_)
        set_phase(round_, "results")


def test_receipt_checks_are_limited_per_address(app, limits_on, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_RECEIPT_CHECKS_PER_IP", "3 per 10 minutes")
    round_id, heading_id, _ = _published_round(app)
    _publish_results(app, round_id)
    url = f"/rounds/{round_id}/wards/{heading_id}/results"
    checker = client_at(app, "198.51.100.22")
    for _ in range(3):
        assert checker.submit(url, {"receipt": "AAAA-BBBB-CCCC-DDDD"}).status_code == 200
    assert_limited(checker.submit(url, {"receipt": "AAAA-BBBB-CCCC-DDDD"}))
    assert checker.get(url).status_code == 200  # reading the results is never limited
    assert client_at(app, "192.0.2.47").submit(url, {"receipt": "AAAA-BBBB"}).status_code == 200


def _vote(client, round_id, project_id) -> str:
    signed_in = client.submit("/account/resident", {"name": client.name, "postcode": "SW9 0AA"})
    assert signed_in.status_code == 302
    check = client.submit(f"/vote/{round_id}", {"project": [project_id], "action": "continue"}, follow_redirects=True)
    assert check.status_code == 200, check.status_code
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', check.get_data(as_text=True)).group(1)
    cast = client.post(f"/vote/{round_id}/cast", data={"csrf_token": token, "project": [project_id]})
    assert cast.status_code == 303, cast.status_code
    done = client.get(cast.headers["Location"]).get_data(as_text=True)
    return re.search(r'class="pb-receipt">([A-Z2-7-]+)<', done).group(1)


def test_fifty_residents_at_one_library_vote_and_check_receipts_unhindered(app, demo, limits_on):
    """One library's public computers share an address: 50 residents sign in, vote and check
    their receipts twice each, and a librarian officer signs in, all within minutes."""
    round_id, heading_id, projects = _published_round(app)
    residents = []
    for n in range(50):
        client = client_at(app, LIBRARY)
        client.name = f"Library Visitor {n}"
        client.receipt = _vote(client, round_id, projects[n % 3])
        residents.append(client)
    staff = client_at(app, LIBRARY)
    assert staff.submit("/account/sign-in", {"email": demo["officer"], "password": "test-password"}).status_code == 302
    _publish_results(app, round_id)
    url = f"/rounds/{round_id}/wards/{heading_id}/results"
    for client in residents:
        for _ in range(2):
            checked = client.submit(url, {"receipt": client.receipt})
            assert checked.status_code == 200
            assert "Your ballot was counted." in checked.get_data(as_text=True)


def test_code_requests_are_limited_per_address(app, limits_on, monkeypatch):
    """Per number the service allows 3 codes an hour; per address the limiter stops one
    machine from asking for codes for many numbers."""
    monkeypatch.setitem(app.config, "RATELIMIT_SMS_CODES_PER_IP", "4 per minute")
    asker = client_at(app, "198.51.100.77")
    answers = [asker.submit("/account/phone", {"number": f"079111234{n:02d}"}).status_code
               for n in range(6)]
    assert answers[:4] == [302] * 4
    assert answers[4:] == [429] * 2
    assert client_at(app, "192.0.2.45").submit("/account/phone", {"number": "07911123499"}).status_code == 302


# -- guessing eligibility reference numbers at the cast ---------------------------------


def _round_with_list(app, references: int, **options):
    with app.app_context():
        round_ = make_round("review", wards=("stockwell-east",), budget=10_000, **options)
        project = add_projects(round_.headings[0], [3000])[0].project_id
        listing = "".join(f"LIB{n:04d}\n" for n in range(references)).encode()
        eligibility.upload_list(officer(), round_, "register.csv", listing)
        set_phase(round_, "voting")
        return round_.id, project


def _cast_with(client, round_id, project_id, reference, **extra):
    """Put the choice on the check page and cast it with `reference`; the cast's answer."""
    check = client.submit(f"/vote/{round_id}", {"project": [project_id], "action": "continue"}, follow_redirects=True)
    assert check.status_code == 200, check.status_code
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', check.get_data(as_text=True)).group(1)
    return client.post(f"/vote/{round_id}/cast",
                       data={"csrf_token": token, "project": [project_id], "reference": reference, **extra})


def _resident_at(app, address, name):
    client = client_at(app, address)
    assert client.submit("/account/resident", {"name": name, "postcode": "SW9 0AA"}).status_code == 302
    return client


def test_wrong_references_are_limited_per_person(app, limits_on, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_REFERENCE_TRIES_PER_PERSON", "3 per hour")
    round_id, project = _round_with_list(app, 2)
    guesser = _resident_at(app, "198.51.100.30", "Guess Work")
    for n in range(3):
        refused = _cast_with(guesser, round_id, project, f"LIB9{n:03d}")
        assert refused.status_code == 400
        assert "We cannot accept that reference number" in refused.get_data(as_text=True)
    # now even a reference on the list is refused: guessing has stopped
    assert_limited(_cast_with(guesser, round_id, project, "LIB0000"))
    # a neighbour at the same address is not held up by it
    neighbour = _resident_at(app, "198.51.100.30", "Next Door")
    assert _cast_with(neighbour, round_id, project, "LIB0001").status_code == 303


def test_wrong_references_are_limited_per_address_across_accounts(app, limits_on, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_REFERENCE_TRIES_PER_IP", "4 per 10 minutes")
    round_id, project = _round_with_list(app, 1)
    answers = []
    for n in range(6):  # a new account for every two guesses
        guesser = _resident_at(app, "198.51.100.31", f"Sock Puppet {n // 2}")
        answers.append(_cast_with(guesser, round_id, project, f"XX{n:04d}").status_code)
    assert answers == [400] * 4 + [429] * 2
    elsewhere = _resident_at(app, "192.0.2.48", "Real Resident")
    assert _cast_with(elsewhere, round_id, project, "LIB0000").status_code == 303


def test_only_refused_references_count(app, limits_on, monkeypatch):
    """Forgetting the age box or the reference, or a ballot to change, is not guessing."""
    monkeypatch.setitem(app.config, "RATELIMIT_REFERENCE_TRIES_PER_PERSON", "1 per hour")
    round_id, project = _round_with_list(app, 1, min_age=11, max_age=25)
    resident = _resident_at(app, "198.51.100.32", "Young Voter")
    for _ in range(3):
        assert _cast_with(resident, round_id, project, "LIB0000").status_code == 400  # no age box
        assert _cast_with(resident, round_id, project, "", age_declared="yes").status_code == 400
    assert _cast_with(resident, round_id, project, "LIB0000", age_declared="yes").status_code == 303


def test_fifty_residents_at_one_library_mistype_their_references_and_still_vote(app, limits_on):
    """With the default limits: 50 residents share the library's address, each mistypes
    their reference twice, and every one of them votes."""
    round_id, project = _round_with_list(app, 50)
    for n in range(50):
        resident = _resident_at(app, LIBRARY, f"Library Reader {n}")
        for typo in (f"LIB{n:04d}X", f"LIB{n:04d}0"):
            assert _cast_with(resident, round_id, project, typo).status_code == 400
        assert _cast_with(resident, round_id, project, f"lib {n:04d}").status_code == 303

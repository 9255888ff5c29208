"""Issue 15, data level: no personal or pre-publication data is reachable from the API, a
download, the catalogue or the transparency page, by any visitor who should not see it.

A world full of marked secrets (a draft round, a draft proposal, its author's name, a
count not yet published and its ballots' fingerprint, voters' receipts, a staff member's
email and role change, an eligibility list, a draft plan) is built; then every open-data
URL is fetched as every kind of visitor, every page of every list, and no marker may appear.
Admins read the whole audit log (a role that should see it), and the test checks they do.
"""

import json
import re
from datetime import date

from sqlalchemy import select

from pb.models import Person, db
from pb.services import counting, eligibility, plans, proposals, staff
from pb.services.voting import cast_ballot
from tests.conftest import FormClient
from tests.factories import (
    add_projects,
    close_and_mix,
    make_round,
    officer,
    resident,
    set_phase,
    ward,
)

SECRET = "ZZSECRET"


def _world(app, demo):
    with app.app_context():
        make_round("draft", wards=("stockwell-east",)).title = f"{SECRET} draft round"
        db.session.commit()
        # a round with proposals: one draft, one submitted by a named resident
        open_round = make_round("proposals", wards=("stockwell-east",))
        author = resident(f"{SECRET} Author Name", "stockwell-east")
        draft, sent = add_projects(open_round.headings[0], [100, 200], status="submitted")
        draft.status, draft.title = "draft", f"{SECRET} draft proposal"
        draft.author_id = sent.author_id = author.id
        db.session.commit()
        eligibility.upload_list(officer(), make_round("upcoming", wards=("stockwell-east",)), "list.csv",
                                f"reference\n{SECRET}REF1\n".encode())
        # counted, not published: its fingerprint and receipts are pre-publication data
        counted = make_round("voting", wards=("stockwell-east",), rule="mes")
        projects = add_projects(counted.headings[0], [300, 400])
        receipts = [cast_ballot(resident(f"{SECRET} Voter {n}", "stockwell-east"), counted.headings[0],
                                [projects[n % 2].project_id]).receipt for n in range(3)]
        close_and_mix(counted)
        counting.count_round(officer(), counted)
        unpublished_sha = counted.headings[0].result.ballots_sha256
        # a published round too, so the public lists are not empty
        shown = make_round("voting", wards=("stockwell-east",))
        add_projects(shown.headings[0], [500])
        close_and_mix(shown)
        counting.count_round(officer(), shown)
        set_phase(shown, "results")
        # staff: a role granted by an admin
        admin = db.session.scalar(select(Person).where(Person.email == demo["admin"]))
        target = db.session.scalar(select(Person).where(Person.email == demo["panel"]))
        staff.grant_role(admin, target, "officer")
        # a draft plan
        plan = plans.create_plan(admin, ward("stockwell-east"), title=f"{SECRET} draft plan", start_year=2026,
                                 end_year=2028, summary=f"{SECRET} summary")
        plans.add_priority(admin, plan, title=f"{SECRET} priority")
        proposals.public_proposals(open_round.headings[0])  # (loads, nothing else)
        ids = {"rounds": [open_round.id, counted.id, shown.id],
               "headings": [(r.id, h.id) for r in (open_round, counted, shown) for h in r.headings],
               "plan": plan.id}
        markers = [SECRET, unpublished_sha, demo["panel"], demo["officer"]] + \
                  [r.replace("-", "") for r in receipts]
        from pb.services.voting import receipt_hash

        markers += [receipt_hash(r) for r in receipts]
    return ids, markers


def _urls(client, ids) -> list[str]:
    urls = ["/data", "/transparency", "/transparency/audit.json", "/api", "/api/openapi.json",
            f"/api/plans/{ids['plan']}"]
    for name in ("wards", "rounds", "proposals", "results", "plans", "outcomes"):
        first = client.get(f"/api/{name}?per_page=100").get_json()
        urls += [f"/api/{name}?per_page=100&page={n}" for n in range(1, first["pages"] + 1)]
    for round_id in ids["rounds"]:
        urls.append(f"/api/rounds/{round_id}")
    for round_id, heading_id in ids["headings"]:
        base = f"/rounds/{round_id}/wards/{heading_id}"
        urls += [f"{base}/{f}" for f in ("results.json", "results.csv", "receipts.txt", "ballots.pb",
                                          "proposals.json", "proposals.csv")]
    return urls


def _visitors(app, sign_in, demo):
    yield "anonymous", FormClient(app.test_client())
    res = FormClient(app.test_client())
    assert res.submit("/account/resident", {"name": "Curious Resident", "postcode": "SW9 0AA"}).status_code == 302
    yield "resident", res
    for role in ("councillor", "officer", "panel"):
        yield role, _staff_client(app, sign_in, demo[role])


def _staff_client(app, sign_in, email):
    from tests import second_factor

    client = FormClient(app.test_client())
    response = second_factor.sign_in_staff(client, email, "test-password")
    assert response.status_code == 302
    return client


def test_no_secret_reaches_any_visitor_through_open_data(app, demo, sign_in):
    ids, markers = _world(app, demo)
    for who, client in _visitors(app, sign_in, demo):
        urls = _urls(client, ids)
        assert len(urls) > 20
        for url in urls:
            response = client.get(url)
            assert response.status_code in (200, 404), (who, url, response.status_code)
            body = response.get_data(as_text=True)
            found = [m for m in markers if m and m in body]
            assert not found, (who, url, found)
            if url.startswith("/api/") and response.status_code == 200:
                assert response.headers["Cache-Control"].startswith("public")


def test_an_admin_reads_the_restricted_entries_the_public_cannot(app, demo, sign_in):
    ids, markers = _world(app, demo)
    admin = _staff_client(app, sign_in, demo["admin"])
    page = admin.get("/transparency").get_data(as_text=True)
    assert "role.granted" in page and "eligibility.uploaded" in page and "round.created" in page
    public = FormClient(app.test_client()).get("/transparency").get_data(as_text=True)
    assert "role.granted" not in public and "eligibility.uploaded" not in public
    # the public still sees every entry's fingerprint, so the chain checks out for anyone
    assert re.findall(r'data-seq="(\d+)"', page) == re.findall(r'data-seq="(\d+)"', public)
    assert "The chain checks out" in public
    # the downloaded log hides the same bodies from everyone, whoever asks
    chain = admin.get("/transparency/audit.json").get_json()["entries"]
    assert not any(m in str(chain) for m in markers if m)
    from pb.audit_chain import verify

    assert verify(chain).ok
    assert date.today().isoformat() in page


def test_a_restricted_entry_cannot_be_guessed_back_from_its_published_hash(app, demo, sign_in):
    """Every field of a restricted body is guessable (seq, time, one of ~15 actions, public
    staff names and roles, small round ids, 25 ward slugs, small counts); its random salt is
    not, and is never published with a hidden entry. The strongest guesser of all, one who
    knows every field but the salt, still matches no hidden entry's body_hash."""
    import itertools
    from datetime import datetime, timedelta

    from pb import audit_chain
    from pb.models import AuditEntry, Ward
    from pb.services import audit

    _world(app, demo)
    public = FormClient(app.test_client()).get("/transparency/audit.json").get_json()
    hidden = [e for e in public["entries"] if e["body"] is None]
    assert len(hidden) >= 4 and "salt" not in str(hidden)
    assert all("salt" in e["body"] for e in public["entries"] if e["body"] is not None)
    with app.app_context():
        rows = {e.seq: e for e in audit.entries()}
        actors = {(r.actor_id, r.actor_name, r.actor_role) for r in rows.values()} | {(None, None, "system")}
        actions = {r.action for r in rows.values()}
        slugs = list(db.session.scalars(select(Ward.slug)))
        round_ids = {r.round_id for r in rows.values()} | {None}
        tried = 0
        for entry in hidden:
            row = rows[entry["seq"]]
            truth = {k: v for k, v in audit.body_of(row).items() if k != "salt"}
            assert audit_chain.body_digest(truth) != entry["body_hash"]  # matched before the fix
            # and a brute force over the likely values around it
            when = datetime.strptime(row.at, "%Y-%m-%dT%H:%M:%SZ") if "T" in row.at else None
            times = ([(when + timedelta(seconds=s)).strftime("%Y-%m-%dT%H:%M:%SZ") for s in range(-3, 4)]
                     if when else [])
            day = date.fromisoformat(row.at[:10])
            times += [(day + timedelta(days=d)).isoformat() for d in (-1, 0, 1)]
            for at, action, actor, round_id in itertools.product(times, actions, actors, round_ids):
                body = {**truth, "at": at, "action": action, "actor_id": actor[0], "actor_name": actor[1],
                        "actor_role": actor[2], "round_id": round_id}
                assert audit_chain.body_digest(body) != entry["body_hash"]
                tried += 1
            for slug in slugs:
                body = {**truth, "details": {**truth["details"], "ward": slug}}
                assert audit_chain.body_digest(body) != entry["body_hash"]
        assert tried > 1000
        # the salt is stored, and the chain still checks out for the public and for an admin
        assert all(len(r.salt) == 32 for r in rows.values())
        assert len({r.salt for r in rows.values()}) == len(rows)
        assert audit.verify().ok
        assert db.session.get(AuditEntry, hidden[0]["seq"]).salt not in json.dumps(public)
    assert audit_chain.verify(public["entries"]).ok
    admin = _staff_client(app, sign_in, demo["admin"])
    assert audit_chain.verify(admin.get("/transparency/audit.json").get_json()["entries"]).ok
    assert "The chain checks out" in admin.get("/transparency").get_data(as_text=True)

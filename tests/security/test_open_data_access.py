"""Issue 15, data level: no personal or pre-publication data is reachable from the API, a
download, the catalogue or the transparency page, by any visitor who should not see it.

A world full of marked secrets (a draft round, a draft proposal, its author's name, a
count not yet published and its ballots' fingerprint, voters' receipts, a staff member's
email and role change, an eligibility list, a draft plan) is built; then every open-data
URL is fetched as every kind of visitor, every page of every list, and no marker may appear.
Admins read the whole audit log (a role that should see it), and the test checks they do.
"""

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

"""Issue 15, end to end over HTTP (the Flask test client): a round runs to its results,
every download is fetched, the ballots file is recounted with the CLI, and the audit log's
head in the results file is found on the transparency page."""

import csv
import hashlib
import io
import json
import re
import subprocess
import sys

from pb.models import Round, db
from pb.services import counting, proposals
from pb.services.voting import receipt_hash
from tests.conftest import FormClient
from tests.factories import add_projects, close_and_mix, make_round, officer, set_phase

VOTES = [["1", "2"], ["1"], ["2", "3"], ["1", "3"], ["3"]]


def _vote(app, round_id, choices, n):
    client = FormClient(app.test_client())
    signed = client.submit("/account/resident", {"name": f"Voter {n}", "postcode": "SW9 0AA"})
    assert signed.status_code == 302
    check = client.submit(f"/vote/{round_id}", {"project": choices, "action": "continue"}, follow_redirects=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', check.get_data(as_text=True)).group(1)
    cast = client.post(f"/vote/{round_id}/cast", data={"csrf_token": token, "project": choices})
    assert cast.status_code == 303
    done = client.get(cast.headers["Location"]).get_data(as_text=True)
    return re.search(r'class="pb-receipt">([A-Z2-7-]+)<', done).group(1)


def test_a_round_from_votes_to_open_data_and_a_recount(app, client, tmp_path):
    with app.app_context():
        round_ = make_round("review", rule="mes", wards=("stockwell-east",), budget=10_000)
        heading = round_.headings[0]
        made = add_projects(heading, [6000, 5000, 3000], status="submitted")
        for proposal in made:
            proposals.review_proposal(officer(), proposal, decision="accept", reason="=HYPERLINK(\"x\")",
                                      final_cost=proposal.rough_cost)
        draft = add_projects(heading, [100], status="draft")[0]
        draft.title = "An unsent idea"
        db.session.commit()
        ids = [p.project_id for p in made]
        set_phase(round_, "voting")
        round_id, heading_id, draft_title = round_.id, heading.id, draft.title
    votes = [[ids[int(c) - 1] for c in choice] for choice in VOTES]
    receipts = [_vote(app, round_id, choices, n) for n, choices in enumerate(votes)]

    base = f"/rounds/{round_id}/wards/{heading_id}"
    with app.app_context():
        round_ = db.session.get(Round, round_id)
        close_and_mix(round_)
        counting.count_round(officer(), round_)
    # counted, not yet published: no download works for the public
    for path in ("results.json", "results.csv", "receipts.txt", "ballots.pb"):
        assert client.get(f"{base}/{path}").status_code == 404, path
    assert client.get(f"/api/results?round={round_id}").get_json()["total"] == 0
    with app.app_context():
        set_phase(db.session.get(Round, round_id), "results")

    page = client.get(f"{base}/results").get_data(as_text=True)
    document = client.get(f"{base}/results.json")
    assert document.status_code == 200
    result = document.get_json()
    sha = result["ballots_file"]["sha256"]
    assert sha in page and result["recount_command"] in page.replace("&#34;", '"')
    assert result["ballots_counted"] == len(VOTES)
    assert {p["project_id"] for p in result["projects"]} == set(ids)
    funded = [p for p in result["projects"] if p["funded"]]
    assert funded and all(p["payments"] for p in funded)  # Equal Shares: who paid what, as groups
    assert all(set(g) == {"supporters", "each", "paid_all_they_had", "total"}
               for p in funded for g in p["payments"])

    # the ballots file: its fingerprint, and a recount with the CLI matching the result
    ballots = client.get(f"{base}/ballots.pb")
    assert hashlib.sha256(ballots.get_data()).hexdigest() == sha
    text = ballots.get_data(as_text=True)
    assert "receipt" not in text.lower() and not any(r.replace("-", "") in text for r in receipts)
    path = tmp_path / result["ballots_file"]["name"]
    path.write_bytes(ballots.get_data())
    command = result["recount_command"].split()
    assert command[:3] == ["python", "-m", "pb.tally"]
    out = subprocess.run([sys.executable, *command[1:]], cwd=tmp_path, capture_output=True, text=True,
                         check=True, env={"PYTHONPATH": str(app.root_path.rsplit("/pb", 1)[0])})
    recount = json.loads(out.stdout)
    assert recount["selected"] == result["selected"] and recount["rule"] == "mes"
    # and independently, with pabutools, as the README shows
    from pabutools.election import Cost_Sat, parse_pabulib
    from pabutools.rules import method_of_equal_shares
    from pabutools.tiebreaking import lexico_tie_breaking

    instance, profile = parse_pabulib(str(path))
    funded = method_of_equal_shares(instance, profile, sat_class=Cost_Sat, tie_breaking=lexico_tie_breaking)
    assert sorted(p.name for p in funded) == sorted(result["selected"])

    # the CSV: one row per project, formulas neutralised, the same fingerprints
    rows = list(csv.DictReader(io.StringIO(client.get(f"{base}/results.csv").get_data(as_text=True).lstrip("\ufeff"))))
    assert {r["project_id"] for r in rows} == set(ids)
    assert all(r["ballots_sha256"] == sha and r["audit_head"] == result["audit_head"]["hash"] for r in rows)

    # receipts: each resident finds theirs offline, in an order that is not the ballots'
    hashes = client.get(f"{base}/receipts.txt").get_data(as_text=True).split()
    assert hashes == sorted(hashes) and len(hashes) == len(VOTES)
    assert all(receipt_hash(r) in hashes for r in receipts)

    # proposals with decisions and reasons; never a draft, never an author
    listed = client.get(f"{base}/proposals.json").get_json()["proposals"]
    assert {p["id"] for p in listed} == {int(i) for i in ids}
    assert all(p["status"] == "accepted" and p["review_reason"] for p in listed)
    assert draft_title not in json.dumps(listed) and "author" not in json.dumps(listed)
    table = client.get(f"{base}/proposals.csv").get_data(as_text=True)
    assert "'=HYPERLINK" in table and ",=HYPERLINK" not in table

    # the audit head in the results file is in the chain the transparency page shows
    stamp = result["audit_head"]
    transparency = client.get("/transparency").get_data(as_text=True)
    head = re.search(r'id="audit-head">([0-9a-f]{64})<', transparency).group(1)
    assert head == stamp["hash"]  # nothing happened since the count
    assert f'data-seq="{stamp["seq"]}"' in transparency and "round.counted" in transparency
    assert "The chain checks out" in transparency
    chain = client.get("/transparency/audit.json").get_json()
    from pb.audit_chain import verify

    verdict = verify(chain["entries"], expected_head=stamp["hash"])
    assert verdict.ok and verdict.head == head
    runner = app.test_cli_runner()
    cli = runner.invoke(args=["pb", "audit", "verify", "--head", stamp["hash"]])
    assert cli.exit_code == 0 and "OK" in cli.output

    # every download, page and API answer carries the log's current head, to keep and check
    current = f'{chain["current_audit_head"]["seq"]}:{chain["current_audit_head"]["hash"]}'
    assert result["current_audit_head"] == chain["current_audit_head"]
    for url in (f"{base}/results.json", f"{base}/results.csv", f"{base}/receipts.txt", "/data",
                "/transparency", "/transparency/audit.json", f"/api/results?round={round_id}", "/api/wards"):
        assert client.get(url).headers["X-Audit-Head"] == current, url
    assert chain["current_audit_head"]["hash"] in client.get("/data").get_data(as_text=True)
    assert f"--head {current}" in transparency
    cli = runner.invoke(args=["pb", "audit", "verify", "--head", current])
    assert cli.exit_code == 0 and "OK" in cli.output

    # the catalogue lists every dataset with its licence; the API has the same result
    catalogue = client.get("/data").get_data(as_text=True)
    assert catalogue.count("Open Government Licence v3.0") >= 7 and f"{base}/results.json" in catalogue
    api = client.get(f"/api/results?round={round_id}")
    assert api.get_json()["items"][0]["selected"] == result["selected"]
    again = client.get(f"/api/results?round={round_id}", headers={"If-None-Match": api.headers["ETag"]})
    assert again.status_code == 304 and not again.get_data()


def test_the_audit_log_download_is_paged_and_checks_out_page_by_page(app, client):
    from pb.audit_chain import verify

    with app.app_context():
        round_ = make_round("draft", wards=("stockwell-east",))
        from pb.services import rounds

        for _ in range(3):
            rounds.publish_round(officer(), round_)
            rounds.unpublish_round(officer(), round_)
        total = db.session.query(db.func.count()).select_from(db.metadata.tables["audit_entries"]).scalar()
    first = client.get("/transparency/audit.json?per_page=2").get_json()
    assert first["total"] == total and first["pages"] == -(-total // 2) and len(first["entries"]) == 2
    entries, url = [], "/transparency/audit.json?per_page=2"
    while url:
        page = client.get(url).get_json()
        entries += page["entries"]
        url = page["next"]
    assert [e["seq"] for e in entries] == list(range(1, total + 1))
    assert verify(entries, expected_head=first["head"]["hash"], expected_seq=first["head"]["seq"]).ok
    whole = client.get("/transparency/audit.json").get_json()
    assert whole["pages"] == 1 and whole["next"] is None and len(whole["entries"]) == total
    for bad in ("per_page=0", "per_page=5001", "page=0", "page=x", "per_page=-1"):
        response = client.get(f"/transparency/audit.json?{bad}")
        assert response.status_code == 400 and "error" in response.get_json(), bad


def test_the_audit_pages_are_rate_limited_per_address(app, client, monkeypatch):
    from pb.extensions import limiter

    monkeypatch.setitem(app.config, "RATELIMIT_ENABLED", True)
    monkeypatch.setitem(app.config, "RATELIMIT_AUDIT_LOG_PER_IP", "3 per minute")
    limiter.reset()
    try:
        codes = [client.get(url).status_code for url in ["/transparency", "/transparency/audit.json"] * 3]
        assert codes[:3] == [200, 200, 200] and set(codes[3:]) == {429}
        assert client.get("/data").status_code == 200  # the rest of open data is not limited
    finally:
        limiter.reset()


def test_if_none_match_compares_weakly(app, client):
    from pb.web.api.routes import etag_matches

    assert etag_matches('"abc"', 'W/"abc"') and etag_matches('"abc"', '"x", W/"abc"')
    assert etag_matches('"abc"', "*") and etag_matches('W/"abc"', '"abc"')
    assert not etag_matches('"abc"', '"abcd"') and not etag_matches('"abc"', "") and not etag_matches('"abc"', "abc")
    first = client.get("/api/wards")
    etag = first.headers["ETag"]
    for sent in (etag, f"W/{etag}", "*", f'"nope", W/{etag}', f' "nope" ,{etag} '):
        again = client.get("/api/wards", headers={"If-None-Match": sent})
        assert again.status_code == 304 and not again.get_data(), sent
    assert client.get("/api/wards", headers={"If-None-Match": '"nope"'}).status_code == 200


def test_a_ward_filter_that_is_no_slug_matches_nothing_on_every_database(client):
    for url in ("/api/outcomes", "/api/proposals", "/api/results"):
        for ward in ("%00", "a%00b", "%C3%A9", "x" * 150):
            response = client.get(f"{url}?ward={ward}")
            assert response.status_code == 200 and response.get_json()["items"] == [], (url, ward)

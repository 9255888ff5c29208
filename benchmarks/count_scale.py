"""A borough-sized count on PostgreSQL: 30,000 approval ballots over 40 projects in one ward.

    .venv/bin/python benchmarks/count_scale.py [--tree DIR] [--reference DIR] [--count-runs 3]
        [--count-only] [--ballots 30000] [--projects 40] [--rule mes-add1]
        [--database pb_bench_count]

Every tree is byte-compiled first (``compileall``), as an installed release is: without it a
process started with PYTHONDONTWRITEBYTECODE compiles every module of the app from source.
``flask pb count`` runs ``--count-runs`` times (the result deleted before each), and with
``--reference DIR`` (an export of an older commit) that tree's count runs in turn with this
one's on the same database, so both see the same machine load; medians are printed, CPU time
beside wall time, and the load average. ``--count-only`` stops after the count.

Builds a fresh PostgreSQL database (127.0.0.1:55432) with the census and demo accounts, one
round in one ward with ``--projects`` accepted projects, and ``--ballots`` mixed approval
ballots (one to five choices each, popularity skewed as in real rounds), two in three with
equality monitoring answers drawn from the ward's census. Then, each in a new process so that
nothing is warm by accident:

- ``flask pb count ROUND``: the whole process (start-up, the count, storing the result), its
  wall time, CPU time (what to compare on a busy machine) and peak memory (max RSS). The ballots are already mixed, as the scheduled
  ``flask pb mix`` leaves them at the close of voting, so this is the count's own cost;
- the count alone (``count_heading``, the median of 3, rolled back);
- the published results page, cold (first request of a process) and warm (second request);
- the equalities reports computed and stored once, as ``flask pb equalities-reports`` does
  when a release point or the results are reached (skipped for a ``--tree`` without stored
  reports, where the first view computes it);
- the equalities report (``heading_report``), cold (a new process reading the stored
  report) and warm.

Targets: the count process ≤ 1 s; results page warm ≤ 200 ms; equalities report ≤ 2 s cold and
≤ 200 ms once computed. This is not a test and nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from throughput import ROOT, app_env, fresh_database  # noqa: E402

SETUP = """
import json, secrets, sys
from datetime import UTC, date, datetime, timedelta
import numpy as np
from sqlalchemy import insert, select
from app import app
from pb.models import PHASES, Ballot, Heading, MonitoringResponse, Person, Proposal, RoleGrant, Round, Ward, db
from pb.equalities.census import lambeth_census_rows
from pb.equalities.characteristics import census_margins
from pb.equalities.simulate import OLDER_OWNERS, draw_answers

N, P, RULE = {ballots}, {projects}, {rule!r}
rng = np.random.default_rng(2026)
with app.app_context():
    officer = db.session.scalar(select(Person).join(RoleGrant).where(RoleGrant.role == "officer"))
    ward = db.session.scalar(select(Ward).where(Ward.slug == "stockwell-east"))
    days = [-5, -4, -3, -2, 0, 6]  # results from today
    round_ = Round(title="Borough-scale benchmark", description="Benchmark", ballot_type="approval",
                   rule=RULE, status="published", max_choices=5, created_by_id=officer.id,
                   **{{f"{{p}}_from": date.today() + timedelta(days=d) for p, d in zip(PHASES, days)}})
    round_.counting_from = date.today() + timedelta(days=365)  # counting until we move it
    round_.results_from = date.today() + timedelta(days=366)
    round_.delivery_from = date.today() + timedelta(days=367)
    heading = Heading(round=round_, ward=ward, budget=1_000_000)
    db.session.add_all([round_, heading])
    db.session.flush()
    costs = rng.integers(20, 200, P) * 1000
    for i, cost in enumerate(costs, 1):
        db.session.add(Proposal(heading=heading, title=f"Project {{i}}", summary="s", description="d",
                                category="parks", rough_cost=int(cost), final_cost=int(cost),
                                status="accepted"))
    db.session.flush()
    ids = [p.project_id for p in heading.proposals]
    popularity = rng.dirichlet(np.ones(P) * 0.7)
    rows = []
    for _ in range(N):
        k = int(rng.integers(1, 6))
        chosen = rng.choice(P, size=k, replace=False, p=popularity)
        rows.append({{"id": secrets.token_hex(16), "heading_id": heading.id, "channel": "web",
                     "receipt_hash": secrets.token_hex(32),
                     "choices": json.dumps(sorted((ids[j] for j in chosen), key=str))}})
    db.session.execute(insert(Ballot), rows)
    margins = census_margins(lambeth_census_rows()[ward.ons_code])
    answers = draw_answers(margins, N, rng, OLDER_OWNERS)
    monitoring = [{{"ballot_id": r["id"], "heading_id": heading.id, "answers": json.dumps(a)}}
                  for r, a in zip(rows, answers) if rng.random() < 2 / 3]
    db.session.execute(insert(MonitoringResponse), monitoring)
    round_.counting_from = date.today() - timedelta(days=2)  # voting closed
    heading.mixed_at = datetime.now(UTC).replace(tzinfo=None)  # and mixed (the scheduled `pb mix`)
    db.session.commit()
    print(json.dumps({{"round": round_.id, "heading": heading.id}}))
"""

COUNT_ALONE = """
import json, statistics, time
from app import app
from pb.models import Heading, Person, RoleGrant, db
from pb.services.counting import count_heading
from sqlalchemy import select
with app.app_context():
    officer = db.session.scalar(select(Person).join(RoleGrant).where(RoleGrant.role == "officer"))
    times = []
    for _ in range(3):
        heading = db.session.get(Heading, {heading})
        start = time.perf_counter()
        count_heading(officer, heading, commit=False)
        db.session.flush()
        times.append(time.perf_counter() - start)
        db.session.rollback()
    print(json.dumps(statistics.median(times)))
"""

PUBLISH = """
from datetime import date, timedelta
from app import app
from pb.models import Round, db
with app.app_context():
    round_ = db.session.get(Round, {round})
    round_.results_from = date.today()
    round_.delivery_from = date.today() + timedelta(days=30)
    db.session.commit()
"""

PREPARE = """
import json, time
from app import app
from pb.models import Heading, db
from pb.services.equalities import prepare_reports
with app.app_context():
    heading = db.session.get(Heading, {heading})
    start, cpu = time.perf_counter(), time.process_time()
    made = prepare_reports([heading])
    print(json.dumps({{"wall": time.perf_counter() - start, "cpu": time.process_time() - cpu,
                      "made": made}}))
"""

PAGES = """
import json, time
from app import app
from pb.models import Heading, db
from pb.services.equalities import heading_report
client = app.test_client()
out = {{}}
for label in ("cold", "warm"):
    start = time.perf_counter()
    response = client.get("/rounds/{round}/wards/{heading}/results")
    assert response.status_code == 200, response.status_code
    out["results " + label] = time.perf_counter() - start
with app.app_context():
    for label in ("cold", "warm"):
        heading = db.session.get(Heading, {heading})
        start = time.perf_counter()
        heading_report(heading)
        out["equalities " + label] = time.perf_counter() - start
        db.session.rollback()
print(json.dumps(out))
"""


def run(code: str, tree: Path, url: str) -> str:
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=tree,
                          env=app_env(url, tree), check=True, capture_output=True, text=True)
    lines = done.stdout.strip().splitlines()
    return lines[-1] if lines else ""


def count_process(tree: Path, url: str, round_id: int) -> tuple[float, float, float]:
    """One whole ``flask pb count`` process: wall seconds, CPU seconds, peak MB (its own)."""
    with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute("DELETE FROM results WHERE heading_id IN (SELECT id FROM headings "
                     "WHERE round_id = %s)", (round_id,))
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "pb", "count", str(round_id)],
                             cwd=tree, env=app_env(url, tree), stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"flask pb count failed in {tree}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def count_processes(trees: list[Path], url: str, round_id: int, runs: int) -> list[dict]:
    """Each tree's count process ``runs`` times, in turn (the last tree counts last)."""
    seen: list[list] = [[] for _ in trees]
    for _ in range(runs):
        for k, tree in enumerate(trees):
            seen[k].append(count_process(tree, url, round_id))
    return [{"wall": statistics.median(w for w, _, _ in s), "cpu": statistics.median(c for _, c, _ in s),
             "peak": max(m for _, _, m in s)} for s in seen]


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tree", type=Path, default=ROOT)
    parser.add_argument("--reference", type=Path, help="an older tree whose count runs in turn with this one's")
    parser.add_argument("--count-runs", type=int, default=3)
    parser.add_argument("--count-only", action="store_true")
    parser.add_argument("--ballots", type=int, default=30_000)
    parser.add_argument("--projects", type=int, default=40)
    parser.add_argument("--rule", default="mes-add1")
    parser.add_argument("--database", default="pb_bench_count")
    args = parser.parse_args()
    tree = args.tree.resolve()
    url = fresh_database("postgresql", tree, args.database)
    made = json.loads(run(SETUP.format(ballots=args.ballots, projects=args.projects, rule=args.rule), tree, url))

    trees = [args.reference.resolve(), tree] if args.reference else [tree]
    for each in trees:  # as an installed release is (see the module docstring)
        subprocess.run([sys.executable, "-m", "compileall", "-q", "pb", "app.py"], cwd=each,
                       check=True, stdout=subprocess.DEVNULL)
    load_before = load_average()
    counts = count_processes(trees, url, made["round"], args.count_runs)
    print(f"\n`flask pb count`, whole process, median of {args.count_runs}; load average "
          f"{load_before} before, {load_average()} after")
    print("| tree | wall | CPU | peak MB | CPU ÷ reference's | target |")
    print("|---|---:|---:|---:|---:|---|")
    for each, c in zip(trees, counts, strict=True):
        print(f"| {each} | {c['wall']:.2f} s | {c['cpu']:.2f} s | {c['peak']:.0f} | "
              f"{c['cpu'] / counts[0]['cpu']:.2f} | ≤ 1 s |")
    whole, cpu, peak = counts[-1]["wall"], counts[-1]["cpu"], counts[-1]["peak"]
    if args.count_only:
        return

    alone = json.loads(run(COUNT_ALONE.format(heading=made["heading"]), tree, url))
    run(PUBLISH.format(round=made["round"]), tree, url)
    prepared = (json.loads(run(PREPARE.format(heading=made["heading"]), tree, url))
                if (tree / "pb/equalities/stored.py").exists() else None)
    pages = json.loads(run(PAGES.format(round=made["round"], heading=made["heading"]), tree, url))

    print(f"\n{args.ballots:,} approval ballots, {args.projects} projects, rule {args.rule}, "
          f"PostgreSQL, tree {args.tree}")
    print("| what | measured | target |")
    print("|---|---:|---|")
    print(f"| `flask pb count` whole process | {whole:.2f} s ({cpu:.2f} s CPU), {peak:.0f} MB peak | ≤ 1 s |")
    print(f"| the count alone (count_heading) | {alone:.3f} s | |")
    print(f"| results page, cold / warm | {pages['results cold'] * 1000:.0f} / "
          f"{pages['results warm'] * 1000:.0f} ms | warm ≤ 200 ms |")
    if prepared is not None:
        print(f"| equalities reports computed and stored once (`prepare_reports`, as "
              f"`flask pb equalities-reports` does at a release point) | {prepared['wall']:.1f} s "
              f"({prepared['cpu']:.1f} s CPU), {prepared['made']} reports | |")
    print(f"| equalities report, cold / warm | {pages['equalities cold'] * 1000:.0f} / "
          f"{pages['equalities warm'] * 1000:.0f} ms | ≤ 2 s cold, ≤ 200 ms warm |")


if __name__ == "__main__":
    main()

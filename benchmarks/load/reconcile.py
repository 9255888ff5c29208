"""After the load: the targets against what was measured, then the reconciliation.

Closes voting (the round's counting phase starts today, as the calendar would make it),
runs the mixer and the count through the real CLI (`flask --app app pb count ROUND_ID`,
which mixes first), and compares: ballots counted == successful casts (web + SMS + agreed
papers), roll entries == web + SMS casts, no sealed ballot left unmixed, no paper unsettled.

    python benchmarks/load/reconcile.py OUTDIR MODE MINUTES RATE
"""

import csv
import json
import os
import subprocess
import sys
from datetime import timedelta

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, ROOT)

from sqlalchemy import func, select, update  # noqa: E402

from app import app  # noqa: E402
from pb.models import (  # noqa: E402
    Ballot,
    Paper,
    PaperBatch,
    PaperKeying,
    Person,
    RollEntry,
    Round,
    SealedBallot,
    db,
)
from pb.services import paper as paper_service  # noqa: E402
from pb.services.rounds import today  # noqa: E402

TIMED = ("POST /vote/[id] (confirm choices)", "POST /vote/[id]/cast")


def memory(path: str, minutes: float):
    """App memory (RSS of gunicorn's master and workers, MB) after warm-up and at the end."""
    rows = [r for r in csv.DictReader(open(path)) if r["phase"] == "load"]
    if len(rows) < 2:
        return None
    t0 = float(rows[0]["t"])
    warm = min(120.0, minutes * 60 * 0.15)  # the first two minutes fill caches and pools
    after = [r for r in rows if float(r["t"]) - t0 >= warm] or rows
    first, last = float(after[0]["rss_mb"]), float(rows[-1]["rss_mb"])
    cpu = float(rows[-1]["cpu_s"]) - float(rows[0]["cpu_s"])
    pg_cpu = float(rows[-1].get("pg_cpu_s") or 0) - float(rows[0].get("pg_cpu_s") or 0)
    loads = [float(r["load1"]) for r in rows]
    return {"rss_start_mb": float(rows[0]["rss_mb"]), "rss_warm_mb": first, "rss_end_mb": last,
            "growth_pct": 100 * (last - first) / first, "app_cpu_s": cpu, "pg_cpu_s": pg_cpu,
            "seconds": float(rows[-1]["t"]) - t0,
            "load_avg_mean": sum(loads) / len(loads), "load_avg_max": max(loads),
            "workers": rows[-1]["workers"]}


def finish_boxes(state: dict) -> int:
    """The officers finish the box in hand when the run stops (Locust may stop them mid-box):
    a paper keyed once is keyed again, by the other officer, as the first keying says; a paper
    not keyed yet is keyed by both. Returns how many papers this settled."""
    officers = {p.email: p for p in db.session.scalars(select(Person).where(Person.email.in_(state["keyers"])))}
    first, second = (officers[email] for email in state["keyers"])
    settled = 0
    for batch in db.session.scalars(select(PaperBatch).where(PaperBatch.heading_id == state["heading_id"])).all():
        keyed = {p.number: p for p in db.session.scalars(select(Paper).where(Paper.batch_id == batch.id))}
        for number in range(1, batch.expected + 1):
            paper = keyed.get(number)
            if paper is None:
                choices = [state["projects"][0][0]]
                paper_service.key_paper(first, batch, number, choices)
            elif paper.status == "keyed_once":
                keying = db.session.scalar(select(PaperKeying).where(PaperKeying.paper_id == paper.id))
                choices = json.loads(keying.choices)
                if keying.officer_id == second.id:
                    first, second = second, first
            else:
                continue
            paper_service.key_paper(second, batch, number, choices)
            first, second = (officers[email] for email in state["keyers"])
            settled += 1
    return settled


def main(outdir: str, mode: str, minutes: float, wanted_rate: float) -> int:
    state = json.load(open(os.path.join(outdir, "state.json")))
    result = json.load(open(os.path.join(outdir, "locust.json")))
    counts, stats = result["counts"], result["stats"]
    mem = memory(os.path.join(outdir, "samples.csv"), minutes)
    web, sms, papers = counts.get("web casts", 0), counts.get("sms casts", 0), counts.get("papers agreed", 0)
    casts = web + sms + papers
    seconds = minutes * 60

    with app.app_context():
        round_ = db.session.get(Round, state["round_id"])
        roll = db.session.scalar(select(func.count()).select_from(RollEntry).where(RollEntry.round_id == round_.id))
        sealed_before = db.session.scalar(select(func.count()).select_from(SealedBallot))
        finished = finish_boxes(state)
        papers += finished
        casts += finished
        unsettled = db.session.scalar(select(func.count()).select_from(Paper).where(
            Paper.status.not_in(("agreed", "resolved", "spoilt"))))
        # voting closes: counting starts today (results and delivery keep their order after it)
        day = today()
        db.session.execute(update(Round).where(Round.id == round_.id).values(
            voting_from=day - timedelta(days=5), counting_from=day, results_from=day + timedelta(days=2),
            delivery_from=day + timedelta(days=20)))
        db.session.commit()
    count = subprocess.run([os.path.join(ROOT, ".venv/bin/flask"), "--app", "app", "pb", "count",
                            str(state["round_id"])], cwd=ROOT, capture_output=True, text=True)
    with app.app_context():
        counted = db.session.scalar(select(func.count()).select_from(Ballot).where(
            Ballot.heading_id == state["heading_id"]))
        by_channel = dict(db.session.execute(select(Ballot.channel, func.count()).where(
            Ballot.heading_id == state["heading_id"]).group_by(Ballot.channel)).all())
        sealed_after = db.session.scalar(select(func.count()).select_from(SealedBallot))

    rows = []

    def target(name, wanted, measured, ok):
        rows.append((name, wanted, measured, "met" if ok else "MISSED"))

    rate = casts / seconds if seconds else 0
    if mode == "sustained":
        target("ballots a second (whole run)", f"≥ {wanted_rate:g}", f"{rate:.1f}", rate >= 0.95 * wanted_rate)
    elif mode == "soak":
        target("ballots a second (whole run)", f"≈ {wanted_rate:g}", f"{rate:.2f}", rate >= 0.9 * wanted_rate)
    else:
        target("ballots cast during the spike", "—", f"{casts} ({rate:.1f}/s over the run)", True)
    fives = counts.get("5xx", 0)
    target("5xx responses", "0", str(fives), fives == 0)
    for name in TIMED:
        entry = stats.get(name, {})
        target(f"{name} p95", "< 800 ms", f"{entry.get('p95', 'none')} ms", entry and entry["p95"] < 800)
        target(f"{name} p99", "< 2,000 ms", f"{entry.get('p99', 'none')} ms", entry and entry["p99"] < 2000)
    target("failed requests (any status ≥ 400, or no answer)", "0",
           f"{result['total']['failures']} of {result['total']['requests']}", result["total"]["failures"] == 0)
    # a cast whose answer never reached the client (stopped at the end, a dropped connection)
    # may still have been stored: the roll must then lie between the casts seen and those tried
    tried = counts.get("web casts tried", 0) + counts.get("sms casts tried", 0)
    paper_counted = by_channel.get("paper", 0)
    target("ballots counted == roll entries + agreed papers (nothing lost or doubled)",
           f"{roll} + {papers}", f"{counted} {by_channel}", counted == roll + papers and paper_counted == papers)
    target("roll entries between web + SMS casts confirmed and tried", f"{web + sms} ≤ roll ≤ {tried}",
           f"{roll} ({roll - web - sms} stored without the answer reaching the client)", web + sms <= roll <= tried)
    if finished:
        rows.append(("papers the officers finished after the stop (the box in hand)", "—", str(finished), ""))
    target("sealed ballots left after the count (every pending ballot mixed)", "0",
           f"{sealed_after} (before: {sealed_before})", sealed_after == 0)
    target("papers left unsettled", "0", str(unsettled), unsettled == 0)
    target("the count through the CLI", "exit 0", f"exit {count.returncode}", count.returncode == 0)
    if mem:
        if mode == "soak":
            target("app memory growth after warm-up", "< 10%",
                   f"{mem['growth_pct']:+.1f}% ({mem['rss_warm_mb']:.0f} → {mem['rss_end_mb']:.0f} MB)",
                   mem["growth_pct"] < 10)
        else:
            rows.append(("app memory after warm-up → end", "—",
                         f"{mem['rss_warm_mb']:.0f} → {mem['rss_end_mb']:.0f} MB ({mem['growth_pct']:+.1f}%)", ""))
        per = mem["app_cpu_s"] / casts * 1000 if casts else 0
        share = (mem["app_cpu_s"] + mem["pg_cpu_s"]) / mem["seconds"] if mem["seconds"] else 0
        rows.append(("app CPU (gunicorn, user+system)", "—",
                     f"{mem['app_cpu_s']:.0f} s = {per:.0f} ms a ballot", ""))
        rows.append(("PostgreSQL CPU (every postgres process)", "—",
                     f"{mem['pg_cpu_s']:.0f} s; app and database together used {share:.2f} cores on average", ""))
        rows.append(("machine load average (1 min) during the run", "2 cores",
                     f"mean {mem['load_avg_mean']:.1f}, max {mem['load_avg_max']:.1f}", ""))
    slow = sorted(((v["p95"], k) for k, v in stats.items() if k != "Aggregated"), reverse=True)[:4]
    rows.append(("slowest p95s", "—", "; ".join(f"{k} {p} ms" for p, k in slow), ""))
    others = {k: v for k, v in counts.items() if k not in ("web casts", "sms casts", "papers agreed")}
    if others:
        rows.append(("other outcomes", "—", json.dumps(others), ""))

    width = max(len(r[0]) for r in rows)
    lines = [f"Load run: {mode}, {minutes:g} minutes, {result['total']['requests']} requests "
             f"({result['total']['rps']:.0f} a second)", ""]
    lines += ["| Target | Wanted | Measured | |", "|---|---|---|---|"]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    text = "\n".join(lines)
    print(text)
    print("\n" + "\n".join(f"{a:<{width}}  {b:>12}  {c}  {d}" for a, b, c, d in rows[:0]))
    print("count CLI:", (count.stdout + count.stderr).strip()[-600:])
    with open(os.path.join(outdir, "results.md"), "w") as f:
        f.write(text + "\n")
    missed = [r for r in rows if r[3] == "MISSED"]
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])))

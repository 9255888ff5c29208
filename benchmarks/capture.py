"""How long the sectional-capture reports take: 100,000 ballots across Lambeth's 25 wards.

    .venv/bin/python benchmarks/capture.py [--ballots 100000] [--rule greedy] [--repeat 3]

Builds every ward's full published report (representation tables, tests, flags, disclosure
control, outreach, raking, the weighted recount, its bootstrap and per-project breakdowns) and prints the
best time of ``--repeat`` runs, also as a ratio against a reference run in the same
process: a naive pure-Python pass that only counts each ward's answers and computes the
participant and resident shares. The ratio is what to compare between machines; the
target is under 5 seconds on the project's 2-core machine, including the bootstrap of
the verdict (100 resamples per ward, each raked and counted twice). It also times reading every
ward's report back from its stored JSON (``pb.equalities.stored``), which is all a page view
does once a report is stored. This is not a test and nothing here asserts a time.
"""

import argparse
import hashlib
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pb.equalities import stored  # noqa: E402
from pb.equalities.census import lambeth_census_rows  # noqa: E402
from pb.equalities.characteristics import CHARACTERISTICS, census_margins  # noqa: E402
from pb.equalities.report import build_report  # noqa: E402
from pb.equalities.simulate import OLDER_OWNERS, draw_answers, synthetic_election  # noqa: E402
from pb.tally import count  # noqa: E402


def make_rounds(ballots: int, seed: int):
    wards = lambeth_census_rows()
    per_ward = ballots // len(wards)
    rng = np.random.default_rng(seed)
    rounds = []
    for code, rows in sorted(wards.items()):
        answers = draw_answers(census_margins(rows), per_ward, rng, OLDER_OWNERS)
        rounds.append((code, rows, answers, synthetic_election(answers, rng)))
    return rounds


def reference(rounds):
    """Naive pure Python: count answers and compute participant and resident shares."""
    out = {}
    for code, rows, answers, _ in rounds:
        census = {}
        for topic, label, n in rows:
            census.setdefault(topic, {})[label] = n
        shares = {}
        for ch in CHARACTERISTICS:
            counts = {}
            for a in answers:
                value = a.get(ch.key)
                if value in ch.category_keys:
                    counts[value] = counts.get(value, 0) + 1
            answered = sum(counts.values()) or 1
            total = sum(census.get(ch.key, {}).values()) or 1
            shares[ch.key] = {
                cat.key: (counts.get(cat.key, 0) / answered,
                          sum(census.get(ch.key, {}).get(label, 0)
                              for label in cat.census_labels) / total)
                for cat in ch.categories}
        out[code] = shares
    return out


def reports(rounds, rule, officials, election=True):
    return [build_report(code, rows, answers, election=el if election else None, rule=rule,
                         official=officials[code])
            for code, rows, answers, el in rounds]


def best_of(repeat, fn):
    """Best wall-clock and best CPU (process) time of ``repeat`` runs. On a machine shared
    with other work the CPU time is the steadier figure: it leaves out time spent waiting
    for a core."""
    walls, cpus = [], []
    for _ in range(repeat):
        start, cpu = time.perf_counter(), time.process_time()
        fn()
        cpus.append(time.process_time() - cpu)
        walls.append(time.perf_counter() - start)
    return min(walls), min(cpus)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ballots", type=int, default=100_000)
    parser.add_argument("--rule", default="greedy", choices=["greedy", "mes", "mes-add1"])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)

    rounds = make_rounds(args.ballots, args.seed)
    # the official outcome is already published when the report is built
    officials = {code: count(el, rule=args.rule).selected for code, _, _, el in rounds}

    (ref, ref_cpu) = best_of(args.repeat, lambda: reference(rounds))
    (tables, tables_cpu) = best_of(args.repeat,
                                   lambda: reports(rounds, args.rule, officials, election=False))
    (full, full_cpu) = best_of(args.repeat, lambda: reports(rounds, args.rule, officials))
    built = reports(rounds, args.rule, officials)
    changed = sum(bool(r.result_changes) for r in built)
    # what a page view costs once the reports are stored (pb.equalities.stored): read back
    texts = [stored.dumps(r) for r in built]
    (read, read_cpu) = best_of(args.repeat, lambda: [stored.loads(t) for t in texts])

    n = len(rounds) * (args.ballots // len(rounds))
    print(f"{n:,} ballots in {len(rounds)} wards, rule {args.rule}, best of {args.repeat}")
    print("                                               wall        CPU (process)")
    print(f"reference (naive pure-Python shares):        {ref:7.3f} s  {ref_cpu:7.3f} s  (1.00x)")
    print(f"published tables, tests, flags, outreach:    {tables:7.3f} s  {tables_cpu:7.3f} s"
          f"  ({tables_cpu / ref_cpu:.2f}x)")
    print(f"full reports incl. raking, recount, bootstrap: {full:7.3f} s  {full_cpu:7.3f} s"
          f"  ({full_cpu / ref_cpu:.2f}x)  target < 5 s: {'met' if full_cpu < 5 else 'NOT met'}"
          " (CPU)")
    print(f"stored reports read back (JSON, {sum(map(len, texts)) // 1024} KB): "
          f"{read:7.3f} s  {read_cpu:7.3f} s  (every ward; a page reads one)")
    boots = [r.bootstrap for r in built if r.bootstrap is not None]
    print(f"wards whose result would change: {changed} of {len(rounds)}; bootstrap resamples "
          f"per ward: {boots[0].resamples if boots else 0}")
    print("bootstrap (weighted, changed) per ward: "
          + " ".join(f"{b.resamples}/{b.changed}" for b in boots))
    flags = sorted((r.ward_code, f.characteristic, f.category, f.direction)
                   for r in built for f in r.flags)
    print(f"flags raised: {len(flags)}; fingerprint of flags, verdicts and bootstrap counts: "
          + hashlib.sha256(repr((flags, [(r.verdict, r.bootstrap) for r in built]))
                           .encode()).hexdigest()[:16])


if __name__ == "__main__":
    main()

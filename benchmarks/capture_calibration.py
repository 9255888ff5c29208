"""Are the sectional-capture flags calibrated? False alarms and power, by simulation.

    .venv/bin/python benchmarks/capture_calibration.py [--replications 200] [--seed 1]

**False alarms.** For each of three wards (Brixton North, Streatham Wells, Vauxhall) and
each round size (300, 1,000 and 5,000 voters), draws ``--replications`` perfectly balanced
rounds: every voter's answers drawn from the ward's own census shares (with 5% non-response
per question, as ``pb.equalities.simulate`` does), so every flag raised is a false alarm.
Prints the share of rounds with at least one flag, and its Monte Carlo standard error
sqrt(p(1-p)/R). Target: at most 5% at each size.

**Power.** The same, with the skew of the original finding (``simulate.OLDER_OWNERS``: older
people and home owners take part more, young people and renters less). An *intended* flag
is a published row whose true ratio under that skew (tilted census share over census share)
is outside the panel's default band (below 0.8 or above 1.25). Prints the share of intended
flags raised (and of rounds in which every intended flag was raised). Target: at least 90%
at 1,000 voters.

This is a benchmark, not a test: it asserts nothing and takes a minute or two.
"""

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pb.equalities.census import ward_census_rows  # noqa: E402
from pb.equalities.characteristics import census_margins  # noqa: E402
from pb.equalities.report import build_report  # noqa: E402
from pb.equalities.representation import DEFAULT_POLICY  # noqa: E402
from pb.equalities.simulate import OLDER_OWNERS, Tilt, draw_answers  # noqa: E402

WARDS = {"E05014096": "Brixton North", "E05014116": "Streatham Wells", "E05014117": "Vauxhall"}
SIZES = (300, 1000, 5000)


def intended(report, margins, tilt: Tilt) -> set[tuple[str, str]]:
    """Published rows (merged ones included) whose true ratio is outside the band."""
    wanted = set()
    for item in report.characteristics:
        ch = item.characteristic
        factors = tilt.factors.get(ch.key, {})
        margin = margins[ch.key]
        total = sum(margin.values())
        tilted = {k: v * factors.get(k, 1.0) for k, v in margin.items()}
        tilted_total = sum(tilted.values())
        for row in item.table.rows:
            weight = sum(tilted.get(k, 0) for k in _members(ch, row))
            census = sum(margin.get(k, 0) for k in _members(ch, row))
            if not census:
                continue
            ratio = (weight / tilted_total) / (census / total)
            if ratio < DEFAULT_POLICY.low or ratio > DEFAULT_POLICY.high:
                wanted.add((ch.key, row.key))
    return wanted


def _members(ch, row):
    if row.key in ch.category_keys:
        return (row.key,)
    for m in ch.merges:
        if m.key == row.key:
            return (m.small, m.into)
    if row.key == "black":
        return ("black_african", "black_caribbean")
    return ()


def run(replications: int, seed: int):
    rng = np.random.default_rng(seed)
    print(f"{replications} replications per ward and size; wards: {', '.join(WARDS.values())}")
    print(f"flag rule: exact binomial tests, Holm across the report, alpha "
          f"{DEFAULT_POLICY.alpha:.2f}, band {DEFAULT_POLICY.low}-{DEFAULT_POLICY.high}\n")
    print("balanced rounds: share of rounds with at least one flag (target <= 5%)")
    for size in SIZES:
        flagged = total = 0
        for code in WARDS:
            rows = ward_census_rows(code)
            margins = census_margins(rows)
            for _ in range(replications):
                report = build_report(code, rows, draw_answers(margins, size, rng))
                flagged += bool(report.flags)
                total += 1
        p = flagged / total
        print(f"  {size:>5} voters: {100 * p:5.1f}%  (MC s.e. {100 * math.sqrt(p * (1 - p) / total):.1f}"
              f" points; {flagged} of {total} rounds)")
    print("\nskewed rounds (simulate.OLDER_OWNERS): share of intended flags raised "
          "(target >= 90% at 1,000)")
    for size in SIZES:
        raised = wanted_total = complete = rounds = spurious = 0
        for code in WARDS:
            rows = ward_census_rows(code)
            margins = census_margins(rows)
            for _ in range(replications):
                report = build_report(code, rows, draw_answers(margins, size, rng, OLDER_OWNERS))
                wanted = intended(report, margins, OLDER_OWNERS)
                got = {(f.characteristic, f.category) for f in report.flags}
                raised += len(wanted & got)
                spurious += len(got - wanted)
                wanted_total += len(wanted)
                complete += wanted <= got
                rounds += 1
        p = raised / wanted_total if wanted_total else float("nan")
        print(f"  {size:>5} voters: {100 * p:5.1f}% of {wanted_total} intended flags "
              f"(MC s.e. {100 * math.sqrt(p * (1 - p) / max(wanted_total, 1)):.1f} points, rows "
              f"not independent); all raised in {100 * complete / rounds:.0f}% of rounds; "
              f"{spurious} flags on rows inside the band")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    started = time.perf_counter()
    run(args.replications, args.seed)
    print(f"\n({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()

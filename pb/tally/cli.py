"""Command line: count a Pabulib file with no web app.

    python -m pb.tally FILE.pb --rule mes-add1 --json

``--json`` prints ``{"rule", "selected", "spent", "budget"}`` (plus ``tie_breaking``); ``selected``
lists project ids in the order they were funded; money is a JSON number (an int when whole). Without
``--json`` a table shows every project, whether it was funded and why.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys

from .exact import plain_number
from .model import TallyError
from .pabulib import read_pabulib
from .rules import RULES, count
from .tiebreak import TIE_BREAKING_RULES


def _number(value):
    """Money as a JSON number: an int when whole, else a float (exact for money with pence)."""
    v = plain_number(value)
    return v if isinstance(v, int) else float(v)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pb.tally", description=__doc__.splitlines()[0])
    parser.add_argument("file", help="a Pabulib .pb file")
    parser.add_argument("--rule", choices=RULES, default="greedy")
    parser.add_argument("--tie-breaking", choices=TIE_BREAKING_RULES, default="lexico")
    parser.add_argument("--json", action="store_true", help="print the outcome as JSON")
    args = parser.parse_args(argv)
    # the ballots, voters and groups of a count hold no reference cycles worth collecting, and
    # the cyclic collector walking them again and again was a sixth of the whole run
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _run(args)
    finally:
        if collecting:
            gc.enable()


def _run(args) -> int:
    try:
        election = read_pabulib(args.file)
        outcome = count(election, args.rule, args.tie_breaking)
    except (OSError, TallyError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if args.json:
        data = {
            "rule": outcome.rule,
            "selected": outcome.selected,
            "spent": _number(outcome.spent),
            "budget": _number(outcome.budget),
            "tie_breaking": outcome.tie_breaking,
        }
        print(json.dumps(data, ensure_ascii=False))
    else:
        print(_table(election, outcome))
    return 0


def _money(x) -> str:
    v = plain_number(x)
    return f"{v:,}" if isinstance(v, int) else f"{v:,.2f}"


def _table(election, outcome) -> str:
    lines = [
        f"Rule: {outcome.rule} (ties: {outcome.tie_breaking})",
        f"Budget: {_money(outcome.budget)}   Spent: {_money(outcome.spent)}   "
        f"Left: {_money(outcome.left_over)}   Ballots: {plain_number(sum(b.weight for b in election.ballots))}",
    ]
    if outcome.equal_share is not None:
        lines.append(f"Equal share per voter: {float(outcome.equal_share):,.2f}")
    if outcome.final_share is not None:
        lines.append(f"Final share per voter (add1): {float(outcome.final_share):,.2f}")
    rows = [("#", "project", "cost", "supporters", "funded", "why")]
    funded = [outcome.explanations[i] for i in outcome.selected]
    others = sorted((e for e in outcome.explanations.values() if not e.funded),
                    key=lambda e: (-e.supporters, e.project_id))
    for e in funded + others:
        rows.append((str(e.position or ""), e.project_id, _money(e.cost),
                     str(plain_number(e.supporters)), "yes" if e.funded else "no", e.code))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for k, r in enumerate(rows):
        lines.append("  ".join(c.rjust(w) if i in (0, 2, 3) else c.ljust(w)
                               for i, (c, w) in enumerate(zip(r, widths, strict=True))).rstrip())
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)

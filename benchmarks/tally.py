"""Benchmark the tally engine against pabutools on Pabulib files.

    python benchmarks/tally.py DIR [--rules greedy mes mes-add1] [--files GLOB]
                              [--skip-pabutools-over VOTES] [--timeout SECONDS]

For every file and rule it prints: votes, projects, our seconds, pabutools' seconds, the ratio,
our peak memory, and whether the selected sets are the same. Times are for counting only
(each side parses the file first, untimed). Our engine runs in a fresh child process so its
peak memory (VmHWM of that process: interpreter + parsed file + count) is its own;
pabutools runs in this process, stopped after ``--timeout`` seconds (then the row says
``>T`` and "same" is unknown). Never part of the timed test suite.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import resource
import signal
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def ours(path: str, rules: list[str], queue) -> None:
    from pb.tally import count, read_pabulib

    election = read_pabulib(path)
    results = {"votes": len(election.ballots), "projects": len(election.projects)}
    for rule in rules:
        start = time.perf_counter()
        outcome = count(election, rule)
        results[rule] = (time.perf_counter() - start, outcome.selected, outcome.details)
    results["peak_mb"] = peak_mb()
    queue.put(results)


def peak_mb() -> float:
    """This process's own peak resident memory (VmHWM). ``ru_maxrss`` would also count the
    parent's memory at fork time, which on Linux survives the exec of a spawned child."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise Timeout


def pabutools_run(path: str, rules: list[str], timeout: float) -> dict:
    from pabutools.election import (
        Additive_Borda_Sat,
        Additive_Cardinal_Sat,
        Cost_Sat,
        parse_pabulib,
    )
    from pabutools.rules import (
        completion_by_rule_combination,
        greedy_utilitarian_welfare,
        method_of_equal_shares,
    )

    instance, profile = parse_pabulib(path)
    kind = type(profile).__name__
    sat = {"ApprovalProfile": Cost_Sat, "OrdinalProfile": Additive_Borda_Sat}.get(
        kind, Additive_Cardinal_Sat)
    greedy_args = {"sat_class": sat}
    if sat is Additive_Borda_Sat:
        greedy_args["is_sat_additive"] = True
    results = {}
    for rule in rules:
        signal.signal(signal.SIGALRM, _alarm)
        signal.setitimer(signal.ITIMER_REAL, timeout)
        start = time.perf_counter()
        try:
            if rule == "greedy":
                out = greedy_utilitarian_welfare(instance, profile, **greedy_args)
            elif rule == "mes":
                out = method_of_equal_shares(instance, profile, sat_class=sat)
            else:
                out = completion_by_rule_combination(
                    instance, profile, [method_of_equal_shares, greedy_utilitarian_welfare],
                    [{"sat_class": sat, "voter_budget_increment": 1}, greedy_args])
            results[rule] = (time.perf_counter() - start, [p.name for p in out])
        except Timeout:
            results[rule] = (None, None)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    return results


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir", type=Path)
    parser.add_argument("--rules", nargs="+", default=["greedy", "mes", "mes-add1"],
                        choices=["greedy", "mes", "mes-add1"])
    parser.add_argument("--files", default="*.pb", help="glob within DIR (default *.pb)")
    parser.add_argument("--skip-pabutools-over", type=int, default=None, metavar="VOTES",
                        help="do not run pabutools on files with more votes than this")
    parser.add_argument("--timeout", type=float, default=600, help="seconds per pabutools run")
    args = parser.parse_args(argv)

    files = sorted(args.dir.glob(args.files), key=lambda p: p.stat().st_size)
    header = ("file", "votes", "projects", "rule", "ours s", "pabutools s", "ratio",
              "peak MB", "same")
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" for _ in header) + "|")
    ctx = mp.get_context("spawn")
    for path in files:
        queue = ctx.Queue()
        child = ctx.Process(target=ours, args=(str(path), args.rules, queue))
        child.start()
        mine = queue.get()
        child.join()
        skip = args.skip_pabutools_over is not None and mine["votes"] > args.skip_pabutools_over
        theirs = {} if skip else pabutools_run(str(path), args.rules, args.timeout)
        for rule in args.rules:
            t_ours, selected, details = mine[rule]
            t_pabu, pabu_selected = theirs.get(rule, (None, None))
            if skip:
                t_text, ratio, same = "skipped", "", "?"
            elif t_pabu is None:
                t_text, ratio, same = f">{args.timeout:g}", f">{args.timeout / t_ours:.0f}x", "?"
            else:
                t_text = f"{t_pabu:.3f}"
                ratio = f"{t_pabu / t_ours:.0f}x" if t_ours else ""
                same = "yes" if set(selected) == set(pabu_selected) else "NO"
            row = (path.name, str(mine["votes"]), str(mine["projects"]), rule, f"{t_ours:.3f}",
                   t_text, ratio, f"{mine['peak_mb']:.0f}", same)
            print("| " + " | ".join(row) + " |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Benchmark the tally engine against pabutools on Pabulib files.

    python benchmarks/tally.py DIR [--rules greedy mes mes-add1] [--files GLOB]
                              [--skip-pabutools-over VOTES] [--timeout SECONDS]
                              [--min-votes VOTES] [--repeat N] [--estimate-add1 SAMPLES]
    python benchmarks/tally.py DIR --whole-process [--reference TREE] [--rules ...] [--files GLOB]

For every file and rule it prints: votes, projects, our set-up seconds, our seconds, pabutools'
seconds, the ratio, our peak memory, and whether the selected sets are the same.

What is timed, exactly:
- "ours setup s" (once per file, same on every row of the file): ``read_pabulib`` (parsing),
  building the merged ballot profile (``profile_for``) and the per-project supporter arrays
  Equal Shares uses (``mes.prepare``), all budget- and rule-independent and cached on the
  Election by the first ``count``. It is *not* included in "ours s" or in the ratio. (Without
  the benchmark's explicit set-up, the first ``count`` on an Election pays it.)
- "ours s": ``count(election, rule)`` with that profile already built: the rule itself plus
  building the Outcome and every project's Explanation; the median of ``--repeat`` counts
  (default 3; each does the whole count again, nothing but the profile is kept between them),
  because a count of a few milliseconds is easily disturbed by whatever else the machine does.
- "pabu parse s": pabutools' ``parse_pabulib`` (which also builds its profile), *not* included
  in "pabutools s" or in the ratio, just as our set-up is not.
- "pabutools s": the rule call only (``greedy_utilitarian_welfare``, ``method_of_equal_shares``
  or ``completion_by_rule_combination``), on the already parsed instance and profile.
So "ratio" compares the rules alone, each side with its parsed profile in hand; compare the two
set-up columns for parsing and profile building.

Our engine runs in a fresh child process so its peak memory (VmHWM of that process:
interpreter + parsed file + profile + counts) is its own; pabutools runs in this process,
stopped after ``--timeout`` seconds (then the row says ``>T``, the ratio ``>x`` is a lower
bound, and "same" is unknown; with ``--estimate-add1 K``, a timed-out mes-add1 row also gets an
estimate from K levels sampled at random, see ``pabutools_add1_estimate``). Never part of the
timed test suite.

``--whole-process`` times instead what someone recounting a file at home waits for: the whole
``python -m pb.tally FILE --rule RULE --json`` process (start-up, imports, parsing, the count),
``--repeat`` times per file and rule, its wall and CPU time (medians) and peak memory, with no
pabutools. With ``--reference TREE`` (an export of an older commit) that tree's engine runs in
turn with this one's, so both see the same machine load. Both trees are byte-compiled first, as
an installed release is. The load average is printed before and after.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import resource
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def ours(path: str, rules: list[str], queue, repeat: int = 3) -> None:
    from pb.tally import count, read_pabulib
    from pb.tally.mes import prepare
    from pb.tally.profile import profile_for

    start = time.perf_counter()
    election = read_pabulib(path)
    prepare(profile_for(election))
    setup = time.perf_counter() - start
    results = {"votes": len(election.ballots), "projects": len(election.projects),
               "setup": setup}
    for rule in rules:
        times = []
        for _ in range(repeat):  # each count does all its work again; only the profile is kept
            start = time.perf_counter()
            outcome = count(election, rule)
            times.append(time.perf_counter() - start)
        results[rule] = (statistics.median(times), outcome.selected, outcome.details)
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

    start = time.perf_counter()
    instance, profile = parse_pabulib(path)
    parse_s = time.perf_counter() - start
    kind = type(profile).__name__
    sat = {"ApprovalProfile": Cost_Sat, "OrdinalProfile": Additive_Borda_Sat}.get(
        kind, Additive_Cardinal_Sat)
    greedy_args = {"sat_class": sat}
    if sat is Additive_Borda_Sat:
        greedy_args["is_sat_additive"] = True
    results = {"parse": parse_s}
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


def pabutools_add1_estimate(path: str, levels: int, samples: int, seed: int = 1) -> dict:
    """Estimate pabutools' mes-add1 time when it is too slow to run to the end.

    pabutools' add1 is a loop over budget levels 0, 1, ..., ``levels`` - 1 (the levels our
    engine found it must try): each turn runs Equal Shares (``mes_inner_algo``), checks the
    outcome and raises every voter's budget. We start pabutools' own loop
    (``method_of_equal_shares_scheme`` with ``voter_budget_increment=1``) at ``samples`` levels
    drawn at random, let it run two whole turns, and time them from the start of one turn to
    the start of the next (pabutools' set-up of voters and projects, once per add1, is left
    out). Each turn's outcome is compared with our engine's Equal Shares at that level. The
    estimate is ``levels`` times the mean time of a turn.
    """
    import random

    import pabutools.rules.mes.mes_rule as mes_rule
    from pabutools.election import AbstractApprovalProfile, Cost_Sat, parse_pabulib
    from pabutools.fractions import frac
    from pabutools.rules.budgetallocation import BudgetAllocation
    from pabutools.tiebreaking import lexico_tie_breaking

    from pb.tally import read_pabulib
    from pb.tally.mes import run_mes
    from pb.tally.profile import profile_for

    instance, profile = parse_pabulib(path)
    if not isinstance(profile, AbstractApprovalProfile):
        raise SystemExit("--estimate-add1 is written for approval ballots (Cost_Sat)")
    sat_profile = profile.as_sat_profile(sat_class=Cost_Sat)
    ours = profile_for(read_pabulib(path))
    t0 = ours.budget * ours.scale / ours.total_mult
    inner = mes_rule.mes_inner_algo

    class Enough(Exception):
        pass

    turns: list[float] = []
    same = True
    picked = sorted(random.Random(seed).sample(range(levels), min(samples, levels)))
    for level in picked:
        starts: list[float] = []
        depth = [0]

        outcomes: list = []

        def timed(*args, starts=starts, depth=depth, outcomes=outcomes, **kwargs):
            if depth[0] == 0:  # a turn of the add1 loop (the inner algorithm recurses)
                starts.append(time.perf_counter())
                if len(starts) == 3:
                    raise Enough
                outcomes.append(args[6])  # the list the turn's outcome is put in
            depth[0] += 1
            try:
                inner(*args, **kwargs)
            finally:
                depth[0] -= 1

        mes_rule.mes_inner_algo = timed
        try:
            mes_rule.method_of_equal_shares_scheme(
                instance, profile, sat_profile,
                frac(instance.budget_limit, profile.num_ballots()) + level, BudgetAllocation(),
                lexico_tie_breaking, voter_budget_increment=1, binary_sat=True)
        except Enough:
            pass
        finally:
            mes_rule.mes_inner_algo = inner
        turns += [b - a for a, b in zip(starts, starts[1:], strict=False)]
        for k, found in enumerate(outcomes):
            mine = run_mes(ours, t0 + level + k).selected
            same = same and {p.name for p in found[0]} == {ours.ids[j] for j in mine}
    mean = sum(turns) / len(turns)
    return {"levels": picked, "mean": mean, "low": min(turns), "high": max(turns),
            "estimate": mean * levels, "same": same}


def _cli_run(tree: Path, path: Path, rule: str) -> tuple[float, float, float]:
    """One whole ``python -m pb.tally`` process: wall s, CPU s, peak MB."""
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "pb.tally", str(path), "--rule", rule, "--json"],
                             cwd=tree, env={**os.environ, "PYTHONPATH": str(tree)},
                             stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"python -m pb.tally failed on {path.name} in {tree}")
    return time.perf_counter() - start, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def whole_process(files: list[Path], rules: list[str], repeat: int, reference: Path | None) -> None:
    trees = [reference.resolve(), ROOT] if reference else [ROOT]
    for tree in trees:
        subprocess.run([sys.executable, "-m", "compileall", "-q", "pb"], cwd=tree, check=True,
                       stdout=subprocess.DEVNULL)
    print(f"load average before: {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")
    print("| file | rule | tree | wall s | CPU s | peak MB | CPU ÷ reference's |")
    print("|---|---|---|---:|---:|---:|---:|")
    for path in files:
        for rule in rules:
            seen: list[list] = [[] for _ in trees]
            for _ in range(repeat):
                for k, tree in enumerate(trees):
                    seen[k].append(_cli_run(tree, path, rule))
            cpus = [statistics.median(c for _, c, _ in runs) for runs in seen]
            for tree, runs, cpu in zip(trees, seen, cpus, strict=True):
                wall = statistics.median(w for w, _, _ in runs)
                print(f"| {path.name} | {rule} | {tree} | {wall:.3f} | {cpu:.3f} | "
                      f"{max(m for _, _, m in runs):.0f} | {cpu / cpus[0]:.2f} |", flush=True)
    print(f"load average after: {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir", type=Path)
    parser.add_argument("--rules", nargs="+", default=["greedy", "mes", "mes-add1"],
                        choices=["greedy", "mes", "mes-add1"])
    parser.add_argument("--files", default="*.pb", help="glob within DIR (default *.pb)")
    parser.add_argument("--skip-pabutools-over", type=int, default=None, metavar="VOTES",
                        help="do not run pabutools on files with more votes than this")
    parser.add_argument("--timeout", type=float, default=600, help="seconds per pabutools run")
    parser.add_argument("--min-votes", type=int, default=0, metavar="VOTES",
                        help="leave out files with this many votes or fewer")
    parser.add_argument("--repeat", type=int, default=3, metavar="N",
                        help="count N times with our engine and report the median (default 3)")
    parser.add_argument("--estimate-add1", type=int, default=0, metavar="SAMPLES",
                        help="when pabutools' mes-add1 times out, estimate its time from this "
                        "many levels sampled at random (see pabutools_add1_estimate)")
    parser.add_argument("--whole-process", action="store_true",
                        help="time whole `python -m pb.tally` processes instead (no pabutools)")
    parser.add_argument("--reference", type=Path, metavar="TREE",
                        help="with --whole-process: an older tree timed in turn with this one")
    args = parser.parse_args(argv)

    files = sorted(args.dir.glob(args.files), key=lambda p: p.stat().st_size)
    if args.whole_process:
        whole_process(files, args.rules, args.repeat, args.reference)
        return 0
    header = ("file", "votes", "projects", "rule", "ours setup s", "ours s", "pabu parse s",
              "pabutools s", "ratio", "peak MB", "same")
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" for _ in header) + "|")
    ctx = mp.get_context("spawn")
    for path in files:
        queue = ctx.Queue()
        child = ctx.Process(target=ours, args=(str(path), args.rules, queue, args.repeat))
        child.start()
        mine = queue.get()
        child.join()
        if mine["votes"] <= args.min_votes:
            continue
        skip = args.skip_pabutools_over is not None and mine["votes"] > args.skip_pabutools_over
        theirs = {} if skip else pabutools_run(str(path), args.rules, args.timeout)
        for rule in args.rules:
            t_ours, selected, details = mine[rule]
            t_pabu, pabu_selected = theirs.get(rule, (None, None))
            if skip:
                t_text, ratio, same = "skipped", "", "?"
            elif t_pabu is None:
                t_text, ratio, same = f">{args.timeout:g}", f">{args.timeout / t_ours:.0f}x", "?"
                if rule == "mes-add1" and args.estimate_add1:
                    est = pabutools_add1_estimate(str(path), details["add1_levels_tried"],
                                                  args.estimate_add1)
                    t_text += (f" (est. {est['estimate']:.0f}: {details['add1_levels_tried']} "
                               f"levels x {est['mean']:.2f} s, {est['low']:.2f}-{est['high']:.2f} "
                               f"at {len(est['levels'])} random levels)")
                    ratio += f" (est. {est['estimate'] / t_ours:.0f}x)"
                    same = f"{'yes' if est['same'] else 'NO'} at {len(est['levels'])} levels"
            else:
                t_text = f"{t_pabu:.3f}"
                ratio = f"{t_pabu / t_ours:.0f}x" if t_ours else ""
                same = "yes" if set(selected) == set(pabu_selected) else "NO"
            parse_text = f"{theirs['parse']:.3f}" if "parse" in theirs else ""
            row = (path.name, str(mine["votes"]), str(mine["projects"]), rule,
                   f"{mine['setup']:.3f}", f"{t_ours:.3f}", parse_text, t_text, ratio,
                   f"{mine['peak_mb']:.0f}", same)
            print("| " + " | ".join(row) + " |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""A fast filter for Equal Shares: the run in floating point, with proven error bounds.

``fast_selection(profile, t)`` runs Equal Shares with budget ``t`` per unit of weight in float64,
vectorised over each project's supporters (numpy), and returns the selected project indices in
selection order. Floats never decide anything on their own: for each group of voters the run
keeps a lower and an upper bound on its money (rounding absorbed into a slack, so both are
rigorous), and for each project a price interval (a price decreases with the money, so the upper
money bound gives the lower price bound and vice versa, each widened by a bound on the rounding
of the sums that define it). Every decision of the exact rule (is a project affordable; which
project has the smallest price; ties) is taken only when the intervals make it certain. If any
decision is not certain (an exact tie between two prices, for example), the function returns
None and the caller runs the exact rule (``mes.run_mes``) instead.

``fast_selection(profile, t, t_high)`` does the same for every budget in ``[t, t_high]`` at once
(the bounds then start at ``t`` and ``t_high``): an answer is the outcome at every budget of the
interval, which is how add1 skips levels.
"""

from __future__ import annotations

import numpy as np

from .profile import Profile

REL = 1e-9  # relative slack for float rounding (sums of <1e6 terms err by < 1.2e-10)


class _FastSetup:
    __slots__ = ("groups", "mult", "sat", "ms", "sat_total", "cost", "considered", "free",
                 "ngroups", "ok")


def _setup(profile: Profile) -> _FastSetup:
    cached = profile.shared.get("fast_setup")
    if cached is not None:
        return cached
    from .mes import _setup as exact_setup
    from .mes import mes_candidates

    considered, free = mes_candidates(profile)
    exact = exact_setup(profile)
    fs = _FastSetup()
    fs.considered = considered
    fs.free = free
    fs.ngroups = len(profile.mult)
    fs.groups, fs.mult, fs.sat, fs.ms = {}, {}, {}, {}
    fs.sat_total, fs.cost = {}, {}
    fs.ok = True
    for j in considered:
        sp = exact[j]
        values = np.array([float(v) for v in sp.values], dtype=np.float64)
        s = values[sp.uidx]
        fs.groups[j] = sp.groups
        fs.mult[j] = sp.mult
        fs.sat[j] = s
        fs.ms[j] = sp.mult * s
        fs.sat_total[j] = float(profile.positive_sat[j])
        fs.cost[j] = float(profile.cost[j] * profile.scale)
        if not (np.isfinite(fs.cost[j]) and np.isfinite(fs.sat_total[j])
                and np.all(values > 0) and np.all(np.isfinite(values))):
            fs.ok = False
    profile.shared["fast_setup"] = fs
    return fs


def _price(v, m, s, ms, cost: float, start: float):
    """The float price of one project for money ``v`` (per group) and its error bound, or None.

    Newton's method on the concave, piecewise-linear f(r) = sum m*min(v, r*s) - cost, from a
    lower bound ``start``: the capped set only grows, and the method ends when it stops growing.
    """
    ratio = v / s
    mv = v * m
    rho, count = start, -1
    for _ in range(200):
        capped = ratio < rho
        n_capped = int(np.count_nonzero(capped))
        if n_capped == count:
            break
        count = n_capped
        capped_money = float(mv @ capped)
        rest = float(ms @ ~capped)  # a sum of positive terms: no cancellation
        if not rest > 0:
            return None
        rho = (cost - capped_money) / rest
    else:
        return None
    # rounding only: the sums (relative error far below REL), the numerator's cancellation
    # (absolute error below REL * (cost + capped money)), and voters on the boundary, who pay
    # v or rho*s, equal up to rounding
    err = REL * (cost + capped_money) / (rest * (1 - REL)) + REL * abs(rho)
    if not np.isfinite(err):
        return None
    return rho, err


def fast_selection(profile: Profile, t, t_high=None) -> list[int] | None:
    """Equal Shares' selection with ``t`` per unit of weight, or None if floats can't tell.

    With ``t_high``, the selection (in order) that Equal Shares makes for *every* budget in
    ``[t, t_high]``, or None if the float run cannot prove there is one. The run then carries,
    for each group of voters, a lower and an upper bound on its money over the whole interval
    (each a rigorous bound: rounding is absorbed into slack), and a price interval per project:
    a price is decreasing in the money, so the upper money bound gives the lower price bound and
    vice versa. Every decision must hold for the whole interval (a winner's highest price below
    every other project's lowest; affordability or not on the whole interval).
    """
    if profile.total_mult == 0:
        return None
    fs = _setup(profile)
    if not fs.ok:
        return None
    t_lo = float(t)
    t_hi = float(t if t_high is None else t_high)
    if not (np.isfinite(t_lo) and np.isfinite(t_hi)) or t_lo <= 0 or t_hi < t_lo:
        return None
    slack = 4e-16 * t_hi  # rounding of one subtraction of numbers below t_hi
    low = np.full(fs.ngroups, t_lo * (1 - 4e-16), dtype=np.float64)
    high = np.full(fs.ngroups, t_hi * (1 + 4e-16), dtype=np.float64)
    stored = {j: fs.cost[j] / fs.sat_total[j] * (1 - REL) for j in fs.considered}  # lower bounds
    alive = set(fs.considered)
    selected = list(fs.free)
    while alive:
        best = None
        best_lo = best_hi = 0.0
        for j in sorted(alive, key=stored.__getitem__):
            if best is not None and stored[j] > best_hi:
                break
            g = fs.groups[j]
            m = fs.mult[j]
            cost = fs.cost[j]
            v_hi = high[g]
            total_hi = float(v_hi @ m)
            margin = REL * (total_hi + cost)
            if total_hi + margin < cost:
                alive.discard(j)  # unaffordable for every budget in the interval
                continue
            v_lo = low[g]
            total_lo = float(v_lo @ m)
            if total_lo - margin <= cost:
                return None  # affordability too close to call
            s, ms = fs.sat[j], fs.ms[j]
            a = _price(v_hi, m, s, ms, cost, stored[j] / (1 - REL))
            if a is None:
                return None
            b = _price(v_lo, m, s, ms, cost, a[0] * (1 - REL))
            if b is None:
                return None
            rho_lo = a[0] - a[1]
            rho_hi = b[0] + b[1]
            stored[j] = max(stored[j], rho_lo)
            if best is None or rho_hi < best_lo:
                best, best_lo, best_hi = j, rho_lo, rho_hi
            elif rho_lo <= best_hi:
                return None  # too close to call (exact ties included)
        if best is None:
            break
        alive.discard(best)
        g = fs.groups[best]
        s = fs.sat[best]
        high[g] = np.maximum(high[g] - best_lo * s + slack, 0.0)
        low[g] = np.maximum(low[g] - best_hi * s - slack, 0.0)
        selected.append(best)
    return selected

"""The Method of Equal Shares, exactly as pabutools computes it, and its "add1" completion.

How a run goes (``run_mes``):
- every voter gets the same budget ``t`` per unit of ballot weight (``t = B / n`` for plain MES);
- each round, every project still in play gets a price ``rho``: the smallest number such that
  its supporters, each paying ``min(their money left, rho * their satisfaction)``, cover the cost.
  A project whose supporters together hold less than its cost is out for good;
- the project with the smallest ``rho`` wins the round (exact ties: the tie-breaking rule), and
  its supporters pay; the run ends when no project can be paid for.
Projects with support and no cost are funded first; projects nobody supports are never considered.

Speed. Voters with identical ballots are one weighted group, and voters with the same money left
are one "budget class", so a project's price is worked out over a handful of (class,
satisfaction) entries instead of every supporter. Like pabutools, a project's last price is a
lower bound on its next one, so a round stops looking once the bounds exceed the best price.

add1 (``equal_shares_add1``). pabutools reruns MES with per-voter budgets ``B/n``, ``B/n + 1``,
``B/n + 2``, ... and stops at the first level whose outcome overspends (returning the previous
level's outcome) or leaves no supported project that would still fit (returning it). Neither
property is monotone in the level, so we may not bisect. Instead, a run at budget ``t`` also
carries, for every amount it computes, its derivative with respect to ``t``: while the run makes
the same decisions, every amount is an affine function of ``t`` (prices are
``(cost - money of the capped supporters) / satisfaction of the others``, with denominators that
do not involve ``t``). Every decision is a sign test of such a function, so the run knows the
distance ``step`` to the nearest ``t`` where any decision could change. All levels strictly
inside ``[t, t + step)`` give the same outcome, so we jump straight to the first level at or
after ``t + step``. This visits exactly the levels needed to find pabutools' stopping level.

Speed, second part (``fastmes``): most runs go through a float filter with rigorous error
bounds, which either gives the exact selection or gives up (then the exact run above decides).
Run over an interval of budgets, it proves a whole range of add1 levels has one outcome. An
explained run (``paid_run``) takes the winners from the filter, and prices, pays and explains
them with floats where their error bounds decide and exact whole-number sums for the rest.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from math import ceil, lcm

import numpy as np

from . import exact
from .fastmes import _setup as fast_setup
from .fastmes import fast_selection
from .model import TallyError
from .profile import Profile


@dataclass
class MesRun:
    t: object  # budget per unit of weight the run started with
    selected: list[int]  # project indices in selection order (free projects first)
    rho: dict[int, object] = field(default_factory=dict)  # price paid per unit of satisfaction
    # j -> [(multiplicity, each or None, paid all they had, together)]: the price payers by
    # satisfaction, then one row for those who paid all they had (amounts differ)
    payments: dict[int, list] = field(default_factory=dict)
    money_left: dict[int, object] = field(default_factory=dict)  # unselected j -> supporters' money
    step: object = None  # distance in t to the nearest possible change (None: never; 0: now)
    group_money: object = None  # explain: a function giving each ballot group's money at the end

    @property
    def group_money_left(self) -> list:
        """Money left per unit of weight for each ballot group at the end (explained runs)."""
        return self.group_money() if self.group_money is not None else []


def mes_candidates(profile: Profile) -> tuple[list[int], list[int]]:
    """(projects MES considers, free supported projects funded up front) as pabutools defines them."""
    considered, free = [], []
    for j in range(len(profile.ids)):
        if profile.positive_sat[j] > 0:
            (considered if profile.cost[j] > 0 else free).append(j)
    free.sort(key=lambda j: profile.tie_key[j])
    return considered, free


class _Step:
    """The smallest distance in t at which a recorded sign test could change."""

    __slots__ = ("value", "active", "floor")

    def __init__(self, active: bool, floor=0):
        self.value = None  # None = infinity
        self.active = active
        self.floor = floor  # no need to look for anything closer than this

    def _lower(self, d):
        if self.value is None or d < self.value:
            self.value = d
            if d <= self.floor:
                self.active = False

    def note(self, v, s):
        """Record a sign test on the affine function v + s * (t' - t)."""
        if not s:
            return
        if not v:
            self._lower(0)
            self.active = False  # nothing can be smaller; stop tracking
            return
        if (v > 0) != (s > 0):
            self._lower(-v / s)


def _note_round(step, best, rho, rs, best_C, alive, H, cval, cslope, costD, sat_total):
    """Record the tests that keep this round's winner the winner as t moves.

    The winner's price must keep its form: the same supporters pay all they have (sign tests
    on ``money - rho * sat``). Every other project ``q`` must stay no better: at the winner's
    price its supporters still cannot cover its cost, ``G_q = sum(min(money, rho * sat)) - cost
    < 0``. ``G_q`` is concave in t (a sum of minimums of affine functions), so its tangent line
    (right derivative) bounds it from above, and one linear test per project suffices.
    """
    entries, ncap = best_C
    for v, sl, s, _, _ in entries:
        step.note(v - rho * s, sl - rs * s)
    for q in alive:
        if q == best:
            continue
        # cheap bound first: G_q <= rho * (total satisfaction) - cost, affine in t
        bound = rho * sat_total[q] - costD[q]
        if bound < 0:
            bound_slope = rs * sat_total[q]
            if bound_slope <= 0:
                continue
            if step.value is not None and -bound / bound_slope >= step.value:
                continue
        g, gs = -costD[q], 0
        for (c, s), m in H(q).items():
            v, pay = cval[c], rho * s
            if v < pay:
                g += m * v
                gs += m * cslope[c]
            elif v > pay:
                g += m * pay
                gs += m * rs * s
            else:
                g += m * v
                gs += m * min(cslope[c], rs * s)
        # g < 0 (or g == 0, a tie the winner wins); stop where the tangent reaches 0
        if gs > 0:
            if g == 0:
                step.note(0, 1)
            else:
                step.note(g, gs)
        if not step.active:
            return


class _Supporters:
    """One project's supporters as arrays: group index, index of their satisfaction value, and
    multiplicity. A histogram over (budget class, satisfaction) is then one ``bincount``; the
    counts are whole numbers (exact), the budgets stay exact rationals in Python lists."""

    __slots__ = ("groups", "uidx", "mult", "values", "nvalues", "values_f", "den", "nums",
                 "nums_exact")


EXACT_FLOAT_LIMIT = 2**52  # float64 sums of whole numbers below this are exact


def _whole_numbers(sp) -> None:
    """The satisfaction values as whole numbers ``nums`` over their common denominator ``den``
    (as floats, exact below 2**53; ``nums_exact`` is False if some are too big for that)."""
    den = 1
    for v in sp.values:
        den = lcm(den, int(v.denominator))
    nums = [int(v * den) for v in sp.values]
    sp.den = den
    sp.nums = np.array(nums, dtype=np.float64)
    sp.nums_exact = max(nums, default=0) < EXACT_FLOAT_LIMIT


def _setup(profile: Profile) -> list:
    """Supporters of each considered project, computed once per profile (budget-independent)."""
    cached = profile.shared.get("mes_setup")
    if cached is not None:
        return cached
    considered, _ = mes_candidates(profile)
    # flatten every (group, project, satisfaction) entry, then split by project with numpy
    lengths = np.fromiter(map(len, profile.sats), dtype=np.int64, count=len(profile.sats))
    groups_all = np.repeat(np.arange(len(profile.sats), dtype=np.int64), lengths)
    projects_all = np.fromiter((j for sats in profile.sats for j, _ in sats), dtype=np.int64,
                               count=int(lengths.sum()))
    if profile.election.rules.is_approval:  # satisfaction = the project's cost (never 0 here)
        ids_all, values_all = projects_all, profile.cost
    else:
        value_id: dict = {}
        ids_all = np.fromiter((value_id.setdefault(v, len(value_id))
                               for sats in profile.sats for _, v in sats),
                              dtype=np.int64, count=int(lengths.sum()))
        values_all = list(value_id)
    positive = np.array([v > 0 for v in values_all], dtype=bool)
    mult_all = np.asarray(profile.mult, dtype=np.float64)
    keep = positive[ids_all] if len(ids_all) else np.zeros(0, dtype=bool)
    order = np.argsort(projects_all[keep], kind="stable")
    g_sorted = groups_all[keep][order]
    v_sorted = ids_all[keep][order]
    bounds = np.searchsorted(projects_all[keep][order], np.arange(len(profile.ids) + 1))
    setup = [None] * len(profile.ids)
    for j in considered:
        lo, hi = int(bounds[j]), int(bounds[j + 1])
        groups = g_sorted[lo:hi]
        vals, uidx = np.unique(v_sorted[lo:hi], return_inverse=True)
        sp = _Supporters()
        sp.groups = groups
        sp.uidx = uidx.astype(np.int64).reshape(-1)
        sp.mult = mult_all[groups]
        sp.values = [values_all[k] for k in vals.tolist()]
        sp.nvalues = len(sp.values)
        sp.values_f = np.array([float(v) for v in sp.values], dtype=np.float64)
        _whole_numbers(sp)
        setup[j] = sp
    profile.shared["mes_setup"] = setup
    return setup


def run_mes(profile: Profile, t, *, track: bool = False, explain: bool = False,
            step_floor=0, winners: list[int] | None = None) -> MesRun:
    """One run of Equal Shares with ``t`` per unit of weight (see the module docstring).

    With ``track``, ``run.step`` is the distance to the nearest t where a decision could change,
    or some value <= ``step_floor`` if that is nearer (add1 moves at least one level anyway).
    ``winners`` (without ``track``): the projects (after the free ones) that win the rounds, in
    order, as found by ``fastmes.fast_selection``; each round then prices only its winner, and
    the run pays and explains exactly as it would have.
    """
    Q = exact.Q
    t = Q(t)
    ZERO = Q(0)
    considered, free = mes_candidates(profile)
    step = _Step(track, step_floor)
    cost, tie, scale = profile.cost, profile.tie_key, profile.scale
    if profile.total_mult == 0:
        return MesRun(t, [], step=None)
    if profile.total_mult >= EXACT_FLOAT_LIMIT:
        raise TallyError("too many voters (after scaling weights) to count exactly")

    # budget classes: value and slope (d value / d t); voters with the same pair are one class
    cval = [t]
    cslope = [Q(1) if track else Q(0)]
    canon = {(cval[0], cslope[0]): 0}

    def klass(v, sl):
        if not track and v:  # untracked: equal amounts need not share a class (no hashing)
            cval.append(v)
            cslope.append(sl)
            return len(cval) - 1
        key = (v, sl)
        c = canon.get(key)
        if c is None:
            c = len(cval)
            cval.append(v)
            cslope.append(sl)
            canon[key] = c
        return c

    supporters = _setup(profile)
    lab = np.zeros(len(profile.mult), dtype=np.int64)  # budget class of each ballot group

    def histogram(j):
        """(keys, counts) of j's supporters by (class, satisfaction): key = class*n + value."""
        sp = supporters[j]
        keys = lab[sp.groups] * sp.nvalues + sp.uidx
        counts = np.bincount(keys, weights=sp.mult)
        nz = np.flatnonzero(counts)
        return nz, counts[nz]

    def H(j):
        """{(class, satisfaction): multiplicity} for project j."""
        sp = supporters[j]
        n, values = sp.nvalues, sp.values
        keys, counts = histogram(j)
        return {(int(k) // n, values[int(k) % n]): int(m)
                for k, m in zip(keys.tolist(), counts.tolist(), strict=True)}

    costD = [c * scale for c in cost]
    sat_total = profile.positive_sat
    # stored price (value, slope): a lower bound on the current price
    stored = {j: (costD[j] / sat_total[j], Q(0)) for j in considered}
    alive = set(considered)
    run = MesRun(t, list(free))
    # for explanations: which groups paid each winner its price (not all they had), so that
    # supporters' money left is t * (their weight) - sum over winners of price * satisfaction
    paid_price: list[tuple[int, object, np.ndarray, np.ndarray]] = []
    broke = np.zeros(len(profile.mult), dtype=bool)  # paid all they had at least once

    while alive:
        best = best_rho = best_rs = None
        best_C = None
        hists = {}
        if winners is not None:
            if len(run.selected) - len(free) == len(winners):
                break
            candidates = [winners[len(run.selected) - len(free)]]
        else:
            candidates = sorted(alive, key=lambda j: stored[j][0])
        for j in candidates:
            if best is not None and stored[j][0] > best_rho:
                break
            hists[j] = h = H(j)
            entries = [(cval[c], cslope[c], s, m, c) for (c, s), m in h.items()]
            # a hinted winner is proven affordable (and cheapest) by the float filter
            money = sum(m * v for v, _, _, m, _ in entries) if winners is None else costD[j]
            if step.active:
                step.note(money - costD[j], sum(m * sl for _, sl, _, m, _ in entries))
            if money < costD[j]:
                if winners is not None:  # pragma: no cover - the float filter proves otherwise
                    raise AssertionError("a hinted Equal Shares winner is not affordable")
                alive.discard(j)
                continue
            if supporters[j].nvalues == 1:  # one satisfaction value: order by money
                entries.sort(key=lambda e: e[0])
            else:
                entries.sort(key=lambda e: e[0] / e[2])
            R, S, Rs = costD[j], sat_total[j], Q(0)
            ncap = 0
            for v, sl, s, m, _ in entries:
                rho = R / S
                if rho * s <= v:
                    break
                R -= m * v
                Rs -= m * sl
                S -= m * s
                ncap += 1
            rho = R / S
            rs = Rs / S
            stored[j] = (rho, rs)
            if best is None or rho < best_rho or (rho == best_rho and tie[j] < tie[best]):
                best, best_rho, best_rs, best_C = j, rho, rs, (entries, ncap)
        if best is None:
            break
        alive.discard(best)
        if step.active:
            _note_round(step, best, best_rho, best_rs, best_C, alive,
                        lambda q, seen=hists: seen[q] if q in seen else H(q),
                        cval, cslope, costD, sat_total)
        # the supporters of the winner pay: the first ``ncap`` entries all they have, the rest
        # the price times their satisfaction (one amount per satisfaction value)
        entries, ncap = best_C
        sp = supporters[best]
        nv = sp.nvalues
        value_index = {v: k for k, v in enumerate(sp.values)} if nv > 1 else None
        keys = lab[sp.groups] * nv + sp.uidx
        new_class = np.zeros(int(keys.max()) + 1, dtype=np.int64)
        capped_key = np.zeros(len(new_class), dtype=bool) if explain else None
        zero_class = klass(ZERO, ZERO)
        each_of: dict = {}
        capped_paid: dict = {}  # amount -> multiplicity (explain)
        price_paid: dict = {}  # satisfaction -> multiplicity (explain)
        for i, (v, sl, s, m, c) in enumerate(entries):
            key = c * nv + value_index[s] if nv > 1 else c
            if i < ncap:
                new_class[key] = zero_class
                if explain:
                    capped_key[key] = True
                    capped_paid[v] = capped_paid.get(v, 0) + m
                continue
            each = each_of.get(s)
            if each is None:
                each = each_of[s] = best_rho * s
            left = v - each
            if track:
                new_class[key] = klass(left, sl - best_rs * s)
            elif left:
                cval.append(left)
                cslope.append(ZERO)
                new_class[key] = len(cval) - 1
            else:
                new_class[key] = zero_class
            if explain:
                price_paid[s] = price_paid.get(s, 0) + m
        lab[sp.groups] = new_class[keys]
        if explain:
            capped = capped_key[keys]
            broke[sp.groups[capped]] = True
            paid_price.append((best, best_rho, sp.groups[~capped], sp.uidx[~capped]))
            paid = sorted(((m, each_of[s], False, m * each_of[s]) for s, m in price_paid.items()),
                          key=lambda r: -r[1])
            if capped_paid:
                paid.append((sum(capped_paid.values()), None, True,
                             sum((m * v for v, m in capped_paid.items()), Q(0))))
        run.selected.append(best)
        if explain:
            run.rho[best] = best_rho
            run.payments[best] = paid

    run.step = step.value if track else None
    if explain:
        final = [cval[c] for c in lab.tolist()]
        run.group_money = lambda: final
        chosen = set(run.selected)
        rest = [j for j in considered if j not in chosen]
        left = _money_left(profile, t, rest, paid_price, broke) if rest else {}
        if left is None:  # pragma: no cover - satisfactions too large for exact float sums
            left = {j: sum((m * cval[c] for (c, _), m in H(j).items()), Q(0)) for j in rest}
        run.money_left.update(left)
    return run


def _offsets(parts) -> np.ndarray:
    """Start offsets of consecutive arrays (and the total at the end), as a sparse matrix wants."""
    offsets = np.zeros(len(parts) + 1, dtype=np.int64)
    np.cumsum([len(p) for p in parts], out=offsets[1:])
    return offsets


def _money_left(profile: Profile, t, projects, paid_price, broke) -> dict | None:
    """Money left, at the end of a run, with the supporters of each of ``projects``.

    A group that never paid all it had holds ``t - sum(price_k * sat_k)`` over the winners k it
    paid; one that did holds 0. So a project's supporters hold ``t * W - sum_k price_k * A_k``,
    with W their weight (not broke) and A_k the satisfaction-weighted count of them who paid k:
    whole numbers, summed exactly in float64 (below 2**53), then a handful of exact products.
    NumPy only (one dense column per winner, summed per project with ``reduceat``): SciPy's
    import alone took longer than a whole count.
    """
    Q = exact.Q
    supporters = _setup(profile)
    ngroups = len(profile.mult)
    columns, coefficients = [], []
    for j, rho, groups, uidx in paid_price:
        sp = supporters[j]
        if not sp.nums_exact or sp.nums.max() * profile.total_mult >= EXACT_FLOAT_LIMIT:
            return None
        coefficients.append(rho / sp.den)
        columns.append((groups, sp.nums[uidx]))
    # the weight of each supporter who never paid all they had, project after project
    groups = [supporters[j].groups for j in projects]
    lengths = np.fromiter(map(len, groups), dtype=np.int64, count=len(groups))
    indptr = _offsets(groups)
    indices = np.concatenate(groups) if groups else np.zeros(0, dtype=np.int64)
    weights = np.concatenate([supporters[j].mult for j in projects]) if groups else np.zeros(0)
    weights[broke[indices]] = 0.0
    nonempty = lengths > 0
    starts = indptr[:-1][nonempty]
    counts = np.zeros((len(projects), len(columns)))
    column = np.zeros(ngroups)
    for k, (paid_groups, sats) in enumerate(columns):
        column[paid_groups] = sats  # each group's whole-number satisfaction if it paid k's price
        if len(starts):
            counts[nonempty, k] = np.add.reduceat(weights * column[indices], starts)
        column[paid_groups] = 0.0
    totals = np.zeros(len(projects))
    if len(starts):
        totals[nonempty] = np.add.reduceat(weights, starts)
    # exact sums in whole numbers over one common denominator
    t = Q(t)
    D = int(t.denominator)
    for c in coefficients:
        D = lcm(D, int(c.denominator))
    P = [int(c * D) for c in coefficients]
    T = int(t * D)
    left = {}
    for j, row, w in zip(projects, counts.tolist(), totals.tolist(), strict=True):
        left[j] = Q(T * int(w) - sum(p * int(n) for p, n in zip(P, row, strict=True) if n), D)
    return left


def paid_run(profile: Profile, t, winners: list[int]) -> MesRun:
    """An explained run of Equal Shares at ``t`` whose winners (after the free projects) are
    known, in order, from the float filter: the same result as ``run_mes(..., explain=True)``.

    Each round prices and pays only its winner, mostly in floats with proven error bounds:
    - every ballot group's money is kept as a float (off by at most ``err``); exactly, it is
      ``t - sum_k coefficient_k * n_gk`` over the winners k so far that it supports, with
      ``n_gk`` a whole number (its satisfaction times a common denominator, ``_incidence``),
      or 0 once it has paid all it had;
    - the winner's price is bracketed in floats; supporters clearly below it (they pay all
      they have) or clearly above it (they pay the price) are sorted out in floats, and only
      the few near the line get their exact money worked out and compared exactly;
    - the exact price follows from the exact total of those who pay all they have (one product
      of whole numbers, summed exactly in float64, then exact sums over the k winners), and is
      checked against every supporter: a voter pays all they have exactly when their money is
      below price times satisfaction. If the check fails (an error far beyond the bounds), the
      round is redone exactly over every supporter.
    """
    from .fastmes import _price

    Q = exact.Q
    t = Q(t)
    _, free = mes_candidates(profile)
    supporters = _setup(profile)
    ngroups = len(profile.mult)
    scale = profile.scale
    sat_total = profile.positive_sat
    # whole-number satisfactions per winner: its values times their common denominator
    for j in winners:
        sp = supporters[j]
        if not sp.nums_exact or sp.nums.max() * profile.total_mult >= EXACT_FLOAT_LIMIT:
            return run_mes(profile, t, explain=True, winners=winners)
    t_f = float(t)
    money = np.full(ngroups, t_f)
    # each float is off by at most one rounding of t per payment (money <= t): 4e-16 t each
    err = (len(winners) + 2) * 4e-16 * t_f
    broke = np.zeros(ngroups, dtype=bool)
    # a group that never paid all it had has paid the price for every winner it supports, so
    # its money is t - sum over those winners k of coefficient_k * (its whole-number
    # satisfaction): the rows of this (groups x winners) matrix, dense (NumPy, no SciPy)
    incidence = _incidence(profile, supporters, winners)
    # exact money: (T - sum_k P_k * n_k) / D with whole numbers T = t * D and P_k
    D = int(t.denominator)
    P: list[int] = []

    def exact_sum(groups, weights, k):
        """Exact total money of ``groups`` (none broke), each counted ``weights`` times."""
        n = (weights @ incidence[groups, :k]).tolist() if k else []
        total = int(t * D) * int(weights.sum()) - sum(p * int(x) for p, x in zip(P, n, strict=True))
        return Q(total, D)

    def exact_each(groups, k):
        """Exact money of each of ``groups`` (none broke): one row of the matrix each."""
        T = int(t * D)
        rows = incidence[groups, :k].tolist() if k else [[]] * len(groups)
        return [Q(T - sum(p * int(x) for p, x in zip(P, row, strict=True) if x), D) for row in rows]

    run = MesRun(t, list(free))
    paid_price = []
    for k, j in enumerate(winners):
        sp = supporters[j]
        cost = profile.cost[j] * scale
        g = sp.groups
        m = sp.mult
        s_f = sp.values_f[sp.uidx]
        v_f = money[g]
        cost_f = float(cost)
        ms = m * s_f
        start = cost_f / float(sat_total[j]) * (1 - 1e-9)
        hi = _price(v_f + err, m, s_f, ms, cost_f, start)  # more money, lower price
        lo = _price(np.maximum(v_f - err, 0.0), m, s_f, ms, cost_f, start)
        values = sp.values
        if hi is not None and lo is not None:
            rho_lo, rho_hi = hi[0] - hi[1], lo[0] + lo[1]
            sure_cap = v_f + err < rho_lo * s_f * (1 - 1e-13)
            near = np.flatnonzero(~(sure_cap | (v_f - err > rho_hi * s_f * (1 + 1e-13))))
        else:
            sure_cap = np.zeros(len(g), dtype=bool)
            near = np.arange(len(g))
        for attempt in (0, 1):
            capped = sure_cap.copy()
            live = capped & ~broke[g]
            R = cost - exact_sum(g[live], m[live], k)
            S = sat_total[j] - sum(int(c) * values[u] for u, c in enumerate(
                np.bincount(sp.uidx[capped], weights=m[capped], minlength=sp.nvalues).tolist()))
            # the near ones, exactly, in order of money per unit of satisfaction
            near_i = near.tolist()
            exact_v = dict(zip(near_i, exact_each(g[near], k), strict=True))
            for i in near_i:
                if broke[g[i]]:
                    exact_v[i] = Q(0)
            for i in sorted(exact_v, key=lambda i: exact_v[i] / values[sp.uidx[i]]):
                s, w = values[sp.uidx[i]], int(m[i])
                if R / S * s <= exact_v[i]:
                    break
                R -= w * exact_v[i]
                S -= w * s
                capped[i] = True
            rho = R / S
            if attempt:
                break
            rf = float(rho)
            if (hi is not None and lo is not None and rho_lo * (1 - 1e-15) <= rf
                    and rf <= rho_hi * (1 + 1e-15)
                    and all((v < rho * values[sp.uidx[i]]) == bool(capped[i])
                            for i, v in exact_v.items())):
                break
            sure_cap = np.zeros(len(g), dtype=bool)  # pragma: no cover - redo exactly
            near = np.arange(len(g))
        # pay: the capped pay all they have, the rest the price times their satisfaction
        each_of = [rho * s for s in values]
        pays = ~capped
        gp = g[pays]
        money[gp] -= np.array([float(e) for e in each_of])[sp.uidx[pays]]
        money[g[capped]] = 0.0
        broke[g[capped]] = True
        # exact coefficient of this winner: rho / den, over the common denominator D
        coefficient = rho / sp.den
        new_D = lcm(D, int(coefficient.denominator))
        if new_D != D:
            P = [p * (new_D // D) for p in P]
            D = new_D
        P.append(int(coefficient * D))
        # the explanation: who paid the price (by satisfaction), and who paid all they had
        price_w = np.bincount(sp.uidx[pays], weights=m[pays], minlength=sp.nvalues)
        rows = [(int(w), each_of[u], False, int(w) * each_of[u])
                for u, w in enumerate(price_w.tolist()) if w]
        rows.sort(key=lambda r: -r[1])
        capped_w = int(m[capped].sum())
        if capped_w:
            rows.append((capped_w, None, True, cost - sum((r[3] for r in rows), Q(0))))
        paid_price.append((j, rho, gp, sp.uidx[pays]))
        run.selected.append(j)
        run.rho[j] = rho
        run.payments[j] = rows

    def group_money():
        each = exact_each(np.arange(ngroups), len(winners))
        return [Q(0) if b else v for b, v in zip(broke.tolist(), each, strict=True)]

    run.group_money = group_money
    chosen = set(run.selected)
    considered, _ = mes_candidates(profile)
    rest = [j for j in considered if j not in chosen]
    left = _money_left(profile, t, rest, paid_price, broke) if rest else {}
    if left is None:  # pragma: no cover - satisfactions too large for exact float sums
        return run_mes(profile, t, explain=True, winners=winners)
    run.money_left.update(left)
    return run


def _incidence(profile: Profile, supporters, winners: list[int]) -> np.ndarray:
    """Ballot groups by winners, dense: each group's satisfaction from each winner as a whole
    number over the winner's common denominator (``_whole_numbers``), 0 where it gives none."""
    incidence = np.zeros((len(profile.mult), len(winners)))
    for k, j in enumerate(winners):
        sp = supporters[j]
        incidence[sp.groups, k] = sp.nums[sp.uidx]
    return incidence


def prepare(profile: Profile) -> None:
    """Build (and cache on the profile) the budget-independent arrays Equal Shares works on."""
    _setup(profile)
    fast_setup(profile)


def explained_mes(profile: Profile, t) -> MesRun:
    """An explained run of Equal Shares at ``t``: the float filter finds the winners (when it can
    tell them apart), and the exact run then only prices, pays and explains them."""
    winners = fast_selection(profile, t)
    if winners is None:
        return run_mes(profile, t, explain=True)
    _, free = mes_candidates(profile)
    return paid_run(profile, t, winners[len(free):])


def total_cost(profile: Profile, selected) -> object:
    return sum((profile.cost[j] for j in selected), exact.Q(0))


def is_exhaustive_over(profile: Profile, selected, projects) -> bool:
    """True if none of ``projects`` outside ``selected`` would still fit in the budget."""
    left = profile.budget - total_cost(profile, selected)
    chosen = set(selected)
    return not any(profile.cost[j] <= left for j in projects if j not in chosen)


@dataclass
class Add1Result:
    run: MesRun  # the run whose outcome is returned (explained)
    initial_share: object
    final_share: object  # per-voter budget of the level whose outcome is returned
    levels_tried: int  # levels pabutools would have run (0, 1, ..., stopping level)
    runs: int  # MES runs we actually did


def equal_shares_add1(profile: Profile) -> Add1Result:
    """pabutools' ``method_of_equal_shares(..., voter_budget_increment=1)`` (see module docstring)."""
    Q = exact.Q
    considered, _ = mes_candidates(profile)
    if profile.total_mult == 0:
        empty = run_mes(profile, Q(0), explain=True)
        return Add1Result(empty, None, None, 1, 1)
    t0 = profile.budget * profile.scale / profile.total_mult  # B / total weight
    level = 0
    prev_level = None
    runs = 0
    # Each step proves the outcome constant on a whole range of levels [level, level + width]
    # with the float filter's interval run (width doubling after a success, halving after a
    # failure), so none of those levels can stop (they all have this level's outcome). When
    # even a single level is too close to call in floats, an exact run (which also tracks the
    # distance to the next possible change) decides.
    # Where the outcome changes at nearly every level, interval runs fail; after a failure at
    # width 1 we skip them for ``pause`` levels (doubling, up to 32; reset by any success).
    width, pause, wait = 1, 0, 1
    while True:
        t = t0 + level
        selected, step = None, 1
        if pause:
            pause -= 1
            width = 0
        while width >= 1:
            runs += 1
            selected = fast_selection(profile, t, t + width)
            if selected is not None:
                step = width + 1
                width *= 2
                wait = 1
                break
            if width == 1:
                pause, wait = wait, min(2 * wait, 32)
            width //= 2
        if selected is None:
            runs += 1
            selected = fast_selection(profile, t)
        if selected is None:
            run = run_mes(profile, t, track=True, step_floor=1)
            selected, step = run.selected, run.step
        width = max(width, 1)
        if total_cost(profile, selected) > profile.budget:
            final = level - 1  # the previous level has the previous run's outcome
            if prev_level is None:  # cannot happen: MES at B/n never overspends
                raise AssertionError("Equal Shares overspent at the initial budget")
            break
        if is_exhaustive_over(profile, selected, considered):
            final = level
            break
        if step is None:  # pragma: no cover - every candidate becomes affordable eventually
            raise AssertionError("add1 cannot make progress")
        prev_level = level
        level += max(1, int(ceil(step)))
    explained = explained_mes(profile, t0 + final)
    return Add1Result(explained, t0, t0 + final, level + 1, runs + 1)

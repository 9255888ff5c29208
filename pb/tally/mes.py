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
explained run takes the winners from the filter and only prices, pays and explains them exactly.
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
    payments: dict[int, list] = field(default_factory=dict)  # j -> [(weight, each, paid_all)]
    money_left: dict[int, object] = field(default_factory=dict)  # unselected j -> supporters' money
    group_money_left: list = field(default_factory=list)  # per ballot group, at the end (explain)
    step: object = None  # distance in t to the nearest possible change (None: never; 0: now)


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

    __slots__ = ("groups", "uidx", "mult", "values", "nvalues")

    def __init__(self, groups, uidx, mult, values):
        self.groups = np.asarray(groups, dtype=np.int64)
        self.uidx = np.asarray(uidx, dtype=np.int64)
        self.mult = np.asarray(mult, dtype=np.float64)
        self.values = values
        self.nvalues = len(values)


EXACT_FLOAT_LIMIT = 2**52  # float64 sums of whole numbers below this are exact


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
        sp = _Supporters.__new__(_Supporters)
        sp.groups = groups
        sp.uidx = uidx.astype(np.int64).reshape(-1)
        sp.mult = mult_all[groups]
        sp.values = [values_all[k] for k in vals.tolist()]
        sp.nvalues = len(sp.values)
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
        # the supporters of the winner pay
        entries, ncap = best_C
        sp = supporters[best]
        value_index = {v: k for k, v in enumerate(sp.values)}
        keys = lab[sp.groups] * sp.nvalues + sp.uidx
        new_class = np.zeros(int(keys.max()) + 1, dtype=np.int64)
        paid = []
        for i, (v, sl, s, m, c) in enumerate(entries):
            if i < ncap:
                c2 = klass(Q(0), Q(0))
                each = v
            else:
                each = best_rho * s
                c2 = klass(v - each, sl - best_rs * s if track else Q(0))
            new_class[c * sp.nvalues + value_index[s]] = c2
            if explain:
                paid.append((m, each, i < ncap))
        lab[sp.groups] = new_class[keys]
        if explain:
            capped_key = np.zeros(len(new_class), dtype=bool)
            for _v, _, s, _, c in entries[:ncap]:
                capped_key[c * sp.nvalues + value_index[s]] = True
            capped = capped_key[keys]
            broke[sp.groups[capped]] = True
            paid_price.append((best, best_rho, sp.groups[~capped], sp.uidx[~capped]))
        run.selected.append(best)
        if explain:
            run.rho[best] = best_rho
            run.payments[best] = paid

    run.step = step.value if track else None
    if explain:
        run.group_money_left = [cval[c] for c in lab.tolist()]
        chosen = set(run.selected)
        rest = [j for j in considered if j not in chosen]
        left = _money_left(profile, t, rest, paid_price, broke) if rest else {}
        if left is None:  # pragma: no cover - satisfactions too large for exact float sums
            left = {j: sum((m * cval[c] for (c, _), m in H(j).items()), Q(0)) for j in rest}
        run.money_left.update(left)
    return run


def _money_left(profile: Profile, t, projects, paid_price, broke) -> dict | None:
    """Money left, at the end of a run, with the supporters of each of ``projects``.

    A group that never paid all it had holds ``t - sum(price_k * sat_k)`` over the winners k it
    paid; one that did holds 0. So a project's supporters hold ``t * W - sum_k price_k * A_k``,
    with W their weight (not broke) and A_k the satisfaction-weighted count of them who paid k:
    whole numbers, summed exactly in float64 (below 2**53), then a handful of exact products.
    """
    Q = exact.Q
    supporters = _setup(profile)
    ngroups = len(profile.mult)
    matrix = np.zeros((ngroups, len(paid_price)), dtype=np.float64)
    coefficients = []
    for k, (j, rho, groups, uidx) in enumerate(paid_price):
        sp = supporters[j]
        den = 1
        for v in sp.values:
            den = lcm(den, int(v.denominator))
        nums = [int(v * den) for v in sp.values]
        if max(nums) * profile.total_mult >= EXACT_FLOAT_LIMIT:
            return None
        matrix[groups, k] = np.asarray(nums, dtype=np.float64)[uidx]
        coefficients.append(rho / den)
    left = {}
    for j in projects:
        sp = supporters[j]
        weights = np.where(broke[sp.groups], 0.0, sp.mult)
        counts = (weights @ matrix[sp.groups]).tolist()
        total = t * int(weights.sum())
        for coefficient, n in zip(coefficients, counts, strict=True):
            if n:
                total -= coefficient * int(n)
        left[j] = Q(total)
    return left


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
    return run_mes(profile, t, explain=True, winners=winners[len(free):])


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

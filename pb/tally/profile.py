"""Turn an election's ballots into satisfaction numbers the rules work on.

Satisfaction (what a ballot "gets" from a project), as in pabutools:
- approval/knapsack: the project's cost if approved (pabutools' ``Cost_Sat``);
- cumulative/scoring: the points given (``Additive_Cardinal_Sat``);
- ranked: Borda, ``len(ranking) - position - 1``, so the last-ranked project gets 0
  (``Additive_Borda_Sat``).

Identical ballots are merged into one group with a multiplicity. Weights are rational; they are
scaled by a common denominator ``scale`` so multiplicities are whole numbers, and each group
stands for ``multiplicity / scale`` voters.
"""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Mapping
from fractions import Fraction
from math import lcm
from operator import is_

from . import exact
from .model import ONE, Election, TallyError
from .tiebreak import tie_keys


def ballot_satisfaction(kind: str, choices, cost_of) -> dict:
    """Satisfaction per project id for one ballot (zero entries left out).

    ``cost_of(id)`` gives a project's cost and raises TallyError for an unknown id; the
    satisfactions come back in the same number type as the costs (or ints for Borda).
    """
    if kind in ("approval", "knapsack"):
        if isinstance(choices, str | Mapping):
            raise TallyError("an approval ballot is a collection of project ids")
        sats = {p: cost_of(p) for p in set(map(str, choices))}
        return {p: s for p, s in sats.items() if s != 0}
    if kind == "ranked":
        if isinstance(choices, str | Mapping):
            raise TallyError("a ranked ballot is a sequence of project ids")
        order = list(dict.fromkeys(map(str, choices)))  # a repeat keeps its first place
        for p in order:
            cost_of(p)
        n = len(order)
        return {p: n - i - 1 for i, p in enumerate(order) if n - i - 1 != 0}
    if not isinstance(choices, Mapping):
        raise TallyError(f"a {kind} ballot maps project ids to points")
    sats = {}
    for p, pts in choices.items():
        cost_of(str(p))
        value = exact.rational(pts)
        if value != 0:
            sats[str(p)] = value
    return sats


def ballot_includes(kind: str, choices) -> set[str]:
    """The projects a ballot supports: approved, ranked, or given more than 0 points."""
    if isinstance(choices, Mapping):
        return {str(p) for p, v in choices.items() if exact.rational(v) > 0}
    return set(map(str, choices))


def _ballot_key(choices):
    """A hashable form of a ballot's choices, so identical ballots can be merged (fast paths
    first: this runs once per ballot). Ids are turned into strings later, per distinct ballot."""
    kind = type(choices)
    if kind is frozenset:
        return ("set", choices)
    if kind is list or kind is tuple:
        return ("seq", tuple(choices))
    if isinstance(choices, Mapping):
        return ("map", tuple(sorted((str(k), v) for k, v in choices.items())))
    if isinstance(choices, str):
        raise TallyError("a ballot's choices must be a collection of project ids, not a string")
    if isinstance(choices, set):
        return ("set", frozenset(choices))
    return ("seq", tuple(choices))


class Profile:
    """Projects (indexed 0..P-1 in the election's order) and merged ballot groups."""

    def __init__(self, election: Election, tie_breaking: str = "lexico"):
        Q = exact.Q
        self.election = election
        self.ids = election.project_ids
        index = {pid: j for j, pid in enumerate(self.ids)}
        self.index = index
        self.cost_f = [p.cost for p in election.projects]
        self.cost = [exact.to_q(c) for c in self.cost_f]
        self.budget = exact.to_q(election.budget)
        kind = election.rules.kind

        cost_q = dict(zip(self.ids, self.cost, strict=True))
        cost = self.cost

        def cost_of(pid):
            try:
                return cost_q[pid]
            except KeyError:
                raise TallyError(f"a ballot names project {pid!r}, which is not in the election") from None

        # merge identical ballots first: counting then works on distinct ballots only
        whole: dict = defaultdict(int)  # integer weights add up fast as ints
        parts: dict = defaultdict(Fraction)
        for ballot in election.ballots:
            w = ballot.weight
            choices = ballot.choices
            # an approval ballot read from the database or a .pb file is a frozenset (its hash
            # is computed once and kept), and a ballot of weight one shares one Fraction
            key = ("set", choices) if type(choices) is frozenset else _ballot_key(choices)
            if w is ONE:
                whole[key] += 1
            elif w.denominator == 1:
                whole[key] += w.numerator
            else:
                parts[key] += w
        # whole multiplicities: weights times the common denominator of the fractional ones
        scale = 1
        for w in parts.values():
            scale = lcm(scale, w.denominator)
        distinct: dict = {key: w * scale for key, w in whole.items()}
        for key, w in parts.items():
            distinct[key] = distinct.get(key, 0) + int(w * scale)
        self.scale = scale
        groups: dict[tuple, int] = defaultdict(int)  # satisfactions -> multiplicity
        support = [0] * len(self.ids)
        total_mult = 0
        approval = kind in ("approval", "knapsack")
        approvals: dict[tuple, int] = defaultdict(int)  # approved project indices -> multiplicity
        for (shape, items), m in distinct.items():
            if not m:
                continue
            total_mult += m
            if approval and shape != "map":  # the common case, kept quick
                try:  # a set of string ids (from a .pb file or the database): no copy
                    if shape != "set":
                        raise KeyError
                    js = sorted(map(index.__getitem__, items))
                except KeyError:  # other ids as text, once each (a list may repeat one)
                    ids = {p if type(p) is str else str(p) for p in items}
                    try:
                        js = sorted(index[p] for p in ids)
                    except KeyError:
                        cost_of(next(p for p in ids if p not in index))
                approvals[tuple(js)] += m
                for j in js:
                    support[j] += m
                continue
            choices = dict(items) if shape == "map" else items
            sats = ballot_satisfaction(kind, choices, cost_of)
            key = tuple(sorted((index[p], exact.to_q(s) if isinstance(s, Fraction) else s)
                               for p, s in sats.items()))
            groups[key] += m
            for p in ballot_includes(kind, choices):
                support[index[p]] += m
        self.supporters = [Fraction(s, scale) for s in support]
        self.total_mult = total_mult
        self.total_weight = Fraction(total_mult, scale)
        # groups: multiplicity (int) and satisfactions [(project index, sat as Q)]
        pair = list(enumerate(cost))  # (j, cost of j), shared by every group that approves j
        if approval and not groups and all(cost):
            # the usual approval election: every ballot a set of projects, none of them free.
            # Distinct sets give distinct groups, so no second merge is needed, and a
            # project's total satisfaction is its cost times its supporters (whole numbers).
            self.mult: list[int] = list(approvals.values())
            self.sats: list[list[tuple[int, object]]] = [[pair[j] for j in js] for js in approvals]
            total = [c * s for c, s in zip(cost, support, strict=True)]
            positive = [t if c > 0 else Q(0) for c, t in zip(cost, total, strict=True)]
        else:
            for js, m in approvals.items():  # approval satisfaction is the cost (0 for free ones)
                groups[tuple(pair[j] for j in js if cost[j])] += m
            self.mult = list(groups.values())
            self.sats = [[(j, s if approval else Q(s)) for j, s in key] for key in groups]
            # total satisfaction per project (times scale), all signs, as greedy sums it
            total = [Q(0)] * len(self.ids)
            positive = [Q(0)] * len(self.ids)
            for m, sats in zip(self.mult, self.sats, strict=True):
                for j, s in sats:
                    total[j] += m * s
                    if s > 0:
                        positive[j] += m * s
        self.total_sat = total
        self.positive_sat = positive
        self.tie_breaking = tie_breaking
        self.tie_key = tie_keys(tie_breaking, self.ids, self.supporters, self.cost_f)
        self.shared: dict = {}  # budget-independent work the rules cache (shared by copies)

    def with_tie_breaking(self, tie_breaking: str) -> Profile:
        """The same profile under another tie-breaking rule (a cheap shallow copy)."""
        if tie_breaking == self.tie_breaking:
            return self
        other = copy.copy(self)
        other.tie_breaking = tie_breaking
        other.tie_key = tie_keys(tie_breaking, self.ids, self.supporters, self.cost_f)
        return other

    def score(self, j: int) -> Fraction:
        """Total satisfaction of project j (supporters, points or Borda points), weights counted."""
        return exact.to_fraction(self.total_sat[j]) / self.scale


_CACHE_ATTR = "_tally_profile_cache"


def _snapshot(election: Election) -> tuple:
    """What the profile depends on, compared by identity (ballots and projects are frozen)."""
    return (exact.BACKEND, election.budget, election.rules, list(election.projects),
            list(election.ballots))


def _same(a: tuple, b: tuple) -> bool:
    return (a[0] == b[0] and a[1] == b[1] and a[2] == b[2]
            and len(a[3]) == len(b[3]) and all(map(is_, a[3], b[3]))
            and len(a[4]) == len(b[4]) and all(map(is_, a[4], b[4])))


def profile_for(election: Election, tie_breaking: str = "lexico") -> Profile:
    """The election's merged profile, built on first use and kept on the election.

    Merging tens of thousands of ballots is most of the work of a greedy or Equal Shares count,
    so it is done once per election. The cache is checked on every call: if the budget, the
    rules, the number backend, or any project or ballot object was replaced (or added or
    removed), the profile is rebuilt. Ballots and projects are frozen; a ballot's ``choices``
    must not be changed in place after counting (make a new Ballot instead).
    """
    snap = _snapshot(election)
    cached = election.__dict__.get(_CACHE_ATTR)
    if cached is None or not _same(cached[0], snap):
        cached = (snap, Profile(election))
        election.__dict__[_CACHE_ATTR] = cached
    return cached[1].with_tie_breaking(tie_breaking)

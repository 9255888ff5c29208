"""Would the result change if participants had looked like the ward?

The round's ballots are weighted by raking their monitoring answers to the ward's census
margins (``raking.rake``), and the round's rule is rerun with those weights (a ballot of
weight w counts as w voters). The official count is always one person, one vote: this is a
diagnostic for the equalities panel, nothing more.

Weights go to the tally as exact rationals on one common denominator (``DENOMINATOR``):
``Fraction(round(w * D), D)``. Keeping one denominator keeps the tally's exact arithmetic
fast; the rounding moves a weight by at most 1/(2D). Ballots with identical choices are
merged, their weights summed, before counting: every rule treats w identical ballots as
one ballot of weight w, and it makes a recount of thousands of ballots cheap.

**The verdict** is Yes (weighting funds a different set), No, or Could not check (no
characteristic had enough answers to weight by, even with groups merged, or the margins
could not be met). Its uncertainty comes from a **bootstrap**: the ballots (each with its
answers) are resampled with replacement ``resamples`` times (default 100) from a seeded
generator, each resample is raked to the same census groups as the full count (same
merges) and counted twice (one person one vote, and weighted), and the report says in how
many resamples the weighted count funds a different set ("Yes in 87 of 100 resamples").
The same seed gives the same figures. Resamples are drawn over the distinct (answers,
choices) cells, which is the same distribution as drawing ballots and far cheaper.

Also here: where each project's support comes from, by characteristic, against all voters.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction

import numpy as np

from pb.equalities.characteristics import Characteristic
from pb.equalities.messages import N_
from pb.equalities.raking import (
    DEFAULT_SETTINGS,
    RakeResult,
    RakeSettings,
    RakingError,
    fit_many,
    rake,
)
from pb.equalities.responses import Responses

DENOMINATOR = 10**6
RESAMPLES = 100
SEED = 20261202  # fixed, so a report reads the same every time it is built

YES, NO, COULD_NOT_CHECK = "yes", "no", "could_not_check"
NOTHING_WEIGHTED = N_("No characteristic had enough answers to weight by, even with its "
                      "groups merged, so weighting could not change anything.")
CANNOT_FIT = N_("The answers could not be weighted to match the census: a group with "
                "residents has no voters who answered.")


@dataclass(frozen=True)
class Bootstrap:
    resamples: int  # resamples that could be weighted
    changed: int  # of those, how many fund a different set when weighted
    failed: int  # resamples the margins could not be met in
    seed: int


class ReweightError(ValueError):
    """The round cannot be reweighted as given (e.g. ballots already carry weights)."""


@dataclass(frozen=True)
class ReweightResult:
    rule: str
    official: tuple[str, ...]  # funded, one person one vote
    reweighted: tuple[str, ...]  # funded if participants had matched the census
    comes_in: tuple[str, ...]  # funded only after reweighting
    drops_out: tuple[str, ...]  # funded only in the official count
    raking: RakeResult
    support: dict[str, int] = field(default_factory=dict)  # project -> supporters
    weighted_support: dict[str, float] = field(default_factory=dict)  # project -> weighted
    support_matrix: np.ndarray | None = field(default=None, repr=False)  # ballots x projects
    bootstrap: Bootstrap | None = None
    reason: str | None = None  # msgid, when it could not check

    @property
    def changed(self) -> bool:
        return set(self.official) != set(self.reweighted)

    @property
    def verdict(self) -> str:
        if self.reason is not None or not self.raking.used:
            return COULD_NOT_CHECK
        return YES if self.changed else NO


def supports(choices) -> set[str]:
    """Project ids a ballot supports: chosen, ranked, or given positive points."""
    if isinstance(choices, Mapping):
        return {str(p) for p, points in choices.items() if points > 0}
    return {str(p) for p in choices}


def _choice_key(kind: str, choices):
    if isinstance(choices, Mapping):
        return frozenset((str(p), v) for p, v in choices.items())
    if kind == "ranked":
        return tuple(map(str, choices))
    return frozenset(map(str, choices))


@dataclass(frozen=True)
class BallotGroups:
    """Ballots with the same choices: the tally treats them alike, so they can be counted
    once with their weights summed. ``of_ballot[i]`` is ballot i's group."""

    choices: list  # one representative ``choices`` per group
    of_ballot: np.ndarray
    support: np.ndarray  # (groups x projects) bool


def group_ballots(election) -> BallotGroups:
    kind = election.rules.kind
    index: dict = {}
    choices, of_ballot = [], np.empty(len(election.ballots), dtype=np.int64)
    for i, ballot in enumerate(election.ballots):
        key = _choice_key(kind, ballot.choices)
        g = index.get(key)
        if g is None:
            g = index[key] = len(choices)
            choices.append(ballot.choices)
        of_ballot[i] = g
    column = {p.id: j for j, p in enumerate(election.projects)}
    support = np.zeros((len(choices), len(column)), dtype=bool)
    for g, chosen in enumerate(choices):
        for p in supports(chosen):
            if p in column:
                support[g, column[p]] = True
    return BallotGroups(choices, of_ballot, support)


def support_matrix(election) -> np.ndarray:
    """Boolean (ballots x projects): does ballot i support project j?"""
    groups = group_ballots(election)
    return groups.support[groups.of_ballot]


def exact_weights(weights, denominator: int = DENOMINATOR) -> list[Fraction]:
    """Rationals on one denominator, each within 1/(2 x denominator) of its float."""
    numerators = np.rint(np.asarray(weights, dtype=float) * denominator).astype(np.int64)
    return [Fraction(int(n), denominator) for n in numerators]


def grouped_election(election, groups: BallotGroups, weights=None, denominator: int = DENOMINATOR):
    """The election with identical ballots merged; ``weights`` (one float per ballot) are
    summed per group as exact rationals on ``denominator`` (each ballot rounded first)."""
    from pb.tally import Ballot

    if weights is None:
        totals = [Fraction(int(t)) for t in np.bincount(groups.of_ballot,
                                                        minlength=len(groups.choices))]
    else:
        numerators = np.rint(np.asarray(weights, dtype=float) * denominator).astype(np.int64)
        sums = np.zeros(len(groups.choices), dtype=np.int64)
        np.add.at(sums, groups.of_ballot, numerators)
        totals = [Fraction(int(t), denominator) for t in sums]
    ballots = [Ballot(c, weight=w) for c, w in zip(groups.choices, totals, strict=True)]
    return type(election)(election.budget, election.projects, ballots, election.rules,
                          dict(election.meta))


def would_result_change(
    election,
    responses: Responses,
    margins: Mapping[str, Mapping[str, int]],
    rule: str = "greedy",
    settings: RakeSettings = DEFAULT_SETTINGS,
    tie_breaking: str = "lexico",
    official: Sequence[str] | None = None,
    resamples: int = RESAMPLES,
    seed: int = SEED,
) -> ReweightResult:
    """Rake the ballots (one per participant, in ``responses`` order) and recount.

    ``official`` is the published outcome if already counted; otherwise it is recounted
    here, one person one vote. Ballots with identical choices are merged (weights summed)
    before counting, which every rule treats exactly as the separate ballots.
    """
    from pb.tally import count  # the tally engine; imported late so the rest stands alone

    ballots = election.ballots
    if len(ballots) != len(responses):
        raise ReweightError("need one set of monitoring answers per ballot")
    if any(b.weight != 1 for b in ballots):
        raise ReweightError("each ballot must be one participant (weight 1)")
    groups = group_ballots(election)
    if official is None:
        official = count(grouped_election(election, groups), rule, tie_breaking).selected
    reason = None
    try:
        raking = rake(responses, margins, settings)
    except RakingError:
        raking, reason = RakeResult(np.ones(len(responses)), ()), CANNOT_FIT
    if not raking.used and reason is None:
        reason = NOTHING_WEIGHTED
    boot = None
    if reason is None:
        reweighted = count(grouped_election(election, groups, raking.weights), rule,
                           tie_breaking).selected
        if resamples:
            boot = bootstrap(election, raking, groups, rule, settings, tie_breaking,
                             resamples, seed)
    else:
        reweighted = official

    ids = [p.id for p in election.projects]
    plain = np.bincount(groups.of_ballot, minlength=len(groups.choices)) @ groups.support
    per_group = np.bincount(groups.of_ballot, weights=raking.weights,
                            minlength=len(groups.choices))
    heavy = per_group @ groups.support
    official, reweighted = tuple(official), tuple(reweighted)
    return ReweightResult(
        rule=rule,
        official=official,
        reweighted=reweighted,
        comes_in=tuple(p for p in reweighted if p not in official),
        drops_out=tuple(p for p in official if p not in reweighted),
        raking=raking,
        support={p: int(plain[j]) for j, p in enumerate(ids)},
        weighted_support={p: float(heavy[j]) for j, p in enumerate(ids)},
        support_matrix=groups.support[groups.of_ballot],
        bootstrap=boot,
        reason=reason,
    )


def _election_of_groups(election, groups: BallotGroups, weights, denominator=DENOMINATOR):
    from pb.tally import Ballot

    numerators = np.rint(np.asarray(weights, dtype=float) * denominator).astype(np.int64)
    ballots = [Ballot(c, weight=Fraction(int(t), denominator))
               for c, t in zip(groups.choices, numerators, strict=True) if t > 0]
    return type(election)(election.budget, election.projects, ballots, election.rules,
                          dict(election.meta))


def bootstrap(election, raking: RakeResult, groups: BallotGroups, rule: str,
              settings: RakeSettings = DEFAULT_SETTINGS, tie_breaking: str = "lexico",
              resamples: int = RESAMPLES, seed: int = SEED) -> Bootstrap:
    """How often a resample of the ballots changes its funded set when weighted."""
    from pb.tally import count

    plan = raking.plan
    key = np.column_stack([plan.codes, groups.of_ballot])
    cells, first, counts = np.unique(key, axis=0, return_index=True, return_counts=True)
    patterns, pattern_of_cell = np.unique(cells[:, :-1], axis=0, return_inverse=True)
    pattern_of_cell = pattern_of_cell.reshape(-1)
    group_of_cell = cells[:, -1]
    start = np.zeros(len(patterns))
    start[pattern_of_cell] = raking.weights[first]  # the full sample's weights
    n = int(counts.sum())
    rng = np.random.default_rng(seed)
    draws = rng.multinomial(n, counts / n, size=resamples).astype(float)
    loose = replace(settings, tolerance=max(settings.tolerance, 1e-6))
    fast = _fast_greedy(election, groups, rule, tie_breaking)

    def funded(weights, denominator):
        if fast is not None:
            return fast(np.rint(weights * denominator).astype(np.int64))
        return set(count(_election_of_groups(election, groups, weights, denominator), rule,
                         tie_breaking).selected)

    # every resample raked at once (``fit_many`` takes each through ``fit``'s own steps)
    k = len(patterns)
    per_pattern = np.bincount((np.arange(resamples)[:, None] * k + pattern_of_cell).ravel(),
                              weights=draws.ravel(), minlength=resamples * k
                              ).reshape(resamples, k)
    pattern_w, broken = fit_many(patterns, per_pattern, plan.targets, loose, start)
    size = len(groups.choices)
    flat = (np.arange(resamples)[:, None] * size + group_of_cell).ravel()
    plain = np.bincount(flat, weights=draws.ravel(),
                        minlength=resamples * size).reshape(resamples, size)
    heavy = np.bincount(flat, weights=(draws * pattern_w[:, pattern_of_cell]).ravel(),
                        minlength=resamples * size).reshape(resamples, size)
    changed = failed = 0
    for r in range(resamples):
        if broken[r]:
            failed += 1
            continue
        changed += funded(plain[r], 1) != funded(heavy[r], DENOMINATOR)
    return Bootstrap(resamples - failed, changed, failed, seed)


def _fast_greedy(election, groups: BallotGroups, rule: str, tie_breaking: str):
    """For approval ballots counted by greedy with lexicographic tie-breaking, the funded
    set straight from integer supporter totals (the tally's own order: projects with
    support and no cost first, then most supporters, ties by id as text, skipping what
    no longer fits). None for anything else: the bootstrap then calls the tally."""
    if rule != "greedy" or tie_breaking != "lexico" or election.rules.kind != "approval":
        return None
    ids = [p.id for p in election.projects]
    costs = [p.cost for p in election.projects]
    budget = election.budget
    support = groups.support.astype(np.int64)

    def funded(numerators: np.ndarray) -> set:
        totals = (numerators @ support).tolist()

        def key(j):
            if totals[j] > 0:
                return (0, 0, str(ids[j])) if costs[j] <= 0 else (1, -totals[j], str(ids[j]))
            return (1, 0, str(ids[j]))

        left, chosen = budget, set()
        for j in sorted(range(len(ids)), key=key):
            if costs[j] <= left:
                chosen.add(ids[j])
                left -= costs[j]
        return chosen

    return funded


def support_by_category(
    matrix: np.ndarray, responses: Responses, characteristic: Characteristic
) -> np.ndarray:
    """(projects x (1 + categories)) supporter counts; column 0 is non-response."""
    column = responses.column(characteristic).astype(np.int64) + 1
    onehot = np.zeros((len(column), len(characteristic.categories) + 1), dtype=np.int64)
    onehot[np.arange(len(column)), column] = 1
    return matrix.T.astype(np.int64) @ onehot

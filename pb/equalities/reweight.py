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

Also here: where each project's support comes from, by characteristic, against all voters.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from pb.equalities.characteristics import Characteristic
from pb.equalities.raking import DEFAULT_SETTINGS, RakeResult, RakeSettings, rake
from pb.equalities.responses import Responses

DENOMINATOR = 10**6


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

    @property
    def changed(self) -> bool:
        return set(self.official) != set(self.reweighted)


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
    raking = rake(responses, margins, settings)
    groups = group_ballots(election)
    if official is None:
        official = count(grouped_election(election, groups), rule, tie_breaking).selected
    reweighted = count(grouped_election(election, groups, raking.weights), rule,
                       tie_breaking).selected

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
    )


def support_by_category(
    matrix: np.ndarray, responses: Responses, characteristic: Characteristic
) -> np.ndarray:
    """(projects x (1 + categories)) supporter counts; column 0 is non-response."""
    column = responses.column(characteristic).astype(np.int64) + 1
    onehot = np.zeros((len(column), len(characteristic.categories) + 1), dtype=np.int64)
    onehot[np.arange(len(column)), column] = 1
    return matrix.T.astype(np.int64) @ onehot

"""Raking (iterative proportional fitting) of participants to the ward's census margins.

Each participant gets a weight so that, characteristic by characteristic, the weighted
participants who answered have the census shares. The steps:

1. **Which characteristics, in which groups.** A category with fewer than
   ``min_category_count`` participants (default 20) would get a huge factor resting on a
   handful of people, so groups are merged, on both sides (participants and census),
   along the characteristic's levels (``characteristics.RAKE_LEVELS``), finest first,
   until every group with residents has enough: ages into neighbouring bands (65 or over;
   16-34, 35-64, 65+; under and over 50), ethnic groups into related groups (the two
   Black groups; then mixed with another group; then Asian, mixed and another; then White
   and every other group), English proficiency into English or not. Only if even the
   coarsest level is too thin is the characteristic skipped, and the reason reported.
   Tenure is never weighted: the census counts households, not people (``not_raked``).
   Participants in a category with no residents in the census are treated as not
   answering that characteristic. ``RakeResult.levels`` records the groups used.
2. **Non-response.** Someone who did not answer a characteristic keeps their weight when
   that characteristic is fitted: the answerers are fitted to ``census share x their
   current weighted total``. So non-response is neither imputed nor dropped, and the
   total weight stays at the number of participants (mean weight 1).
3. **Fitting.** Cyclic proportional fitting over the characteristics until every weighted
   share is within ``tolerance`` of its census share (the classic Deming-Stephan IPF; with
   complete answers it is exactly what ``ipfn`` computes on the cross-tabulation).
   It works on the distinct answer patterns (a few hundred at most in practice) rather
   than on every participant.
4. **Trimming.** Weights are capped to ``[trim_low, trim_high] x mean``, the margins are
   re-raked, and this repeats until the weights stay inside the caps, stop moving (the
   margins cannot be met inside the caps), or ``max_trim_rounds`` is reached. The last
   step is always a rake, so the margins hold; ``caps_respected`` says whether the caps
   do too.
5. **Effective sample size.** Kish's n_eff = (sum w)^2 / sum w^2 tells the panel how many
   equally weighted people the weighted participants are "worth".
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from pb.equalities.characteristics import CHARACTERISTICS, RAKE_LEVELS, row_layout, thin_merges
from pb.equalities.messages import N_
from pb.equalities.responses import Responses

TOO_FEW = N_("Too few answers in at least one group to weight by this characteristic, even "
             "with its groups merged.")
NO_CENSUS = N_("No census figures for this characteristic in this ward.")


class RakingError(ValueError):
    """The margins cannot be fitted (e.g. a category with residents has no participants)."""


@dataclass(frozen=True)
class RakeSettings:
    min_category_count: int = 20
    trim_low: float | None = 0.2  # None: do not trim
    trim_high: float | None = 5.0
    tolerance: float = 1e-10
    max_iterations: int = 2000
    max_trim_rounds: int = 50


DEFAULT_SETTINGS = RakeSettings()


@dataclass(frozen=True)
class RakeResult:
    weights: np.ndarray  # one per participant, mean 1
    used: tuple[str, ...]  # characteristics raked on
    skipped: dict[str, str] = field(default_factory=dict)  # key -> reason (msgid)
    levels: dict = field(default_factory=dict)  # key -> the groups (RowSpecs) weighted on
    converged: bool = True
    iterations: int = 0
    trim_rounds: int = 0
    caps_respected: bool = True
    plan: "RakePlan | None" = field(default=None, repr=False)

    @property
    def effective_sample_size(self) -> float:
        return kish_effective_sample_size(self.weights)

    @property
    def weight_range(self) -> tuple[float, float]:
        """Smallest and largest weight (the mean is 1)."""
        if len(self.weights) == 0:
            return (1.0, 1.0)
        return float(self.weights.min()), float(self.weights.max())

    @property
    def design_effect(self) -> float:
        n_eff = self.effective_sample_size
        return len(self.weights) / n_eff if n_eff else float("nan")


def kish_effective_sample_size(weights) -> float:
    w = np.asarray(weights, dtype=float)
    squares = float(np.dot(w, w))
    return float(w.sum()) ** 2 / squares if squares else 0.0


def rake_cells(
    patterns: np.ndarray,
    counts: np.ndarray,
    targets: list[np.ndarray],
    weights: np.ndarray | None = None,
    tolerance: float = 1e-10,
    max_iterations: int = 2000,
) -> tuple[np.ndarray, int, bool]:
    """IPF over distinct answer patterns.

    ``patterns`` is (cells, characteristics) of category indices (-1 = no answer),
    ``counts`` the participants per pattern, ``targets[j]`` the census shares of column j
    (summing to 1). Returns the per-person weight of each pattern, the sweeps made and
    whether it converged.
    """
    weights = np.ones(len(counts)) if weights is None else weights.astype(float).copy()
    # per column: the answering cells, their categories and sizes (fixed across sweeps)
    plan = []
    for j, target in enumerate(targets):
        cells = np.flatnonzero(patterns[:, j] >= 0)
        plan.append((cells, patterns[cells, j], counts[cells], target, target > 0))
    for iteration in range(1, max_iterations + 1):
        worst = 0.0
        for cells, column, sizes, target, wanted_any in plan:
            w = weights[cells]
            current = np.bincount(column, weights=sizes * w, minlength=len(target))
            total = current.sum()
            if np.any((current == 0) & wanted_any):
                raise RakingError("a category with residents has no participants")
            worst = max(worst, float(np.abs(current / total - target).max()))
            factors = np.divide(target * total, current, out=np.zeros_like(target),
                                where=current > 0)
            weights[cells] = w * factors[column]
        if worst < tolerance:
            return weights, iteration, True
    return weights, max_iterations, False


def rake(
    responses: Responses,
    margins: Mapping[str, Mapping[str, float]],
    settings: RakeSettings = DEFAULT_SETTINGS,
) -> RakeResult:
    """Weights making ``responses`` match the census ``margins`` (from ``census_margins``)."""
    n = len(responses)
    used, skipped, columns, targets, recode, levels = [], {}, [], [], [], {}
    for index, ch in enumerate(CHARACTERISTICS):
        margin = margins.get(ch.key)
        if not ch.raked:
            skipped[ch.key] = ch.not_raked
            continue
        if not margin or sum(margin.values()) <= 0:
            skipped[ch.key] = NO_CENSUS
            continue
        answered = np.bincount(responses.codes[:, index] + 1, minlength=len(ch.categories) + 1)
        per_category = dict(zip(ch.category_keys, answered[1:].tolist(), strict=True))
        candidates = [row_layout(ch, thin_merges(ch, per_category, settings.min_category_count))]
        candidates += list(RAKE_LEVELS.get(ch.key, ()))
        for layout in candidates:
            census = np.array([sum(margin.get(k, 0) for k in row.members) for row in layout],
                              float)
            rows = np.array([sum(per_category[k] for k in row.members) for row in layout])
            if not np.any(rows[census > 0] < settings.min_category_count):
                break
        else:
            skipped[ch.key] = TOO_FEW
            continue
        levels[ch.key] = tuple(layout)
        # category index -> row index; answers in census-empty rows count as "no answer"
        to_row = np.full(len(ch.categories) + 1, -1)
        for r, row in enumerate(layout):
            if census[r] > 0:
                for k in row.members:
                    to_row[ch.category_keys.index(k) + 1] = r
        used.append(ch.key)
        columns.append(index)
        targets.append(census / census.sum())
        recode.append(to_row)
    if not used or n == 0:
        return RakeResult(np.ones(n), (), skipped, levels)

    codes = np.column_stack([to_row[responses.codes[:, i] + 1]
                             for i, to_row in zip(columns, recode, strict=True)])
    patterns, inverse, counts = np.unique(codes, axis=0, return_inverse=True, return_counts=True)
    inverse = inverse.reshape(-1)
    counts = counts.astype(float)
    cell_w, iterations, rounds, converged, within = fit(patterns, counts, targets, settings)
    return RakeResult(cell_w[inverse], tuple(used), skipped, levels, converged, iterations, rounds,
                      within, plan=RakePlan(codes, targets))


@dataclass(frozen=True)
class RakePlan:
    """What a rake fitted: each participant's recoded answers and the census targets, so
    a bootstrap can refit resamples to the same groups."""

    codes: np.ndarray  # participants x used characteristics, group index or -1
    targets: list


def fit(patterns, counts, targets, settings: RakeSettings = DEFAULT_SETTINGS, start=None):
    """Rake and trim per distinct pattern: (weights, sweeps, trim rounds, converged,
    caps respected); weights have mean 1 over ``counts``. ``start``: initial weights (a
    warm start, e.g. the full sample's for a bootstrap resample)."""
    cell_w, iterations, converged = rake_cells(
        patterns, counts, targets, start, settings.tolerance, settings.max_iterations)
    rounds, within = 0, True
    if settings.trim_low is not None or settings.trim_high is not None:
        low = settings.trim_low if settings.trim_low is not None else 0.0
        high = settings.trim_high if settings.trim_high is not None else np.inf
        slack = 1e-6  # caps hold to one part in a million
        within = _within(cell_w, counts, low, high, slack)
        while not within and rounds < settings.max_trim_rounds:
            rounds += 1
            previous = cell_w
            mean = np.dot(cell_w, counts) / counts.sum()
            cell_w = np.clip(cell_w, low * mean, high * mean)
            cell_w *= counts.sum() / np.dot(cell_w, counts)
            cell_w, more, converged = rake_cells(
                patterns, counts, targets, cell_w, settings.tolerance, settings.max_iterations)
            iterations += more
            within = _within(cell_w, counts, low, high, slack)
            if np.max(np.abs(cell_w - previous)) < 1e-9:
                break  # the margins pull the weights straight back: the caps cannot hold
            if not within and rounds < settings.max_trim_rounds:
                # alternating projections creep up on the caps; stepping as far again
                # (over-relaxation) roughly halves the rounds and the margins are re-raked
                cell_w = np.maximum(cell_w + (cell_w - previous), 1e-12)
    cell_w *= counts.sum() / np.dot(cell_w, counts)  # mean exactly 1
    return cell_w, iterations, rounds, converged, within


def _within(cell_w, counts, low, high, slack) -> bool:
    mean = np.dot(cell_w, counts) / counts.sum()
    return bool(np.all(cell_w >= low * mean * (1 - slack))
                and np.all(cell_w <= high * mean * (1 + slack)))


def fit_many(patterns, counts, targets, settings: RakeSettings = DEFAULT_SETTINGS, start=None):
    """``fit`` for many samples of the same patterns at once (a bootstrap's resamples):
    ``counts`` is (samples x patterns), a pattern absent from a sample has count 0 and
    is ignored. Each sample goes through exactly the steps ``fit`` takes for it alone
    (the same sweeps, trim rounds and stopping rules), with the arithmetic done for all
    samples together. Returns (weights per sample and pattern, failed): a failed sample is
    one ``fit`` would have raised ``RakingError`` for; its weights are meaningless."""
    counts = np.asarray(counts, dtype=float)
    samples, cells = counts.shape
    weights = np.ones((samples, cells)) if start is None else np.tile(
        np.asarray(start, dtype=float), (samples, 1))
    failed = np.zeros(samples, dtype=bool)
    present = counts > 0
    columns = []
    for j, target in enumerate(targets):
        answering = np.flatnonzero(patterns[:, j] >= 0)
        category = patterns[answering, j]
        columns.append((answering, category, target, target > 0))

    def rake_rows(rows, w):
        """Rake ``w`` (for samples ``rows``) until each converges; marks failures."""
        size = counts[rows]
        active = np.arange(len(rows))
        for _ in range(settings.max_iterations):
            if not len(active):
                break
            worst = np.zeros(len(active))
            broken = np.zeros(len(active), dtype=bool)
            sub, sub_size = w[active], size[active]
            rows_ = len(active)
            for answering, category, target, wanted in columns:
                cw = sub[:, answering]
                k = len(target)  # per sample and category: a flat bincount, one pass
                flat = (np.arange(rows_)[:, None] * k + category).ravel()
                current = np.bincount(flat, weights=(sub_size[:, answering] * cw).ravel(),
                                      minlength=rows_ * k).reshape(rows_, k)
                total = current.sum(axis=1)
                broken |= np.any((current == 0) & wanted, axis=1)
                with np.errstate(divide="ignore", invalid="ignore"):
                    worst = np.maximum(worst, np.abs(current / total[:, None] - target)
                                       .max(axis=1))
                    factors = np.where(current > 0, target * total[:, None] / current, 0.0)
                sub[:, answering] = cw * factors[:, category]
            w[active] = sub
            failed[rows[active[broken]]] = True
            active = active[~broken & ~(worst < settings.tolerance)]
        return w

    every = np.arange(samples)
    weights = rake_rows(every, weights)
    if settings.trim_low is not None or settings.trim_high is not None:
        low = settings.trim_low if settings.trim_low is not None else 0.0
        high = settings.trim_high if settings.trim_high is not None else np.inf
        slack = 1e-6

        def within(w, c, p):
            mean = (w * c).sum(axis=1) / c.sum(axis=1)
            return (np.all((w >= (low * mean * (1 - slack))[:, None]) | ~p, axis=1)
                    & np.all((w <= (high * mean * (1 + slack))[:, None]) | ~p, axis=1))

        rounds = np.zeros(samples, dtype=int)
        active = every[~failed & ~within(weights, counts, present)]
        while len(active) and settings.max_trim_rounds > 0:
            rounds[active] += 1
            c, p = counts[active], present[active]
            previous = weights[active]
            mean = (previous * c).sum(axis=1) / c.sum(axis=1)
            w = np.clip(previous, (low * mean)[:, None], (high * mean)[:, None])
            w *= (c.sum(axis=1) / (w * c).sum(axis=1))[:, None]
            w = rake_rows(active, w)
            inside = within(w, c, p)
            still = np.max(np.where(p, np.abs(w - previous), 0.0), axis=1) < 1e-9
            more = ~inside & ~still & (rounds[active] < settings.max_trim_rounds)
            w[more] = np.maximum(w[more] + (w[more] - previous[more]), 1e-12)
            weights[active] = w
            active = active[more & ~failed[active]]
    weights *= (counts.sum(axis=1) / np.maximum((weights * counts).sum(axis=1), 1e-300))[:, None]
    return weights, failed

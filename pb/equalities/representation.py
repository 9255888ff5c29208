"""How far a round's participants look like the ward, characteristic by characteristic.

For each category: participants' count and share (of those who answered), the census
share, and the **representation ratio** = participant share / census share.

The ratio's 95% interval is the **Wilson score interval** for the participant share,
divided by the census share. The census share is treated as fixed: it is a full count of
thousands of residents (perturbed by a few people at most), so its uncertainty is tiny next
to that of a few hundred participants. Participants are not a random sample, so read the
interval as "could a random draw of this many residents have produced a share this far
off?", not as a survey margin of error. Wilson is used because it behaves at small counts
and at shares near 0 or 1, where the plain (Wald) interval does not.

The whole characteristic gets a **chi-square goodness-of-fit test** (``scipy.stats.chisquare``,
expected counts = census shares x participants who answered) with **Cohen's w** =
sqrt(chi2 / n) as the effect size (0.1 small, 0.3 medium, 0.5 large). Categories with no
residents in the census are left out of the test. The test is marked unreliable when an
expected count is below 5.

Thin categories may be shown merged with a neighbour (see ``characteristics.Merge``); a
merged row is compared with the same merge of the census.

Each row also gets an **exact binomial test** of its count against the census share
(``scipy.stats.binomtest``, two-sided). A report makes some 25 such comparisons, so a row is
**statistically clear** only after **Holm's correction** across the whole report
(``holm``): the chance that a perfectly representative vote raises even one flag is then
at most 5% whatever the correlation between rows. We chose Holm over Benjamini-Hochberg
because the panel reads each flag as a claim about a group, and a false claim about a
group costs the same whether or not other flags are true: Holm bounds the chance of *any*
false flag (family-wise error), Benjamini-Hochberg only the expected share of false ones.

A row is **flagged** when it is statistically clear *and* its ratio is outside the panel's
band (by default below 0.8 or above 1.25: large enough to matter), and at least
``min_base`` people answered. Every figure is computed from **exact counts**; only what is
displayed is rounded (``report``).

Each flag says "of those who answered" and carries a **sensitivity bound**: whether the flag
would still hold if every non-answerer were in the group (for an under-representation) or
none of them were (for an over-representation).

``summarise`` gives the per-characteristic **representativeness summary**: participation
per 1,000 residents by group, the lowest rate over the highest (1 = everyone took part
alike), and an R-indicator R = 1 - 2 S(rate / highest rate), S the census-weighted
standard deviation (Schouten, Cobben and Bethlehem 2009, on relative rates so that a low
turnout does not make every vote look representative), with 95% percentile intervals from
a seeded parametric bootstrap of the answered counts.

Non-response (no answer, "Prefer not to say") is its own row: never in the shares, the
tests or the flags.
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from pb.equalities.characteristics import (
    NON_RESPONSE,
    NON_RESPONSE_LABEL,
    Characteristic,
    RowSpec,
    row_layout,
)
from pb.equalities.messages import N_

UNDER = N_("%(group)s are under-represented: %(voters)s%% of voters who answered, "
           "%(residents)s%% of residents")
OVER = N_("%(group)s are over-represented: %(voters)s%% of voters who answered, "
          "%(residents)s%% of residents")
UNDER_HOUSEHOLDS = N_("%(group)s are under-represented: %(voters)s%% of voters who answered, "
                      "%(residents)s%% of households")
OVER_HOUSEHOLDS = N_("%(group)s are over-represented: %(voters)s%% of voters who answered, "
                     "%(residents)s%% of households")
STILL_UNDER = N_("Even if every voter who did not answer were in this group, it would still "
                 "be under-represented.")
MAYBE_NOT_UNDER = N_("If most voters who did not answer were in this group, it might not be "
                     "under-represented.")
STILL_OVER = N_("Even if no voter who did not answer were in this group, it would still be "
                "over-represented.")
MAYBE_NOT_OVER = N_("If no voter who did not answer were in this group, it might not be "
                    "over-represented.")


@dataclass(frozen=True)
class FlagPolicy:
    """The panel's threshold: flag ratios outside [low, high] whose interval excludes 1."""

    low: float = 0.8
    high: float = 1.25
    confidence: float = 0.95
    min_base: int = 30  # no flags for a characteristic fewer people than this answered

    @property
    def alpha(self) -> float:
        return 1 - self.confidence

    @property
    def z(self) -> float:
        from scipy import stats  # here: a count or a page that shows no report never loads SciPy

        return float(stats.norm.ppf(0.5 + self.confidence / 2))


DEFAULT_POLICY = FlagPolicy()


@dataclass(frozen=True)
class Flag:
    characteristic: str
    category: str
    direction: str  # "under" or "over"
    msgid: str
    params: dict  # params["group"] is itself a msgid: translate it before interpolating
    ratio: float
    p_adjusted: float = 0.0
    sensitivity: str = ""  # msgid: would it hold whatever the non-answerers are?
    robust: bool = True


@dataclass(frozen=True)
class Row:
    key: str  # a category key, or a merged row's key
    label: str  # msgid
    group: str  # msgid: the people in the row, as a sentence subject
    count: int | None  # None when withheld by disclosure control
    share: float | None  # of participants who answered, 0..1
    census_count: int
    census_share: float | None
    ratio: float | None
    ratio_low: float | None
    ratio_high: float | None
    exact: int | None = None  # the exact count, for inference only: never displayed
    p_value: float | None = None  # exact binomial test against the census share
    p_adjusted: float | None = None  # Holm-adjusted across the report
    combined: bool = False  # a row beside the split (e.g. all Black people), not a category

    @property
    def interval_excludes_one(self) -> bool:
        return self.ratio_low is not None and (self.ratio_high < 1 or self.ratio_low > 1)


@dataclass(frozen=True)
class ChiSquare:
    statistic: float
    p_value: float
    dof: int
    cohens_w: float
    n: int
    min_expected: float

    @property
    def reliable(self) -> bool:
        return self.min_expected >= 5


@dataclass(frozen=True)
class RepresentationTable:
    characteristic: Characteristic
    rows: list[Row]
    non_response: int | None
    total: int | None  # everyone who took part
    base: int | None  # the share denominator: those who answered
    test: ChiSquare | None
    flags: list[Flag] = field(default_factory=list)
    exact_base: int | None = None  # exact answered count, for inference only
    exact_non_response: int | None = None

    def row(self, key: str) -> Row:
        for row in self.rows:
            if row.key == key:
                return row
        raise KeyError(key)

    @property
    def non_response_label(self) -> str:
        return NON_RESPONSE_LABEL


def wilson_interval(count: float, n: float, z: float = 1.959963984540054) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion count/n."""
    if n <= 0:
        raise ValueError("n must be positive")
    p = count / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z / denominator * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def chi_square(observed: Mapping[str, int], census: Mapping[str, int]) -> ChiSquare | None:
    """Goodness of fit of observed category counts to census shares; None if untestable."""
    keys = [k for k in observed if census.get(k, 0) > 0]
    n = sum(observed[k] for k in keys)
    census_total = sum(census[k] for k in keys)
    if len(keys) < 2 or n == 0:
        return None
    f_obs = [observed[k] for k in keys]
    f_exp = [n * census[k] / census_total for k in keys]
    from scipy import stats

    result = stats.chisquare(f_obs, f_exp)
    statistic = float(result.statistic)
    return ChiSquare(statistic=statistic, p_value=float(result.pvalue), dof=len(keys) - 1,
                     cohens_w=math.sqrt(statistic / n), n=n, min_expected=min(f_exp))


def percent(share: float) -> str:
    """A share as whole percent for a flag's wording ("less than 1" is left to the edge)."""
    return f"{100 * share:.0f}"


def binomial_p(count: int, n: int, share: float) -> float:
    """Two-sided exact binomial test of count/n against ``share``."""
    if n <= 0 or not 0 < share < 1:
        return 1.0
    from scipy import stats

    return float(stats.binomtest(int(count), int(n), share).pvalue)


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm's step-down adjusted p-values (in the input's order)."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted, running = [1.0] * m, 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p_values[i]))
        adjusted[i] = running
    return adjusted


def represent(
    characteristic: Characteristic,
    counts: Mapping[str, int],
    census: Mapping[str, int],
    policy: FlagPolicy = DEFAULT_POLICY,
    total: int | None = None,
    layout: Sequence[RowSpec] | None = None,
    *,
    shown: Mapping[str, int | None] | None = None,
    shown_total: int | None = None,
    combined: Sequence[RowSpec] = (),
    adjust: bool = True,
) -> RepresentationTable:
    """The representation table for one characteristic, computed on exact counts.

    ``counts`` maps each row key (and each category key a ``combined`` row sums) and
    NON_RESPONSE to its **exact** count; ``census`` the same keys to census counts.
    ``shown`` maps row keys and NON_RESPONSE to what may be displayed (rounded, or None
    where withheld), ``shown_total`` the displayed total; by default the exact counts are
    shown. A withheld row gets no share, ratio, test or flag; a chi-square test is made
    only when no row is withheld. ``total`` is everyone who took part (defaults to the
    sum). ``adjust``: Holm within this table (a report adjusts across all its tables
    instead, with ``adjust_flags``).
    """
    layout = row_layout(characteristic) if layout is None else tuple(layout)
    keys = [row.key for row in layout]
    non_response = counts.get(NON_RESPONSE, 0) or 0
    if any(counts.get(k) is None for k in keys):
        raise ValueError("represent needs exact counts")
    if total is None:
        total = sum(counts[k] for k in keys) + non_response
    base = total - non_response
    if shown is None:
        shown, shown_total = dict(counts), total
    census_total = sum(census.get(k, 0) for k in keys)
    z = policy.z

    rows = []
    specs = [(spec, False) for spec in layout] + [
        (c, True) for c in combined if all(m in counts for m in c.members)]
    for spec, is_combined in specs:
        if is_combined:
            count = sum(counts[m] for m in spec.members)
            census_count = sum(census.get(m, 0) for m in spec.members)
            display = _sum_shown(shown, spec.members, keys)
        else:
            count = counts[spec.key]
            census_count = census.get(spec.key, 0)
            display = shown.get(spec.key)
        census_share = census_count / census_total if census_total else None
        share = ratio = low = high = p = None
        if display is not None and base > 0:
            share = count / base
            if census_share:
                ratio = share / census_share
                p_low, p_high = wilson_interval(count, base, z)
                low, high = p_low / census_share, p_high / census_share
                p = binomial_p(count, base, census_share)
        rows.append(Row(spec.key, spec.label, spec.group, display, share, census_count,
                        census_share, ratio, low, high, exact=count, p_value=p,
                        combined=is_combined))

    test = None
    if all(shown.get(k) is not None for k in keys) and base > 0:
        test = chi_square({k: counts[k] for k in keys}, census)
    shown_nr = shown.get(NON_RESPONSE, non_response)
    shown_base = None if shown_total is None or shown_nr is None else shown_total - shown_nr
    table = RepresentationTable(characteristic, rows, shown_nr, shown_total, shown_base,
                                test, [], exact_base=base, exact_non_response=non_response)
    if adjust:
        (table,) = adjust_flags([table], policy)
    return table


def _sum_shown(shown, members, keys):
    """A combined row is shown when every member row is (or the members are one shown row)."""
    parts = [shown.get(m) for m in members if m in keys]
    if len(parts) != len(members) or None in parts:
        return None
    return sum(parts)


def adjust_flags(tables: Sequence[RepresentationTable],
                 policy: FlagPolicy = DEFAULT_POLICY) -> list[RepresentationTable]:
    """Holm across every tested row of every table, then the flags."""
    tested = [(t, r) for t, table in enumerate(tables) for r, row in enumerate(table.rows)
              if row.p_value is not None]
    adjusted = holm([tables[t].rows[r].p_value for t, r in tested])
    new_rows = [list(table.rows) for table in tables]
    for (t, r), p in zip(tested, adjusted, strict=True):
        new_rows[t][r] = replace(new_rows[t][r], p_adjusted=p)
    out = []
    for table, rows in zip(tables, new_rows, strict=True):
        table = replace(table, rows=rows)
        flags = [f for row in rows if (f := _flag(table, row, policy)) is not None]
        out.append(replace(table, flags=flags))
    return out


def _flag(table: RepresentationTable, row: Row, policy: FlagPolicy) -> Flag | None:
    characteristic = table.characteristic
    base = table.exact_base or 0
    if row.ratio is None or row.p_adjusted is None or base < policy.min_base:
        return None
    if row.p_adjusted >= policy.alpha:
        return None
    households = characteristic.counts_households
    nr = table.exact_non_response or 0
    everyone = base + nr
    if row.ratio < policy.low:
        direction, msgid = "under", UNDER_HOUSEHOLDS if households else UNDER
        best = (row.exact + nr) / everyone / row.census_share  # every non-answerer in it
        robust = best < policy.low
        sensitivity = STILL_UNDER if robust else MAYBE_NOT_UNDER
    elif row.ratio > policy.high:
        direction, msgid = "over", OVER_HOUSEHOLDS if households else OVER
        least = row.exact / everyone / row.census_share  # no non-answerer in it
        robust = least > policy.high
        sensitivity = STILL_OVER if robust else MAYBE_NOT_OVER
    else:
        return None
    params = {"group": row.group, "voters": percent(row.share),
              "residents": percent(row.census_share)}
    return Flag(characteristic.key, row.key, direction, msgid, params, row.ratio,
                row.p_adjusted, sensitivity, robust)


# -- the representativeness summary ----------------------------------------------------

@dataclass(frozen=True)
class Summary:
    """How evenly each group took part (relative rates; see the module docstring)."""

    rates: list[tuple[str, str, float]]  # (key, group msgid, voters per 1,000 residents)
    lowest_over_highest: float
    lowest_over_highest_interval: tuple[float, float]
    r_indicator: float
    r_indicator_interval: tuple[float, float]
    pooled_withheld: bool  # withheld rows were pooled into one group
    per: str = "residents"  # or "households"


def _scores(counts: np.ndarray, census: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(lowest/highest, R) for each row of ``counts`` (draws x groups)."""
    rates = counts / census
    top = rates.max(axis=-1, keepdims=True)
    relative = np.divide(rates, top, out=np.zeros_like(rates), where=top > 0)
    pi = census / census.sum()
    mean = (relative * pi).sum(axis=-1, keepdims=True)
    spread = np.sqrt(((relative - mean) ** 2 * pi).sum(axis=-1))
    return relative.min(axis=-1), 1 - 2 * spread


def summarise(table: RepresentationTable, participants: int, seed: int = 0,
              draws: int = 200, confidence: float = 0.95) -> Summary | None:
    """The summary for a table; withheld rows are pooled into one group (their sum is
    public anyway: the total less the shown rows). None when fewer than two groups."""
    groups, pooled_count, pooled_census = [], 0, 0
    for row in table.rows:
        if row.combined or not row.census_count:
            continue
        if row.count is None:
            pooled_count += row.exact or 0
            pooled_census += row.census_count
        else:
            groups.append((row.key, row.group, row.exact, row.census_count))
    if pooled_census:
        groups.append(("withheld", "", pooled_count, pooled_census))
    base = sum(g[2] for g in groups)
    if len(groups) < 2 or base <= 0:
        return None
    counts = np.array([g[2] for g in groups], float)
    census = np.array([g[3] for g in groups], float)
    scale = participants / base  # non-answerers taken to be like answerers
    low, r = _scores(counts[None, :], census)
    rng = np.random.default_rng(seed)
    sample = rng.multinomial(int(base), counts / base, size=draws).astype(float)
    lows, rs = _scores(sample, census)
    tail = 100 * (1 - confidence) / 2

    def interval(values):
        return float(np.percentile(values, tail)), float(np.percentile(values, 100 - tail))

    rates = [(g[0], g[1], 1000 * g[2] * scale / g[3]) for g in groups]
    return Summary(rates, float(low[0]), interval(lows), float(r[0]), interval(rs),
                   bool(pooled_census),
                   "households" if table.characteristic.counts_households else "residents")


__all__ = [
    "FlagPolicy", "DEFAULT_POLICY", "Flag", "Row", "ChiSquare", "RepresentationTable", "wilson_interval",
    "chi_square", "represent", "percent", "NON_RESPONSE", "holm", "adjust_flags", "summarise",
    "Summary", "binomial_p",
]

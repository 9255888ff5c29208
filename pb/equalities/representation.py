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

A row is **flagged** when its ratio is outside the panel's band (by default below 0.8
or above 1.25) *and* its interval excludes 1, and at least ``min_base`` people answered.

Non-response (no answer, "Prefer not to say") is its own row: never in the shares, the
tests or the flags.
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from scipy import stats

from pb.equalities.characteristics import (
    NON_RESPONSE,
    NON_RESPONSE_LABEL,
    Characteristic,
    RowSpec,
    row_layout,
)
from pb.equalities.messages import N_

UNDER = N_("%(group)s are under-represented: %(voters)s%% of voters, %(residents)s%% of residents")
OVER = N_("%(group)s are over-represented: %(voters)s%% of voters, %(residents)s%% of residents")
UNDER_HOUSEHOLDS = N_("%(group)s are under-represented: %(voters)s%% of voters, "
                      "%(residents)s%% of households")
OVER_HOUSEHOLDS = N_("%(group)s are over-represented: %(voters)s%% of voters, "
                     "%(residents)s%% of households")


@dataclass(frozen=True)
class FlagPolicy:
    """The panel's threshold: flag ratios outside [low, high] whose interval excludes 1."""

    low: float = 0.8
    high: float = 1.25
    confidence: float = 0.95
    min_base: int = 30  # no flags for a characteristic fewer people than this answered

    @property
    def z(self) -> float:
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
    result = stats.chisquare(f_obs, f_exp)
    statistic = float(result.statistic)
    return ChiSquare(statistic=statistic, p_value=float(result.pvalue), dof=len(keys) - 1,
                     cohens_w=math.sqrt(statistic / n), n=n, min_expected=min(f_exp))


def percent(share: float) -> str:
    """A share as whole percent for a flag's wording ("less than 1" is left to the edge)."""
    return f"{100 * share:.0f}"


def represent(
    characteristic: Characteristic,
    counts: Mapping[str, int | None],
    census: Mapping[str, int],
    policy: FlagPolicy = DEFAULT_POLICY,
    total: int | None = None,
    layout: Sequence[RowSpec] | None = None,
) -> RepresentationTable:
    """The representation table for one characteristic.

    ``counts`` maps each row key and NON_RESPONSE to a count, or None where disclosure
    control withheld it; ``census`` maps row keys to census counts. Rows are the
    characteristic's categories unless a ``layout`` (with merged rows) is given.
    ``total`` is everyone who took part (defaults to the sum of ``counts``). The share
    base is ``total - non-response``; if non-response is withheld the base is ``total``
    (disclosure control withholds it only when it is small).
    """
    layout = row_layout(characteristic) if layout is None else tuple(layout)
    keys = [row.key for row in layout]
    non_response = counts.get(NON_RESPONSE, 0)
    if total is None:
        if any(counts.get(k) is None for k in keys) or non_response is None:
            raise ValueError("total is needed when counts are withheld")
        total = sum(counts[k] for k in keys) + non_response
    base = total - non_response if non_response is not None else total
    census_total = sum(census.get(k, 0) for k in keys)
    z = policy.z

    rows, flags = [], []
    for spec in layout:
        count = counts.get(spec.key)
        census_count = census.get(spec.key, 0)
        census_share = census_count / census_total if census_total else None
        share = ratio = low = high = None
        if count is not None and base > 0:
            share = count / base
            if census_share:
                ratio = share / census_share
                p_low, p_high = wilson_interval(count, base, z)
                low, high = p_low / census_share, p_high / census_share
        row = Row(spec.key, spec.label, spec.group, count, share, census_count, census_share,
                  ratio, low, high)
        rows.append(row)
        flag = _flag(characteristic, row, base, policy)
        if flag is not None:
            flags.append(flag)

    test = None
    if all(counts.get(k) is not None for k in keys):
        test = chi_square({k: counts[k] for k in keys}, census)
    return RepresentationTable(characteristic, rows, non_response, total, base, test, flags)


def _flag(characteristic, row: Row, base: int, policy: FlagPolicy) -> Flag | None:
    if row.ratio is None or base < policy.min_base or not row.interval_excludes_one:
        return None
    if row.ratio < policy.low and row.ratio_high < 1:
        direction = "under"
        msgid = UNDER_HOUSEHOLDS if characteristic.counts_households else UNDER
    elif row.ratio > policy.high and row.ratio_low > 1:
        direction = "over"
        msgid = OVER_HOUSEHOLDS if characteristic.counts_households else OVER
    else:
        return None
    params = {"group": row.group, "voters": percent(row.share),
              "residents": percent(row.census_share)}
    return Flag(characteristic.key, row.key, direction, msgid, params, row.ratio)


__all__ = [
    "FlagPolicy", "DEFAULT_POLICY", "Flag", "Row", "ChiSquare", "RepresentationTable", "wilson_interval",
    "chi_square", "represent", "percent", "NON_RESPONSE",
]

"""Live figures during voting that leak no one: release points and their audit.

During voting the equalities report, its CSV and the "who's missing" page change only at
**release points**. A new release is made only when all of these hold (``ReleaseRule``):

1. **At least 50 new participants** since the last release (``min_new``). A difference
   between two releases then describes a group of at least 50 people, never a person:
   someone who knows one voter took part between the two releases cannot tell which of
   the 50 or more changes is theirs. 50 is also where the outreach page starts listing
   groups, and at Lambeth's ward sizes (a few hundred to a few thousand voters) it gives a
   handful of releases a round.
2. **At least one day** since the last release (``min_gap``). Staff can see *when* a
   person voted (the roll) and a resident may tell a councillor; a day's batch hides the
   moment, and a daily rhythm is what outreach workers plan by.
3. **No characteristic's new answers all alike**: for each question, at least 3 of the new
   participants gave an answer other than the commonest new one (``min_diverse``).
   Otherwise "every new voter since yesterday is disabled" would be true of the one voter
   someone knows.
4. **The audit passes** (``audit``): treating every shown count and total as exactly
   known (shares and ratios reveal them) and the answers as only ever growing, an integer
   program finds, for every withheld or merged cell of the two releases, the smallest and
   largest value consistent with both; and for each answer, the fewest new participants
   that could have given it. The release is refused if any cell under 10 could be pinned
   to one value or shown to be under 10, or if the new participants could only all have
   given one answer. A refused release is simply not made: the last one stays up.

Suppression within a release is ``disclosure.protect`` (under 10 withheld, with
complementary cells), merged rows are chosen from public figures only
(``report.public_merges``), so a merged row says nothing about its parts.

After voting closes the mixed ballots are published (choices only, never answers): the
audit's totals are exact turnout, which is what that file and the roll reveal.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from pb.equalities.characteristics import CHARACTERISTICS, NON_RESPONSE, Characteristic
from pb.equalities.disclosure import THRESHOLD
from pb.equalities.messages import N_
from pb.equalities.representation import RepresentationTable

RULE_TEXT = N_("While voting is open these figures change only at release points: at least "
               "one day and at least 50 new voters after the last release, and only when no "
               "question's new answers are all alike. A difference between two releases "
               "therefore describes a group of at least 50 people, never one person. Before "
               "each release we check that no figure under 10, and no one person's answer, "
               "can be worked out by comparing it with the previous release.")


@dataclass(frozen=True)
class ReleaseRule:
    min_new: int = 50
    min_gap: timedelta = timedelta(days=1)
    min_diverse: int = 3


DEFAULT_RULE = ReleaseRule()

Counts = Mapping[str, Mapping[str, int]]  # characteristic -> category/NON_RESPONSE -> count


def snapshot(responses) -> dict[str, dict[str, int]]:
    """Exact counts per characteristic from a ``Responses`` matrix."""
    return {ch.key: responses.counts(ch) for ch in CHARACTERISTICS}


def _keys(ch: Characteristic) -> list[str]:
    return [*ch.category_keys, NON_RESPONSE]


def due(rule: ReleaseRule, previous: Counts | None, previous_total: int,
        previous_at: datetime | None, current: Counts, current_total: int,
        now: datetime) -> bool:
    """Whether the rule allows a release now (before its audit)."""
    if previous is None:
        return current_total >= rule.min_new
    if current_total - previous_total < rule.min_new:
        return False
    if previous_at is not None and now - previous_at < rule.min_gap:
        return False
    for ch in CHARACTERISTICS:
        if ch.key not in current:
            continue
        new = [current[ch.key].get(k, 0) - previous.get(ch.key, {}).get(k, 0) for k in _keys(ch)]
        if sum(new) - max(new) < rule.min_diverse:
            return False
    return True


@dataclass(frozen=True)
class Published:
    """What one release shows of one characteristic: each shown row's members and exact
    count (shares reveal it), and the exact total."""

    rows: tuple[tuple[tuple[str, ...], int], ...]
    total: int


def published_view(table: RepresentationTable) -> Published:
    ch = table.characteristic
    members = {m.key: (m.small, m.into) for m in ch.merges}
    rows = []
    for row in table.rows:
        if row.count is None or row.combined:
            continue
        parts = (row.key,) if row.key in ch.category_keys else tuple(
            k for k in ch.category_keys if k in members.get(row.key, ()))
        rows.append((parts, int(row.exact)))
    if table.non_response is not None:
        rows.append(((NON_RESPONSE,), int(table.exact_non_response)))
    total = int((table.exact_base or 0) + (table.exact_non_response or 0))
    return Published(tuple(rows), total)


def _solve(c, a_eq, b_eq, a_ub, b_ub, n):
    from scipy.optimize import Bounds, LinearConstraint, milp  # here: only a release audit needs it

    constraints = []
    if len(a_eq):
        constraints.append(LinearConstraint(np.array(a_eq), np.array(b_eq), np.array(b_eq)))
    if len(a_ub):
        constraints.append(LinearConstraint(np.array(a_ub), -np.inf, np.array(b_ub)))
    result = milp(c, constraints=constraints, integrality=np.ones(n),
                  bounds=Bounds(np.zeros(n), np.full(n, np.inf)))
    return None if result.status != 0 else round(result.fun)


def audit(ch: Characteristic, before: Published | None, after: Published,
          truth_before: Mapping[str, int] | None, truth_after: Mapping[str, int],
          threshold: int = THRESHOLD) -> list[str]:
    """What an attacker could deduce from two consecutive releases of one characteristic
    (or one release alone, ``before=None``). Empty when nothing forbidden is deducible."""
    keys = _keys(ch)
    k = len(keys)
    releases = [r for r in (before, after) if r is not None]
    truths = [t for t in (truth_before, truth_after) if t is not None][-len(releases):]
    n = k * len(releases)
    a_eq, b_eq, a_ub, b_ub = [], [], [], []
    for t, release in enumerate(releases):
        row = np.zeros(n)
        row[t * k:(t + 1) * k] = 1
        a_eq.append(row)
        b_eq.append(release.total)
        for members, value in release.rows:
            row = np.zeros(n)
            for m in members:
                row[t * k + keys.index(m)] = 1
            a_eq.append(row)
            b_eq.append(value)
    if len(releases) == 2:
        for i in range(k):  # answers only grow: before <= after
            row = np.zeros(n)
            row[i], row[k + i] = 1, -1
            a_ub.append(row)
            b_ub.append(0)
    problems = []
    for t, (release, truth) in enumerate(zip(releases, truths, strict=True)):
        exact = {members[0] for members, _ in release.rows if len(members) == 1}
        for i, key in enumerate(keys):
            if key in exact or truth.get(key, 0) >= threshold:
                continue
            c = np.zeros(n)
            c[t * k + i] = 1
            low = _solve(c, a_eq, b_eq, a_ub, b_ub, n)
            high = _solve(-c, a_eq, b_eq, a_ub, b_ub, n)
            if low is None or high is None:
                problems.append(f"{ch.key}: releases inconsistent")
                continue
            high = -high
            if high < threshold or low == high:
                problems.append(f"{ch.key}.{key} in release {t + 1}: {low}..{high}")
    if len(releases) == 2:
        new = after.total - before.total
        for i, key in enumerate(keys):
            c = np.zeros(n)
            c[k + i], c[i] = 1, -1  # the fewest new answers of this kind
            fewest = _solve(c, a_eq, b_eq, a_ub, b_ub, n)
            if new > 0 and fewest is not None and fewest >= new:
                problems.append(f"{ch.key}: every new participant answered {key}")
    return problems


def audit_release(before: Sequence[RepresentationTable] | None,
                  after: Sequence[RepresentationTable],
                  truth_before: Counts | None, truth_after: Counts) -> list[str]:
    """``audit`` for every characteristic of a candidate release against the last one."""
    problems = []
    previous = {t.characteristic.key: t for t in before or ()}
    for table in after:
        ch = table.characteristic
        old = previous.get(ch.key)
        problems += audit(ch, published_view(old) if old is not None else None,
                          published_view(table),
                          truth_before.get(ch.key) if truth_before else None,
                          truth_after[ch.key])
    return problems


def withhold(table: RepresentationTable, key: str) -> RepresentationTable:
    """The table with one more row withheld (and everything derived from it)."""
    from dataclasses import replace

    rows = []
    for row in table.rows:
        hide = row.key == key or (row.combined and key in _members_of(table, row))
        rows.append(replace(row, count=None, share=None, ratio=None, ratio_low=None,
                            ratio_high=None, p_value=None, p_adjusted=None) if hide else row)
    flags = [f for f in table.flags if any(r.key == f.category and r.count is not None
                                           for r in rows)]
    return replace(table, rows=rows, flags=flags, test=None)


def _members_of(table, row):
    from pb.equalities.characteristics import COMBINED_ROWS

    for spec in COMBINED_ROWS.get(table.characteristic.key, ()):
        if spec.key == row.key:
            return spec.members
    return ()


def harden(before: Sequence[RepresentationTable] | None, after: Sequence[RepresentationTable],
           truth_before: Counts | None, truth_after: Counts) -> list[RepresentationTable]:
    """``after`` with more rows withheld, smallest first, in every characteristic whose
    comparison with ``before`` lets anything forbidden be deduced, until none does (with
    every row withheld only the totals, which turnout gives anyway, remain)."""
    previous = {t.characteristic.key: t for t in before or ()}
    out = []
    for table in after:
        ch = table.characteristic
        old = previous.get(ch.key)
        while audit(ch, published_view(old) if old is not None else None,
                    published_view(table),
                    truth_before.get(ch.key) if truth_before else None, truth_after[ch.key]):
            shown = [r for r in table.rows if r.count is not None and not r.combined]
            if shown:
                table = withhold(table, min(shown, key=lambda r: r.exact).key)
            elif table.non_response is not None:
                from dataclasses import replace
                table = replace(table, non_response=None, base=None)
            else:
                break
        out.append(table)
    return out

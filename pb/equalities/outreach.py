"""Who's missing so far: for outreach workers during voting.

Works on the *published* representation tables only (after disclosure control), so it
can be shown to anyone who may see the report. Groups are listed when:

- at least ``min_base`` people in the ward have answered the question (default 50), and
- the group would have at least ``min_expected`` participants if participants matched
  the census (default 10), so that a low ratio is not just noise over a tiny group.

Shown groups are sorted by representation ratio, lowest first. Groups whose counts are
withheld (too few to show, or withheld to protect another cell) are listed apart, in the
question's order, without figures: saying which of them is smallest would give it away.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from pb.equalities.representation import RepresentationTable


@dataclass(frozen=True)
class MissingGroup:
    characteristic: str
    category: str
    group: str  # msgid, e.g. "People aged 16 to 24"
    ratio: float | None
    participants_share: float | None
    residents_share: float


@dataclass(frozen=True)
class Outreach:
    under_represented: list[MissingGroup]  # lowest ratio first
    withheld: list[MissingGroup]  # figures withheld; no order implied


def missing_groups(
    tables: Iterable[RepresentationTable],
    limit: int = 5,
    below: float = 1.0,
    min_base: int = 50,
    min_expected: float = 10,
) -> Outreach:
    shown, withheld = [], []
    for table in tables:
        if table.base is None or table.base < min_base:
            continue
        ch = table.characteristic
        for row in table.rows:
            if not row.census_share or row.census_share * table.base < min_expected:
                continue
            group = MissingGroup(ch.key, row.key, row.group, row.ratio, row.share,
                                 row.census_share)
            if row.count is None:
                withheld.append(group)
            elif row.ratio is not None and row.ratio < below:
                shown.append(group)
    shown.sort(key=lambda g: (g.ratio, g.characteristic, g.category))
    return Outreach(shown[:limit], withheld)

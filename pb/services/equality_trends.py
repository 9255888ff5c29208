"""Trends across rounds in a ward, for the equalities panel (issue 14).

For each round that ran in a ward, oldest first: how many voted, how many answered each
equality question, the representativeness summary per characteristic (lowest turnout over
highest, and the R-indicator, each with its 95% interval), which groups were flagged, and
"would the result change?". Between consecutive rounds, each characteristic gets a
direction of change in words, only when the R-indicator's intervals do not overlap.

**Disclosure rule.** The trend makes no figure of its own from ballots or answers. Every
figure it shows is taken from the report the panel can already read for that round
(``pb.services.equalities.heading_report``, the same cached object):

- a round whose voting has closed: its final report, which is itself checked against the
  round's last live release (nothing under 10 and no one's answer can be worked out by
  comparing the two);
- the round whose voting is open: its **last release point** only, never live figures (a
  round with no release yet shows none);
- rounds still taking proposals or not yet open: not listed.

The only figure computed here is each question's response rate, and it is computed from the
two *published* (rounded) figures it divides, never from exact counts, so it adds nothing.
Changes between rounds are never shown as numbers, only as a direction in words decided by
the published intervals. So comparing two rounds on this page reveals nothing that comparing
the two rounds' own reports would not; and each of those reports shows no count under 10 and
rounds every count to 5.

Nothing here translates: the page translates the keys.
"""

from dataclasses import dataclass, field

from sqlalchemy import select

from pb.equalities.representation import Flag, Summary
from pb.models import Heading, Round, Ward, db
from pb.models.equalities import EqualitiesRelease
from pb.services.equalities import age_range, heading_report, latest_release
from pb.services.errors import ServiceError
from pb.services.rounds import current_phase

# Phases in which a round has figures to show: voting (at release points), and after it.
SHOWN_PHASES = ("voting", "counting", "results", "delivery")

# How a round's figures compare with those of the previous round that had them.
CLOSER, FURTHER, CANNOT_TELL, NOT_COMPARABLE = "closer", "further", "cannot_tell", "not_comparable"


@dataclass(frozen=True)
class CharacteristicPoint:
    """One characteristic in one round, as that round's report publishes it."""

    key: str
    answered: int | None  # rounded to 5, or None where withheld
    voters: int | None  # everyone who took part, as the table shows it (rounded)
    response_rate: float | None  # answered / voters, both the published (rounded) figures
    summary: Summary | None  # None where the report shows no summary
    flags: tuple[Flag, ...] = ()
    change: str | None = None  # CLOSER, FURTHER, CANNOT_TELL, NOT_COMPARABLE; None: first
    compared_with: "RoundPoint | None" = None


@dataclass(frozen=True)
class RoundPoint:
    """One round in the ward, with the figures the panel may see for it now."""

    heading: Heading
    phase: str
    stage: str  # "final": voting has closed; "release": the last release; "none": no figures;
    # "pending": the round's report is being computed (``pending`` says so)
    release: EqualitiesRelease | None = None
    participants: int | None = None  # rounded to 5, None under 10
    verdict: str | None = None  # "yes", "no", "could_not_check"; None before the results
    resamples: int | None = None  # bootstrap resamples that could be weighted
    changed: int | None = None  # of which changed the funded set
    unweighted_flagged: tuple[str, ...] = ()
    characteristics: dict[str, CharacteristicPoint] = field(default_factory=dict)
    pending: str | None = None

    @property
    def round(self) -> Round:
        return self.heading.round

    @property
    def age_range(self) -> tuple[int | None, int | None]:
        return age_range(self.heading)

    @property
    def flagged(self) -> tuple[str, ...]:
        """Keys of the characteristics with at least one flag, in report order."""
        return tuple(k for k, c in self.characteristics.items() if c.flags)


@dataclass(frozen=True)
class WardTrend:
    ward: Ward
    points: list[RoundPoint]

    @property
    def keys(self) -> list[str]:
        """Every characteristic that any round shows, in report order."""
        seen: list[str] = []
        for point in self.points:
            seen += [k for k in point.characteristics if k not in seen]
        return seen


def ward_headings(ward: Ward) -> list[Heading]:
    """The ward's headings in published rounds that have reached voting, oldest first."""
    headings = db.session.scalars(
        select(Heading).join(Round).where(Heading.ward_id == ward.id, Round.status == "published")
        .order_by(Round.voting_from, Round.id)).all()
    return [h for h in headings if current_phase(h.round) in SHOWN_PHASES]


def _published_rate(answered: int | None, voters: int | None) -> float | None:
    if answered is None or not voters:
        return None
    return answered / voters


def _point(heading: Heading) -> RoundPoint:
    phase = current_phase(heading.round)
    live = phase == "voting" and heading.mixed_at is None
    release = latest_release(heading)
    if live and release is None:
        return RoundPoint(heading, phase, "none")
    # heading_report gives exactly the report page's figures: during voting, those of the
    # last release point; after it, the final report checked against that release.
    try:
        report = heading_report(heading)
    except ServiceError as error:  # e.g. another server is computing that report right now
        return RoundPoint(heading, phase, "pending", pending=error.message)
    items = {}
    for item in report.characteristics:
        table = item.table
        items[item.characteristic.key] = CharacteristicPoint(
            key=item.characteristic.key, answered=table.base, voters=table.total,
            response_rate=_published_rate(table.base, table.total), summary=item.summary,
            flags=tuple(table.flags))
    # Under 10 voters the report shows no figures, and the trend no verdict either: a
    # reweighting of a handful of ballots would be about those few people.
    shown = report.participants is not None
    boot = report.bootstrap if shown else None
    return RoundPoint(
        heading, phase, "release" if live else "final", release=release if live else None,
        participants=report.participants, verdict=report.verdict if shown else None,
        resamples=boot.resamples if boot else None, changed=boot.changed if boot else None,
        unweighted_flagged=tuple(report.unweighted_flagged) if shown else (),
        characteristics=items)


def direction(before: Summary, after: Summary) -> str:
    """CLOSER when the R-indicator's 95% interval lies wholly above the earlier one, FURTHER
    when wholly below, otherwise CANNOT_TELL (the two rounds cannot be told apart)."""
    low, high = after.r_indicator_interval
    before_low, before_high = before.r_indicator_interval
    if low > before_high:
        return CLOSER
    if high < before_low:
        return FURTHER
    return CANNOT_TELL


def _with_changes(points: list[RoundPoint]) -> list[RoundPoint]:
    """Each characteristic compared with the latest earlier round that has its summary."""
    from dataclasses import replace

    out: list[RoundPoint] = []
    for point in points:
        items = {}
        for key, item in point.characteristics.items():
            earlier = next((p for p in reversed(out)
                            if p.characteristics.get(key) and p.characteristics[key].summary),
                           None)
            if earlier is None or item.summary is None:
                items[key] = item
                continue
            if earlier.age_range != point.age_range:
                change = NOT_COMPARABLE  # compared with a different population
            else:
                change = direction(earlier.characteristics[key].summary, item.summary)
            items[key] = replace(item, change=change, compared_with=earlier)
        out.append(replace(point, characteristics=items))
    return out


def ward_trend(ward: Ward) -> WardTrend:
    """The ward's rounds and their released figures, oldest first (see the module's rule)."""
    return WardTrend(ward, _with_changes([_point(h) for h in ward_headings(ward)]))


def ward_by_slug(slug: str) -> Ward | None:
    return db.session.scalar(select(Ward).where(Ward.slug == slug))


def csv_rows(trend: WardTrend) -> list[dict]:
    """One row per round and characteristic (one row for a round with no figures)."""
    rows = []
    for point in trend.points:
        low_age, high_age = point.age_range
        common = {
            "ward_code": trend.ward.ons_code, "ward_name": trend.ward.name,
            "round_id": point.round.id, "round_title": point.round.title,
            "voting_from": point.round.voting_from.isoformat(),
            "figures": (point.stage if point.stage != "release"
                        else f"release {point.release.number}"),
            "released_on": (point.release.released_at.date().isoformat()
                            if point.release is not None else ""),
            "ages": f"{low_age or ''}-{high_age or ''}",
            "voters": _blank(point.participants),
            "verdict": point.verdict or "",
            "resamples_changed": _blank(point.changed), "resamples": _blank(point.resamples),
        }
        if not point.characteristics:
            rows.append({**common, **dict.fromkeys(CHARACTERISTIC_COLUMNS, "")})
            continue
        for key, item in point.characteristics.items():
            s = item.summary
            rows.append({
                **common, "characteristic": key, "answered": _blank(item.answered),
                "answered_share": _blank(item.response_rate, 2),
                "lowest_over_highest": _blank(s and s.lowest_over_highest, 2),
                "lowest_over_highest_low": _blank(s and s.lowest_over_highest_interval[0], 2),
                "lowest_over_highest_high": _blank(s and s.lowest_over_highest_interval[1], 2),
                "r_indicator": _blank(s and s.r_indicator, 2),
                "r_indicator_low": _blank(s and s.r_indicator_interval[0], 2),
                "r_indicator_high": _blank(s and s.r_indicator_interval[1], 2),
                "flags": ";".join(f"{f.direction}:{f.category}" for f in item.flags),
                "change_since_previous": item.change or "",
            })
    return rows


CHARACTERISTIC_COLUMNS = (
    "characteristic", "answered", "answered_share", "lowest_over_highest",
    "lowest_over_highest_low", "lowest_over_highest_high", "r_indicator", "r_indicator_low",
    "r_indicator_high", "flags", "change_since_previous")


def _blank(value, digits: int | None = None):
    if value is None:
        return ""
    return round(value, digits) if digits is not None else value

"""The full sectional-capture report for one round in one ward, ready to publish.

``build_report`` takes plain inputs and returns a ``CaptureReport``. Every participant
count shown has been through disclosure control (``disclosure``): rounded to 5, or
withheld with its complement. Inference (shares, ratios, intervals, tests, flags) is made
on the **exact** counts of the published rows: rounding is for display only, so it can
never create or hide a flag. A withheld row gets no figures at all. Census figures are
published data and are shown as they are.

Flags are adjusted (Holm) across the whole report, and each table carries a
representativeness summary (``representation.summarise``).

It gives templates the tables and flags, the SVG layer the participant and resident
shares per category (``CharacteristicReport.chart``), and CSV export ``to_csv_rows()``.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from pb.equalities.characteristics import (
    CHARACTERISTICS,
    COMBINED_ROWS,
    NON_RESPONSE,
    NON_RESPONSE_LABEL,
    Characteristic,
    census_margins,
    regroup,
    row_layout,
)
from pb.equalities.disclosure import THRESHOLD, protect, protect_figure, round_to_base
from pb.equalities.messages import N_
from pb.equalities.outreach import Outreach, missing_groups
from pb.equalities.raking import DEFAULT_SETTINGS, RakeSettings
from pb.equalities.representation import (
    DEFAULT_POLICY,
    Flag,
    FlagPolicy,
    RepresentationTable,
    Summary,
    adjust_flags,
    percent,
    represent,
    summarise,
)
from pb.equalities.responses import Responses
from pb.equalities.reweight import (
    COULD_NOT_CHECK,
    RESAMPLES,
    SEED,
    Bootstrap,
    ReweightResult,
    support_by_category,
    would_result_change,
)


@dataclass(frozen=True)
class CharacteristicReport:
    table: RepresentationTable  # shown counts rounded or withheld; inference exact
    summary: Summary | None = None

    @property
    def characteristic(self) -> Characteristic:
        return self.table.characteristic

    @property
    def chart(self) -> list[dict]:
        """Per category: participants' and residents' shares (0..1; None if withheld)."""
        return [{"key": r.key, "label": r.label, "participants": r.share,
                 "residents": r.census_share} for r in self.table.rows if not r.combined]


SUPPORT_FROM = N_("%(supporters)s%% of this project's supporters answered “%(answer)s”, "
                  "against %(voters)s%% of all voters")


@dataclass(frozen=True)
class ProjectBreakdown:
    """Where one project's support comes from, for one characteristic (published figures)."""

    characteristic: str
    rows: list[dict]  # key, label, supporters (count or None), supporters_share, voters_share
    non_response: int | None  # supporters who did not answer (rounded, or None if withheld)

    def sentences(self, min_gap: float = 0.0) -> list[tuple[str, dict]]:
        """(msgid, params) per row with both shares shown, biggest gap first; params["answer"]
        is a msgid to translate first. ``min_gap``: leave out rows closer than this."""
        known = [r for r in self.rows
                 if r["supporters_share"] is not None and r["voters_share"] is not None
                 and abs(r["supporters_share"] - r["voters_share"]) >= min_gap]
        known.sort(key=lambda r: -abs(r["supporters_share"] - r["voters_share"]))
        return [(SUPPORT_FROM, {"supporters": percent(r["supporters_share"]),
                                "answer": r["label"], "voters": percent(r["voters_share"])})
                for r in known]


@dataclass(frozen=True)
class ProjectReport:
    project_id: str
    name: str
    supporters: int | None  # rounded
    weighted_supporters: int | None  # rounded; None without reweighting
    funded: bool
    funded_if_reweighted: bool | None
    breakdowns: list[ProjectBreakdown]


@dataclass(frozen=True)
class WeightingSummary:
    used: tuple[str, ...]
    skipped: dict[str, str]
    levels: dict  # characteristic -> the group labels (msgids) it was weighted in
    effective_sample_size: int | None  # rounded to 5
    design_effect: float | None
    caps_respected: bool
    converged: bool


@dataclass(frozen=True)
class CaptureReport:
    ward_code: str
    ward_name: str
    participants: int | None  # rounded to 5; None if fewer than 10
    policy: FlagPolicy
    characteristics: list[CharacteristicReport]
    outreach: Outreach
    weighting: WeightingSummary | None = None
    rule: str | None = None
    result_changes: bool | None = None
    verdict: str | None = None  # "yes", "no" or "could_not_check"; None before results
    verdict_reason: str | None = None  # msgid, when it could not check
    bootstrap: Bootstrap | None = None
    unweighted_flagged: tuple[str, ...] = ()  # flagged characteristics not weighted on
    comes_in: tuple[str, ...] = ()
    drops_out: tuple[str, ...] = ()
    projects: list[ProjectReport] = field(default_factory=list)

    @property
    def flags(self) -> list[Flag]:
        return [f for c in self.characteristics for f in c.table.flags]

    def to_csv_rows(self) -> list[dict]:
        """One row per characteristic x category (non-response included), published figures."""
        rows = []
        for report in self.characteristics:
            table = report.table
            test = table.test
            flagged = {f.category: f.direction for f in table.flags}
            for r in table.rows:
                rows.append({
                    "ward_code": self.ward_code, "ward_name": self.ward_name,
                    "characteristic": table.characteristic.key, "category": r.key,
                    "label": r.label, "participants": _blank(r.count),
                    "participants_share": _blank(r.share, 4),
                    "residents": r.census_count, "residents_share": _blank(r.census_share, 4),
                    "ratio": _blank(r.ratio, 2), "ratio_low": _blank(r.ratio_low, 2),
                    "ratio_high": _blank(r.ratio_high, 2),
                    "answered": _blank(table.base),
                    "p_value_row": _blank(r.p_value, 4),
                    "p_holm": _blank(r.p_adjusted, 4),
                    "combined_row": "yes" if r.combined else "",
                    "flag": flagged.get(r.key, ""),
                    "chi_square": _blank(test and test.statistic, 2),
                    "p_value": _blank(test and test.p_value, 4),
                    "cohens_w": _blank(test and test.cohens_w, 3),
                    "census_table": table.characteristic.census_table,
                })
            rows.append({
                "ward_code": self.ward_code, "ward_name": self.ward_name,
                "characteristic": table.characteristic.key, "category": NON_RESPONSE,
                "label": NON_RESPONSE_LABEL, "participants": _blank(table.non_response),
                "participants_share": "", "residents": "", "residents_share": "",
                "ratio": "", "ratio_low": "", "ratio_high": "", "answered": _blank(table.base),
                "p_value_row": "", "p_holm": "", "combined_row": "", "flag": "",
                "chi_square": "", "p_value": "", "cohens_w": "",
                "census_table": table.characteristic.census_table,
            })
        return rows


def _blank(value, digits: int | None = None):
    if value is None:
        return ""
    return round(value, digits) if digits is not None else value


MERGE_EXPECTED = 2 * THRESHOLD


def public_merges(characteristic: Characteristic, census: Mapping[str, int], people: int):
    """The merges to show: decided from public figures only (the census and how many took
    part), never from the small category's own count, so that seeing a merged row says
    nothing about the size of its parts. A small category is merged when, if people
    matched the census, it would hold fewer than ``MERGE_EXPECTED`` (20) of them."""
    total = sum(census.get(k, 0) for k in characteristic.category_keys)
    if not total:
        return ()
    return tuple(m for m in characteristic.merges
                 if people * census.get(m.small, 0) / total < MERGE_EXPECTED)


def published_table(
    characteristic: Characteristic,
    counts: Mapping[str, int],
    census: Mapping[str, int],
    policy: FlagPolicy = DEFAULT_POLICY,
    adjust: bool = True,
) -> RepresentationTable:
    """Merge thin categories, suppress and round what is shown; infer on exact counts.

    ``adjust``: Holm within this table only (``build_report`` adjusts across the report)."""
    people = sum(counts.get(k, 0) for k in characteristic.category_keys) + counts.get(
        NON_RESPONSE, 0)
    layout = row_layout(characteristic, public_merges(characteristic, census, people))
    exact = regroup(counts, layout)
    group = protect(exact, last_resort=(NON_RESPONSE,))
    return represent(characteristic, {**counts, **exact}, {**census, **regroup(census, layout)},
                     policy, layout=layout, shown=group.shown, shown_total=group.total,
                     combined=COMBINED_ROWS.get(characteristic.key, ()), adjust=adjust)


def report_from_counts(ward_code: str, margins, counts, participants: int, *,
                       ward_name: str = "", policy: FlagPolicy = DEFAULT_POLICY,
                       seed: int = SEED) -> CaptureReport:
    """The tables, summaries and outreach from exact counts per characteristic (category
    and NON_RESPONSE -> count) and how many took part: what a live release shows."""
    tables = [published_table(ch, counts[ch.key], margins[ch.key], policy, adjust=False)
              for ch in CHARACTERISTICS if ch.key in margins and ch.key in counts]
    tables = adjust_flags(tables, policy)
    n = participants
    summaries = [summarise(t, n, seed=seed) if n >= 10 else None for t in tables]
    return CaptureReport(
        ward_code=ward_code, ward_name=ward_name,
        participants=round_to_base(n) if n >= 10 else None, policy=policy,
        characteristics=[CharacteristicReport(t, s) for t, s in zip(tables, summaries,
                                                                    strict=True)],
        outreach=missing_groups(tables),
    )


def build_report(
    ward_code: str,
    census_rows: Iterable[tuple[str, str, int]],
    answers: Sequence[Mapping[str, str | None]] | Responses,
    *,
    ward_name: str = "",
    election=None,
    rule: str = "greedy",
    official: Sequence[str] | None = None,
    policy: FlagPolicy = DEFAULT_POLICY,
    settings: RakeSettings = DEFAULT_SETTINGS,
    tie_breaking: str = "lexico",
    age_range: tuple[int | None, int | None] | None = None,
    resamples: int = RESAMPLES,
    seed: int = SEED,
) -> CaptureReport:
    """The published report for one round and ward.

    ``answers`` holds each participant's monitoring answers (characteristic key ->
    category key, "prefer_not_to_say" or missing). With an ``election`` (a ``pb.tally``
    Election whose ballots are in the same order as ``answers``) the report also says
    whether the result would change with census-matched weights (with ``resamples``
    bootstrap resamples from ``seed``), and where each project's support comes from.
    ``age_range``: the round's (youngest, oldest) voters, for the age comparator.
    """
    responses = answers if isinstance(answers, Responses) else Responses.from_answers(answers)
    margins = census_margins(census_rows, age_range)
    n = len(responses)
    counts = {ch.key: responses.counts(ch) for ch in CHARACTERISTICS}
    report = report_from_counts(ward_code, margins, counts, n, ward_name=ward_name,
                                policy=policy, seed=seed)
    tables = [c.table for c in report.characteristics]
    if election is None:
        return report
    result = would_result_change(election, responses, margins, rule, settings, tie_breaking,
                                 official, resamples=resamples, seed=seed)
    return _with_reweighting(report, election, responses, result, tables)


def _with_reweighting(report, election, responses, result: ReweightResult, tables):
    raking = result.raking
    n_eff = raking.effective_sample_size
    weighting = WeightingSummary(
        used=raking.used, skipped=dict(raking.skipped),
        levels={k: tuple(row.label for row in rows) for k, rows in raking.levels.items()
                if k in raking.used},
        effective_sample_size=protect_figure(n_eff, len(responses)),
        design_effect=round(raking.design_effect, 2) if len(responses) >= 10 else None,
        caps_respected=raking.caps_respected, converged=raking.converged,
    )
    ids = [p.id for p in election.projects]
    matrix = result.support_matrix
    by_char = {t.characteristic.key: t for t in tables}
    breakdowns: dict[str, list[ProjectBreakdown]] = {p: [] for p in ids}
    for ch in CHARACTERISTICS:
        if ch.key not in by_char:
            continue
        voters = by_char[ch.key]
        cells = support_by_category(matrix, responses, ch)
        for j, pid in enumerate(ids):
            counts = {NON_RESPONSE: int(cells[j, 0])}
            counts.update({c.key: int(cells[j, i + 1]) for i, c in enumerate(ch.categories)})
            breakdowns[pid].append(_breakdown(ch, counts, voters))
    projects = []
    for project in election.projects:
        supporters = result.support[project.id]
        projects.append(ProjectReport(
            project_id=project.id, name=project.name,
            supporters=protect_figure(supporters, supporters),
            weighted_supporters=protect_figure(result.weighted_support[project.id], supporters),
            funded=project.id in result.official,
            funded_if_reweighted=project.id in result.reweighted,
            breakdowns=breakdowns[project.id],
        ))
    flagged = {f.characteristic for f in report.flags}
    unweighted = tuple(c.characteristic.key for c in report.characteristics
                       if c.characteristic.key in flagged
                       and c.characteristic.key not in raking.used)
    return replace(report, weighting=weighting, rule=result.rule,
                   result_changes=result.changed if result.verdict != COULD_NOT_CHECK else None,
                   verdict=result.verdict, verdict_reason=result.reason,
                   bootstrap=result.bootstrap, unweighted_flagged=unweighted,
                   comes_in=result.comes_in,
                   drops_out=result.drops_out, projects=projects)


def _breakdown(ch: Characteristic, counts: dict[str, int], voters: RepresentationTable):
    """One project's supporters by category, published like the voters' table."""
    merges = {m for m in ch.merges if any(r.key == m.key for r in voters.rows)}
    layout = row_layout(ch, merges)
    group = protect(regroup(counts, layout), last_resort=(NON_RESPONSE,))
    voter_share = {r.key: r.share for r in voters.rows}
    rows = []
    base = None
    if group.total is not None:
        base = group.total - (group.shown[NON_RESPONSE] or 0)
    for spec in layout:
        shown = group.shown[spec.key]
        share = shown / base if shown is not None and base else None
        if spec.key in voter_share:
            voters_share = voter_share[spec.key]
        else:
            parts = [voter_share.get(k) for k in spec.members]
            voters_share = None if None in parts else sum(parts)
        rows.append({"key": spec.key, "label": spec.label, "supporters": shown,
                     "supporters_share": share, "voters_share": voters_share})
    return ProjectBreakdown(ch.key, rows, group.shown[NON_RESPONSE])

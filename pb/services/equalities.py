"""Equality monitoring answers and the sectional-capture report, from the database.

Use-cases for the web layer (and later for officers' assisted and paper ballot entry):

- ``record_monitoring``: a participant's optional answers, sealed in with their waiting
  ballot through the one-time token of their session (never attached to them); the
  mixer moves them with the ballot when voting closes; one transaction, once per token;
- ``heading_report``: the published report for one heading (a round in one ward) built
  by ``pb.equalities.report.build_report`` from the ballot box, the answers and the
  ward's census figures; after the results, with "would the result change?";
- ``set_threshold``: the equalities panel's flag band for a heading.

Nothing here translates: the report carries msgids for the edge to translate.
"""

import hashlib
import json
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from pb import tally
from pb.equalities import stored
from pb.equalities.census import DEFAULT_AGE_RANGE, eligible_overrides
from pb.equalities.characteristics import BY_KEY, PREFER_NOT_TO_SAY, census_margins
from pb.equalities.outreach import missing_groups
from pb.equalities.raking import RakingError
from pb.equalities.releases import DEFAULT_RULE, ReleaseRule, due, harden, snapshot, withhold
from pb.equalities.report import CaptureReport, build_report, report_from_counts
from pb.equalities.representation import DEFAULT_POLICY, FlagPolicy
from pb.equalities.responses import Responses
from pb.equalities.reweight import ReweightError
from pb.models import (
    Ballot,
    CensusFigure,
    EqualitiesSetting,
    Heading,
    MonitoringResponse,
    SealedBallot,
    db,
)
from pb.models.equalities import EqualitiesRelease, EqualitiesReport
from pb.models.people import _now
from pb.policy import can
from pb.services import ballot_box
from pb.services.census import figures_stamp
from pb.services.counting import election_for
from pb.services.errors import NotAllowed, ServiceError
from pb.services.rounds import current_phase, published

LOW_RANGE = (0.1, 0.99)  # the panel's lower threshold: flag ratios below it
HIGH_RANGE = (1.01, 10.0)  # the upper threshold: flag ratios above it


class UnknownBallot(ServiceError):
    status = 404

    def __init__(self):
        super().__init__(_l("We could not find that ballot."))


# -- monitoring answers ------------------------------------------------------------------

def clean_answers(answers: Mapping[str, str | None]) -> dict[str, str]:
    """The answered questions only; a ServiceError (field = the question) for anything else."""
    cleaned = {}
    for key, value in answers.items():
        characteristic = BY_KEY.get(key)
        if characteristic is None:
            raise ServiceError(_l("There is no such question"), field=key)
        if value is None or value == "":
            continue
        if value != PREFER_NOT_TO_SAY and value not in characteristic.category_keys:
            raise ServiceError(_l("Choose one of the answers, or leave the question blank"),
                               field=key)
        cleaned[key] = value
    return cleaned


def record_monitoring(token, answers: Mapping[str, str | None]) -> None:
    """Seal ``answers`` (question key -> answer key) in with the token's waiting ballot.

    Once: the token ends here. UnknownBallot when the token is dead (used, expired,
    signed out, or the ballot already mixed), and nothing is written.
    """
    cleaned = clean_answers(answers)
    if not ballot_box.add_answers(token, cleaned):
        raise UnknownBallot()


def questions_open(token) -> bool:
    """Whether this token can still take equality answers."""
    return ballot_box.sealed_for_token(token) is not None


# -- the report --------------------------------------------------------------------------

def age_range(heading: Heading) -> tuple[int | None, int | None]:
    """Who may vote in the heading's round: its age range, or 16 or over."""
    return heading.round.age_range or DEFAULT_AGE_RANGE


def census_rows(heading: Heading) -> list[tuple[str, str, int]]:
    """The ward's census rows, with the comparators of the population eligible to vote
    where the data allows (``pb.equalities.census.eligible_overrides``: sex in the round's
    age range, disability by the ward's best-fit LSOAs) replacing the database's."""
    figures = db.session.scalars(
        select(CensusFigure)
        .where(or_(CensusFigure.ward_id == heading.ward_id, CensusFigure.ward_id.is_(None)))
        .order_by(CensusFigure.topic, CensusFigure.position))
    rows = [(f.topic, f.category, f.count) for f in figures]
    overrides = eligible_overrides(heading.ward.ons_code, age_range(heading))
    topics = {topic for topic, _, _ in overrides}
    return [r for r in rows if r[0] not in topics] + list(overrides)


def ballots_and_answers(heading: Heading) -> tuple[list[Ballot], list[dict]]:
    """Every ballot of the heading and its answers ({} if none), in the same order."""
    rows = db.session.execute(
        select(Ballot, MonitoringResponse.answers)
        .outerjoin(MonitoringResponse, MonitoringResponse.ballot_id == Ballot.id)
        .where(Ballot.heading_id == heading.id)
        .order_by(Ballot.id)).all()
    return [b for b, _ in rows], [json.loads(a) if a else {} for _, a in rows]


def flag_policy(heading: Heading) -> FlagPolicy:
    setting = threshold_of(heading)
    return DEFAULT_POLICY if setting is None else FlagPolicy(low=setting.low, high=setting.high)


def threshold_of(heading: Heading) -> EqualitiesSetting | None:
    return db.session.scalar(select(EqualitiesSetting).where(
        EqualitiesSetting.heading_id == heading.id))


def results_published(heading: Heading) -> bool:
    return published(heading)


def phase_of(heading: Heading) -> str:
    return current_phase(heading.round)


def _election(heading: Heading, ballots: list[Ballot]) -> tally.Election:
    """The heading's election with its ballots in ``ballots`` order (that of the answers)."""
    base = election_for(heading)
    return tally.Election(base.budget, base.projects,
                          [tally.Ballot(json.loads(b.choices)) for b in ballots],
                          base.rules, dict(base.meta))


# Reports are stored artefacts (table ``equalities_reports``): computed once per set of
# inputs, by whichever server asks first (or by ``flask pb equalities-reports`` when a
# release point is reached), and read back by every server. The key is a digest of
# everything a report depends on: during voting the release it shows; after the mix the
# mixed box (when, how many ballots and answers), the result, whether it is published, and
# the last live release (the final report is hardened against it); always the panel's band,
# the round's age range, the ward's census rows and the report format. Once mixed the
# ballots and answers never change. A bounded dict per process keeps decoded reports warm,
# served only while the database holds the row they were read from (one indexed query).
_CACHE: dict = {}
_CACHE_SIZE = 64
CLAIM_STALE = timedelta(minutes=15)  # a claim older than this was abandoned: take it over


class ReportPending(ServiceError):
    """Another server is computing this report right now."""

    status = 200

    def __init__(self):
        super().__init__(_l("This report is being prepared. Please try again in a minute."))


def _census_stamp(heading: Heading) -> str:
    return figures_stamp(heading.ward_id, with_borough=True)


def _digest(parts) -> str:
    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()


def _common_key(heading: Heading) -> list:
    policy = flag_policy(heading)
    return [stored.FORMAT, heading.id, policy.low, policy.high, list(age_range(heading)),
            _census_stamp(heading)]


def _release_key(heading: Heading, release: EqualitiesRelease) -> str:
    return _digest(["release", release.id, *_common_key(heading)])


def _cache_key(heading: Heading, with_result: bool) -> str:
    ballots = db.session.scalar(select(func.count()).select_from(Ballot).where(
        Ballot.heading_id == heading.id))
    answers = db.session.scalar(select(func.count()).select_from(MonitoringResponse).where(
        MonitoringResponse.heading_id == heading.id))
    release = latest_release(heading)
    result = heading.result if with_result else None
    shown = with_result and result is not None and results_published(heading)
    return _digest(["final", heading.mixed_at, ballots, answers, getattr(result, "id", None),
                    getattr(result, "selected", None), shown,
                    getattr(release, "id", None), *_common_key(heading)])


def _remember(key: str, row: tuple, report: CaptureReport) -> CaptureReport:
    """Keep the decoded report, with the stored row it came from (id, finished_at): it is
    served again only while the database still holds that very row."""
    if len(_CACHE) >= _CACHE_SIZE:
        _CACHE.pop(next(iter(_CACHE)))
    _CACHE[key] = (row, report)
    return report


def _claim(heading: Heading, key: str) -> bool:
    """Claim the right to compute this report: one insert, made by one server only. A claim
    left unfinished for ``CLAIM_STALE`` (its server died) is taken over, by one server only.
    Commits."""
    now = _now()
    try:
        db.session.add(EqualitiesReport(heading_id=heading.id, key=key, started_at=now))
        db.session.commit()
        return True
    except IntegrityError:
        db.session.rollback()
    except BaseException:
        db.session.rollback()
        raise
    try:
        taken = db.session.execute(
            update(EqualitiesReport)
            .where(EqualitiesReport.heading_id == heading.id, EqualitiesReport.key == key,
                   EqualitiesReport.body.is_(None),
                   EqualitiesReport.started_at < now - CLAIM_STALE)
            .values(started_at=now)).rowcount
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return taken == 1


def _stored(heading: Heading, key: str, build) -> CaptureReport:
    """The report stored under ``key``; computed (by ``build``) and stored if it is not
    there yet and no other server is computing it; ``ReportPending`` if one is."""
    heading_id = heading.id
    where = (EqualitiesReport.heading_id == heading_id, EqualitiesReport.key == key,
             EqualitiesReport.body.is_not(None))
    row = db.session.execute(select(EqualitiesReport.id, EqualitiesReport.finished_at)
                             .where(*where)).first()
    if row is not None:  # stored: this process may already hold it decoded
        held = _CACHE.get(key)
        if held is not None and held[0] == tuple(row):
            return held[1]
        body = db.session.scalar(select(EqualitiesReport.body).where(*where))
        return _remember(key, tuple(row), stored.loads(body))
    if not _claim(heading, key):
        raise ReportPending()
    try:
        report = build()
        text = stored.dumps(report)
    except BaseException:
        db.session.rollback()
        db.session.execute(delete(EqualitiesReport).where(
            EqualitiesReport.heading_id == heading_id, EqualitiesReport.key == key,
            EqualitiesReport.body.is_(None)))
        db.session.commit()
        raise
    finished = _now()
    try:
        db.session.execute(update(EqualitiesReport).where(
            EqualitiesReport.heading_id == heading_id, EqualitiesReport.key == key)
            .values(body=text, finished_at=finished))
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    row = db.session.execute(select(EqualitiesReport.id, EqualitiesReport.finished_at)
                             .where(*where)).first()
    # what every other server will read: the report as stored, not the one in hand
    return _remember(key, tuple(row), stored.loads(text))


# -- live releases during voting ---------------------------------------------------------

def latest_release(heading: Heading) -> EqualitiesRelease | None:
    return db.session.scalar(select(EqualitiesRelease).where(
        EqualitiesRelease.heading_id == heading.id).order_by(EqualitiesRelease.number.desc())
        .limit(1))


def _release_report(heading: Heading, release: EqualitiesRelease) -> CaptureReport:
    data = json.loads(release.counts)
    margins = census_margins(census_rows(heading), age_range(heading))
    report = report_from_counts(heading.ward.ons_code, margins, data["counts"],
                                release.participants, ward_name=heading.ward.name,
                                policy=flag_policy(heading))
    items = []
    for item in report.characteristics:
        table = item.table
        for key in data["withheld"].get(table.characteristic.key, ()):
            table = withhold(table, key) if key != "non_response" else replace(
                table, non_response=None, base=None)
        items.append(replace(item, table=table,
                             summary=item.summary if table == item.table else None))
    tables = [i.table for i in items]
    return replace(report, characteristics=items, outreach=missing_groups(tables))


def refresh_release(heading: Heading, now: datetime | None = None,
                    rule: ReleaseRule = DEFAULT_RULE) -> EqualitiesRelease | None:
    """During voting: make the next release if one is due (``pb.equalities.releases``),
    and return the latest. Opens the ward's sealed ballots only to count their answers
    (no id, order or time is kept: the release holds aggregate counts). One transaction."""
    now = now or _now()
    last = latest_release(heading)
    if current_phase(heading.round) != "voting" or heading.mixed_at is not None:
        return last
    if last is not None and now - last.released_at < rule.min_gap:
        return last
    seen = last.participants if last is not None else 0
    if ballot_box.waiting(heading) - seen < rule.min_new:
        return last
    rows = db.session.execute(select(SealedBallot.id, SealedBallot.sealed).where(
        SealedBallot.heading_id == heading.id)).all()
    answers = [ballot_box.unseal(r.id, heading.id, r.sealed).get("answers") or {} for r in rows]
    del rows
    counts = snapshot(Responses.from_answers(answers))
    n = len(answers)
    previous = json.loads(last.counts) if last is not None else None
    if not due(rule, previous and previous["counts"], seen,
               last.released_at if last is not None else None, counts, n, now):
        return last
    margins = census_margins(census_rows(heading), age_range(heading))
    candidate = report_from_counts(heading.ward.ons_code, margins, counts, n)
    before = _release_report(heading, last) if last is not None else None
    hardened = harden([c.table for c in before.characteristics] if before else None,
                      [c.table for c in candidate.characteristics],
                      previous and previous["counts"], counts)
    withheld = {}
    for old, new in zip(candidate.characteristics, hardened, strict=True):
        extra = [r.key for r, s in zip(old.table.rows, new.rows, strict=True)
                 if r.count is not None and s.count is None and not r.combined]
        if old.table.non_response is not None and new.non_response is None:
            extra.append("non_response")
        if extra:
            withheld[new.characteristic.key] = extra
    release = EqualitiesRelease(heading_id=heading.id,
                                number=(last.number if last is not None else 0) + 1,
                                participants=n, released_at=now,
                                counts=json.dumps({"counts": counts, "withheld": withheld},
                                                  sort_keys=True))
    try:
        db.session.add(release)
        db.session.commit()
    except IntegrityError:  # another request made this release first
        db.session.rollback()
        return latest_release(heading)
    except BaseException:
        db.session.rollback()
        raise
    return release


def heading_report(heading: Heading, *, with_result: bool = True) -> CaptureReport:
    """The published report; with the reweighted rerun once the results are out. During
    voting, the latest live release's figures (``refresh_release``), if any. Computed once
    per set of inputs and stored (see ``_stored``); ``ReportPending`` while another server
    computes it."""
    if current_phase(heading.round) == "voting" and heading.mixed_at is None:
        release = latest_release(heading)
        if release is None:
            return build_report(heading.ward.ons_code, census_rows(heading), [],
                                ward_name=heading.ward.name, policy=flag_policy(heading))
        return _stored(heading, _release_key(heading, release),
                       lambda: _release_report(heading, release))
    return _stored(heading, _cache_key(heading, with_result),
                   lambda: _build(heading, with_result))


def _key_of(heading: Heading, with_result: bool) -> str | None:
    """The stored report's key for ``heading_report`` (None: nothing to store)."""
    if current_phase(heading.round) == "voting" and heading.mixed_at is None:
        release = latest_release(heading)
        return None if release is None else _release_key(heading, release)
    return _cache_key(heading, with_result)


def prepare_reports(headings) -> int:
    """Compute and store the reports of ``headings`` not stored yet (with the result and
    without), e.g. from ``flask pb equalities-reports`` when release points or results are
    reached, so that no page view waits for one. Returns how many were computed here; a
    report another server is computing is left to it."""
    made = 0
    for heading in headings:
        for with_result in (True, False):
            key = _key_of(heading, with_result)
            # a claim without a body is left to heading_report: a fresh one is another
            # server's (ReportPending), an abandoned one (CLAIM_STALE) is taken over here
            if key is None or db.session.scalar(select(EqualitiesReport.id).where(
                    EqualitiesReport.heading_id == heading.id, EqualitiesReport.key == key,
                    EqualitiesReport.body.is_not(None))):
                continue
            try:
                heading_report(heading, with_result=with_result)
            except ReportPending:
                continue
            made += 1
    return made


def prepare_due_reports(now: datetime | None = None) -> int:
    """For a scheduled job: make every release point that is due during voting, then
    compute and store every report not stored yet (rounds voting or mixed). Returns how
    many reports were computed."""
    headings = db.session.scalars(select(Heading).order_by(Heading.id)).all()
    due_now = []
    for heading in headings:
        if current_phase(heading.round) == "voting" and heading.mixed_at is None:
            refresh_release(heading, now=now)
            due_now.append(heading)
        elif heading.mixed_at is not None:
            due_now.append(heading)
    return prepare_reports(due_now)


def _build(heading: Heading, with_result: bool) -> CaptureReport:
    """The report from the mixed ballots, hardened against the last live release so that
    comparing the two reveals no cell under 10 and no one's answer."""
    ballots, answers = ballots_and_answers(heading)
    report = _build_plain(heading, with_result, ballots, answers)
    release = latest_release(heading)
    if release is None or not answers:
        return report
    before = _release_report(heading, release)
    truth = snapshot(Responses.from_answers(answers))
    tables = harden([c.table for c in before.characteristics],
                    [c.table for c in report.characteristics],
                    json.loads(release.counts)["counts"], truth)
    items = [replace(item, table=table, summary=item.summary if table == item.table else None)
             for item, table in zip(report.characteristics, tables, strict=True)]
    return replace(report, characteristics=items, outreach=missing_groups(tables))


def _build_plain(heading: Heading, with_result: bool, ballots, answers) -> CaptureReport:
    common = dict(ward_name=heading.ward.name, policy=flag_policy(heading),
                  age_range=age_range(heading))
    rows = census_rows(heading)
    code = heading.ward.ons_code
    if with_result and ballots and results_published(heading):
        result = heading.result
        try:
            return build_report(code, rows, answers, election=_election(heading, ballots),
                                rule=result.rule,
                                official=[str(p) for p in json.loads(result.selected)],
                                **common)
        except (RakingError, ReweightError):
            pass  # the tables still stand; the rerun is left out
    return build_report(code, rows, answers, **common)


# -- the panel's threshold ---------------------------------------------------------------

def set_threshold(person, heading: Heading, low: float, high: float) -> EqualitiesSetting:
    """The panel sets the flag band for a heading; one transaction."""
    if not can(person, "set_equalities_threshold", heading):
        raise NotAllowed(_l("Only the equalities panel can change the thresholds."))
    if not LOW_RANGE[0] <= low <= LOW_RANGE[1]:
        raise ServiceError(_l("The lower threshold must be between 0.1 and 0.99"), field="low")
    if not HIGH_RANGE[0] <= high <= HIGH_RANGE[1]:
        raise ServiceError(_l("The upper threshold must be between 1.01 and 10"), field="high")
    setting = threshold_of(heading) or EqualitiesSetting(heading_id=heading.id)
    setting.low, setting.high, setting.updated_by_id = low, high, person.id
    try:
        db.session.add(setting)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return setting

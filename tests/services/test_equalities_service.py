"""Equality monitoring answers and the report built from the database.

``seed_heading`` (also used by the page and browser tests) makes a round in one ward
with synthetic ballots and monitoring answers drawn from the ward's census, skewed
towards older home owners (``pb.equalities.simulate``)."""

import json
import secrets
from datetime import date, timedelta

import numpy as np
import pytest
from sqlalchemy import func, select

from pb import tally
from pb.equalities.census import ward_census_rows
from pb.equalities.characteristics import census_margins
from pb.equalities.simulate import OLDER_OWNERS, PROJECTS, Tilt, draw_answers, draw_choices
from pb.models import (
    Ballot,
    EqualitiesSetting,
    Heading,
    MonitoringResponse,
    Person,
    Proposal,
    Result,
    Round,
    Ward,
    db,
)
from pb.services.counting import election_for
from pb.services.equalities import (
    UnknownBallot,
    heading_report,
    record_monitoring,
    set_threshold,
)
from pb.services.errors import NotAllowed, ServiceError

# days from today on which each phase starts
PHASE_OFFSETS = {
    "voting": (-40, -30, -5, 5, 10, 30),
    "results": (-40, -30, -20, -10, -1, 30),
}


def _dates(phase: str) -> dict:
    names = ("proposals_from", "review_from", "voting_from", "counting_from", "results_from",
             "delivery_from")
    today = date.today()
    return {name: today + timedelta(days=d) for name, d in zip(names, PHASE_OFFSETS[phase],
                                                                strict=True)}


def _ballot(heading: Heading, choices) -> Ballot:
    ballot = Ballot(id=secrets.token_hex(16), heading_id=heading.id,
                    choices=json.dumps(choices, sort_keys=True),
                    receipt_hash=secrets.token_hex(32))
    db.session.add(ballot)
    return ballot


def _count(heading: Heading) -> None:
    outcome = tally.count(election_for(heading), rule=heading.round.rule)
    db.session.add(Result(heading=heading, rule=heading.round.rule,
                          ballots_counted=len(heading_ballots(heading)),
                          selected=json.dumps(outcome.selected), outcome="{}", pabulib="",
                          ballots_sha256="0" * 64))


def heading_ballots(heading: Heading) -> list[Ballot]:
    return list(db.session.scalars(select(Ballot).where(Ballot.heading_id == heading.id)))


def seed_heading(ward_slug: str = "brixton-acre-lane", n: int = 400, tilt: Tilt = OLDER_OWNERS,
                 phase: str = "results", answered: float = 0.9, seed: int = 7) -> int:
    """A round in ``phase`` with ``n`` ballots; ``answered`` of them with monitoring answers.
    After results, the heading is counted. Returns the heading's id."""
    ward = db.session.scalar(select(Ward).where(Ward.slug == ward_slug))
    round_ = Round(title="Ward Budgets 2026", description="", ballot_type="approval", status="published",
                   rule="greedy", **_dates(phase))
    heading = Heading(round=round_, ward=ward, budget=60_000)
    ids = {}
    for name, cost in PROJECTS.items():
        proposal = Proposal(heading=heading, title=name.replace("-", " ").capitalize(),
                            summary=name, description=name, category="other",
                            rough_cost=cost, status="accepted")
        db.session.add(proposal)
        ids[name] = proposal
    db.session.flush()
    rng = np.random.default_rng(seed)
    answers = draw_answers(census_margins(ward_census_rows(ward.ons_code)), n, rng, tilt)
    for answer, choices in zip(answers, draw_choices(answers, rng), strict=True):
        ballot = _ballot(heading, [ids[c].project_id for c in choices])
        if rng.random() < answered:
            db.session.add(MonitoringResponse(ballot_id=ballot.id, heading_id=heading.id,
                                              answers=json.dumps(answer)))
    db.session.flush()
    if phase in ("results", "delivery"):
        _count(heading)
    db.session.commit()
    return heading.id


def one_cast() -> tuple[str, Round]:
    """A resident casts a real ballot in a voting round; returns their one-time token."""
    from pb.services import voting
    from tests.factories import add_projects, make_round, resident

    round_ = make_round("voting")
    heading = round_.headings[0]
    project = add_projects(heading, [3000])[0]
    cast = voting.cast_ballot(resident("Ada", "stockwell-east"), heading, [project.project_id])
    return cast.token, round_


def mixed_answers() -> list[dict]:
    return [json.loads(a) for a in db.session.scalars(select(MonitoringResponse.answers))]


def recorded_answers() -> list[dict]:
    """Every answer recorded so far: sealed with a waiting ballot, or mixed."""
    from pb.models import SealedBallot
    from pb.services.ballot_box import unseal

    sealed = [unseal(r.id, r.heading_id, r.sealed).get("answers")
              for r in db.session.scalars(select(SealedBallot))]
    return mixed_answers() + [a for a in sealed if a]


# -- recording answers -------------------------------------------------------------------

def test_answers_are_sealed_with_the_ballot_and_reach_it_at_the_mix(ctx):
    from tests.factories import close_and_mix

    token, round_ = one_cast()
    record_monitoring(token, {"age": "25_34", "sex": "prefer_not_to_say", "tenure": None,
                              "disability": ""})
    assert mixed_answers() == []  # sealed until voting closes
    close_and_mix(round_)
    stored = db.session.scalars(select(MonitoringResponse)).one()
    assert json.loads(stored.answers) == {"age": "25_34", "sex": "prefer_not_to_say"}
    assert stored.heading_id == db.session.get(Ballot, stored.ballot_id).heading_id


def test_the_token_is_single_use(ctx):
    from tests.factories import close_and_mix

    token, round_ = one_cast()
    record_monitoring(token, {"age": "25_34"})
    with pytest.raises(UnknownBallot):
        record_monitoring(token, {"age": "35_49"})
    close_and_mix(round_)
    assert mixed_answers() == [{"age": "25_34"}]


def test_an_expired_or_ended_token_takes_no_answers(ctx):
    from pb.models import SealedBallot
    from pb.services import ballot_box
    from pb.services.equalities import questions_open

    token, _ = one_cast()
    assert questions_open(token)
    row = db.session.scalars(select(SealedBallot)).one()
    row.token_expires_at = row.token_expires_at - timedelta(minutes=31)
    db.session.commit()
    assert not questions_open(token)
    with pytest.raises(UnknownBallot):
        record_monitoring(token, {"age": "25_34"})
    ballot_box.end_token(token)
    assert db.session.scalars(select(SealedBallot)).one().token_hash is None


@pytest.mark.parametrize("answers, field", [
    ({"age": "25_34", "sex": "other"}, "sex"),
    ({"age": "ninety"}, "age"),
    ({"age": "25_34", "shoe_size": "9"}, "shoe_size"),
])
def test_a_bad_answer_is_rejected_with_nothing_written(ctx, answers, field):
    from pb.services.equalities import questions_open

    token, _ = one_cast()
    with pytest.raises(ServiceError) as error:
        record_monitoring(token, answers)
    assert error.value.field == field
    assert questions_open(token)  # the token still works for a corrected answer


@pytest.mark.parametrize("token", ["no-such-token", "", None, 12, "x" * 5000])
def test_answers_for_an_unknown_token_are_refused(ctx, token):
    with pytest.raises(UnknownBallot):
        record_monitoring(token, {"age": "25_34"})


# -- the report --------------------------------------------------------------------------

def _all_counts(report) -> list[int]:
    counts = [report.participants]
    for item in report.characteristics:
        counts += [row.count for row in item.table.rows] + [item.table.non_response]
    for project in report.projects:
        counts += [project.supporters, project.weighted_supporters]
    return [c for c in counts if c is not None]


def test_a_skewed_round_is_flagged_and_every_count_is_protected(ctx):
    heading = db.session.get(Heading, seed_heading(n=600))
    report = heading_report(heading)
    flags = {(f.characteristic, f.category, f.direction) for f in report.flags}
    assert ("age", "16_24", "under") in flags and ("tenure", "own", "over") in flags
    assert report.participants == 600
    counts = _all_counts(report)
    assert counts and all(c >= 10 and c % 5 == 0 for c in counts)
    # non-response: the unanswered ballots and "prefer not to say"
    age = report.characteristics[0].table
    assert age.non_response >= 50


def test_after_results_the_report_says_whether_the_result_would_change(ctx):
    heading = db.session.get(Heading, seed_heading(n=600))
    report = heading_report(heading)
    assert report.result_changes is not None and report.weighting is not None
    titles = {p.project_id: p.name for p in report.projects}
    assert set(titles) == {p.project_id for p in heading.proposals}
    funded = {p.project_id for p in report.projects if p.funded}
    assert funded == set(json.loads(heading.result.selected))
    assert report.rule == "greedy"


def test_during_voting_there_is_no_rerun_and_small_groups_are_withheld(ctx):
    heading = db.session.get(Heading, seed_heading(n=60, phase="voting", tilt=Tilt()))
    report = heading_report(heading)
    assert report.result_changes is None and report.projects == []
    withheld = [row for item in report.characteristics for row in item.table.rows
                if row.count is None]
    assert withheld  # with 60 voters some groups are under 10
    assert all(row.share is None and row.ratio is None for row in withheld)
    assert all(c >= 10 and c % 5 == 0 for c in _all_counts(report))


def test_fewer_than_ten_voters_show_nothing(ctx):
    heading = db.session.get(Heading, seed_heading(n=8, phase="voting"))
    report = heading_report(heading)
    assert report.participants is None
    assert all(row.count is None for item in report.characteristics for row in item.table.rows)


def test_the_panel_sets_the_threshold_and_the_flags_follow(ctx, demo):
    heading = db.session.get(Heading, seed_heading(n=600))
    panel = db.session.scalar(select(Person).where(Person.email == demo["panel"]))
    before = len(heading_report(heading).flags)
    set_threshold(panel, heading, 0.2, 5.0)
    assert len(heading_report(heading).flags) < before
    setting = db.session.scalar(select(EqualitiesSetting))
    assert (setting.low, setting.high, setting.updated_by_id) == (0.2, 5.0, panel.id)


def test_only_the_panel_sets_the_threshold(ctx, demo):
    heading = db.session.get(Heading, seed_heading(n=0))
    officer = db.session.scalar(select(Person).where(Person.email == demo["officer"]))
    with pytest.raises(NotAllowed):
        set_threshold(officer, heading, 0.5, 2.0)
    panel = db.session.scalar(select(Person).where(Person.email == demo["panel"]))
    with pytest.raises(ServiceError) as error:
        set_threshold(panel, heading, 1.5, 2.0)
    assert error.value.field == "low"
    assert db.session.scalar(select(func.count(EqualitiesSetting.id))) == 0


# -- live releases during voting ----------------------------------------------------------

def test_live_figures_change_only_at_release_points(app):
    """55 real casts with answers make release 1; 10 more the next day make none (under 50
    new); the report during voting is built from release 1 and never from the ballots."""
    from pb.models.people import _now
    from pb.services import ballot_box, voting
    from pb.services.equalities import heading_report, latest_release, refresh_release
    from tests.factories import add_projects, make_round, resident

    with app.app_context():
        heading = make_round("voting", wards=("brixton-acre-lane",)).headings[0]
        project = add_projects(heading, [3000])[0]
        margins = census_margins(ward_census_rows(heading.ward.ons_code))
        answers = draw_answers(margins, 65, np.random.default_rng(4))

        def cast(n):
            for _ in range(n):
                person = resident(f"Live {cast.count}", "brixton-acre-lane")
                cast.count += 1
                done = voting.cast_ballot(person, heading, [project.project_id])
                assert ballot_box.add_answers(done.token, answers[cast.count - 1])
        cast.count = 0

        cast(40)
        assert refresh_release(heading) is None  # fewer than 50 voters: nothing yet
        cast(15)
        first = refresh_release(heading)
        assert first.number == 1 and first.participants == 55
        report = heading_report(heading)
        assert report.participants == 55
        stored = json.loads(first.counts)
        assert set(stored) == {"counts", "withheld"}  # aggregate counts, nothing per person
        cast(10)
        later = _now() + timedelta(days=2)
        assert refresh_release(heading, now=later).number == 1  # 10 new: no release
        assert heading_report(heading).participants == 55
        assert latest_release(heading).id == first.id


def test_the_final_report_compared_with_the_last_live_release_reveals_no_one(app):
    """55 voters make a live release; 8 more vote before the close (far fewer than a release
    needs). The report after the mix, set beside that release, must still not let anyone
    work out a cell under 10 or what one of the 8 answered: the independent checker of
    tests/equalities/test_capture_releases.py enumerates every split both could hide, and
    the release audit finds nothing either."""
    from pb.equalities.characteristics import BY_KEY, CHARACTERISTICS
    from pb.equalities.releases import audit, published_view, snapshot
    from pb.equalities.responses import Responses
    from pb.services import ballot_box, voting
    from pb.services.equalities import (
        _build_plain,
        _release_report,
        ballots_and_answers,
        latest_release,
        refresh_release,
    )
    from tests.equalities.test_capture_releases import check_pair
    from tests.factories import add_projects, close_and_mix, make_round, resident

    with app.app_context():
        round_ = make_round("voting", wards=("brixton-acre-lane",))
        heading = round_.headings[0]
        project = add_projects(heading, [3000])[0]
        margins = census_margins(ward_census_rows(heading.ward.ons_code))
        answers = draw_answers(margins, 63, np.random.default_rng(11), OLDER_OWNERS, 0.2)
        for i, answer in enumerate(answers):
            if i == 55:
                release = refresh_release(heading)
                assert release.number == 1 and release.participants == 55
            done = voting.cast_ballot(resident(f"Final {i}", "brixton-acre-lane"), heading,
                                      [project.project_id])
            assert ballot_box.add_answers(done.token, answer)
        close_and_mix(round_)
        heading = db.session.get(Heading, heading.id)
        release = latest_release(heading)
        live = _release_report(heading, release)
        before = {"tables": [c.table for c in live.characteristics],
                  "counts": json.loads(release.counts)["counts"], "n": release.participants}
        final = heading_report(heading, with_result=False)
        truth = snapshot(Responses.from_answers(mixed_answers()))
        after = {"tables": [c.table for c in final.characteristics], "counts": truth, "n": 63}
        assert final.participants == 65  # 63, rounded to 5: built from the mixed ballots
        plain = _build_plain(heading, False, *ballots_and_answers(heading))
        leaks = 0  # what the report would reveal if it were not hardened
        for ch in CHARACTERISTICS:
            v0 = published_view(next(t for t in before["tables"] if t.characteristic is ch))
            v1 = published_view(next(t for t in after["tables"] if t.characteristic is ch))
            assert not audit(ch, v0, v1, before["counts"][ch.key], truth[ch.key])
            raw = published_view(next(c.table for c in plain.characteristics
                                      if c.table.characteristic is ch))
            leaks += bool(audit(ch, v0, raw, before["counts"][ch.key], truth[ch.key]))
        assert leaks  # so the hardening was needed, and did its work
        for key in ("sex", "disability", "english_proficiency", "age"):
            check_pair(BY_KEY[key], before, after)

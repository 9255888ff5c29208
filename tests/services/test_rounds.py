"""A round's life: phases by date, proposals, review, the count."""

import contextlib
import hashlib
import io
import json
import subprocess
import sys
from datetime import date, timedelta

import pytest
from pabulib.checker import Checker

from pb import tally
from pb.models import Proposal, db
from pb.services import counting, proposals, rounds, voting
from pb.services.errors import NotAllowed, ServiceError, WrongPhase
from tests.factories import add_projects, close_and_mix, make_round, officer, resident, set_phase


def test_phases_follow_the_dates(ctx):
    round_ = make_round("upcoming")
    today = date.today()
    assert rounds.current_phase(round_) == "upcoming"
    assert rounds.current_phase(round_, today + timedelta(days=1)) == "proposals"
    assert rounds.current_phase(round_, today + timedelta(days=3)) == "voting"
    assert rounds.current_phase(round_, today + timedelta(days=30)) == "delivery"


def test_moving_a_date_is_recorded_with_its_reason(ctx):
    round_ = make_round("proposals")
    new = round_.voting_from + timedelta(days=1)
    change = rounds.move_phase_date(officer(), round_, "counting", round_.counting_from + timedelta(days=1),
                                    "Extra week for the library's paper ballots")
    assert change.reason.startswith("Extra week") and round_.date_changes == [change]
    with pytest.raises(ServiceError):
        rounds.move_phase_date(officer(), round_, "voting", new, "   ")
    with pytest.raises(ServiceError):  # out of order
        rounds.move_phase_date(officer(), round_, "voting", round_.delivery_from + timedelta(days=9), "oops")
    db.session.refresh(round_)
    assert round_.voting_from < round_.counting_from


def test_a_councillor_may_only_open_rounds_in_their_own_ward(ctx, demo):
    from sqlalchemy import select

    from pb.models import Person, Ward
    from tests.factories import dates_for

    cllr = db.session.scalar(select(Person).where(Person.email == demo["councillor"]))
    own = db.session.scalar(select(Ward).where(Ward.slug == "brixton-acre-lane"))
    other = db.session.scalar(select(Ward).where(Ward.slug == "oval"))
    made = rounds.create_round(cllr, title="t", description="d", ballot_type="approval", rule="mes",
                               headings=[(own, 5000)], dates=dates_for("proposals"))
    assert made.id
    with pytest.raises(NotAllowed):
        rounds.create_round(cllr, title="t", description="d", ballot_type="approval", rule="mes",
                            headings=[(own, 5000), (other, 5000)], dates=dates_for("proposals"))


def test_proposals_draft_submit_review_and_freeze(ctx):
    round_ = make_round("proposals")
    heading = round_.headings[0]
    author = resident("Grace", "stockwell-east")
    data = {"title": "Benches", "summary": "Three benches", "description": "For older people",
            "location": None, "category": "parks", "rough_cost": 2000}
    draft = proposals.save_proposal(author, heading, data, submit=False)
    assert draft.status == "draft"
    with pytest.raises(NotAllowed):
        proposals.save_proposal(resident("Hal", "oval"), heading, data, submit=True)
    submitted = proposals.save_proposal(author, heading, {**data, "rough_cost": 2500}, submit=True, proposal=draft)
    assert submitted.status == "submitted" and submitted.rough_cost == 2500
    set_phase(round_, "review")
    with pytest.raises(WrongPhase):
        proposals.save_proposal(author, heading, data, submit=True, proposal=draft)
    with pytest.raises(ServiceError):
        proposals.review_proposal(officer(), submitted, decision="accept", reason="ok", final_cost=None)
    accepted = proposals.review_proposal(officer(), submitted, decision="accept",
                                         reason="Parks team can install them", final_cost=2700)
    assert accepted.status == "accepted" and accepted.cost == 2700
    set_phase(round_, "voting")
    with pytest.raises(WrongPhase):
        proposals.review_proposal(officer(), accepted, decision="reject", reason="changed our minds")


def test_the_count_matches_the_cli_on_the_stored_pb_file(ctx, tmp_path):
    round_ = make_round("voting", rule="mes-add1", budget=10_000)
    heading = round_.headings[0]
    projects = add_projects(heading, [6000, 4000, 3000, 2500])
    ids = [p.project_id for p in projects]
    ballots = [[ids[0]], [ids[0], ids[1]], [ids[2]], [ids[2], ids[3]], [ids[3]], [ids[1]], [ids[0]]]
    for n, choices in enumerate(ballots):
        voting.cast_ballot(resident(f"Voter {n}", "stockwell-east"), heading, choices)
    with pytest.raises(WrongPhase):
        counting.count_heading(officer(), heading)
    set_phase(round_, "counting")
    with pytest.raises(WrongPhase):  # seven sealed ballots wait for the mixer
        counting.count_heading(officer(), heading)
    close_and_mix(round_)
    result = counting.count_heading(officer(), heading)
    assert result.ballots_counted == 7
    assert result.ballots_sha256 == hashlib.sha256(result.pabulib.encode()).hexdigest()
    path = tmp_path / "round.pb"
    path.write_text(result.pabulib, encoding="utf-8")
    with contextlib.redirect_stdout(io.StringIO()):
        checked = Checker().process_files([str(path)])
    assert checked["metadata"]["valid"] == 1, checked
    cli = subprocess.run([sys.executable, "-m", "pb.tally", str(path), "--rule", "mes-add1", "--json"],
                         capture_output=True, text=True, check=True)
    assert set(json.loads(cli.stdout)["selected"]) == set(json.loads(result.selected))
    expected = tally.count(counting.election_for(heading), rule="mes-add1").selected
    assert json.loads(result.selected) == expected
    assert not counting.published(heading)
    set_phase(round_, "results")
    assert counting.published(heading)
    with pytest.raises(WrongPhase):
        counting.count_heading(officer(), heading)


def test_merging_needs_a_proposal_in_the_same_ward(ctx):
    round_ = make_round("review")
    heading = round_.headings[0]
    first, second = add_projects(heading, [1000, 1200], status="submitted")
    with pytest.raises(ServiceError):
        proposals.review_proposal(officer(), first, decision="merge", reason="same idea", merge_into=first)
    merged = proposals.review_proposal(officer(), first, decision="merge", reason="Same idea as the other",
                                       merge_into=second)
    assert merged.status == "merged" and db.session.get(Proposal, first.id).merged_into_id == second.id


def test_budgets_must_be_sensible_and_nothing_is_written_otherwise(ctx):
    from sqlalchemy import func, select

    from pb.models import Round

    for bad in (0, -5, 100_000_001):
        with pytest.raises(ServiceError):
            make_round("proposals", budget=bad)
    assert db.session.scalar(select(func.count()).select_from(Round)) == 0


def test_a_failing_ward_leaves_no_ward_of_the_round_counted(ctx, monkeypatch):
    from sqlalchemy import func, select

    from pb.models import Result

    round_ = make_round("voting", wards=("stockwell-east", "oval"))
    for heading in round_.headings:
        add_projects(heading, [1000])
    close_and_mix(round_)
    calls = []
    real_count = tally.count

    def second_ward_fails(election, rule="greedy", **kwargs):
        calls.append(rule)
        if len(calls) == 2:
            raise tally.TallyError("the second ward's ballots could not be read")
        return real_count(election, rule=rule, **kwargs)

    monkeypatch.setattr(tally, "count", second_ward_fails)
    with pytest.raises(tally.TallyError):
        counting.count_round(officer(), round_)
    assert db.session.scalar(select(func.count()).select_from(Result)) == 0


def test_delivery_is_only_for_funded_projects_after_results(ctx):
    round_ = make_round("voting", budget=5000)
    heading = round_.headings[0]
    cheap, dear = add_projects(heading, [3000, 4000])
    voting.cast_ballot(resident("Iris", "stockwell-east"), heading, [cheap.project_id])
    close_and_mix(round_)
    counting.count_round(officer(), round_)
    with pytest.raises(WrongPhase):  # not published yet
        proposals.update_delivery(officer(), cheap, "in_progress", "Ordered")
    set_phase(round_, "results")
    with pytest.raises(WrongPhase):  # not funded
        proposals.update_delivery(officer(), dear, "in_progress", "Ordered")
    assert proposals.update_delivery(officer(), cheap, "in_progress", " Ordered ").delivery_note == "Ordered"

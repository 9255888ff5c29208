"""The float filter for Equal Shares must never claim an outcome the exact rule does not give.

``fast_selection`` may give up (None) whenever floats cannot tell; when it answers, it must be
exactly the exact run's selection, for a single budget and for every budget of an interval.
"""

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from pb.tally import count
from pb.tally.fastmes import fast_selection
from pb.tally.mes import explained_mes, paid_run, run_mes
from pb.tally.profile import Profile, profile_for
from tests.tally.test_tally_properties import SETTINGS, add1_elections, elections

EXTRAS = st.sampled_from([Fraction(0), Fraction(1, 3), Fraction(1), Fraction(7, 2)])


def profile_and_budget(election, extra):
    """The election's profile and a per-voter budget ``extra`` above the equal share (or
    (profile, None) when nobody voted)."""
    profile = Profile(election)
    if profile.total_mult == 0:
        return profile, None
    return profile, profile.budget * profile.scale / profile.total_mult + extra


@SETTINGS
@given(elections(), EXTRAS)
def test_the_float_filter_agrees_with_the_exact_run_or_gives_up(election, extra):
    profile, t = profile_and_budget(election, extra)
    if t is None:
        return
    fast = fast_selection(profile, t)
    if fast is not None:
        assert fast == run_mes(profile, t).selected


@SETTINGS
@given(elections(), EXTRAS)
def test_the_float_guided_explained_run_is_the_exact_explained_run(election, extra):
    profile, t = profile_and_budget(election, extra)
    if t is None:
        return
    exact = run_mes(profile, t, explain=True)
    fast = explained_mes(profile, t)  # paid_run when the float filter can tell the winners
    assert fast.selected == exact.selected
    assert fast.rho == exact.rho
    assert fast.payments == exact.payments
    assert fast.money_left == exact.money_left
    assert fast.group_money_left == exact.group_money_left


def test_the_explained_run_on_real_files_at_several_budgets():
    from pathlib import Path

    from pb.tally import read_pabulib

    for name in ("Poland_Wieliczka_2023_Green_Budget.pb", "Worldwide_Mechanical_Turk_Utilities_7.pb",
                 "Switzerland_Zurich_S5R.pb"):
        profile = profile_for(read_pabulib(Path(__file__).parent.parent / "data/pabulib" / name))
        t0 = profile.budget * profile.scale / profile.total_mult
        for t in (t0, t0 + 3, 2 * t0):
            exact = run_mes(profile, t, explain=True)
            winners = exact.selected[len([j for j in exact.selected if profile.cost[j] == 0]):]
            fast = paid_run(profile, t, winners)
            assert (fast.selected, fast.rho, fast.payments, fast.money_left) == (
                exact.selected, exact.rho, exact.payments, exact.money_left)


@settings(max_examples=80, deadline=None)
@given(add1_elections(), st.integers(0, 40), st.integers(1, 8))
def test_an_interval_answer_holds_at_every_level_inside(election, start, width):
    profile = Profile(election)
    t = profile.budget * profile.scale / profile.total_mult + start
    fast = fast_selection(profile, t, t + width)
    if fast is not None:
        for k in range(width + 1):
            assert run_mes(profile, t + k).selected == fast


def test_the_profile_is_built_once_per_election_and_rebuilt_when_ballots_change():
    from pb.tally import Ballot, BallotRules, Election, Project

    election = Election(10, [Project("a", 4), Project("b", 6)],
                        [Ballot(frozenset({"a"})), Ballot(frozenset({"a", "b"}))],
                        BallotRules("approval"))
    first = profile_for(election)
    assert profile_for(election) is first
    assert profile_for(election, "lowest_cost").tie_breaking == "lowest_cost"
    assert profile_for(election) is first
    before = count(election, "mes").selected
    election.ballots.append(Ballot(frozenset({"b"})))
    assert profile_for(election) is not first
    assert sum(profile_for(election).mult) == 3
    assert count(election, "mes").selected == count(
        Election(10, election.projects, list(election.ballots), election.rules), "mes").selected
    assert before  # the first count worked on the first profile

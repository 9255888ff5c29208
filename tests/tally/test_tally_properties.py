"""Generated elections full of ties, odd ids, unaffordable and unsupported projects.

pabutools is the oracle: the selected set must be identical for every rule. Beyond that, the
outcome must respect the budget, greedy must leave nothing that still fits, and under Equal
Shares nobody may pay more than their share.
"""

from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pb.tally import Ballot, BallotRules, Election, Project, count
from pb.tally.mes import run_mes
from pb.tally.profile import Profile
from tests.tally.tally_oracle import oracle, to_pabutools

IDS = ["1", "2", "9", "10", "11", "a", "B", "b", "p-1", "Ł1"]
COSTS = [1, 2, 3, 4, 5, 6, 10, 12, 40, Fraction(5, 2), Fraction(7, 3)]
SETTINGS = settings(max_examples=120, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@st.composite
def elections(draw, kinds=("approval", "cumulative", "ranked", "scoring"), allow_free=True):
    kind = draw(st.sampled_from(kinds))
    ids = draw(st.lists(st.sampled_from(IDS), min_size=1, max_size=7, unique=True))
    costs = COSTS + ([0] if allow_free else [])
    projects = [Project(i, draw(st.sampled_from(costs))) for i in ids]
    budget = draw(st.sampled_from([0, 1, 5, 7, 10, 12, 20, 33, 60, Fraction(31, 2), 150]))
    n = draw(st.integers(0, 9))
    ballots = []
    for _ in range(n):
        chosen = draw(st.lists(st.sampled_from(ids), max_size=len(ids), unique=True))
        if kind == "approval":
            ballots.append(Ballot(frozenset(chosen)))
        elif kind == "ranked":
            ballots.append(Ballot(chosen))
        else:
            points = [draw(st.integers(0 if kind == "scoring" else 1, 3)) for _ in chosen]
            ballots.append(Ballot(dict(zip(chosen, points, strict=True))))
    rules = BallotRules(kind, points=10 if kind in ("cumulative", "scoring") else None)
    return Election(budget, projects, ballots, rules)


@SETTINGS
@given(elections(), st.sampled_from(["greedy", "mes", "mes-add1"]),
       st.sampled_from(["lexico", "lexico", "most_supporters", "lowest_cost"]))
def test_same_selection_as_pabutools(election, rule, tie_breaking):
    instance, profile = to_pabutools(election)
    expected = oracle(instance, profile, rule, election.rules.kind, tie_breaking)
    outcome = count(election, rule, tie_breaking)
    assert set(outcome.selected) == set(expected)
    assert len(outcome.selected) == len(set(outcome.selected))


@SETTINGS
@given(elections(), st.sampled_from(["greedy", "mes", "mes-add1"]))
def test_never_over_budget_and_spent_adds_up(election, rule):
    outcome = count(election, rule)
    costs = {p.id: p.cost for p in election.projects}
    assert outcome.spent == sum((costs[i] for i in outcome.selected), Fraction(0))
    assert outcome.spent <= election.budget
    funded = {i for i, e in outcome.explanations.items() if e.funded}
    assert funded == set(outcome.selected)


@SETTINGS
@given(elections(), st.sampled_from(["greedy", "mes-add1"]))
def test_greedy_leaves_no_project_that_still_fits(election, rule):
    outcome = count(election, rule)
    left = election.budget - outcome.spent
    unselected = [p for p in election.projects if p.id not in outcome.selected]
    assert all(p.cost > left for p in unselected)
    for p in unselected:
        e = outcome.explanations[p.id]
        assert e.budget_left is not None and p.cost > e.budget_left


@SETTINGS
@given(elections(allow_free=False), st.sampled_from(["mes", "mes-add1"]))
def test_equal_shares_nobody_pays_more_than_their_share(election, rule):
    outcome = count(election, rule)
    share = outcome.final_share if rule == "mes-add1" else outcome.equal_share
    mes_funded = [i for i in outcome.selected
                  if outcome.explanations[i].code == "funded_equal_shares"]
    for i in mes_funded:
        e = outcome.explanations[i]
        assert sum(pay.total for pay in e.payments) == e.cost
        payers = sum(pay.voters for pay in e.payments)  # a ranked last choice gets 0, pays 0
        assert payers == e.supporters if election.rules.is_approval else payers <= e.supporters
        # those who could afford the price paid it, the same each, at most their share
        for pay in e.payments:
            if pay.paid_all_they_had:
                assert pay.each is None and 0 <= pay.total <= pay.voters * share
            else:
                assert 0 < pay.each <= share and pay.total == pay.voters * pay.each
        # one row for those who paid all they had, after one row per amount, largest first
        capped = [pay.paid_all_they_had for pay in e.payments]
        assert capped == sorted(capped) and capped.count(True) <= 1
        amounts = [pay.each for pay in e.payments if not pay.paid_all_they_had]
        assert amounts == sorted(set(amounts), reverse=True)
    if share is None:
        return
    profile = Profile(election)
    run = run_mes(profile, share, explain=True)
    assert [profile.ids[j] for j in run.selected] == mes_funded
    paid = 0
    for m, left in zip(profile.mult, run.group_money_left, strict=True):
        assert 0 <= left <= share  # never in debt, never more than they started with
        paid += m * (share - left)
    assert Fraction(paid) / profile.scale == sum(e.cost for e in map(outcome.explanations.get, mes_funded))


@SETTINGS
@given(elections(), st.sampled_from(["greedy", "mes", "mes-add1"]), st.integers(0, 8),
       st.integers(2, 3))
def test_a_ballot_of_weight_w_counts_as_w_identical_ballots(election, rule, pick, w):
    if not election.ballots:
        return
    k = pick % len(election.ballots)
    copies = election.ballots + [election.ballots[k]] * (w - 1)
    weighted = election.ballots[:k] + [Ballot(election.ballots[k].choices, weight=w)] + election.ballots[k + 1:]
    a = count(Election(election.budget, election.projects, copies, election.rules), rule)
    b = count(Election(election.budget, election.projects, weighted, election.rules), rule)
    assert a.selected == b.selected
    assert a.explanations == b.explanations


@SETTINGS
@given(elections(), st.sampled_from(["greedy", "mes"]))
def test_scaling_every_weight_changes_nothing_for_greedy_and_plain_equal_shares(election, rule):
    halves = [Ballot(b.choices, weight=Fraction(1, 2)) for b in election.ballots]
    a = count(election, rule)
    b = count(Election(election.budget, election.projects, halves, election.rules), rule)
    assert a.selected == b.selected


@settings(max_examples=40, deadline=None)
@given(elections(kinds=("approval",)))
def test_the_fraction_backend_gives_the_same_outcome_as_gmpy2(election):
    from pb.tally import exact

    results = {}
    for backend in ("fraction", "gmpy2"):
        exact.use_backend(backend)
        try:
            results[backend] = [count(election, r).selected for r in ("greedy", "mes", "mes-add1")]
        finally:
            exact.use_backend("gmpy2")
    assert results["fraction"] == results["gmpy2"]


COSTS_WIDE = [3, 7, 10, 15, 24, 25, 40, 55, 90, 120, Fraction(45, 2)]


@st.composite
def add1_elections(draw):
    """Budgets large against the costs, so add1 climbs through many levels."""
    kind = draw(st.sampled_from(["approval", "approval", "cumulative", "ranked"]))
    ids = draw(st.lists(st.sampled_from(IDS), min_size=2, max_size=7, unique=True))
    projects = [Project(i, draw(st.sampled_from(COSTS_WIDE))) for i in ids]
    budget = draw(st.integers(60, 400))
    ballots = []
    for _ in range(draw(st.integers(3, 12))):
        chosen = draw(st.lists(st.sampled_from(ids), min_size=1, max_size=4, unique=True))
        if kind == "approval":
            ballots.append(Ballot(frozenset(chosen)))
        elif kind == "ranked":
            ballots.append(Ballot(chosen))
        else:
            ballots.append(Ballot({i: draw(st.integers(1, 4)) for i in chosen}))
    return Election(budget, projects, ballots, BallotRules(kind, points=10 if kind == "cumulative" else None))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(add1_elections())
def test_add1_finds_the_same_stopping_level_as_pabutools(election):
    instance, profile = to_pabutools(election)
    expected = oracle(instance, profile, "mes-add1", election.rules.kind)
    outcome = count(election, "mes-add1")
    assert set(outcome.selected) == set(expected)
    assert outcome.final_share >= outcome.equal_share

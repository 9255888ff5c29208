"""pabutools as the oracle: the outcome our engine must reproduce (test-only dependency)."""

from __future__ import annotations

from pabutools.election import (
    Additive_Borda_Sat,
    Additive_Cardinal_Sat,
    ApprovalBallot,
    ApprovalProfile,
    CardinalBallot,
    CardinalProfile,
    Cost_Sat,
    CumulativeBallot,
    CumulativeProfile,
    Instance,
    OrdinalBallot,
    OrdinalProfile,
    Project,
    parse_pabulib,
)
from pabutools.fractions import frac
from pabutools.rules import (
    completion_by_rule_combination,
    greedy_utilitarian_welfare,
    method_of_equal_shares,
)
from pabutools.tiebreaking import TieBreakingRule, lexico_tie_breaking

SAT = {
    "approval": Cost_Sat,
    "knapsack": Cost_Sat,
    "cumulative": Additive_Cardinal_Sat,
    "scoring": Additive_Cardinal_Sat,
    "ranked": Additive_Borda_Sat,
}
PROFILE_KIND = {
    "ApprovalProfile": "approval",
    "CumulativeProfile": "cumulative",
    "CardinalProfile": "scoring",
    "OrdinalProfile": "ranked",
}


def kind_of(profile) -> str:
    return PROFILE_KIND[type(profile).__name__]


def to_pabutools(election):
    """Build a pabutools instance and profile from one of our Elections (weights must be 1)."""
    instance = Instance(budget_limit=frac(election.budget.numerator, election.budget.denominator))
    projects = {}
    for p in election.projects:
        projects[p.id] = Project(p.id, frac(p.cost.numerator, p.cost.denominator))
        instance.add(projects[p.id])
    kind = election.rules.kind
    ballots = []
    for b in election.ballots:
        assert b.weight == 1, "the oracle only takes unit weights"
        if kind in ("approval", "knapsack"):
            ballots.append(ApprovalBallot({projects[i] for i in b.choices}))
        elif kind == "ranked":
            ballot = OrdinalBallot()
            for i in b.choices:
                ballot.append(projects[i])
            ballots.append(ballot)
        else:
            cls = CumulativeBallot if kind == "cumulative" else CardinalBallot
            ballots.append(cls({projects[i]: frac(v.numerator, v.denominator)
                                for i, v in ((i, _q(v)) for i, v in b.choices.items())}))
    profile_cls = {
        "approval": ApprovalProfile, "knapsack": ApprovalProfile, "ranked": OrdinalProfile,
        "cumulative": CumulativeProfile, "scoring": CardinalProfile,
    }[kind]
    return instance, profile_cls(ballots, instance=instance)


def _q(v):
    from fractions import Fraction
    return Fraction(v)


def tie_breaking_rule(name: str, instance, profile):
    if name == "lexico":
        return lexico_tie_breaking
    if name == "most_supporters":
        counts = {}
        for ballot in profile:
            for p in ballot:
                if not hasattr(ballot, "values") or isinstance(ballot, OrdinalBallot) or ballot[p] > 0:
                    counts[p.name] = counts.get(p.name, 0) + 1
        return TieBreakingRule(lambda inst, prof, p: (-counts.get(p.name, 0), p.name))
    if name == "lowest_cost":
        return TieBreakingRule(lambda inst, prof, p: (p.cost, p.name))
    raise ValueError(name)


def oracle(instance, profile, rule: str, kind: str, tie_breaking: str = "lexico") -> list[str]:
    """Project ids pabutools selects, in its selection order."""
    sat = SAT[kind]
    tie = tie_breaking_rule(tie_breaking, instance, profile)
    greedy_args = {"sat_class": sat, "tie_breaking": tie}
    if kind == "ranked":
        greedy_args["is_sat_additive"] = True
    if rule == "greedy":
        out = greedy_utilitarian_welfare(instance, profile, **greedy_args)
    elif rule == "mes":
        out = method_of_equal_shares(instance, profile, sat_class=sat, tie_breaking=tie)
    elif rule == "mes-add1":
        out = completion_by_rule_combination(
            instance, profile, [method_of_equal_shares, greedy_utilitarian_welfare],
            [{"sat_class": sat, "voter_budget_increment": 1, "tie_breaking": tie}, greedy_args],
        )
    else:
        raise ValueError(rule)
    return [p.name for p in out]


def oracle_file(path, rule: str, tie_breaking: str = "lexico") -> list[str]:
    instance, profile = parse_pabulib(str(path))
    return oracle(instance, profile, rule, kind_of(profile), tie_breaking)

"""``count``: run a rule on an election and explain the outcome.

Rules (all within the budget, all reproducing pabutools 1.2.3 outcome-for-outcome):
- ``greedy``: ``greedy_utilitarian_welfare`` with Cost_Sat (approval), Additive_Cardinal_Sat
  (cumulative, scoring) or Additive_Borda_Sat (ranked);
- ``mes``: ``method_of_equal_shares`` with the same satisfaction;
- ``mes-add1``: ``completion_by_rule_combination`` of Equal Shares with
  ``voter_budget_increment=1`` and then greedy from its outcome.
A ballot of weight w counts as w voters; under Equal Shares each unit of weight starts with
``budget / total weight`` and add1 adds 1 per unit of weight per level.
"""

from __future__ import annotations

from fractions import Fraction

from . import exact
from .greedy import run_greedy
from .mes import equal_shares_add1, explained_mes, mes_candidates
from .model import Election, TallyError
from .outcome import (
    DID_NOT_FIT,
    FUNDED_EQUAL_SHARES,
    FUNDED_GREEDY,
    FUNDED_LEFTOVER,
    NO_SUPPORT,
    SUPPORTERS_COULD_NOT_AFFORD,
    Explanation,
    Outcome,
    SupporterPayment,
)
from .profile import Profile, profile_for
from .tiebreak import TIE_BREAKING_RULES

RULES = ("greedy", "mes", "mes-add1")


def count(election: Election, rule: str = "greedy", tie_breaking: str = "lexico") -> Outcome:
    """Count ``election`` with ``rule``; see the module docstring."""
    if rule not in RULES:
        raise TallyError(f"unknown rule {rule!r}; use one of {RULES}")
    if tie_breaking not in TIE_BREAKING_RULES:
        raise TallyError(f"unknown tie-breaking {tie_breaking!r}; use one of {TIE_BREAKING_RULES}")
    profile = profile_for(election, tie_breaking)
    if rule == "greedy":
        return _greedy_outcome(profile)
    if rule == "mes":
        return _mes_outcome(profile)
    return _add1_outcome(profile)


def _frac(x) -> Fraction:
    return exact.to_fraction(x)


def _base(profile: Profile, j: int, **kw) -> Explanation:
    approval = profile.election.rules.is_approval
    score = profile.supporters[j] if approval else profile.score(j)
    return Explanation(
        project_id=profile.ids[j],
        cost=profile.cost_f[j],
        supporters=profile.supporters[j],
        score=score,
        **kw,
    )


def _outcome(profile, rule, order, explanations, **kw) -> Outcome:
    selected = [profile.ids[j] for j in order]
    spent = sum((profile.cost_f[j] for j in order), Fraction(0))
    ordered = {profile.ids[j]: explanations[j] for j in range(len(profile.ids))}
    return Outcome(
        rule=rule,
        selected=selected,
        spent=spent,
        budget=profile.election.budget,
        explanations=ordered,
        tie_breaking=profile.tie_breaking,
        **kw,
    )


def _greedy_outcome(profile: Profile) -> Outcome:
    run = run_greedy(profile)
    position = {j: k + 1 for k, j in enumerate(run.selected)}
    explanations = {}
    for j in range(len(profile.ids)):
        left = _frac(run.budget_left_when_considered[j])
        if j in position:
            explanations[j] = _base(profile, j, funded=True, code=FUNDED_GREEDY,
                                    position=position[j], budget_left=left)
        else:
            explanations[j] = _base(profile, j, funded=False, code=DID_NOT_FIT, budget_left=left)
    return _outcome(profile, "greedy", run.selected, explanations)


def _mes_explanations(profile: Profile, run) -> dict:
    scale = profile.scale
    position = {j: k + 1 for k, j in enumerate(run.selected)}
    explanations = {}
    considered, _ = mes_candidates(profile)
    considered = set(considered)
    for j in range(len(profile.ids)):
        if j in position:
            payments = tuple(
                SupporterPayment(Fraction(m, scale), None if each is None else _frac(each), capped,
                                 _frac(total) / scale)
                for m, each, capped, total in run.payments.get(j, ()))
            price = _frac(run.rho[j]) if j in run.rho else None
            explanations[j] = _base(profile, j, funded=True, code=FUNDED_EQUAL_SHARES,
                                    position=position[j], payments=payments, price=price)
        elif j in considered:
            money = _frac(run.money_left[j]) / scale
            explanations[j] = _base(profile, j, funded=False, code=SUPPORTERS_COULD_NOT_AFFORD,
                                    supporters_money_left=money)
        else:
            explanations[j] = _base(profile, j, funded=False, code=NO_SUPPORT)
    return explanations


def _initial_share(profile: Profile):
    if profile.total_weight == 0:
        return None
    return profile.election.budget / profile.total_weight


def _mes_outcome(profile: Profile) -> Outcome:
    share = _initial_share(profile)
    run = explained_mes(profile, exact.to_q(share or 0))
    return _outcome(profile, "mes", run.selected, _mes_explanations(profile, run),
                    equal_share=share)


def _add1_outcome(profile: Profile) -> Outcome:
    result = equal_shares_add1(profile)
    run = result.run
    explanations = _mes_explanations(profile, run)
    completion = run_greedy(profile, run.selected)
    order = run.selected + completion.selected
    for k, j in enumerate(order):
        if j in completion.selected:
            explanations[j] = _base(profile, j, funded=True, code=FUNDED_LEFTOVER, position=k + 1,
                                    budget_left=_frac(completion.budget_left_when_considered[j]))
    for j, left in completion.budget_left_when_considered.items():
        e = explanations[j]
        if not e.funded:
            explanations[j] = Explanation(**{**e.__dict__, "budget_left": _frac(left)})
    final = result.final_share
    return _outcome(
        profile, "mes-add1", order, explanations,
        equal_share=_initial_share(profile),
        final_share=_frac(final) if final is not None else None,
        details={"add1_levels_tried": result.levels_tried, "add1_runs": result.runs,
                 "equal_shares_selected": [profile.ids[j] for j in run.selected]},
    )

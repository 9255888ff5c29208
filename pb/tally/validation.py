"""Check a ballot before it is accepted: one function for the web, SMS and paper channels.

``validate_ballot`` returns every problem at once (an empty list means the ballot is valid), so
a resident can fix them all in one go. Each ``Problem`` has a machine ``code``, an English msgid
``message`` (see ``messages.py``) with ``%(name)s`` placeholders filled from ``params``, and the
``project_id`` it is about, if any.

Rules by kind:
- every kind: at least one project (or ``min_choices``); only projects on the ballot paper;
- approval: ``min_choices`` to ``max_choices`` projects; a repeat is a problem;
- knapsack: as approval, and the chosen projects' total cost must not exceed the budget and must
  reach ``min_spend_share`` of it;
- cumulative: whole, non-negative points; no more than ``points`` in total; at most
  ``max_choices`` projects given points; projects given 0 points do not count as chosen;
- ranked: up to ``max_ranks`` projects (and at least ``min_choices``), each ranked once;
- scoring: whole points from 0 to ``points`` for each project.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from math import ceil

from .exact import plain_number, rational
from .messages import MESSAGES
from .model import BallotRules


@dataclass(frozen=True)
class Problem:
    code: str
    message: str  # English msgid, translate with gettext(message, **params)
    params: dict = field(default_factory=dict)
    project_id: str | None = None


def _problem(code, project=None, **params) -> Problem:
    if project is not None:
        params = {"project": project.label, **params}
    return Problem(code, MESSAGES[code], params, project.id if project is not None else None)


def _money(value) -> int | object:
    """Money params: whole pounds as int, otherwise an exact Decimal (pence)."""
    return plain_number(value)


def validate_ballot(rules: BallotRules, projects, budget, ballot_choices) -> list[Problem]:
    """Every problem with ``ballot_choices`` under ``rules`` (an empty list if it is valid)."""
    if isinstance(projects, Mapping):
        by_id = {str(k): v for k, v in projects.items()}
    else:
        by_id = {p.id: p for p in projects}
    budget = rational(budget)
    if rules.kind in ("cumulative", "scoring"):
        return _validate_points(rules, by_id, ballot_choices)
    if isinstance(ballot_choices, str | bytes | Mapping) or not _iterable(ballot_choices):
        return [_problem("not_a_ballot")]
    chosen = [str(c) for c in ballot_choices]
    problems = _unknown_and_repeats(chosen, by_id, "duplicate_rank" if rules.kind == "ranked" else "duplicate")
    known = [by_id[c] for c in dict.fromkeys(chosen) if c in by_id]
    n = len(known)
    if rules.kind == "ranked":
        if not chosen:
            problems.insert(0, _problem("empty"))
        elif rules.min_choices and n < rules.min_choices:
            problems.append(_problem("too_few_ranks", min=rules.min_choices))
        limit = rules.max_ranks if rules.max_ranks is not None else rules.max_choices
        if limit is not None and n > limit:
            problems.append(_problem("too_many_ranks", max=limit))
        return problems
    problems = _count_problems(rules, chosen, n) + problems
    if rules.kind == "knapsack":
        total = sum((p.cost for p in known), Fraction(0))
        if total > budget:
            problems.append(_problem("over_budget", total_cost=_money(total), budget=_money(budget),
                                     over_by=_money(total - budget)))
        if rules.min_spend_share:
            min_spend = budget * rules.min_spend_share
            if total < min_spend and chosen:
                problems.append(_problem("under_min_spend", total_cost=_money(total),
                                         min_spend=_money(_pounds_up(min_spend)),
                                         short_by=_money(min_spend - total)))
    return problems


def _pounds_up(value: Fraction) -> Fraction:
    """Round a minimum up to whole pence so the message never asks for less than needed."""
    return Fraction(ceil(value * 100), 100)


def _iterable(x) -> bool:
    try:
        iter(x)
    except TypeError:
        return False
    return True


def _count_problems(rules: BallotRules, chosen, n) -> list[Problem]:
    if not chosen:
        return [_problem("empty")]
    problems = []
    if rules.min_choices and n < rules.min_choices:
        problems.append(_problem("too_few", min=rules.min_choices))
    if rules.max_choices is not None and n > rules.max_choices:
        problems.append(_problem("too_many", max=rules.max_choices))
    return problems


def _unknown_and_repeats(chosen, by_id, repeat_code) -> list[Problem]:
    problems, seen, reported = [], set(), set()
    for c in chosen:
        if c not in by_id:
            if c not in reported:
                problems.append(Problem("unknown_project", MESSAGES["unknown_project"],
                                        {"project": c}, c))
                reported.add(c)
        elif c in seen and c not in reported:
            problems.append(_problem(repeat_code, by_id[c]))
            reported.add(c)
        seen.add(c)
    return problems


def _validate_points(rules: BallotRules, by_id, choices) -> list[Problem]:
    if not isinstance(choices, Mapping):
        return [_problem("not_a_ballot")]
    problems: list[Problem] = []
    given, total = 0, Fraction(0)
    for key, raw in choices.items():
        pid = str(key)
        project = by_id.get(pid)
        if project is None:
            problems.append(Problem("unknown_project", MESSAGES["unknown_project"],
                                    {"project": pid}, pid))
            continue
        try:
            value = rational(raw)
        except (TypeError, ValueError):
            problems.append(_problem("points_not_whole", project))
            continue
        if value.denominator != 1:
            problems.append(_problem("points_not_whole", project))
        if value < 0:
            problems.append(_problem("points_negative", project))
            continue
        if rules.kind == "scoring" and rules.points is not None and value > rules.points:
            problems.append(_problem("score_too_high", project, points=rules.points))
        if value > 0:
            given += 1
            total += value
    if given == 0 and not problems:
        return [_problem("empty")]
    if rules.kind == "cumulative" and total > rules.points:
        problems.append(_problem("too_many_points", points_given=plain_number(total),
                                 points=rules.points))
    if rules.min_choices and 0 < given < rules.min_choices:
        problems.append(_problem("too_few", min=rules.min_choices))
    if rules.max_choices is not None and given > rules.max_choices:
        problems.append(_problem("too_many", max=rules.max_choices))
    return problems

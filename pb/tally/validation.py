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
- cumulative: whole, non-negative points; no more than ``points`` for any one project and no
  more than ``points`` in total; at most ``max_choices`` projects given points; projects given 0
  points do not count as chosen;
- ranked: up to ``max_ranks`` projects (and at least ``min_choices``), each ranked once;
- scoring: whole points from 0 to ``points`` for each project.

Whatever arrives (a form, an SMS, a scanned paper), the answer is a list of problems, never an
exception: project ids must be strings (anything else means we could not read the ballot), and
points must be ints, whole Fractions/Decimals or strings of the ASCII digits 0-9 only (no sign,
spaces, exponent, underscores or other scripts' digits: ``int()`` is more lenient than that,
and the count must read exactly what was checked). Unknown ids are shown shortened.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
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


SHOWN_ID_LENGTH = 40
"""Unknown project ids are shown at most this long in a message (the rest becomes "…")."""
MAX_POINT_DIGITS = 1000
"""Points written with more digits than this are refused before they are converted."""
_DIGITS = re.compile(r"[0-9]+")


def _shown(text: str) -> str:
    """An unknown id as a resident may see it: short, printable, and valid UTF-8."""
    short = text[:SHOWN_ID_LENGTH]
    short = "".join(ch if ch.isprintable() else "\ufffd" for ch in short)
    return short + "…" if len(text) > SHOWN_ID_LENGTH else short


def _unknown(pid: str) -> Problem:
    shown = _shown(pid)
    return Problem("unknown_project", MESSAGES["unknown_project"], {"project": shown}, shown)


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
    try:
        chosen = list(ballot_choices)
    except Exception:  # an iterable that fails part way
        return [_problem("not_a_ballot")]
    if not all(isinstance(c, str) for c in chosen):
        return [_problem("not_a_ballot")]
    chosen = [str(c) for c in chosen]  # plain str, whatever subclass came in
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
                problems.append(_unknown(c))
                reported.add(c)
        elif c in seen and c not in reported:
            problems.append(_problem(repeat_code, by_id[c]))
            reported.add(c)
        seen.add(c)
    return problems


def _points(raw, limit):
    """``(value, code)``: the points ``raw`` stands for, or the problem code that explains why not.

    ``value`` is None when ``raw`` is not a whole number we can read; values above ``limit`` (when
    there is one) are reported as ``score_too_high`` and not added up, so a message never has to
    show a number thousands of digits long.
    """
    if isinstance(raw, str):
        if not _DIGITS.fullmatch(raw):
            return None, "points_not_whole"
        digits = raw.lstrip("0")
        if limit is not None and len(digits) > len(str(int(limit))):
            return None, "score_too_high"  # more digits than the limit: above it
        if len(raw) > MAX_POINT_DIGITS:
            return None, "points_not_whole"
        value = Fraction(int(digits or "0"))
    elif isinstance(raw, bool | float) or not (isinstance(raw, Decimal) or hasattr(raw, "denominator")):
        return None, "points_not_whole"  # None, lists, dicts and the like; floats are never exact
    else:  # int, Fraction, Decimal, gmpy2.mpq
        try:
            value = rational(raw)
        except (TypeError, ValueError, ArithmeticError):
            return None, "points_not_whole"
    if limit is not None and value > limit:
        return None, "score_too_high"
    return value, None


def _validate_points(rules: BallotRules, by_id, choices) -> list[Problem]:
    if not isinstance(choices, Mapping):
        return [_problem("not_a_ballot")]
    try:
        items = list(choices.items())
    except Exception:  # a mapping that fails part way
        return [_problem("not_a_ballot")]
    if not all(isinstance(key, str) for key, _ in items):
        return [_problem("not_a_ballot")]
    problems: list[Problem] = []
    given, total = 0, Fraction(0)
    for key, raw in items:
        pid = str(key)
        project = by_id.get(pid)
        if project is None:
            problems.append(_unknown(pid))
            continue
        value, code = _points(raw, rules.points)
        if code == "score_too_high":
            problems.append(_problem(code, project, points=rules.points))
            given += 1  # a project given too many points was still chosen
            continue
        if value is None:
            problems.append(_problem(code, project))
            continue
        if value.denominator != 1:
            problems.append(_problem("points_not_whole", project))
        if value < 0:
            problems.append(_problem("points_negative", project))
            continue
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

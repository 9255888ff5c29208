"""Live releases during voting: consecutive releases, merged rows and exact turnout
together reveal no one's answer and no cell under 10.

The checker here is independent of ``pb.equalities.releases.audit``: it enumerates every
split of the hidden parts directly (small wards only) rather than solving an integer
program, and it reads only what a release shows.
"""

import itertools
from datetime import datetime, timedelta

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pb.equalities.census import ward_census_rows
from pb.equalities.characteristics import (
    BY_KEY,
    CHARACTERISTICS,
    NON_RESPONSE,
    census_margins,
)
from pb.equalities.releases import (
    DEFAULT_RULE,
    Published,
    audit,
    due,
    harden,
    published_view,
    snapshot,
)
from pb.equalities.report import report_from_counts
from pb.equalities.responses import Responses
from pb.equalities.simulate import OLDER_OWNERS, Tilt, draw_answers

WARD = "E05014107"  # Myatt's Fields
MARGINS = census_margins(ward_census_rows(WARD))
T0 = datetime(2026, 5, 1, 9)


def play(answers, gaps_hours):
    """Releases made from a stream of voters arriving ``gaps_hours`` apart, as the service
    makes them: when due, hardened against the previous release."""
    releases, last = [], None
    now = T0
    for i, gap in enumerate(gaps_hours, start=1):
        now += timedelta(hours=gap)
        counts = snapshot(Responses.from_answers(answers[:i]))
        if not due(DEFAULT_RULE, last and last["counts"], last["n"] if last else 0,
                   last and last["at"], counts, i, now):
            continue
        tables = [c.table for c in report_from_counts(WARD, MARGINS, counts, i).characteristics]
        tables = harden(last and last["tables"], tables, last and last["counts"], counts)
        last = {"counts": counts, "n": i, "at": now, "tables": tables}
        releases.append(last)
    return releases


def final_release(answers, last):
    """After the close: every answer, hardened against the last live release."""
    counts = snapshot(Responses.from_answers(answers))
    n = len(answers)
    tables = [c.table for c in report_from_counts(WARD, MARGINS, counts, n).characteristics]
    tables = harden(last and last["tables"], tables, last and last["counts"], counts)
    return {"counts": counts, "n": n, "tables": tables}


def feasible(view: Published, keys):
    """Every split of the characteristic's cells consistent with one release (small n)."""
    shown = {members: value for members, value in view.rows}
    exact = {m[0]: v for m, v in shown.items() if len(m) == 1}
    free = [k for k in keys if k not in exact]
    rest = view.total - sum(exact.values())
    out = []
    for split in _compositions(rest, len(free)):
        cells = dict(exact) | dict(zip(free, split, strict=True))
        if all(sum(cells[m] for m in members) == v for members, v in shown.items()):
            out.append(cells)
    return out


def _compositions(total, parts):
    if parts == 0:
        if total == 0:
            yield ()
        return
    if parts == 1:
        yield (total,)
        return
    for first in range(total + 1):
        for tail in _compositions(total - first, parts - 1):
            yield (first, *tail)


def check_pair(ch, before, after):
    """Nothing forbidden deducible from two consecutive releases of one characteristic."""
    keys = [*ch.category_keys, NON_RESPONSE]
    v0 = published_view(next(t for t in before["tables"] if t.characteristic is ch))
    v1 = published_view(next(t for t in after["tables"] if t.characteristic is ch))
    hidden_mass = max(v0.total - sum(v for m, v in v0.rows if len(m) == 1),
                      v1.total - sum(v for m, v in v1.rows if len(m) == 1))
    if hidden_mass > 60:  # too many splits to enumerate here; the audit's own test covers it
        return
    first, second = feasible(v0, keys), feasible(v1, keys)
    if len(first) * len(second) > 200_000:
        return
    pairs = [(a, b) for a, b in itertools.product(first, second)
             if all(b[k] >= a[k] for k in keys)]
    assert pairs  # the truth is always consistent
    truth0, truth1 = before["counts"][ch.key], after["counts"][ch.key]
    for key in keys:
        for which, truth in ((0, truth0), (1, truth1)):
            values = {p[which][key] for p in pairs}
            if truth.get(key, 0) < 10:
                assert max(values) >= 10 and len(values) > 1, (ch.key, key, which, values)
        new = after["n"] - before["n"]
        if new:  # (no one new, e.g. the last voter made the last release: nothing to reveal)
            assert min(b[key] - a[key] for a, b in pairs) < new, (ch.key, key, "everyone new")


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), n=st.integers(60, 120), skew=st.booleans(),
       quiet=st.floats(0.0, 0.5))
def test_consecutive_releases_and_the_final_report_reveal_no_one(seed, n, skew, quiet):
    rng = np.random.default_rng(seed)
    answers = draw_answers(MARGINS, n, rng, OLDER_OWNERS if skew else Tilt(), quiet)
    gaps = rng.exponential(2.0, n).tolist()  # hours between voters
    releases = play(answers, gaps)
    for release in releases:
        assert all(release["counts"][ch.key] for ch in CHARACTERISTICS)
    chain = releases + [final_release(answers, releases[-1] if releases else None)]
    for before, after in itertools.pairwise(chain):
        assert after["n"] - before["n"] >= DEFAULT_RULE.min_new or after is chain[-1]
        for ch in (BY_KEY["sex"], BY_KEY["disability"], BY_KEY["english_proficiency"]):
            check_pair(ch, before, after)
        for ch in CHARACTERISTICS:  # and the audit itself finds nothing left
            v0 = published_view(next(t for t in before["tables"] if t.characteristic is ch))
            v1 = published_view(next(t for t in after["tables"] if t.characteristic is ch))
            assert not audit(ch, v0, v1, before["counts"][ch.key], after["counts"][ch.key])


def test_a_cell_hidden_at_9_then_shown_at_10_after_one_answer_is_caught():
    sex = BY_KEY["sex"]
    # release 1: 9 women (hidden), 50 men, 3 non-answers (hidden with them)
    before = Published(((("male",), 50),), 62)
    # one more woman: 10 women and 50 men shown; the 3 non-answers hidden
    after = Published(((("female",), 10), (("male",), 50)), 63)
    truth0 = {"female": 9, "male": 50, NON_RESPONSE: 3}
    truth1 = {"female": 10, "male": 50, NON_RESPONSE: 3}
    problems = audit(sex, before, after, truth0, truth1)
    assert problems  # the 3 non-answers are pinned to 2..3: under 10
    # and the release rule would not have made the second release at all
    counts0 = {"sex": truth0}
    assert not due(DEFAULT_RULE, counts0, 62, T0, {"sex": truth1}, 63, T0 + timedelta(days=2))


def test_a_release_waits_for_50_new_voters_a_day_and_mixed_answers():
    base = {"sex": {"female": 40, "male": 40, NON_RESPONSE: 0}}
    later = {"sex": {"female": 70, "male": 60, NON_RESPONSE: 0}}
    assert not due(DEFAULT_RULE, base, 80, T0, later, 129, T0 + timedelta(days=2))  # 49 new
    assert not due(DEFAULT_RULE, base, 80, T0, later, 130, T0 + timedelta(hours=23))
    assert due(DEFAULT_RULE, base, 80, T0, later, 130, T0 + timedelta(days=1))
    alike = {"sex": {"female": 90, "male": 40, NON_RESPONSE: 0}}  # all 50 new are women
    assert not due(DEFAULT_RULE, base, 80, T0, alike, 130, T0 + timedelta(days=1))


def test_hardening_withholds_until_the_audit_passes():
    sex = BY_KEY["sex"]
    c0 = {"female": 40, "male": 40, NON_RESPONSE: 5}
    c1 = {"female": 45, "male": 88, NON_RESPONSE: 5}  # 48 new: 5 women and 43 men
    t0 = [c.table for c in report_from_counts(WARD, MARGINS, {"sex": c0}, 85).characteristics]
    t1 = [c.table for c in report_from_counts(WARD, MARGINS, {"sex": c1}, 138).characteristics]
    hardened = harden(t0, t1, {"sex": c0}, {"sex": c1})
    assert not audit(sex, published_view(t0[0]), published_view(hardened[0]), c0, c1)

"""The audit log's hash chain (pb.audit_chain, no Flask): any single change, removal,
insertion or reordering among 10,000 events is caught, and the verifier names the first
entry that breaks."""

import copy
import subprocess
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from pb.audit_chain import GENESIS, build_chain, make_entry, verify

N = 10_000
ACTIONS = ["round.created", "round.published", "proposal.reviewed", "round.counted", "role.granted"]
CHAIN = build_chain({"at": f"2026-12-{1 + i % 28:02d}", "action": ACTIONS[i % len(ACTIONS)],
                     "actor_name": f"Officer {i % 7}", "round_id": i % 13, "details": {"n": i},
                     "reason": "Because" if i % 3 else None, "public": bool(i % 2)} for i in range(N))


def test_the_whole_chain_verifies_and_names_its_head():
    verdict = verify(CHAIN)
    assert verdict.ok and verdict.checked == N and verdict.head == CHAIN[-1]["hash"]
    assert verify([]).ok and verify([]).head == GENESIS
    assert verify(CHAIN, expected_head=CHAIN[1234]["hash"]).ok
    assert not verify(CHAIN[:100], expected_head=CHAIN[500]["hash"]).ok


def test_entries_without_bodies_still_check_their_links():
    hidden = [{**e, "body": None} if e["seq"] % 2 else e for e in CHAIN[:500]]
    assert verify(hidden).ok


def _bad_at(entries) -> int | None:
    verdict = verify(entries)
    assert not verdict.ok
    return verdict.first_bad


mutations = st.sampled_from(["body", "hash", "prev_hash", "seq", "body_hash"])


@settings(max_examples=60, deadline=None)
@given(index=st.integers(0, N - 1), field=mutations, value=st.text(min_size=1, max_size=5))
def test_changing_any_one_entry_is_caught_at_that_entry(index, field, value):
    entries = list(CHAIN)
    entry = copy.deepcopy(entries[index])
    if field == "body":
        entry["body"]["reason"] = (entry["body"]["reason"] or "") + value
    elif field == "seq":
        entry["seq"] += 1 + len(value)
    else:
        entry[field] = ("f" if entry[field][0] != "f" else "e") + entry[field][1:]
    entries[index] = entry
    # a changed hash of an entry is caught there (its own check), or by the next one
    assert _bad_at(entries) == index + 1


@settings(max_examples=40, deadline=None)
@given(index=st.integers(0, N - 1))
def test_removing_any_one_entry_is_caught(index):
    entries = CHAIN[:index] + CHAIN[index + 1:]
    if index == N - 1:  # the last entry gone leaves a shorter valid chain: the kept head catches it
        assert verify(entries).ok and not verify(entries, expected_head=CHAIN[-1]["hash"]).ok
    else:
        assert _bad_at(entries) == index + 1


@settings(max_examples=40, deadline=None)
@given(index=st.integers(0, N), forged=st.booleans())
def test_inserting_one_entry_anywhere_is_caught(index, forged):
    prev = CHAIN[index - 1] if index else None
    extra = make_entry(prev, {"action": "round.published", "reason": "inserted"})
    if not forged:  # not even linked properly: a copy of another entry
        extra = copy.deepcopy(CHAIN[(index + 1) % N])
    entries = CHAIN[:index] + [extra] + CHAIN[index:]
    if index == N and forged:  # appended properly at the end: that is an honest append
        assert verify(entries).ok
        return
    # a well-linked forgery is consistent with what came before it: the entry after it breaks
    assert _bad_at(entries) == index + (2 if forged else 1)


@settings(max_examples=40, deadline=None)
@given(a=st.integers(0, N - 1), b=st.integers(0, N - 1))
def test_reordering_two_entries_is_caught_at_the_first(a, b):
    if a == b:
        return
    a, b = sorted((a, b))
    entries = list(CHAIN)
    entries[a], entries[b] = entries[b], entries[a]
    assert _bad_at(entries) == a + 1


def test_the_chain_module_imports_without_flask():
    code = ("import sys, pb.audit_chain; "
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('flask', 'sqlalchemy', 'werkzeug')); "
            "print(bad); sys.exit(1 if bad else 0)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_kept_seq_and_hash_catch_a_chain_cut_short_or_rewritten_at_that_entry():
    from pb.audit_chain import parse_head

    seq, digest = parse_head(f"500:{CHAIN[499]['hash']}")
    assert (seq, digest) == (500, CHAIN[499]["hash"]) and parse_head(digest) == (None, digest)
    assert verify(CHAIN, expected_head=digest, expected_seq=seq).ok
    assert verify(CHAIN[:500], expected_head=digest, expected_seq=seq).ok
    cut = verify(CHAIN[:499], expected_head=digest, expected_seq=seq)  # the kept entry removed
    assert not cut.ok and cut.first_bad_seq == 500 and cut.checked == 499 and "ends at entry 499" in cut.problem
    other = verify(CHAIN, expected_head=CHAIN[498]["hash"], expected_seq=500)
    assert not other.ok and other.first_bad == 500
    for bad in ("", "abc", "0:" + digest, "x:" + digest, "5:" + "g" * 64):
        try:
            parse_head(bad)
        except ValueError:
            continue
        raise AssertionError(bad)

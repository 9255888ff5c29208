"""The audit log's hash chain, as pure functions (no Flask, no database).

Every entry has a number (``seq``, from 1, no gaps), a ``body`` (what happened: a dict of
plain JSON values, including the same ``seq``), the hash of the entry before it
(``prev_hash``; the first entry's is 64 zeros), the SHA-256 of its body's canonical JSON
(``body_hash``) and its own ``hash``:

    body_hash = SHA-256(canonical JSON of body)
    hash      = SHA-256(prev_hash + ":" + body_hash)        (hex, ASCII)

Every body written by the app also holds a random ``salt`` (32 hex digits): an entry whose
body the public may not read is published as its hashes only, and without the salt its
body cannot be guessed back from ``body_hash`` by trying every likely action, time and name.
The salt is published with the body when the entry becomes readable.

A head kept from earlier is best kept as ``SEQ:HASH`` (``verify(..., expected_seq=SEQ)``):
then a chain cut short after it, or one whose entry SEQ has another hash, is caught too.

Canonical JSON: keys sorted, no spaces, UTF-8, no NaN. Because the link uses the body's
hash, anyone can check the links of the whole chain from the published hashes alone, and
the bodies of the events they may read; someone who changes, removes, inserts or reorders
an entry must rewrite every hash after it, which a head hash kept elsewhere (in a results
file someone downloaded) then contradicts.
"""

import hashlib
import json
from dataclasses import dataclass

GENESIS = "0" * 64


def canonical(body: dict) -> bytes:
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


def body_digest(body: dict) -> str:
    return hashlib.sha256(canonical(body)).hexdigest()


def link(prev_hash: str, body_hash: str) -> str:
    return hashlib.sha256(f"{prev_hash}:{body_hash}".encode("ascii")).hexdigest()


def make_entry(prev: dict | None, body: dict) -> dict:
    """The entry that follows ``prev`` (None: the first), with ``body["seq"]`` set."""
    seq = 1 if prev is None else prev["seq"] + 1
    prev_hash = GENESIS if prev is None else prev["hash"]
    body = {**body, "seq": seq}
    digest = body_digest(body)
    return {"seq": seq, "prev_hash": prev_hash, "body_hash": digest, "body": body,
            "hash": link(prev_hash, digest)}


def build_chain(bodies) -> list[dict]:
    entries: list[dict] = []
    for body in bodies:
        entries.append(make_entry(entries[-1] if entries else None, body))
    return entries


@dataclass(frozen=True)
class Verdict:
    ok: bool
    checked: int  # entries read before the first bad one (all of them when ok)
    head: str  # the last good hash
    first_bad: int | None = None  # the position (from 1) of the first bad entry
    first_bad_seq: int | None = None  # the seq it claims, if it has one
    problem: str | None = None

    def __str__(self) -> str:
        if self.ok:
            return f"OK: {self.checked} entries, head {self.head}"
        return (f"BROKEN at entry {self.first_bad} (seq {self.first_bad_seq}): {self.problem}; "
                f"the {self.checked} entries before it are intact, their head {self.head}")


def parse_head(kept: str) -> tuple[int | None, str]:
    """A kept head, "SEQ:HASH" or a bare HASH, as (seq or None, hash); ValueError if neither."""
    seq_text, _, digest = kept.strip().rpartition(":")
    digest = digest.lower()
    if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise ValueError("a head is SEQ:HASH or HASH, the hash 64 hexadecimal digits")
    if not seq_text:
        return None, digest
    if not (seq_text.isascii() and seq_text.isdigit()) or int(seq_text) < 1:
        raise ValueError("a head's SEQ is a whole number from 1")
    return int(seq_text), digest


def verify(entries, *, expected_head: str | None = None, expected_seq: int | None = None) -> Verdict:
    """Check a whole chain in order; name the first entry that breaks it.

    Each entry is a dict with ``seq``, ``prev_hash``, ``hash`` and either ``body`` (then its
    hash is recomputed, and must match ``body_hash`` when given) or only ``body_hash`` (an
    entry whose body the reader may not see: only its link is checked).
    ``expected_head``: a head hash kept from earlier that must appear in the chain; with
    ``expected_seq``, it must be the hash of that very entry, and the chain must reach it.
    """
    prev_hash = GENESIS
    count = 0
    seen_head = expected_head is None
    for position, entry in enumerate(entries, start=1):
        seq = entry.get("seq") if isinstance(entry, dict) else None

        def bad(problem, position=position, seq=seq, prev_hash=prev_hash):
            return Verdict(False, position - 1, prev_hash, position, seq, problem)

        if not isinstance(entry, dict):
            return bad("not an entry")
        if seq != position:
            return bad(f"its number is {seq}, expected {position} (an entry is missing, added or moved)")
        if entry.get("prev_hash") != prev_hash:
            return bad("it does not point at the hash of the entry before it")
        body = entry.get("body")
        if body is not None:
            if not isinstance(body, dict) or body.get("seq") != seq:
                return bad("its body does not carry its number")
            try:
                digest = body_digest(body)
            except (TypeError, ValueError):
                return bad("its body is not plain JSON")
            if entry.get("body_hash") not in (None, digest):
                return bad("its body does not match its body hash (the event was changed)")
        else:
            digest = entry.get("body_hash")
            if not isinstance(digest, str) or len(digest) != 64:
                return bad("it has neither a body nor a body hash")
        if entry.get("hash") != link(prev_hash, digest):
            return bad("its hash is wrong (the event or its hash was changed)")
        prev_hash = entry["hash"]
        count = position
        if expected_seq is not None and position == expected_seq and prev_hash != expected_head:
            return Verdict(False, position - 1, entry["prev_hash"], position, seq,
                           f"it is the kept head's entry, but its hash is not the kept {expected_head} "
                           "(the log was rewritten)")
        if prev_hash == expected_head:
            seen_head = True
    if expected_seq is not None and count < expected_seq:
        return Verdict(False, count, prev_hash, count + 1, count + 1,
                       f"the chain ends at entry {count}, but the kept head is entry {expected_seq}: "
                       f"entries {count + 1} to {expected_seq} were removed")
    if not seen_head:
        return Verdict(False, count, prev_hash, None, None,
                       f"the kept head {expected_head} is not in the chain (the log was rewritten)")
    return Verdict(True, count, prev_hash)

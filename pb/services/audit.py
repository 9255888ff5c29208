"""The tamper-evident audit log: `record()` appends an event inside the caller's
transaction (so an action and its line in the record are written together or not at all),
chained by hash to the entry before (pb.audit_chain).

Appends are serialised so two writers cannot both extend the same head: on PostgreSQL a
transaction-scoped advisory lock is taken before the head is read (held until the
caller's commit or rollback); SQLite lets one writer at a time hold the database. The
unique `prev_hash` and the primary key `seq` make a fork impossible even so.

Secrecy: callers pass no ballot contents and nothing that names an assisted resident;
`day_only=True` records only the day (assisted checks and paper ballots). Every body holds
a random salt, so an entry published as its hashes only cannot be guessed back from them.

The chain's verdict is cached by the head's seq and hash (`cached_verdict()`): a request
reads only the head, and re-reads the whole chain when the head moved or the verdict is
older than AUDIT_VERDICT_SECONDS (default 300), so every app server agrees within that time.
"""

import json
import secrets
import threading
import time
from datetime import UTC, datetime

from flask import current_app, has_app_context
from sqlalchemy import select, text

from pb import audit_chain
from pb.models import AuditEntry, Round, db

ADVISORY_LOCK = 0x57424155  # "WBAU": the audit log's head, on PostgreSQL

# events the public reads once their round is public (drafts never); the rest are shown as
# their hashes only, so anyone can still check the chain's links
PUBLIC_ACTIONS = {
    "round.published", "round.unpublished", "round.date_moved", "round.voting_extended",
    "proposal.reviewed", "round.counted", "round.recounted", "plan.published",
    "outcome.status_changed", "paper.batch_created",
}
# shown only once the round's results are published
AFTER_RESULTS = {"round.counted", "round.recounted"}


def _role_of(person) -> str | None:
    if person is None:
        return "system"
    for role in ("admin", "officer", "councillor", "equalities"):
        if person.has_role(role):
            return role
    return "resident"


def _lock_head() -> None:
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK})


def _head_row() -> AuditEntry | None:
    return db.session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1)).first()


def body_of(entry: AuditEntry) -> dict:
    return {"seq": entry.seq, "at": entry.at, "action": entry.action, "actor_id": entry.actor_id,
            "actor_name": entry.actor_name, "actor_role": entry.actor_role,
            "round_id": entry.round_id, "subject": entry.subject,
            "details": json.loads(entry.details), "reason": entry.reason, "public": entry.public,
            **({"salt": entry.salt} if entry.salt else {})}


def as_chain_entry(entry: AuditEntry, *, with_body: bool = True) -> dict:
    return {"seq": entry.seq, "prev_hash": entry.prev_hash, "body_hash": entry.body_hash,
            "hash": entry.hash, "body": body_of(entry) if with_body else None}


def record(action: str, *, actor=None, round_id: int | None = None, subject: str | None = None,
           details: dict | None = None, reason: str | None = None, day_only: bool = False,
           role: str | None = None) -> AuditEntry:
    """Append one event to the log in the current transaction; the caller commits."""
    _lock_head()
    # an entry added earlier in this transaction and not flushed yet is the head; nothing
    # is flushed here, so a caller's half-built objects are never written early
    pending = [o for o in db.session.new if isinstance(o, AuditEntry)]
    with db.session.no_autoflush:
        head = max(pending, key=lambda e: e.seq) if pending else _head_row()
    now = datetime.now(UTC)
    at = now.date().isoformat() if day_only else now.strftime("%Y-%m-%dT%H:%M:%SZ")
    body = {"at": at, "action": action,
            "actor_id": getattr(actor, "id", None), "actor_name": getattr(actor, "name", None),
            "actor_role": role or _role_of(actor), "round_id": round_id, "subject": subject,
            "details": json.loads(json.dumps(details or {}, default=str)), "reason": reason,
            "public": action in PUBLIC_ACTIONS, "salt": secrets.token_hex(16)}
    chained = audit_chain.make_entry(None if head is None else {"seq": head.seq, "hash": head.hash}, body)
    body = chained["body"]
    entry = AuditEntry(seq=chained["seq"], at=body["at"], action=action, actor_id=body["actor_id"],
                       actor_name=body["actor_name"], actor_role=body["actor_role"],
                       round_id=round_id, subject=subject,
                       details=json.dumps(body["details"], sort_keys=True, separators=(",", ":"),
                                          ensure_ascii=False),
                       reason=reason, public=body["public"], salt=body["salt"], prev_hash=chained["prev_hash"],
                       body_hash=chained["body_hash"], hash=chained["hash"])
    db.session.add(entry)
    return entry


def entries(batch: int = 2000):
    """Every entry in order, read in batches (the chain can be long)."""
    last = 0
    while True:
        rows = db.session.scalars(select(AuditEntry).where(AuditEntry.seq > last)
                                  .order_by(AuditEntry.seq).limit(batch)).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].seq


def verify(expected_head: str | None = None) -> audit_chain.Verdict:
    """Check the whole chain; `expected_head` is a kept head, "SEQ:HASH" or a bare hash
    (ValueError if it is neither)."""
    seq, digest = audit_chain.parse_head(expected_head) if expected_head else (None, None)
    return audit_chain.verify((as_chain_entry(e) for e in entries()), expected_head=digest,
                              expected_seq=seq)


_VERDICTS: dict = {}  # (database, head seq, head hash) -> (verdict, when checked)
_VERDICTS_LOCK = threading.Lock()


def cached_verdict() -> audit_chain.Verdict:
    """The chain's verdict, re-checked only when the head moved (one cheap query) or the
    cached one is older than AUDIT_VERDICT_SECONDS."""
    now_head = head()
    key = (str(db.engine.url), now_head["seq"], now_head["hash"])
    max_age = float(current_app.config.get("AUDIT_VERDICT_SECONDS", 300)) if has_app_context() else 300
    with _VERDICTS_LOCK:
        hit = _VERDICTS.get(key)
    if hit is not None and time.monotonic() - hit[1] < max_age:
        return hit[0]
    verdict = verify()
    with _VERDICTS_LOCK:
        for old in [k for k in _VERDICTS if k[0] == key[0]]:
            del _VERDICTS[old]
        _VERDICTS[key] = (verdict, time.monotonic())
    return verdict


def newest(limit: int) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(limit)))


def page(first_seq: int, last_seq: int) -> list[AuditEntry]:
    """Entries first_seq..last_seq (seqs have no gaps)."""
    return list(db.session.scalars(select(AuditEntry).where(
        AuditEntry.seq >= first_seq, AuditEntry.seq <= last_seq).order_by(AuditEntry.seq)))


def head_text(found: dict | None = None) -> str:
    """The head as anyone should keep it: "SEQ:HASH"."""
    found = found or head()
    return f"{found['seq']}:{found['hash']}"


def head() -> dict:
    row = _head_row()
    if row is None:
        return {"seq": 0, "hash": audit_chain.GENESIS}
    return {"seq": row.seq, "hash": row.hash}


def count_entry(round_id: int) -> AuditEntry | None:
    """The entry that recorded the round's last count: its hash was the log's head when the
    results now published were stored (a count after publication is refused)."""
    return db.session.scalars(select(AuditEntry).where(
        AuditEntry.round_id == round_id, AuditEntry.action.in_(AFTER_RESULTS))
        .order_by(AuditEntry.seq.desc()).limit(1)).first()


def readable(entry: AuditEntry, person=None) -> bool:
    """Whether `person` may read the entry's contents (everyone may see its hashes)."""
    from pb.policy import can
    from pb.services.rounds import published as heading_published

    if can(person, "read_audit"):
        return True
    if not entry.public:
        return False
    if entry.round_id is not None:
        round_ = db.session.get(Round, entry.round_id)
        if round_ is None or round_.status != "published":
            return False
        if entry.action in AFTER_RESULTS and not all(heading_published(h) for h in round_.headings):
            return False
    return True



def count_details(results) -> dict:
    """What a count's entry says: per ward, how many ballots and the counted file's SHA-256."""
    return {"wards": {r.heading.ward.slug: {"ballots": r.ballots_counted, "sha256": r.ballots_sha256}
                      for r in results}}

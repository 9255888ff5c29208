"""The tamper-evident audit log: `record()` appends an event inside the caller's
transaction (so an action and its line in the record are written together or not at all),
chained by hash to the entry before (pb.audit_chain).

Appends are serialised so two writers cannot both extend the same head: on PostgreSQL a
transaction-scoped advisory lock is taken before the head is read (held until the
caller's commit or rollback); SQLite lets one writer at a time hold the database. The
unique `prev_hash` and the primary key `seq` make a fork impossible even so.

Secrecy: callers pass no ballot contents and nothing that names an assisted resident;
`day_only=True` records only the day (assisted checks and paper ballots).
"""

import json
from datetime import UTC, datetime

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
            "details": json.loads(entry.details), "reason": entry.reason, "public": entry.public}


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
            "public": action in PUBLIC_ACTIONS}
    chained = audit_chain.make_entry(None if head is None else {"seq": head.seq, "hash": head.hash}, body)
    body = chained["body"]
    entry = AuditEntry(seq=chained["seq"], at=body["at"], action=action, actor_id=body["actor_id"],
                       actor_name=body["actor_name"], actor_role=body["actor_role"],
                       round_id=round_id, subject=subject,
                       details=json.dumps(body["details"], sort_keys=True, separators=(",", ":"),
                                          ensure_ascii=False),
                       reason=reason, public=body["public"], prev_hash=chained["prev_hash"],
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
    return audit_chain.verify((as_chain_entry(e) for e in entries()), expected_head=expected_head)


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

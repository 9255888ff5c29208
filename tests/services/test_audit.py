"""The audit log in the services: each action and its entry are written in one transaction,
entries never name a resident or time an assisted or paper ballot, appends under
concurrency never fork the chain, and `flask pb audit verify` names the first bad entry."""

import json
import threading
from datetime import date, timedelta

from sqlalchemy import delete, select, update

from pb.models import AuditEntry, db
from pb.services import assisted, audit, counting, paper, rounds
from pb.services.errors import ServiceError
from tests.factories import add_projects, close_and_mix, make_round, officer


def _actions() -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)))


def test_round_actions_are_recorded_in_order_and_the_chain_verifies(ctx):
    round_ = make_round("draft", wards=("stockwell-east",))
    rounds.publish_round(officer(), round_)
    rounds.move_phase_date(officer(), round_, "delivery", round_.delivery_from + timedelta(days=3), "Summer")
    assert _actions() == ["round.created", "round.published", "round.date_moved"]
    moved = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "round.date_moved"))
    assert moved.reason == "Summer" and moved.actor_role == "officer" and moved.actor_name == "Test Officer"
    assert json.loads(moved.details)["phase"] == "delivery"
    assert audit.verify().ok and audit.head()["seq"] == 3


def test_a_refused_action_leaves_no_entry(ctx):
    round_ = make_round("draft", wards=("stockwell-east",))
    before = _actions()
    round_.proposals_from = date.today() - timedelta(days=1)
    try:
        rounds.publish_round(officer(), round_)
    except ServiceError:
        db.session.rollback()
    assert _actions() == before


def test_counts_record_the_fingerprints_and_a_recount_its_reason(ctx):
    round_ = make_round("voting", wards=("stockwell-east",))
    add_projects(round_.headings[0], [100])
    close_and_mix(round_)
    counting.count_round(officer(), round_)
    counting.count_round(officer(), round_, reason="A paper batch was found")
    counted, recounted = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action.in_(("round.counted", "round.recounted"))).order_by(AuditEntry.seq)).all()
    sha = round_.headings[0].result.ballots_sha256
    assert json.loads(counted.details)["wards"]["stockwell-east"]["sha256"] == sha
    assert recounted.reason == "A paper batch was found"
    assert audit.count_entry(round_.id).seq == recounted.seq


def test_assisted_checks_and_paper_ballots_say_only_the_day_and_never_who(ctx):
    round_ = make_round("voting", wards=("stockwell-east",))
    projects = add_projects(round_.headings[0], [100, 200])
    person = assisted.check_resident(officer(), round_, name="Amara Okafor", born=date(1950, 5, 1),
                                     postcode="SW9 0AA", method="document")
    batch = paper.create_batch(officer(), round_.headings[0], "Library box 1", 1)
    from tests.factories import resident

    second = resident("Second Keyer", "stockwell-east")
    from pb.models import RoleGrant

    second.roles.append(RoleGrant(role="officer"))
    db.session.commit()
    paper.key_paper(officer(), batch, 1, [projects[0].project_id])
    paper.key_paper(second, batch, 1, [projects[0].project_id])
    entries = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action.in_(("assisted.checked", "paper.ballot_entered")))).all()
    assert {e.action for e in entries} == {"assisted.checked", "paper.ballot_entered"}
    for entry in entries:
        assert entry.at == date.today().isoformat() or len(entry.at) == 10  # a day, no time
        text = json.dumps(audit.body_of(entry))
        assert "Amara" not in text and "Okafor" not in text and str(person.id) not in json.loads(entry.details).values()
        assert projects[0].project_id not in json.loads(entry.details).values()
        assert not entry.public
    assert audit.verify().ok


def test_verify_names_the_first_changed_entry_and_the_cli_fails(app, ctx):
    round_ = make_round("draft", wards=("stockwell-east",))
    rounds.publish_round(officer(), round_)
    rounds.unpublish_round(officer(), round_)
    head = audit.head()["hash"]
    db.session.execute(update(AuditEntry).where(AuditEntry.seq == 2).values(reason="rewritten"))
    db.session.commit()
    verdict = audit.verify()
    assert not verdict.ok and verdict.first_bad == 2
    result = app.test_cli_runner().invoke(args=["pb", "audit", "verify"])
    assert result.exit_code == 1 and "BROKEN at entry 2" in result.output
    # rewriting every hash after it makes a valid chain, but not one holding the kept head
    entries = list(audit.entries())
    from pb.audit_chain import build_chain

    rebuilt = build_chain({k: v for k, v in audit.body_of(e).items() if k != "seq"} for e in entries)
    for entry, new in zip(entries, rebuilt, strict=True):
        entry.prev_hash, entry.body_hash, entry.hash = ("x" * 64, "x" * 64, "y" * 64)
        db.session.flush()
        entry.prev_hash, entry.body_hash, entry.hash = new["prev_hash"], new["body_hash"], new["hash"]
        db.session.flush()
    db.session.commit()
    assert audit.verify().ok and not audit.verify(expected_head=head).ok
    result = app.test_cli_runner().invoke(args=["pb", "audit", "verify", "--head", head])
    assert result.exit_code == 1 and "not in the chain" in result.output


def test_concurrent_appends_never_fork_the_chain(app, ctx):
    """Eight writers at once (on PostgreSQL the advisory lock queues them; SQLite lets one
    write at a time, and a writer that loses the race retries)."""
    round_ = make_round("upcoming", wards=("stockwell-east",))
    round_id, officer_id = round_.id, officer().id
    db.session.remove()
    errors = []

    def write(n):
        from pb.models import Person

        with app.app_context():
            for _ in range(20):
                try:
                    audit.record("round.date_moved", actor=db.session.get(Person, officer_id),
                                 round_id=round_id, reason=f"writer {n}")
                    db.session.commit()
                    break
                except Exception:  # SQLite: database is locked; try again
                    db.session.rollback()
            else:
                errors.append(n)
            db.session.remove()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    verdict = audit.verify()
    assert verdict.ok and verdict.checked == 1 + 8  # the round's creation, then eight


def test_a_kept_head_catches_the_latest_entries_being_removed(app, ctx):
    round_ = make_round("draft", wards=("stockwell-east",))
    rounds.publish_round(officer(), round_)
    rounds.unpublish_round(officer(), round_)
    kept = audit.head_text()  # "SEQ:HASH", as a download's current_audit_head / X-Audit-Head
    last = audit.head()["seq"]
    assert audit.verify(kept).ok and audit.verify(kept.split(":")[1]).ok
    cli = app.test_cli_runner()
    assert cli.invoke(args=["pb", "audit", "verify", "--head", kept]).exit_code == 0
    db.session.execute(delete(AuditEntry).where(AuditEntry.seq == last))
    db.session.commit()
    assert audit.verify().ok  # the shortened chain is still a valid chain
    verdict = audit.verify(kept)
    assert not verdict.ok and verdict.first_bad_seq == last and verdict.checked == last - 1
    result = cli.invoke(args=["pb", "audit", "verify", "--head", kept])
    assert result.exit_code == 1 and f"ends at entry {last - 1}" in result.output
    assert f"kept head is entry {last}" in result.output
    # a new entry in its place has another hash: caught as a rewrite, naming that entry
    rounds.publish_round(officer(), round_)
    verdict = audit.verify(kept)
    assert not verdict.ok and verdict.first_bad == last and "kept head's entry" in verdict.problem
    # a head that is not SEQ:HASH or HASH is a usage error, not a traceback
    result = cli.invoke(args=["pb", "audit", "verify", "--head", "12:nothex"])
    assert result.exit_code == 2 and "--head" in result.output


def test_the_verdict_is_cached_by_the_head_and_rechecked_when_it_moves(app, ctx):
    round_ = make_round("draft", wards=("stockwell-east",))
    rounds.publish_round(officer(), round_)
    assert audit.cached_verdict().ok
    db.session.execute(update(AuditEntry).where(AuditEntry.seq == 1).values(reason="rewritten"))
    db.session.commit()
    assert audit.cached_verdict().ok  # same head: the cached verdict (at most AUDIT_VERDICT_SECONDS old)
    rounds.unpublish_round(officer(), round_)  # the head moves: the whole chain is read again
    verdict = audit.cached_verdict()
    assert not verdict.ok and verdict.first_bad == 1
    app.config["AUDIT_VERDICT_SECONDS"] = 0
    db.session.execute(update(AuditEntry).where(AuditEntry.seq == 1).values(reason=None))
    db.session.commit()
    assert audit.cached_verdict().ok  # too old: checked again

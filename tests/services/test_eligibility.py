"""Eligibility lists: an officer's CSV of reference numbers, read whole or not at all, kept
only as keyed hashes, and each reference good for one vote in its round, even when two
residents race with it."""

import threading
import time

import pytest
from sqlalchemy import func, select, text

from pb.models import EligibilityEntry, RoleGrant, RollEntry, SealedBallot, db
from pb.services import eligibility, voting
from pb.services.errors import NotAllowed, ServiceError, WrongPhase
from tests.factories import add_projects, make_round, officer, resident, set_phase, ward

GOOD = b"reference\nAB 12 34 56\ncd789012\n  EF 345678  \n"


def entries(round_) -> list[EligibilityEntry]:
    return list(db.session.scalars(select(EligibilityEntry).where(EligibilityEntry.round_id == round_.id)))


def voting_round_with_list(data=GOOD):
    round_ = make_round("review")
    projects = add_projects(round_.headings[0], [3000])
    eligibility.upload_list(officer(), round_, "register.csv", data)
    set_phase(round_, "voting")
    return round_, round_.headings[0], projects[0].project_id


def test_an_officer_uploads_a_list_and_it_holds_the_tidied_references(ctx):
    round_ = make_round("review")
    assert eligibility.upload_list(officer(), round_, "register.csv", GOOD) == 3
    assert eligibility.list_size(round_) == 3 and eligibility.has_list(round_)
    hashes = {e.reference_hash for e in entries(round_)}
    assert hashes == {eligibility.reference_hash(r) for r in ("AB123456", "CD789012", "EF345678")}
    assert eligibility.reference_hash(" ab 12 34 56 ") == eligibility.reference_hash("AB123456")


def test_only_hashes_are_stored_never_the_references(ctx):
    round_ = make_round("review")
    eligibility.upload_list(officer(), round_, "register.csv", GOOD)
    rows = db.session.execute(text("SELECT * FROM eligibility_entries")).all()
    dumped = repr(rows).upper().replace(" ", "")
    for reference in ("AB123456", "CD789012", "EF345678"):
        assert reference not in dumped
    # and nowhere else in the database either
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(table.select()).all():
            assert "AB123456" not in repr(row).upper().replace(" ", "")


@pytest.mark.parametrize("filename, data, message", [
    ("register.xlsx", b"AB123456\n", "must be a CSV"),
    ("register.csv", b"\xff\xfe\x00A\x00B", "must be a CSV"),
    ("register.csv", b"", "is empty"),
    ("register.csv", b"reference\n", "is empty"),
    ("register.csv", b"AB1\n\nAB2\n", "Line 2 of the file has no reference number"),
    ("register.csv", b"AB1\n,Flat 2\n", "Line 2 of the file has no reference number"),
    ("register.csv", b"AB1\n" + b"X" * 41 + b"\n", "line 2 must be 40 characters or fewer"),
    ("register.csv", b"AB1\nCD2\nab 1\n", "Line 3 repeats the reference number on line 1"),
])
def test_a_malformed_file_is_refused_saying_which_line_and_nothing_is_imported(ctx, filename, data, message):
    round_ = make_round("review")
    eligibility.upload_list(officer(), round_, "register.csv", b"OLD1\nOLD2\n")
    with pytest.raises(ServiceError) as err:
        eligibility.upload_list(officer(), round_, filename, data)
    assert message in str(err.value.message) and err.value.field == "references"
    assert eligibility.list_size(round_) == 2  # the old list stands, untouched
    assert {e.reference_hash for e in entries(round_)} == {eligibility.reference_hash("OLD1"),
                                                          eligibility.reference_hash("OLD2")}


def test_a_failure_while_writing_leaves_nothing_half_imported(ctx, monkeypatch):
    round_ = make_round("review")
    eligibility.upload_list(officer(), round_, "register.csv", b"OLD1\n")
    real = eligibility.reference_hash
    monkeypatch.setattr(eligibility, "insert", lambda *a: (_ for _ in ()).throw(RuntimeError("disk full")))
    with pytest.raises(RuntimeError):
        eligibility.upload_list(officer(), round_, "register.csv", GOOD)
    db.session.expire_all()
    assert [e.reference_hash for e in entries(round_)] == [real("OLD1")]


def test_uploading_again_replaces_the_list_until_voting_opens(ctx):
    round_ = make_round("review")
    eligibility.upload_list(officer(), round_, "register.csv", GOOD)
    assert eligibility.upload_list(officer(), round_, "register.csv", b"NEW1\n") == 1
    set_phase(round_, "voting")
    with pytest.raises(WrongPhase):
        eligibility.upload_list(officer(), round_, "register.csv", b"NEW2\n")
    assert eligibility.list_size(round_) == 1


def test_councillors_and_residents_cannot_upload(ctx):
    round_ = make_round("review")
    councillor = resident("Cllr Cole", "stockwell-east")
    councillor.roles.append(RoleGrant(role="councillor", ward=ward("stockwell-east")))
    db.session.commit()
    for person in (councillor, resident("Rae", "stockwell-east")):
        with pytest.raises(NotAllowed):
            eligibility.upload_list(person, round_, "register.csv", GOOD)
    assert eligibility.list_size(round_) == 0


def test_a_round_without_a_list_needs_no_reference(ctx):
    round_ = make_round("voting")
    project_id = add_projects(round_.headings[0], [3000])[0].project_id
    voting.cast_ballot(resident("Ada", "stockwell-east"), round_.headings[0], [project_id])


def test_a_reference_votes_once_and_a_second_resident_with_it_is_refused(ctx):
    round_, heading, project_id = voting_round_with_list()
    for missing in (None, "", "   "):
        with pytest.raises(ServiceError) as err:
            voting.cast_ballot(resident("Ada", "stockwell-east"), heading, [project_id], reference=missing)
        assert err.value.field == "reference" and "Enter your reference" in str(err.value.message)
    with pytest.raises(ServiceError) as err:
        voting.cast_ballot(resident("Bo", "stockwell-east"), heading, [project_id], reference="ZZ999")
    assert err.value.field == "reference"
    voting.cast_ballot(resident("Cy", "stockwell-east"), heading, [project_id], reference="ab123456")
    with pytest.raises(ServiceError) as err:
        voting.cast_ballot(resident("Di", "stockwell-east"), heading, [project_id], reference="AB 123 456")
    assert err.value.field == "reference"
    assert db.session.scalar(select(func.count()).select_from(RollEntry)) == 1
    assert db.session.scalar(select(func.count()).select_from(SealedBallot)) == 1
    assert sum(e.used for e in entries(round_)) == 1


def test_a_reference_is_per_round(ctx):
    first, heading, project_id = voting_round_with_list(b"AB1\n")
    second, other, other_project = voting_round_with_list(b"AB1\n")
    ada = resident("Ada", "stockwell-east")
    voting.cast_ballot(ada, heading, [project_id], reference="AB1")
    voting.cast_ballot(ada, other, [other_project], reference="AB1")


def test_a_failed_cast_leaves_the_reference_unused(ctx):
    round_, heading, project_id = voting_round_with_list()

    def fail(name):
        if name == "sealed":
            raise RuntimeError("power cut")
    with pytest.raises(RuntimeError):
        voting.cast_ballot(resident("Ada", "stockwell-east"), heading, [project_id],
                           reference="AB123456", on_step=fail)
    db.session.expire_all()
    assert not any(e.used for e in entries(round_))
    voting.cast_ballot(resident("Bo", "stockwell-east"), heading, [project_id], reference="AB123456")


def test_twenty_residents_racing_with_one_reference_leave_one_vote(app):
    """Every cast passes the 'is it unused?' check, pauses, then writes: the conditional update decides."""
    with app.app_context():
        round_, heading, project_id = voting_round_with_list()
        heading_id = heading.id
        person_ids = [resident(f"Racer {i}", "stockwell-east").id for i in range(20)]
    barrier = threading.Barrier(20, timeout=30)
    outcomes = []

    def attempt(person_id):
        with app.app_context():
            from pb.models import Heading, Person

            person = db.session.get(Person, person_id)
            target = db.session.get(Heading, heading_id)
            try:
                voting.cast_ballot(person, target, [project_id], reference="AB123456",
                                   after_check=lambda: (barrier.wait(), time.sleep(0.05)))
                outcomes.append("cast")
            except ServiceError as err:
                assert err.field == "reference"
                outcomes.append("refused")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt, args=(pid,)) for pid in person_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("cast") == 1 and outcomes.count("refused") == 19
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(RollEntry)) == 1
        assert db.session.scalar(select(func.count()).select_from(SealedBallot)) == 1

"""Eligibility lists: an officer uploads a round's reference numbers (electoral register or
council tax) as a CSV file; a resident must then give one of them to vote, and each works
once per round.

References are kept only as keyed hashes (HMAC-SHA256 under a key derived from SECRET_KEY
for this one purpose), after tidying: surrounding space removed, upper case, inner spaces
removed, so "ab 12 34" and "AB1234" are one reference. A list is replaced whole, in one
transaction, and only until voting opens: from then it is frozen with the ballot.

Using a reference is identity data, like the roll entry written beside it in the cast's
transaction (pb.services.voting): the ballot never holds it (see EligibilityEntry).
"""

import csv
import hashlib
import hmac
import io

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, insert, select, update

from pb.models import EligibilityEntry, Round, db
from pb.policy import can
from pb.services import audit
from pb.services.errors import NotAllowed, ServiceError, WrongPhase
from pb.services.rounds import is_frozen

MAX_LENGTH = 40  # characters in a tidied reference
FIELD = "references"  # the upload form's field, where a problem with the file is shown


class BadFile(ServiceError):
    def __init__(self, message):
        super().__init__(message, field=FIELD)


def tidy(reference: str) -> str:
    """' ab 12 34 ' -> 'AB1234'"""
    return "".join(reference.split()).upper()


def reference_hash(reference: str) -> str:
    key = hmac.new(current_app.config["SECRET_KEY"].encode(), b"ward-budgets eligibility reference",
                   hashlib.sha256).digest()
    return hmac.new(key, tidy(reference).encode(), hashlib.sha256).hexdigest()


def read_references(filename: str, data: bytes) -> list[str]:
    """The tidied references in a CSV file, one a row in its first column, or BadFile saying
    what is wrong and on which line. A first row whose first cell is "reference" is a heading."""
    if not (filename or "").lower().endswith(".csv") or b"\0" in data:
        raise BadFile(_l("The selected file must be a CSV"))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadFile(_l("The selected file must be a CSV")) from None
    references: list[str] = []
    first_seen: dict[str, int] = {}
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        for row in reader:
            line = reader.line_num
            reference = tidy(row[0]) if row else ""
            if line == 1 and reference == "REFERENCE":
                continue
            if not reference:
                raise BadFile(_l("Line %(line)s of the file has no reference number", line=line))
            if len(reference) > MAX_LENGTH:
                raise BadFile(_l("The reference number on line %(line)s must be %(max)s characters or fewer",
                                 line=line, max=MAX_LENGTH))
            if reference in first_seen:
                raise BadFile(_l("Line %(line)s repeats the reference number on line %(first)s",
                                 line=line, first=first_seen[reference]))
            first_seen[reference] = line
            references.append(reference)
    except csv.Error:
        raise BadFile(_l("The selected file must be a CSV")) from None
    if not references:
        raise BadFile(_l("The selected file is empty"))
    return references


def upload_list(person, round_: Round, filename: str, data: bytes) -> int:
    """Replace the round's list with the file's references; returns how many it holds.
    The file is read whole first, and the list replaced in one transaction: a bad file
    changes nothing."""
    if not can(person, "manage_eligibility", round_):
        raise NotAllowed(_l("You cannot change this round's eligibility list."))
    if is_frozen(round_):
        raise WrongPhase(_l("Voting has opened, so the eligibility list can no longer change."), field=FIELD)
    references = read_references(filename, data)
    rows = [{"round_id": round_.id, "reference_hash": reference_hash(r)} for r in references]
    try:
        db.session.execute(delete(EligibilityEntry).where(EligibilityEntry.round_id == round_.id))
        db.session.execute(insert(EligibilityEntry), rows)
        audit.record("eligibility.uploaded", actor=person, round_id=round_.id, details={"references": len(rows)})
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return len(rows)


def list_size(round_: Round) -> int:
    """How many references the round's list holds (0: the round has no list)."""
    return db.session.scalar(select(func.count()).select_from(EligibilityEntry)
                             .where(EligibilityEntry.round_id == round_.id))


def has_list(round_: Round) -> bool:
    return db.session.scalar(select(EligibilityEntry.id).where(
        EligibilityEntry.round_id == round_.id).limit(1)) is not None


NOT_ACCEPTED = _l("We cannot accept that reference number. Check it and try again, or contact "
                  "the council if you think someone else has used it.")


def check_reference(round_: Round, reference: str | None) -> None:
    """Refuse, before anything is written, a reference the round's list cannot take.

    An unknown and an already-used reference get the same answer, so trying references
    does not tell anyone which are on the list or who has voted."""
    if not has_list(round_):
        return
    if not tidy(reference or ""):
        raise ServiceError(_l("Enter your reference number"), field="reference")
    free = db.session.scalar(select(EligibilityEntry.id).where(
        EligibilityEntry.round_id == round_.id, EligibilityEntry.reference_hash == reference_hash(reference),
        EligibilityEntry.used.is_(False)))
    if free is None:
        raise ServiceError(NOT_ACCEPTED, field="reference")


def use_reference(round_: Round, reference: str | None) -> None:
    """Mark the reference used, inside the caller's transaction (the cast's), without committing.

    One conditional UPDATE: of two casts racing with one reference, the database lets only
    one change the row from unused to used; the other changes nothing and is refused."""
    if not has_list(round_):
        return
    changed = db.session.execute(update(EligibilityEntry).where(
        EligibilityEntry.round_id == round_.id, EligibilityEntry.reference_hash == reference_hash(reference or ""),
        EligibilityEntry.used.is_(False)).values(used=True).execution_options(synchronize_session=False))
    if changed.rowcount != 1:
        raise ServiceError(NOT_ACCEPTED, field="reference")

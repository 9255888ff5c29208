"""The ballot box: sealed ballots while voting is open, the mixer when it closes.

Casting (``pb.services.voting.cast_ballot``) writes the voter's roll entry and a sealed
ballot in one transaction. Both rows carry that transaction's id, so the sealed ballot
says nothing readable: its contents are encrypted with AES-GCM under the ballot sealing
key (``BALLOT_SEAL_KEY``, never stored in the database), bound to the row's random key.

When voting has closed, ``mix_heading`` takes every sealed ballot of a ward, in one
transaction of its own: it closes the ward's box (``headings.mixed_at``; a cast still in
flight then fails and writes nothing), opens the seals, shuffles the ballots with the
operating system's random source, writes them into ``ballots`` with fresh random keys,
shuffles the equality answers separately into ``monitoring_responses``, and deletes the
sealed rows. Every visible ballot row of the ward then shares the mixer's transaction and
sits in random order. The count refuses to run while any sealed ballot is waiting.

A one-time token, kept in the voter's session, lets that browser see its receipt once
and answer the optional equality questions: only its SHA-256 is stored, on the sealed
row, and it ends when used, at sign-out, after 30 minutes, and at the mix.
"""

import base64
import hashlib
import json
import os
import secrets
from datetime import timedelta

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm.exc import StaleDataError

from pb.models import Ballot, Heading, MonitoringResponse, Round, SealedBallot, db
from pb.models.people import _now
from pb.services.errors import ServiceError, WrongPhase
from pb.services.rounds import has_reached

TOKEN_LIFETIME = timedelta(minutes=30)
NONCE_BYTES = 12
# every seal's plaintext is padded to a multiple of this, so a sealed row's length says
# nothing about the choices or answers inside (AES-GCM keeps the plaintext's length)
PAD_TO = 4096


class SealBroken(ServiceError):
    """A sealed ballot could not be opened: the wrong key, or the row was altered."""

    status = 409

    def __init__(self, row_id: str = ""):
        super().__init__(_l("Some sealed ballots cannot be opened with this server's ballot "
                            "sealing key. Nothing has been mixed or counted. Check that "
                            "BALLOT_SEAL_KEY is the key used while voting was open."))
        self.row_id = row_id


class MixConflict(ServiceError):
    status = 409

    def __init__(self):
        super().__init__(_l("The ballots were being mixed by another request. Try again."))


# -- sealing ------------------------------------------------------------------------------

def _aead() -> AESGCM:
    return AESGCM(current_app.config["BALLOT_SEAL_KEY"])


DRAFT_PAD_TO = 1024  # a draft travels in the session cookie, which must stay under 4 KB


def _pad(data: bytes, block: int) -> bytes:
    """``data``, a newline, then spaces up to the next multiple of ``block`` (JSON ignores them)."""
    size = (len(data) // block + 1) * block
    return data + b"\n" + b" " * (size - len(data) - 1)


def seal(row_id: str, heading_id: int, payload: dict, pad_to: int = PAD_TO) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    data = _pad(json.dumps(payload, sort_keys=True).encode(), pad_to)
    return nonce + _aead().encrypt(nonce, data, f"{row_id}:{heading_id}".encode())


def unseal(row_id: str, heading_id: int, sealed: bytes, aead: AESGCM | None = None) -> dict:
    """The payload of a sealed row; ``aead``: one cipher for many rows (the mixer's 30,000)."""
    try:
        data = (aead or _aead()).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:],
                                         f"{row_id}:{heading_id}".encode())
    except InvalidTag:
        raise SealBroken(row_id) from None
    return json.loads(data)


# -- choices on their way to the check-answers page ---------------------------------------

def seal_draft(person_id: int, round_id: int, choices) -> str:
    """The choices a resident is about to check, sealed for their session cookie (which is
    signed, not encrypted), bound to them and the round, for 30 minutes."""
    expires = (_now() + TOKEN_LIFETIME).isoformat()
    sealed = seal(f"draft:{person_id}", round_id, {"choices": choices, "expires": expires},
                  pad_to=DRAFT_PAD_TO)
    return base64.urlsafe_b64encode(sealed).decode()


def open_draft(text, person_id: int, round_id: int):
    """The choices of ``seal_draft``, or None when absent, altered, someone else's or stale."""
    if not isinstance(text, str) or len(text) > 20_000:
        return None
    try:
        payload = unseal(f"draft:{person_id}", round_id, base64.urlsafe_b64decode(text))
    except (SealBroken, ValueError):
        return None
    if payload.get("expires", "") < _now().isoformat():
        return None
    return payload.get("choices")


# -- the voter's one-time token -----------------------------------------------------------

def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def sealed_for_token(token, *, lock: bool = False) -> SealedBallot | None:
    """The waiting ballot a live token opens, or None (unknown, used, expired or mixed)."""
    if not isinstance(token, str) or not token or len(token) > 100:
        return None
    # a token dies with the ward's box: once the mixer has closed it, nothing is resealed
    query = select(SealedBallot).join(Heading, Heading.id == SealedBallot.heading_id).where(
        SealedBallot.token_hash == token_digest(token), SealedBallot.token_expires_at > _now(),
        Heading.mixed_at.is_(None))
    if lock:
        query = query.with_for_update(of=SealedBallot)
    return db.session.scalar(query)


def end_token(token) -> None:
    """Forget a token (sign-out, skip): one transaction; nothing happens for a dead token."""
    if not isinstance(token, str) or not token:
        return
    try:
        db.session.execute(update(SealedBallot).where(
            SealedBallot.token_hash == token_digest(token)).values(
            token_hash=None, token_expires_at=None))
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise


def _reseal(token, change):
    """One transaction: open the live token's sealed ballot, let ``change`` edit its payload
    (and the row), seal it again. ``change``'s answer, or None for a dead token."""
    try:
        row = sealed_for_token(token, lock=True)
        if row is None:
            db.session.rollback()
            return None
        payload = unseal(row.id, row.heading_id, row.sealed)
        answer = change(payload, row)
        row.sealed = seal(row.id, row.heading_id, payload)
        db.session.commit()
        return answer
    except StaleDataError:  # the mixer moved it meanwhile (SQLite): the token is dead
        db.session.rollback()
        return None
    except BaseException:
        db.session.rollback()
        raise


def take_receipt(token) -> str | None:
    """The receipt of the token's ballot, once: it is removed from the seal as it is read."""
    return _reseal(token, lambda payload, row: payload.pop("receipt", None))


def add_answers(token, answers: dict) -> bool:
    """Seal the equality answers in with the token's ballot and end the token.

    False when the token is dead (used, expired, signed out or mixed): nothing is written.
    """
    def change(payload, row):
        payload["answers"] = answers
        payload.pop("receipt", None)  # the questions come after the receipt page
        row.token_hash = None
        row.token_expires_at = None
        return True

    return bool(_reseal(token, change))


# -- paper ballots ------------------------------------------------------------------------

def add_paper_ballot(heading: Heading, choices) -> None:
    """A settled paper ballot, sealed like any other, in the caller's transaction (not
    committed here). No roll entry, no receipt anyone sees (a random one's hash fills the
    column), no token. It may arrive after the ward's box was closed: the next mix (the
    count runs one first) moves it into ``ballots`` like the rest."""
    row_id = secrets.token_hex(16)
    payload = {"choices": choices, "channel": "paper", "receipt": None,
               "receipt_hash": hashlib.sha256(secrets.token_bytes(32)).hexdigest(), "answers": None}
    db.session.add(SealedBallot(id=row_id, heading_id=heading.id,
                                sealed=seal(row_id, heading.id, payload)))
    db.session.flush()


# -- the mixer ----------------------------------------------------------------------------

def waiting(heading: Heading) -> int:
    """How many sealed ballots of the ward wait for the mixer."""
    return db.session.scalar(select(func.count()).select_from(SealedBallot).where(
        SealedBallot.heading_id == heading.id))


def is_closed(heading_id: int) -> bool:
    """Read under a share lock, so it cannot change until the reader's transaction ends."""
    return db.session.scalar(select(Heading.mixed_at).where(
        Heading.id == heading_id).with_for_update(read=True)) is not None


def mix_heading(heading: Heading, *, on_step=None) -> int:
    """Close the ward's box and move its sealed ballots into ``ballots``, shuffled.

    One transaction: all of them move, or none. Returns how many moved. ``on_step`` is a
    seam for tests that inject a failure at each step.
    """
    step = on_step or (lambda name: None)
    if not has_reached(heading.round, "counting"):
        raise WrongPhase(_l("The ballots are mixed only once voting has closed."))
    heading_id = heading.id
    try:
        first = db.session.scalar(select(Heading.mixed_at).where(Heading.id == heading_id)) is None
        # closing the box first takes the ward's row lock: a cast that has not yet
        # checked the box waits for this transaction, then finds it closed
        db.session.execute(update(Heading).where(Heading.id == heading_id).values(
            mixed_at=func.coalesce(Heading.mixed_at, _now())))
        step("closed")
        # locked: a resident's answers being sealed in right now are waited for, not lost
        rows = db.session.execute(select(SealedBallot.id, SealedBallot.sealed).where(
            SealedBallot.heading_id == heading_id).with_for_update()).all()
        aead = _aead() if rows else None  # one cipher for every row
        payloads = [unseal(row.id, heading_id, row.sealed, aead) for row in rows]
        if first:  # ballots stored readable before sealing existed: into the same shuffle
            payloads += _take_readable_ballots(heading_id)
        step("opened")
        rng = secrets.SystemRandom()
        rng.shuffle(payloads)
        ballots, answers = [], []
        channels = _channels_kept(payloads)
        for payload in payloads:
            ballot_id = secrets.token_hex(16)
            ballots.append({"id": ballot_id, "heading_id": heading_id,
                            "choices": json.dumps(payload["choices"], sort_keys=True),
                            "receipt_hash": payload["receipt_hash"],
                            "channel": channels.get(payload.get("channel", "web"), "web")})
            if payload.get("answers"):
                answers.append({"ballot_id": ballot_id, "heading_id": heading_id,
                                "answers": json.dumps(payload["answers"], sort_keys=True)})
        rng.shuffle(answers)  # an order of its own, unrelated to the ballots'
        if ballots:
            db.session.execute(insert(Ballot), ballots)
        step("ballots")
        if answers:
            db.session.execute(insert(MonitoringResponse), answers)
        step("answers")
        gone = db.session.execute(delete(SealedBallot).where(
            SealedBallot.heading_id == heading_id)).rowcount
        if gone != len(rows):
            raise MixConflict()
        step("deleted")
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return len(rows)


# A channel that staff know the voters of (assisted: the officers' checks; SMS: the
# numbers) is kept on the mixed ballots only when at least this many of the ward's ballots
# came that way; fewer are written as "web", or a ward's one assisted ballot would be its
# voter's. Paper ballots belong to nobody, so "paper" is always kept. Same floor as the
# equalities report's disclosure control.
CHANNEL_FLOOR = 10


def _channels_kept(payloads: list[dict]) -> dict[str, str]:
    counts: dict[str, int] = {}
    for payload in payloads:
        channel = payload.get("channel", "web")
        counts[channel] = counts.get(channel, 0) + 1
    return {channel: channel if channel in ("web", "paper") or n >= CHANNEL_FLOOR else "web"
            for channel, n in counts.items()}


def _take_readable_ballots(heading_id: int) -> list[dict]:
    """Ballots of the ward already in ``ballots`` (cast before an upgrade to sealing), as
    payloads, deleted here so the first mix writes them again among the rest."""
    answers = dict(db.session.execute(select(MonitoringResponse.ballot_id, MonitoringResponse.answers)
                                      .where(MonitoringResponse.heading_id == heading_id)).all())
    taken = [{"choices": json.loads(b.choices), "receipt_hash": b.receipt_hash, "channel": b.channel,
              "answers": json.loads(answers[b.id]) if b.id in answers else None}
             for b in db.session.scalars(select(Ballot).where(Ballot.heading_id == heading_id))]
    db.session.execute(delete(MonitoringResponse).where(MonitoringResponse.heading_id == heading_id))
    db.session.execute(delete(Ballot).where(Ballot.heading_id == heading_id))
    return taken


def mix_round(round_: Round) -> int:
    """Mix every ward of a round whose voting has closed (each ward its own transaction)."""
    return sum(mix_heading(heading) for heading in round_.headings)


def mix_closed_rounds() -> int:
    """For the operator's scheduled job: mix every ward whose voting has closed."""
    heading_ids = db.session.scalars(select(SealedBallot.heading_id).distinct()).all()
    moved = 0
    for heading_id in heading_ids:
        heading = db.session.get(Heading, heading_id)
        if heading is not None and has_reached(heading.round, "counting"):
            moved += mix_heading(heading)
    return moved

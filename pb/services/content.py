"""Content in several languages: translations of what people write, per field and language.

What is translatable (KINDS): a round's title and description; a proposal's title, summary,
description, place, the officer's public reason and the delivery note; a ward plan's title,
summary and "you said, we did"; its priorities, outcomes and outcome updates. Each original
is in one language (`original_locale` on rounds, proposals and plans; a plan's parts are in
the plan's language) and may have one translation per other language.

A translation keeps the SHA-256 of the original it was made from. When the original changes
the translation is "stale": residents are shown the original (marked with its language), and
the translation screen lists it as missing until someone updates or confirms it.

Reading (`translated`) never writes anything: nothing records who read which text, and the
ballot never meets this table.
"""

import hashlib
from dataclasses import dataclass, replace

from flask import g, has_request_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from pb.i18n import LANGUAGES
from pb.models import (
    ContentTranslation,
    Heading,
    OutcomeUpdate,
    Plan,
    PlanOutcome,
    PlanPriority,
    Proposal,
    Round,
    db,
)
from pb.policy import can
from pb.services.errors import NotAllowed, ServiceError


class Conflict(ServiceError):
    status = 409


TEXT_MAX = 20_000  # characters in one translation: well above any original the forms take

# kind -> (model, translatable fields in the order a translator sees them)
KINDS = {
    "round": (Round, ("title", "description")),
    "proposal": (Proposal, ("title", "summary", "description", "location", "feasibility_reason",
                            "delivery_note")),
    "plan": (Plan, ("title", "summary", "you_said_we_did")),
    "priority": (PlanPriority, ("title", "description")),
    "outcome": (PlanOutcome, ("title", "description", "measure", "dropped_reason")),
    "update": (OutcomeUpdate, ("body",)),
}
KIND_OF = {model: kind for kind, (model, _fields) in KINDS.items()}

FIELD_NAMES = {
    "title": _l("Title"),
    "description": _l("Description"),
    "summary": _l("Summary"),
    "location": _l("Where"),
    # Translators: the council's public reason for its decision on a proposal
    "feasibility_reason": _l("Council's review"),
    "delivery_note": _l("Delivery note"),
    "you_said_we_did": _l("You said, we did"),
    "measure": _l("How progress is measured"),
    "dropped_reason": _l("Why it was dropped"),
    "body": _l("Update"),
}

# Shown beside a text that is not in the reader's language: one whole sentence per language,
# so that each language can say it in its own grammar.
WRITTEN_IN = {
    "en": _l("Written in English"),
    "pt": _l("Written in Portuguese"),
    "so": _l("Written in Somali"),
    "es": _l("Written in Spanish"),
    "yo": _l("Written in Yoruba"),
    "fr": _l("Written in French"),
    "tw": _l("Written in Twi"),
    "pl": _l("Written in Polish"),
}


def source_hash(text: str | None) -> str:
    return hashlib.sha256((text or "").encode()).hexdigest()


def kind_of(obj) -> str | None:
    return KIND_OF.get(type(obj))


# texts the council writes about a resident's proposal: in the council's language (English),
# whatever language the proposer wrote in
COUNCIL_FIELDS = {("proposal", "feasibility_reason"), ("proposal", "delivery_note")}


def original_locale(obj, field: str | None = None) -> str:
    """The language `obj`'s texts (or its `field`) are written in (a code of pb.i18n.LANGUAGES)."""
    if (kind_of(obj), field) in COUNCIL_FIELDS:
        return "en"
    if isinstance(obj, (PlanPriority, PlanOutcome)):
        obj = obj.plan
    elif isinstance(obj, OutcomeUpdate):
        obj = obj.outcome.plan
    code = getattr(obj, "original_locale", None) or "en"
    return code if code in LANGUAGES else "en"


# ---------------------------------------------------------------- reading


def _siblings(kind: str, obj):
    """Ids of the objects a page showing `obj` most likely shows too, so that one query per
    round or plan fetches their translations (not one per object)."""
    if kind == "proposal":
        round_id = select(Heading.round_id).where(Heading.id == obj.heading_id).scalar_subquery()
        return select(Proposal.id).join(Heading, Proposal.heading_id == Heading.id).where(
            Heading.round_id == round_id)
    if kind in ("priority", "outcome"):
        model = KINDS[kind][0]
        return select(model.id).where(model.plan_id == obj.plan_id)
    if kind == "update":
        plan_id = select(PlanOutcome.plan_id).where(PlanOutcome.id == obj.outcome_id).scalar_subquery()
        return select(OutcomeUpdate.id).join(PlanOutcome, OutcomeUpdate.outcome_id == PlanOutcome.id).where(
            PlanOutcome.plan_id == plan_id)
    return None


def _lookup(kind: str, obj, locale: str) -> dict:
    """{field: ContentTranslation} of `obj` in `locale`, cached for the request."""
    cache = g.setdefault("content_translations", {}) if has_request_context() else {}
    rows = cache.setdefault((kind, locale), {})
    if obj.id not in rows:
        siblings = _siblings(kind, obj) if obj.id is not None else None
        ids = set(db.session.scalars(siblings)) | {obj.id} if siblings is not None else {obj.id}
        for object_id in ids:
            rows.setdefault(object_id, {})
        found = db.session.scalars(select(ContentTranslation).where(
            ContentTranslation.kind == kind, ContentTranslation.locale == locale,
            ContentTranslation.object_id.in_(ids)))
        for row in found:
            rows[row.object_id][row.field] = row
    return rows[obj.id]


@dataclass(frozen=True)
class Shown:
    """What to show for one field: the text, its language, and whether it is the original
    shown in place of a translation (so marked with its language and a note)."""

    text: str
    locale: str
    untranslated: bool


def translated(obj, field: str, locale: str) -> Shown:
    """`obj.field` in `locale` if a fresh translation exists, otherwise the original."""
    original = getattr(obj, field, None) or ""
    source = original_locale(obj, field)
    kind = kind_of(obj)
    if not original or source == locale or kind is None or locale not in LANGUAGES:
        return Shown(original, source, False)
    row = _lookup(kind, obj, locale).get(field)
    if row is not None and row.text and row.source_hash == source_hash(original):
        return Shown(row.text, locale, False)
    return Shown(original, source, True)


# ---------------------------------------------------------------- what there is to translate


@dataclass
class Item:
    """One translatable text of a round or plan, with its translation into one language."""

    kind: str
    obj: object
    field: str
    original: str
    source: str  # the original's language
    translation: ContentTranslation | None = None

    @property
    def key(self) -> str:
        return f"{self.kind}-{self.obj.id}-{self.field}"

    @property
    def stale(self) -> bool:
        return self.translation is not None and self.translation.source_hash != source_hash(self.original)

    @property
    def missing(self) -> bool:
        return self.translation is None or self.stale

    @property
    def field_name(self):
        return FIELD_NAMES.get(self.field, self.field)


def _items_of(obj) -> list[Item]:
    kind = kind_of(obj)
    return [Item(kind, obj, field, getattr(obj, field), original_locale(obj, field))
            for field in KINDS[kind][1] if getattr(obj, field, None)]


def public_proposals(round_: Round) -> list[Proposal]:
    """The proposals residents can read: every one but drafts and withdrawn ones."""
    return [p for heading in round_.headings for p in heading.proposals
            if p.status not in ("draft", "withdrawn")]


def items_for(subject) -> list[Item]:
    """Every text of a round (its own and its public proposals') or a plan (its own, its
    priorities', outcomes' and updates')."""
    if isinstance(subject, Round):
        objects = [subject, *public_proposals(subject)]
    elif isinstance(subject, Plan):
        objects = [subject, *subject.priorities, *subject.outcomes,
                   *[u for outcome in subject.outcomes for u in outcome.updates]]
    else:
        raise TypeError(subject)
    return [item for obj in objects for item in _items_of(obj)]


def with_translations(items: list[Item], locale: str) -> list[Item]:
    """The items to translate into `locale` (not those written in it), each with its row."""
    wanted = [item for item in items if item.source != locale]
    by_kind: dict[str, set] = {}
    for item in wanted:
        by_kind.setdefault(item.kind, set()).add(item.obj.id)
    rows = {}
    for kind, ids in by_kind.items():
        for row in db.session.scalars(select(ContentTranslation).where(
                ContentTranslation.kind == kind, ContentTranslation.locale == locale,
                ContentTranslation.object_id.in_(ids))):
            rows[(row.kind, row.object_id, row.field)] = row
    for item in wanted:
        item.translation = rows.get((item.kind, item.obj.id, item.field))
    return wanted


def missing_by_language(subject) -> dict[str, list[Item]]:
    """For each language: the texts with no translation into it, or only a stale one."""
    items = items_for(subject)
    return {code: [i for i in with_translations([replace(item) for item in items], code) if i.missing]
            for code in LANGUAGES}


# ---------------------------------------------------------------- writing


def may_translate(person, subject) -> bool:
    return can(person, "translate_content", subject)


def save(person, subject, locale: str, entries: dict[str, tuple[str, str | None, bool]]) -> int:
    """Save translations of `subject`'s texts into `locale`, in one transaction.

    `entries` maps an Item's key to (text, the hash of the original the translator saw, and
    whether they confirm a stale translation still fits). Empty text removes a translation;
    text unchanged from a fresh translation is left alone. Returns how many rows changed."""
    if not may_translate(person, subject):
        raise NotAllowed(_l("You cannot translate this."))
    if locale not in LANGUAGES:
        raise ServiceError(_l("Choose a language"), field="to")
    items = {item.key: item for item in with_translations(items_for(subject), locale)}
    for key, (text, _seen, _confirmed) in entries.items():
        if key not in items:
            raise ServiceError(_l("That text is not part of this page. Reload the page and try again."))
        if len(text) > TEXT_MAX:
            raise ServiceError(_l("A translation must be %(max)s characters or fewer", max=f"{TEXT_MAX:,}"),
                               field=f"t-{key}")
    changed = 0
    try:
        for key, (text, seen, confirmed) in entries.items():
            item = items[key]
            current = source_hash(item.original)
            made_from = seen if seen and len(seen) == 64 else current
            row = item.translation
            if not text:
                if row is not None:
                    db.session.delete(row)
                    changed += 1
                continue
            if row is not None and row.text == text and (not item.stale or not confirmed):
                continue
            if row is None:
                row = ContentTranslation(kind=item.kind, object_id=item.obj.id, field=item.field, locale=locale)
                db.session.add(row)
            row.text = text
            row.source_hash = made_from
            row.translated_by_id = person.id
            changed += 1
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(_l("Someone else saved a translation of this page at the same time. "
                          "Reload the page to see it.")) from None
    except BaseException:
        db.session.rollback()
        raise
    if has_request_context():
        g.pop("content_translations", None)
    return changed

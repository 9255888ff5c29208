"""Translations of content: shown when fresh, the original when missing or stale, what is
missing per language, and who may write them."""

import pytest
from sqlalchemy import func, select

from pb.models import ContentTranslation, Person, RoleGrant, db
from pb.services import content
from pb.services.errors import NotAllowed, ServiceError
from tests.factories import add_projects, make_round, officer, resident


def translator() -> Person:
    person = Person(name="Volunteer", email="volunteer@example.org")
    person.roles.append(RoleGrant(role="translator"))
    db.session.add(person)
    db.session.commit()
    return person


def key(obj, field) -> str:
    return f"{content.kind_of(obj)}-{obj.id}-{field}"


def entry(text, seen=None, confirmed=False):
    return (text, seen, confirmed)


def test_a_fresh_translation_is_shown_a_missing_or_stale_one_is_not(ctx):
    round_ = make_round("voting")
    proposal = add_projects(round_.headings[0], [1000])[0]
    assert content.translated(proposal, "title", "so") == content.Shown("Project 1", "en", True)
    assert content.translated(proposal, "title", "en") == content.Shown("Project 1", "en", False)

    content.save(officer(), round_, "so", {key(proposal, "title"): entry("Mashruuca 1")})
    assert content.translated(proposal, "title", "so") == content.Shown("Mashruuca 1", "so", False)
    assert content.translated(proposal, "summary", "so").untranslated  # only the title was translated
    assert content.translated(proposal, "title", "pt").untranslated  # and only into Somali

    proposal.title = "Project one"  # the original changes: the translation no longer fits
    db.session.commit()
    assert content.translated(proposal, "title", "so") == content.Shown("Project one", "en", True)
    missing = content.missing_by_language(round_)["so"]
    stale = [item for item in missing if item.field == "title" and item.kind == "proposal"]
    assert len(stale) == 1 and stale[0].stale and stale[0].translation.text == "Mashruuca 1"

    # saving the same words again does nothing; confirming they still fit makes them fresh
    assert content.save(officer(), round_, "so", {key(proposal, "title"): entry("Mashruuca 1")}) == 0
    assert content.translated(proposal, "title", "so").untranslated
    assert content.save(officer(), round_, "so", {key(proposal, "title"): entry("Mashruuca 1", None, True)}) == 1
    assert content.translated(proposal, "title", "so").text == "Mashruuca 1"


def test_a_translation_made_from_an_older_original_is_stale_at_once(ctx):
    """The form sends the hash of the original the translator saw: if the proposer changed
    it meanwhile, the translation is saved but shown as missing."""
    round_ = make_round("voting")
    proposal = add_projects(round_.headings[0], [1000])[0]
    seen = content.source_hash("The title before")
    content.save(officer(), round_, "pl", {key(proposal, "title"): entry("Projekt", seen)})
    assert content.translated(proposal, "title", "pl").untranslated
    assert db.session.scalar(select(func.count()).select_from(ContentTranslation)) == 1


def test_what_is_missing_per_language(ctx):
    round_ = make_round("voting")
    proposals = add_projects(round_.headings[0], [1000, 2000])
    add_projects(round_.headings[0], [3000], status="draft")  # a draft is nobody's to read
    # round: title, description; each proposal: title, summary, description
    missing = content.missing_by_language(round_)
    assert {code: len(items) for code, items in missing.items()} == {
        "en": 0, "pt": 8, "so": 8, "es": 8, "yo": 8, "fr": 8, "tw": 8, "pl": 8}
    content.save(officer(), round_, "tw", {key(proposals[0], f): entry("Twi " + f)
                                           for f in ("title", "summary", "description")})
    assert len(content.missing_by_language(round_)["tw"]) == 5
    # a proposal written in Somali needs an English translation, and none into Somali
    proposals[1].original_locale = "so"
    db.session.commit()
    missing = content.missing_by_language(round_)
    assert len(missing["en"]) == 3 and len(missing["so"]) == 5
    assert content.translated(proposals[1], "title", "en") == content.Shown("Project 2", "so", True)
    # the council's reason is in English, whatever the proposer wrote in
    proposals[1].feasibility_reason = "Checked by the council."
    db.session.commit()
    assert content.translated(proposals[1], "feasibility_reason", "en").untranslated is False
    assert content.translated(proposals[1], "feasibility_reason", "so").locale == "en"


def test_an_empty_box_removes_a_translation_and_other_rounds_texts_are_refused(ctx):
    round_ = make_round("voting")
    other = make_round("voting")
    mine = add_projects(round_.headings[0], [1000])[0]
    theirs = add_projects(other.headings[0], [1000])[0]
    content.save(officer(), round_, "fr", {key(mine, "title"): entry("Projet")})
    with pytest.raises(ServiceError):
        content.save(officer(), round_, "fr", {key(theirs, "title"): entry("Projet")})
    with pytest.raises(ServiceError):
        content.save(officer(), round_, "xx", {key(mine, "title"): entry("Projet")})
    with pytest.raises(ServiceError) as too_long:
        content.save(officer(), round_, "fr", {key(mine, "title"): entry("x" * (content.TEXT_MAX + 1))})
    assert too_long.value.field == f"t-{key(mine, 'title')}"
    assert content.save(officer(), round_, "fr", {key(mine, "title"): entry("")}) == 1
    assert db.session.scalar(select(func.count()).select_from(ContentTranslation)) == 0


def test_who_may_translate(ctx):
    live = make_round("voting")
    draft = make_round("draft")
    proposal = add_projects(live.headings[0], [1000])[0]
    volunteer = translator()
    content.save(volunteer, live, "so", {key(proposal, "title"): entry("Mashruuca")})
    row = db.session.scalars(select(ContentTranslation)).one()
    assert row.translated_by_id == volunteer.id
    with pytest.raises(NotAllowed):  # a draft is the council's until published
        content.save(volunteer, draft, "so", {key(draft, "title"): entry("Qabyo")})
    content.save(officer(), draft, "so", {key(draft, "title"): entry("Qabyo")})
    with pytest.raises(NotAllowed):
        content.save(resident("Ada", "stockwell-east"), live, "so", {key(proposal, "title"): entry("X")})


def test_a_plan_and_its_parts_are_translatable(ctx):
    from datetime import timedelta

    from pb.services import plans
    from tests.factories import ward

    plan = plans.create_plan(officer(), ward("stockwell-east"), title="Plan", start_year=2026, end_year=2028,
                             summary="Line one\nLine two")
    priority = plans.add_priority(officer(), plan, title="Trees", description="More trees")
    outcome = plans.add_outcome(officer(), plan, title="Twenty trees", responsible="Parks",
                                target_date=plans.today() + timedelta(days=30), measure="Counted")
    kinds = {(item.kind, item.field) for item in content.items_for(plan)}
    assert kinds == {("plan", "title"), ("plan", "summary"), ("priority", "title"), ("priority", "description"),
                     ("outcome", "title"), ("outcome", "measure")}
    content.save(officer(), plan, "yo", {key(priority, "title"): entry("Àwọn igi"),
                                         key(outcome, "title"): entry("Igi ogún")})
    assert content.translated(priority, "title", "yo").text == "Àwọn igi"
    assert content.translated(outcome, "title", "yo").text == "Igi ogún"
    assert content.translated(plan, "title", "yo").untranslated

"""In Chromium on a phone: a Somali-speaking resident signs in by phone and votes in two
rounds of their ward. The first round's proposals have Somali translations: the ballot,
check-your-answers page and receipt show Somali text, unmarked, with no "Written in
English" note. The second has none: its English text is marked lang="en" with the note.
Every page is checked with axe."""

import re

import pytest
from playwright.sync_api import expect

from pb.models import Round, db
from pb.services import content
from tests.factories import add_projects, make_round, officer

pytestmark = pytest.mark.e2e

PHONE = {"width": 360, "height": 740}
SOMALI = {"Project 1": "Beerta bulshada", "Project 2": "Nalalka waddada"}


def _rounds(app) -> tuple[int, int]:
    with app.app_context():
        translated = make_round("voting", wards=("stockwell-east",))
        projects = add_projects(translated.headings[0], [3000, 4000])
        entries = {f"round-{translated.id}-title": ("Lacagta yar ee xaafadda", None, False)}
        for project in projects:
            entries[f"proposal-{project.id}-title"] = (SOMALI[project.title], None, False)
            entries[f"proposal-{project.id}-summary"] = ("Soo koobid: " + SOMALI[project.title], None, False)
            entries[f"proposal-{project.id}-description"] = ("Sababta", None, False)
        content.save(officer(), translated, "so", entries)
        untranslated = make_round("voting", wards=("stockwell-east",))
        untranslated.title = "Stockwell East street fund"
        db.session.commit()
        add_projects(untranslated.headings[0], [2000, 5000])
        return translated.id, db.session.get(Round, untranslated.id).id


def _sign_in_by_phone(page, outbox, live_server, axe_check, round_id):
    page.goto(f"{live_server}/?lang=so")  # the resident chooses Somali on the home page
    axe_check(page)
    page.goto(f"{live_server}/vote/{round_id}")
    axe_check(page)
    expect(page.locator("html")).to_have_attribute("lang", "so")
    page.locator("input[name=number]").fill("07911 123457")
    page.locator("input[name=number]").press("Enter")
    axe_check(page)
    outbox.goto(f"{live_server}/dev/outbox")
    axe_check(outbox)
    message = outbox.locator("tr", has_text="+447911123457").first.locator(".pb-outbox-text").inner_text()
    page.locator("input[name=code]").fill(re.search(r"\b(\d{6})\b", message).group(1))
    page.locator("input[name=code]").press("Enter")
    axe_check(page)
    page.locator("input[name=postcode]").fill("SW9 0AA")
    page.locator("input[name=postcode]").press("Enter")
    axe_check(page)
    assert page.url.endswith(f"/vote/{round_id}")


def test_a_somali_speaking_resident_votes_with_and_without_translations(app, browser, live_server, axe_check):
    translated_id, untranslated_id = _rounds(app)
    context = browser.new_context(viewport=PHONE)
    page = axe_check.watch(context.new_page())
    outbox = axe_check.watch(context.new_page())
    _sign_in_by_phone(page, outbox, live_server, axe_check, translated_id)

    # the translated round: Somali text, in the page's language, no note
    main = page.locator("main")
    expect(main.locator("label", has_text="Beerta bulshada")).to_be_visible()
    expect(main.get_by_text("Soo koobid: Nalalka waddada")).to_be_visible()
    expect(main.get_by_text("Lacagta yar ee xaafadda")).to_be_visible()
    expect(main.locator(".pb-original-note")).to_have_count(0)
    expect(main.locator("[lang=en]")).to_have_count(0)
    assert "Project 1" not in main.inner_text()
    main.locator("label", has_text="Beerta bulshada").click()
    page.locator("button[value=continue]").click()
    axe_check(page)
    expect(page.locator("main dt", has_text="Beerta bulshada")).to_be_visible()
    expect(page.locator("main .pb-original-note")).to_have_count(0)
    page.locator("form[action$='/cast'] button").click()
    expect(page.locator(".pb-receipt")).to_be_visible()
    axe_check(page)

    # the round nobody translated: the English text is marked as English, with a note
    page.goto(f"{live_server}/vote/{untranslated_id}")
    axe_check(page)
    expect(page.locator("html")).to_have_attribute("lang", "so")
    label = page.locator("main label", has_text="Project 2")
    expect(label.locator("span[lang=en]")).to_have_text("Project 2")
    expect(label.locator(".pb-original-note")).to_be_visible()
    expect(page.locator("main .govuk-caption-l span[lang=en]")).to_have_text("Stockwell East street fund")
    hint = page.locator("main .govuk-hint span[lang=en]", has_text="Summary 2")
    expect(hint).to_have_count(1)
    label.click()
    page.locator("button[value=continue]").click()
    axe_check(page)
    expect(page.locator("main dt span[lang=en]")).to_have_text("Project 2")
    page.locator("form[action$='/cast'] button").click()
    expect(page.locator(".pb-receipt")).to_be_visible()
    axe_check(page)

    # and the round's page, which a resident reads first
    page.goto(f"{live_server}/rounds/{untranslated_id}")
    axe_check(page)
    expect(page.locator("main h1")).to_have_attribute("lang", "en")
    expect(page.locator("main .pb-original-note").first).to_be_visible()
    context.close()

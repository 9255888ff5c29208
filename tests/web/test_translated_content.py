"""Translated content over HTTP: the translation screen (original beside the box, what is
missing per language, stale translations), who reaches it, and what residents see in each
language: the translation, or the original marked with its `lang` and a short note."""

import re

from sqlalchemy import select

from pb.models import Proposal, Round, db
from tests.factories import add_projects, make_round

TRANSLATOR = "translator@demo.lambeth.example"


def main(response) -> str:
    body = response.get_data(as_text=True)
    return body[body.find("<main"):]


def test_an_officer_translates_a_round_and_residents_read_it(app, client, demo, sign_in):
    with app.app_context():
        round_ = make_round("voting")
        p1, p2 = add_projects(round_.headings[0], [1000, 2000])
        round_id, p1_id, p2_id = round_.id, p1.id, p2.id
    sign_in(demo["officer"])
    overview = client.get(f"/translate/rounds/{round_id}")
    assert overview.status_code == 200
    assert re.search(r'Soomaali</span></th>\s*<td class="govuk-table__cell govuk-table__cell--numeric">8<',
                     overview.get_data(as_text=True))
    page = client.get(f"/translate/rounds/{round_id}?to=so")
    body = main(page)
    assert page.status_code == 200 and f'name="t-proposal-{p1_id}-title"' in body
    assert 'lang="en">' in body and "Project 1" in body  # the original, beside the box
    saved = client.submit(f"/translate/rounds/{round_id}?to=so", {
        "to": "so", f"t-proposal-{p1_id}-title": "Mashruuca koowaad",
        f"t-proposal-{p1_id}-summary": "  Soo koobid\x00 ",
        f"t-round-{round_id}-title": "Wareegga"})
    assert saved.status_code == 302 and saved.headers["Location"].endswith("?to=so")
    assert "5 texts are missing" in main(client.get(f"/translate/rounds/{round_id}?to=so"))

    client.get("/account/sign-out")
    # residents' pages: Somali shows the translation, unmarked; the untranslated rest is marked
    somali = main(client.get(f"/rounds/{round_id}/wards/{_heading(app, round_id)}/proposals?lang=so"))
    assert "Mashruuca koowaad" in somali and "Soo koobid" in somali
    assert '<span lang="en">Project 2</span>' in somali
    assert re.search(r'<span lang="en">Project 2</span> <span class="pb-original-note', somali)
    proposal_page = main(client.get(f"/rounds/{round_id}/proposals/{p1_id}?lang=so"))
    assert re.search(r'<h1 class="govuk-heading-xl">Mashruuca koowaad</h1>', proposal_page)
    assert '<span lang="en">Because</span>' in proposal_page  # the description is not translated
    english = main(client.get(f"/rounds/{round_id}/proposals/{p2_id}?lang=en"))
    assert "pb-original-note" not in english and 'lang="en"' not in english
    portuguese = main(client.get(f"/rounds/{round_id}/proposals/{p2_id}?lang=pt"))
    assert '<h1 class="govuk-heading-xl" lang="en">Project 2</h1>' in portuguese
    assert portuguese.count("pb-original-note") == 1  # said once, under the title

    # the proposer changes the title: the translation is stale, so missing, and not shown
    with app.app_context():
        db.session.get(Proposal, p1_id).title = "Project one"
        db.session.commit()
    somali = main(client.get(f"/rounds/{round_id}/proposals/{p1_id}?lang=so"))
    assert "Mashruuca koowaad" not in somali and 'lang="en">Project one<' in somali
    sign_in(demo["officer"])
    again = main(client.get(f"/translate/rounds/{round_id}?to=so&lang=en"))
    assert "Out of date" in again and f'name="ok-proposal-{p1_id}-title"' in again


def _heading(app, round_id) -> int:
    with app.app_context():
        return db.session.get(Round, round_id).headings[0].id


def test_who_reaches_the_translation_screens(app, client, demo, sign_in):
    with app.app_context():
        live = make_round("voting")
        draft = make_round("draft")
        add_projects(live.headings[0], [1000])
        live_id, draft_id = live.id, draft.id
    anonymous = client.get(f"/translate/rounds/{live_id}")
    assert anonymous.status_code == 302 and "/account/sign-in" in anonymous.headers["Location"]
    sign_in(TRANSLATOR)
    assert "Translations" in client.get("/account/").get_data(as_text=True)
    index = client.get("/translate/").get_data(as_text=True)
    assert f"/translate/rounds/{live_id}" in index and f"/translate/rounds/{draft_id}" not in index
    assert client.get(f"/translate/rounds/{live_id}?to=pl").status_code == 200
    assert client.get(f"/translate/rounds/{draft_id}?to=pl").status_code == 404
    assert client.get("/admin/").status_code == 403  # a translator runs no rounds
    no_language = client.submit(f"/translate/rounds/{live_id}?to=pl", {})  # the form names none
    assert no_language.status_code == 302
    client.get("/account/sign-out")
    sign_in(demo["councillor"])
    assert client.get("/translate/").status_code == 403
    client.get("/account/sign-out")
    sign_in(demo["admin"])
    assert client.get(f"/translate/rounds/{draft_id}?to=pl").status_code == 200


def test_an_over_long_translation_is_refused_with_the_box_marked(app, client, demo, sign_in):
    from pb.services.content import TEXT_MAX

    with app.app_context():
        round_ = make_round("voting")
        proposal = add_projects(round_.headings[0], [1000])[0]
        round_id, name = round_.id, f"t-proposal-{proposal.id}-description"
    sign_in(demo["officer"])
    answer = client.submit(f"/translate/rounds/{round_id}?to=fr", {"to": "fr", name: "x" * (TEXT_MAX + 1)})
    body = main(answer)
    assert answer.status_code == 400 and "govuk-error-summary" in body and f'href="#{name}"' in body
    assert f'id="{name}-error"' in body


def test_a_proposer_writes_in_somali_and_english_pages_mark_it(app, client):
    with app.app_context():
        round_ = make_round("proposals")
        round_id = round_.id
    client.submit("/account/resident", {"name": "Hodan", "postcode": "SW9 0AA"})
    form = client.get(f"/rounds/{round_id}/propose?lang=so").get_data(as_text=True)
    assert re.search(r'<option value="so"\s+selected\s+lang="so">Soomaali</option>', form)  # the page's language
    assert re.search(r'<option value="en"\s+lang="en">English</option>', form)
    sent = client.submit(f"/rounds/{round_id}/propose", {
        "original_locale": "so", "title": "Kuraas fadhi", "summary": "Kuraas cusub", "description": "Sababta",
        "location": "", "category": "community", "rough_cost": "500", "action": "submit"})
    assert sent.status_code == 302, main(sent)[:800]
    with app.app_context():
        proposal = db.session.scalars(select(Proposal).where(Proposal.title == "Kuraas fadhi")).one()
        assert proposal.original_locale == "so"
        proposal_id = proposal.id
    english = main(client.get(f"/rounds/{round_id}/proposals/{proposal_id}?lang=en"))
    assert '<h1 class="govuk-heading-xl" lang="so">Kuraas fadhi</h1>' in english
    assert "Written in Somali" in english
    somali = main(client.get(f"/rounds/{round_id}/proposals/{proposal_id}?lang=so"))
    assert "pb-original-note" not in somali
    wrong = client.submit(f"/rounds/{round_id}/propose", {
        "original_locale": "xx", "title": "T", "summary": "S", "description": "D",
        "category": "community", "rough_cost": "500", "action": "draft"})
    assert wrong.status_code == 400 and 'href="#original_locale"' in main(wrong)


def test_the_admin_can_grant_the_translator_role(app, client, demo, sign_in):
    sign_in(demo["admin"])
    page = client.get("/admin/people/invite").get_data(as_text=True)
    assert 'value="translator"' in page and "Volunteer translator" in page

"""Fixes from the testers' walk through a round, with the Flask test client: British dates
and money in English, the check-your-answers page reached by a redirect with the choices
kept in the session (never in a URL) until the cast, the closing date residents see,
error links that land on a field, the over-budget warning, officers previewing results,
and what a project's page says once the results are out."""

import re
from datetime import date, timedelta
from html.parser import HTMLParser

import pytest
from babel.dates import format_date

from pb.models import Round, db
from pb.services import counting
from pb.services.rounds import last_day
from tests.factories import add_projects, close_and_mix, make_round, officer, resident, set_phase
from tests.second_factor import sign_in_staff

POSTCODE = "SW9 0AA"  # Stockwell East
SESSION_AFTER_CAST = {"_user_id", "_fresh", "_id", "csrf_token", "voter_token"}


def british(day: date) -> str:
    return f"{day.day} {day:%B} {day.year}"


def body(response) -> str:
    return response.get_data(as_text=True)


def signs_in(client, name="Ada Lovelace", postcode=POSTCODE):
    response = client.submit("/account/resident", {"name": name, "postcode": postcode})
    assert response.status_code == 302, body(response)[:300]


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


class Elements(HTMLParser):
    """Every element's tag and attributes, by id."""

    def __init__(self, html):
        super().__init__()
        self.by_id = {}
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.by_id[attrs["id"]] = (tag, attrs)


def error_links(html: str) -> list[str]:
    summary = html[html.index("govuk-error-summary"):html.index("</ul>", html.index("govuk-error-summary"))]
    return re.findall(r'href="#([^"]+)"', summary)


# 10. English is British English


def test_english_pages_use_british_dates_and_money(app, client):
    with app.app_context():
        round_ = make_round("voting", budget=1500)
        voting_from, closes = round_.voting_from, last_day(round_, "voting")
        round_id = round_.id
    page = body(client.get(f"/rounds/{round_id}"))
    assert f"From {british(voting_from)}" in page
    assert f"Voting closes on {british(closes)}." in page
    assert "Budget: £1,500" in page
    assert not re.search(r"[A-Z][a-z]+ \d{1,2}, \d{4}", page), "a US-style date"
    assert '<html lang="en"' in page and "lang=en" in page  # the code stays "en"
    with app.test_request_context("/?lang=en"):
        from flask_babel import format_date as babel_date
        assert babel_date(date(2026, 11, 26), "long") == "26 November 2026"


def test_other_languages_keep_their_own_dates(app, client):
    with app.app_context():
        round_id = make_round("voting").id
        voting_from = db.session.get(Round, round_id).voting_from
    page = body(client.get(f"/rounds/{round_id}?lang=fr"))
    assert format_date(voting_from, "long", locale="fr") in page


# 1. Post/Redirect/Get from the ballot to check your answers


@pytest.fixture
def approval(app):
    with app.app_context():
        round_ = make_round("voting", max_choices=2)
        ids = [p.project_id for p in add_projects(round_.headings[0], [3000, 4000, 2500])]
        return round_.id, ids


def test_continue_redirects_to_check_answers_and_keeps_choices_out_of_the_url(app, client, approval):
    round_id, ids = approval
    signs_in(client)
    response = client.submit(f"/vote/{round_id}", {"project": [ids[0], ids[2]], "action": "continue"})
    assert response.status_code == 303
    location = response.headers["Location"]
    assert location == f"/vote/{round_id}/check"  # nothing chosen in the address
    with client.session_transaction() as session:
        draft = session["ballot_draft"]  # sealed: the cookie is signed, not encrypted
    with app.app_context():
        from pb.services.ballot_box import open_draft

        person_id = int(session["_user_id"].split(":")[0])
        assert open_draft(draft, person_id, round_id) == [ids[0], ids[2]]
        assert open_draft(draft, person_id + 1, round_id) is None  # bound to its resident
        assert "choices" not in draft
    check = client.get(location)
    page = body(check)
    assert check.status_code == 200 and "Check your answers before you vote" in page
    assert "Project 1" in page and "Project 3" in page and "Project 2" not in page
    # the language links are plain links to the same page, and still show the choices
    assert f'href="/vote/{round_id}/check?lang=pl"' in page
    polish = client.get(f"/vote/{round_id}/check?lang=pl")
    assert polish.status_code == 200 and "Project 1" in body(polish) and "Project 3" in body(polish)
    assert '<html lang="pl"' in body(polish)
    # changing your mind goes back to the ballot with the choices still ticked
    again = body(client.get(f"/vote/{round_id}?lang=en"))
    for project_id, ticked in [(ids[0], True), (ids[1], False), (ids[2], True)]:
        box = re.search(rf'<input[^>]*id="project-{project_id}"[^>]*>', again).group(0)
        assert (" checked" in box) is ticked


def test_casting_clears_the_draft_from_the_session(client, approval):
    round_id, ids = approval
    signs_in(client)
    client.submit(f"/vote/{round_id}", {"project": [ids[1]], "action": "continue"})
    page = body(client.get(f"/vote/{round_id}/check"))
    cast = client.post(f"/vote/{round_id}/cast", data={"csrf_token": csrf(page), "project": ids[1]})
    assert cast.status_code == 303 and cast.headers["Location"] == f"/vote/{round_id}/done"
    with client.session_transaction() as session:
        assert "ballot_draft" not in session
        assert set(session) <= SESSION_AFTER_CAST
    # the back button (a GET now, never a re-post) finds the vote cast
    back = client.get(f"/vote/{round_id}/check")
    assert back.status_code == 409 and "You have already voted" in body(back)


def test_check_answers_without_a_draft_goes_back_to_the_ballot(client, approval):
    round_id, _ids = approval
    signs_in(client)
    response = client.get(f"/vote/{round_id}/check")
    assert response.status_code == 302 and response.headers["Location"] == f"/vote/{round_id}"


def test_a_draft_for_another_round_is_not_used(app, client, approval):
    round_id, ids = approval
    with app.app_context():
        other = make_round("voting")
        add_projects(other.headings[0], [1000])
        other_id = other.id
    signs_in(client)
    client.submit(f"/vote/{round_id}", {"project": [ids[0]], "action": "continue"})
    assert client.get(f"/vote/{other_id}/check").status_code == 302


# 2 and 3. When voting closes, and proposing only while proposals are open


def test_residents_see_the_last_day_of_voting(app, client, approval):
    round_id, ids = approval
    with app.app_context():
        round_ = db.session.get(Round, round_id)
        closes = british(last_day(round_, "voting"))
        counting_from = british(round_.counting_from)
    wanted = f"Voting closes on {closes}."
    for path in ["/", "/wards/stockwell-east", "/rounds/", f"/rounds/{round_id}"]:
        page = body(client.get(path))
        assert wanted in page, path
    signs_in(client)
    assert wanted in body(client.get(f"/vote/{round_id}"))
    client.submit(f"/vote/{round_id}", {"project": [ids[0]], "action": "continue"})
    check = body(client.get(f"/vote/{round_id}/check"))
    assert wanted in check
    client.post(f"/vote/{round_id}/cast", data={"csrf_token": csrf(check), "project": ids[0]})
    done = body(client.get(f"/vote/{round_id}/done"))
    assert wanted in done and "Results for Stockwell East will be published from" in done
    assert f"until {counting_from}" not in done


def test_voting_not_open_says_when_it_opens_and_closes(app, client):
    with app.app_context():
        round_ = make_round("review")
        round_id, opens, closes = round_.id, round_.voting_from, last_day(round_, "voting")
        later = make_round("counting")
        later_id, closed = later.id, last_day(later, "voting")
    signs_in(client)
    page = body(client.get(f"/vote/{round_id}"))
    assert f"Voting in this round opens on {british(opens)} and closes on {british(closes)}." in page
    page = body(client.get(f"/vote/{later_id}"))
    assert f"Voting in this round closed on {british(closed)}." in page


def test_the_proposal_form_gives_the_last_day_for_proposals(app, client):
    with app.app_context():
        round_ = make_round("proposals")
        round_id, closes = round_.id, last_day(round_, "proposals")
        assert closes == round_.review_from - timedelta(days=1)
    signs_in(client)
    page = body(client.get(f"/rounds/{round_id}/propose"))
    assert f"until proposals close on {british(closes)}." in page


def test_proposing_shows_only_while_proposals_are_open(app, client, approval):
    round_id, _ids = approval
    signs_in(client)
    show = body(client.get(f"/rounds/{round_id}"))
    assert "Suggest a project" not in show and "/propose" not in show
    form = body(client.get(f"/rounds/{round_id}/propose"))
    assert "Proposals for this round are closed." in form
    assert "Submit proposal" not in form and 'name="title"' not in form


def test_pages_follow_the_london_date_not_the_servers(app, client, monkeypatch):
    """Views and templates ask pb.services.rounds.today(), never date.today()."""
    import pb.services.rounds as rounds

    with app.app_context():
        round_ = make_round("voting")
        round_id, counting_from = round_.id, round_.counting_from
    monkeypatch.setattr(rounds, "today", lambda: counting_from)
    page = body(client.get(f"/rounds/{round_id}"))
    assert "Counting the votes" in page and "Vote now" not in page
    assert "Voting closes on" not in body(client.get("/"))


# 8. Error links land on a field that takes focus


@pytest.mark.parametrize("kind, options, posted", [
    ("approval", {"max_choices": 2}, {}),
    ("knapsack", {}, {"project": "ALL"}),
    ("cumulative", {"points": 10}, {}),
    ("cumulative", {"points": 10}, {"points-FIRST": "11"}),
    ("ranked", {"max_choices": 2}, {}),
    ("ranked", {"max_choices": 3}, {"rank-1": "FIRST", "rank-2": "FIRST"}),
])
def test_every_error_link_points_at_a_field_that_takes_focus(app, client, kind, options, posted):
    with app.app_context():
        round_ = make_round("voting", ballot_type=kind, **options)
        ids = [p.project_id for p in add_projects(round_.headings[0], [6000, 5000, 3000])]
        round_id = round_.id
    signs_in(client)
    data = {"action": "continue"}
    for key, value in posted.items():
        key = key.replace("FIRST", ids[0])
        data[key] = ids if value == "ALL" else value.replace("FIRST", ids[0])
    response = client.submit(f"/vote/{round_id}", data)
    page = body(response)
    assert response.status_code == 400
    links = error_links(page)
    assert links
    elements = Elements(page).by_id
    for target in links:
        assert target in elements, f"#{target} is not on the page"
        tag, attrs = elements[target]
        assert tag in ("input", "select", "textarea", "button"), f"#{target} is a <{tag}>"
        assert attrs.get("type") != "hidden"
    if "points-FIRST" in posted:
        assert f"project-{ids[0]}" in links
    if posted.get("rank-2") == "FIRST":
        assert "rank-1" in links


# 9. Over the budget, said plainly


def test_the_no_javascript_total_warns_when_over_budget(app, client):
    with app.app_context():
        round_ = make_round("voting", ballot_type="knapsack", budget=10_000)
        ids = [p.project_id for p in add_projects(round_.headings[0], [6000, 6000])]
        round_id = round_.id
    signs_in(client)
    page = body(client.submit(f"/vote/{round_id}", {"project": ids, "action": "update"}))
    total = page[page.index('id="running-total"'):page.index("</div>", page.index("govuk-warning-text__text"))]
    assert "You are £2,000 over the budget." in total
    assert "govuk-warning-text" in total and "Budget left" not in total
    assert "pb-running-total--over" in page
    under = body(client.submit(f"/vote/{round_id}", {"project": ids[:1], "action": "update"}))
    assert "Your choices cost £6,000. Budget left: £4,000." in under
    assert "You are £" not in under and "pb-running-total--over" not in under


# 4. Officers preview results; everyone else waits


@pytest.fixture
def counted(app):
    """A round counted in the counting phase: results are not published yet."""
    with app.app_context():
        round_ = make_round("voting", wards=("stockwell-east",))
        projects = add_projects(round_.headings[0], [6000, 3000, 4000])
        from pb.services.voting import cast_ballot

        for n, picks in enumerate([[0], [0, 1], [1]]):
            cast_ballot(resident(f"Voter {n}", "stockwell-east"), round_.headings[0],
                        [projects[i].project_id for i in picks])
        close_and_mix(round_)
        counting.count_round(officer(), round_)
        person = officer()
        person.set_password("test-password")
        db.session.commit()
        return {"round": round_.id, "heading": round_.headings[0].id,
                "projects": [p.id for p in projects], "results_from": round_.results_from}


def staff_signs_in(client):
    response = sign_in_staff(client, "test.officer@example.org")  # the password, then the code
    assert response.status_code == 302


def test_officers_preview_results_before_they_are_published(client, counted):
    url = f"/rounds/{counted['round']}/wards/{counted['heading']}/results"
    public = client.get(url)
    assert public.status_code == 404 and "Results are not published yet" in body(public)
    signs_in(client)
    assert client.get(url).status_code == 404  # a resident waits too
    client.submit("/account/sign-out", {})
    staff_signs_in(client)
    preview = client.get(url)
    page = body(preview)
    assert preview.status_code == 200 and "Funded projects" in page
    assert "govuk-notification-banner" in page and "These results are not published yet." in page
    assert f"The results will be published on {british(counted['results_from'])}." in page
    assert "Check my receipt" not in page and "ballots.pb" not in page


def test_published_results_have_no_preview_banner(app, client, counted):
    with app.app_context():
        set_phase(db.session.get(Round, counted["round"]), "results")
    page = body(client.get(f"/rounds/{counted['round']}/wards/{counted['heading']}/results"))
    assert "Funded projects" in page and "These results are not published yet." not in page
    assert "Check my receipt" in page


def test_a_draft_round_is_not_there_for_the_public(app, client):
    with app.app_context():
        draft = make_round("draft")
        round_id, heading_id = draft.id, draft.headings[0].id
    assert client.get(f"/rounds/{round_id}").status_code == 404
    assert client.get(f"/rounds/{round_id}/wards/{heading_id}/results").status_code == 404


# 5. A project's page after the results


def test_a_funded_project_says_funded_not_on_the_ballot(app, client, counted):
    first, second, third = counted["projects"]
    proposal = f"/rounds/{counted['round']}/proposals/{first}"
    assert "On the ballot" in body(client.get(proposal))  # before the results are published
    with app.app_context():
        from pb.models import Proposal

        set_phase(db.session.get(Round, counted["round"]), "results")
        db.session.get(Proposal, first).delivery_status = "in_progress"
        db.session.commit()
    page = body(client.get(proposal))
    assert "On the ballot" not in page
    assert re.search(r"govuk-tag--green\">\s*Funded\s*<", page) and "In progress" in page
    listing = body(client.get(f"/rounds/{counted['round']}/wards/{counted['heading']}/proposals"))
    assert "On the ballot" not in listing and "Not funded" in listing
    assert "Not funded" in body(client.get(f"/rounds/{counted['round']}/proposals/{third}"))

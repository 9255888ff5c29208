"""The staff pages for budget rounds: creating a round, moving its dates, reviewing
proposals, running the count and tracking delivery; and who may do each."""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from pb.models import Heading, Person, PhaseDateChange, Proposal, Result, RoleGrant, Round, Ward, db
from pb.services import voting
from tests.factories import add_projects, dates_for, make_round, set_phase
from tests.factories import officer as factories_officer

ACRE_LANE = "brixton-acre-lane"
CLAPHAM_TOWN = "clapham-town"


def ward_id(app, slug: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Ward.id).where(Ward.slug == slug))


def day_month_year(day: date) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


def round_form(app, budgets: dict[str, str], **overrides) -> dict:
    """What a person types into the create-a-round form."""
    data = {"title": "Brixton Acre Lane small grants 2026", "description": "Up to £25,000 for local ideas",
            "ballot_type": "approval", "rule": "mes", "min_choices": "", "max_choices": "3",
            "points": "", "min_spend_percent": ""}
    for phase, day in dates_for("upcoming").items():
        data[f"{phase}_from"] = day_month_year(day)
    for slug, budget in budgets.items():
        data[f"budget_{ward_id(app, slug)}"] = budget
    data.update(overrides)
    return data


def count_rows(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def error_for(body: str, field_id: str) -> str:
    """The GOV.UK error message shown next to a field."""
    match = re.search(rf'id="{re.escape(field_id)}-error"[^>]*>(.*?)</p>', body, re.S)
    assert match, f"no error next to {field_id}"
    return re.sub(r"<[^>]+>", "", match.group(1)).replace("Error:", "").strip()


@pytest.fixture
def officer(demo, sign_in):
    sign_in(demo["officer"])


def in_phase(app, phase: str, *, wards=(ACRE_LANE,), proposals=(), **options) -> dict:
    """A round in `phase`, with submitted proposals of the given rough costs in its first ward."""
    with app.app_context():
        round_ = make_round(phase, wards=wards, budget=10_000, **options)
        heading = round_.headings[0]
        made = []
        for i, cost in enumerate(proposals, start=1):
            proposal = Proposal(heading=heading, title=f"Idea {i}", summary=f"Summary {i}",
                                description="Because the park needs it", location="Brixton Hill",
                                category="parks", rough_cost=cost, status="submitted")
            db.session.add(proposal)
            made.append(proposal)
        db.session.commit()
        return {"round": round_.id, "heading": heading.id, "proposals": [p.id for p in made]}


# -- creating a round --------------------------------------------------------------------


def test_an_officer_creates_a_one_ward_round(app, client, officer):
    page = client.get("/admin/rounds/new")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "Create a budget round" in body and "Clapham Town" in body and "Method of Equal Shares" in body
    assert 'id="proposals_from-day"' in body and "Method of Equal Shares, with the money left over spent on the most popular projects" in body

    response = client.submit("/admin/rounds/new", round_form(app, {ACRE_LANE: "£25,000"}))
    assert response.status_code == 302
    with app.app_context():
        round_ = db.session.scalar(select(Round))
        assert response.headers["Location"] == f"/admin/rounds/{round_.id}"
        assert (round_.title, round_.ballot_type, round_.rule, round_.max_choices, round_.min_choices) == \
            ("Brixton Acre Lane small grants 2026", "approval", "mes", 3, None)
        assert round_.points is None and round_.min_spend_percent is None
        assert round_.voting_from == dates_for("upcoming")["voting"]
        assert [(h.ward.slug, h.budget) for h in round_.headings] == [(ACRE_LANE, 25_000)]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Draft saved" in page and "£25,000" in page and "Publish the round" in page
    round_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert client.get(f"/rounds/{round_id}").status_code == 404  # a draft is not public

    # edit the draft, then publish it: residents see it from then on
    edit = client.get(f"/admin/rounds/{round_id}/edit").get_data(as_text=True)
    assert "Edit the draft" in edit and 'value="Brixton Acre Lane small grants 2026"' in edit
    changed = round_form(app, {ACRE_LANE: "30000"}, title="Acre Lane green grants")
    assert client.submit(f"/admin/rounds/{round_id}/edit", changed).status_code == 302
    published = client.submit(f"/admin/rounds/{round_id}", {}, follow_redirects=False)
    assert published.status_code == 405
    page = client.get(f"/admin/rounds/{round_id}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert client.post(f"/admin/rounds/{round_id}/publish", data={"csrf_token": token}).status_code == 302
    assert client.get(f"/rounds/{round_id}").status_code == 200
    with app.app_context():
        round_ = db.session.get(Round, round_id)
        assert (round_.status, round_.title, round_.headings[0].budget) == \
            ("published", "Acre Lane green grants", 30_000)
    assert client.get(f"/admin/rounds/{round_id}/edit").status_code == 409
    assert client.get(f"/admin/rounds/{round_id}/delete").status_code == 409


def test_a_draft_can_be_deleted_after_a_confirmation(app, client, officer):
    assert client.submit("/admin/rounds/new", round_form(app, {ACRE_LANE: "5000"})).status_code == 302
    with app.app_context():
        round_id = db.session.scalar(select(Round.id))
    confirm = client.get(f"/admin/rounds/{round_id}/delete")
    assert confirm.status_code == 200 and "cannot be undone" in confirm.get_data(as_text=True)
    assert client.submit(f"/admin/rounds/{round_id}/delete", {}).status_code == 302
    with app.app_context():
        assert db.session.get(Round, round_id) is None


def test_an_officer_creates_a_round_in_two_wards_each_with_its_own_budget(app, client, officer):
    data = round_form(app, {ACRE_LANE: "25000", CLAPHAM_TOWN: "40,000"}, ballot_type="cumulative",
                      points="10", rule="mes-add1")
    assert client.submit("/admin/rounds/new", data).status_code == 302
    with app.app_context():
        round_ = db.session.scalar(select(Round))
        assert (round_.ballot_type, round_.points, round_.rule) == ("cumulative", 10, "mes-add1")
        assert sorted((h.ward.slug, h.budget) for h in round_.headings) == \
            [(ACRE_LANE, 25_000), (CLAPHAM_TOWN, 40_000)]


def test_bad_input_is_shown_next_to_each_field_and_nothing_is_saved(app, client, officer):
    later = dates_for("upcoming")
    data = round_form(app, {ACRE_LANE: "lots", CLAPHAM_TOWN: "3,000,000,000"}, title="   ",
                      counting_from=day_month_year(later["voting"]),  # same day as voting opens
                      delivery_from=day_month_year(later["results"] - timedelta(days=1)))
    response = client.submit("/admin/rounds/new", data)
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "<title>Error:" in body and "There is a problem" in body
    assert error_for(body, "title") == "Enter a title for the round"
    assert error_for(body, f"budget_{ward_id(app, ACRE_LANE)}") == \
        "Enter the budget for Brixton Acre Lane as a whole number of pounds, like 25000"
    assert error_for(body, f"budget_{ward_id(app, CLAPHAM_TOWN)}") == \
        "The budget for Clapham Town must be between £1 and £100,000,000"
    assert error_for(body, "counting_from") == "Counting must start at least one day after voting opens"
    assert error_for(body, "delivery_from") == \
        "Delivery must start on or after the date results are published"
    # the summary links to the box to fix: a date to its day
    assert 'href="#title"' in body and 'href="#counting_from-day"' in body
    assert 'value="lots"' in body  # what was typed is kept
    assert count_rows(app, Round) == 0 and count_rows(app, Heading) == 0


def test_missing_and_impossible_answers(app, client, officer):
    data = round_form(app, {}, ballot_type="cumulative", rule="", voting_from=["31", "2", "2027"],
                      review_from=["", "", ""])
    body = client.submit("/admin/rounds/new", data).get_data(as_text=True)
    assert error_for(body, f"budget_{ward_id(app, ACRE_LANE)}") == "Enter a budget for at least one ward"
    assert error_for(body, "points") == "Enter the number of points each voter can spread"
    assert error_for(body, "rule") == "Choose how votes are counted"
    assert error_for(body, "voting_from") == "The date voting opens must be a real date"
    assert error_for(body, "review_from") == "Enter the date review starts"
    assert "Not a valid" not in body  # never WTForms' own wording
    assert count_rows(app, Round) == 0


def test_a_councillor_creates_a_round_for_their_ward_but_not_another(app, client, demo, sign_in):
    sign_in(demo["councillor"])
    body = client.get("/admin/rounds/new").get_data(as_text=True)
    assert "Brixton Acre Lane" in body and "Clapham Town" not in body

    refused = client.submit("/admin/rounds/new", round_form(app, {CLAPHAM_TOWN: "5000"}))
    assert refused.status_code == 403
    assert "You can only create rounds for your own wards." in refused.get_data(as_text=True)
    refused = client.submit("/admin/rounds/new", round_form(app, {ACRE_LANE: "5000", CLAPHAM_TOWN: "5000"}))
    assert refused.status_code == 403
    assert count_rows(app, Round) == 0

    assert client.submit("/admin/rounds/new", round_form(app, {ACRE_LANE: "5000"})).status_code == 302
    with app.app_context():
        assert [h.ward.slug for h in db.session.scalar(select(Round)).headings] == [ACRE_LANE]


def test_a_councillor_sees_only_rounds_in_their_wards(app, client, demo, sign_in):
    mine = in_phase(app, "proposals", wards=(ACRE_LANE,))
    theirs = in_phase(app, "proposals", wards=(CLAPHAM_TOWN,))
    with app.app_context():
        db.session.get(Round, theirs["round"]).title = "Clapham Town grants"
        db.session.commit()
    sign_in(demo["councillor"])
    body = client.get("/admin/").get_data(as_text=True)
    assert f'/admin/rounds/{mine["round"]}"' in body and "Clapham Town grants" not in body
    assert client.get(f'/admin/rounds/{mine["round"]}').status_code == 200
    assert client.get(f'/admin/rounds/{theirs["round"]}').status_code == 403


def test_the_dashboard_lists_every_round_for_officers(app, client, officer):
    first = in_phase(app, "voting", wards=(ACRE_LANE, CLAPHAM_TOWN))
    body = client.get("/admin/").get_data(as_text=True)
    assert "Budget rounds" in body and "Create a round" in body
    assert f'/admin/rounds/{first["round"]}"' in body
    assert "Brixton Acre Lane, Clapham Town" in body and "Voting" in body


# -- who may see the staff pages ---------------------------------------------------------


def admin_urls(app) -> list[str]:
    made = in_phase(app, "review", proposals=[500])
    return ["/admin/", "/admin/rounds/new", f'/admin/rounds/{made["round"]}',
            f'/admin/proposals/{made["proposals"][0]}/review', f'/admin/proposals/{made["proposals"][0]}/delivery']


def test_anonymous_visitors_are_sent_to_sign_in(app, client):
    for url in admin_urls(app):
        response = client.get(url)
        assert response.status_code == 302 and "/account/sign-in" in response.headers["Location"], url


def test_residents_and_the_equalities_panel_cannot_see_staff_pages(app, client, demo, sign_in):
    urls = admin_urls(app)
    with app.app_context():
        person = Person(name="Rita Resident", email="rita@example.org",
                        ward_id=db.session.scalar(select(Ward.id).where(Ward.slug == ACRE_LANE)))
        person.set_password("test-password")
        person.roles.append(RoleGrant(role="resident"))
        db.session.add(person)
        db.session.commit()
    for email in ("rita@example.org", demo["panel"]):
        sign_in(email)
        for url in urls:
            assert client.get(url).status_code == 403, (email, url)
        assert client.post(urls[2] + "/count").status_code in (400, 403)  # no token, and no right
        client.submit("/account/sign-out", {})


def test_councillors_cannot_review_or_count(app, client, demo, sign_in):
    made = in_phase(app, "counting", proposals=[500])
    sign_in(demo["councillor"])
    body = client.get(f'/admin/rounds/{made["round"]}').get_data(as_text=True)
    assert "Run the count" not in body and "/review" not in body
    assert client.get(f'/admin/proposals/{made["proposals"][0]}/review').status_code == 403
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', body).group(1)
    assert client.post(f'/admin/rounds/{made["round"]}/count', data={"csrf_token": token}).status_code == 403
    assert count_rows(app, Result) == 0


# -- moving a phase date -----------------------------------------------------------------


def test_moving_a_date_keeps_the_reason_and_both_dates(app, client, officer):
    made = in_phase(app, "proposals")
    url = f'/admin/rounds/{made["round"]}'
    old = dates_for("proposals")["delivery"]
    new = old + timedelta(days=7)
    response = _move(client, url, "delivery", new, "The contractor starts a week later")
    assert response.status_code == 302
    with app.app_context():
        change = db.session.scalar(select(PhaseDateChange))
        assert (change.phase, change.old_date, change.new_date, change.reason) == \
            ("delivery", old, new, "The contractor starts a week later")
        assert change.changed_by.name == "Olu Officer"
        assert db.session.get(Round, made["round"]).delivery_from == new
    page = client.get(url).get_data(as_text=True)
    assert "The contractor starts a week later" in page and "Olu Officer" in page


def _move(client, url, phase, new_date, reason):
    data = {"phase": phase, "new_date": day_month_year(new_date) if new_date else ["", "", ""],
            "reason": reason}
    page = client.get(url).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    return client.post(url + "/dates", data={"csrf_token": token, **data})


def test_moving_a_date_needs_a_reason_and_a_sensible_date(app, client, officer):
    made = in_phase(app, "proposals")
    url = f'/admin/rounds/{made["round"]}'
    response = _move(client, url, "results", date.today() + timedelta(days=20), "  ")
    assert response.status_code == 400
    assert error_for(response.get_data(as_text=True), "reason") == "Give a reason for moving the date"

    response = _move(client, url, "", None, "Because")
    body = response.get_data(as_text=True)
    assert error_for(body, "phase") == "Choose a phase"
    assert error_for(body, "new_date") == "Enter the new start date"

    # into the past, or today: refused next to the new date
    for day in (date.today() - timedelta(days=30), date.today()):
        response = _move(client, url, "counting", day, "Earlier")
        assert response.status_code == 400
        assert error_for(response.get_data(as_text=True), "new_date") == "Choose a date after today."
    # counting before voting: the service refuses, and says so next to the new date
    response = _move(client, url, "counting", date.today() + timedelta(days=1), "Earlier")
    assert response.status_code == 400
    assert "Each phase must start on or after the one before it" in \
        error_for(response.get_data(as_text=True), "new_date")
    with app.app_context():
        assert db.session.get(Round, made["round"]).counting_from == dates_for("proposals")["counting"]
    assert count_rows(app, PhaseDateChange) == 0


def test_a_phase_that_has_started_cannot_start_later(app, client, officer):
    made = in_phase(app, "voting")
    response = _move(client, f'/admin/rounds/{made["round"]}', "voting",
                     date.today() + timedelta(days=1), "Postpone")
    assert response.status_code == 409
    assert "That phase has already started" in response.get_data(as_text=True)
    assert count_rows(app, PhaseDateChange) == 0


# -- reviewing proposals -----------------------------------------------------------------


def test_the_review_page_shows_the_proposal(app, client, officer):
    made = in_phase(app, "review", proposals=[4000])
    body = client.get(f'/admin/proposals/{made["proposals"][0]}/review').get_data(as_text=True)
    for text in ("Idea 1", "Summary 1", "Because the park needs it", "Brixton Hill", "£4,000",
                 "Parks and green spaces", "Accept onto the ballot", "Not feasible",
                 "Merge into another proposal"):
        assert text in body, text


def test_accepting_sets_the_final_cost_and_status(app, client, officer):
    made = in_phase(app, "review", proposals=[4000])
    url = f'/admin/proposals/{made["proposals"][0]}/review'
    response = client.submit(url, {"decision": "accept", "final_cost": "£4,500",
                                   "reason": "Costed by the parks team", "merge_into": ""})
    assert response.status_code == 302
    assert response.headers["Location"] == f'/admin/rounds/{made["round"]}'
    with app.app_context():
        proposal = db.session.get(Proposal, made["proposals"][0])
        assert (proposal.status, proposal.final_cost, proposal.feasibility_reason) == \
            ("accepted", 4500, "Costed by the parks team")
        assert proposal.reviewed_by_id is not None


def test_accepting_needs_a_cost_within_the_budget_and_a_reason(app, client, officer):
    made = in_phase(app, "review", proposals=[4000])
    url = f'/admin/proposals/{made["proposals"][0]}/review'
    response = client.submit(url, {"decision": "accept", "final_cost": "", "reason": ""})
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert error_for(body, "final_cost") == "Enter the final cost in pounds"
    assert error_for(body, "reason") == "Give a reason, which will be shown publicly"

    response = client.submit(url, {"decision": "accept", "final_cost": "20000", "reason": "Pricey"})
    assert response.status_code == 400
    assert "The final cost cannot be more than the ward's budget of £10,000" in \
        error_for(response.get_data(as_text=True), "final_cost")

    response = client.submit(url, {"reason": "Pricey"})
    assert error_for(response.get_data(as_text=True), "decision") == "Choose a decision"
    with app.app_context():
        assert db.session.get(Proposal, made["proposals"][0]).status == "submitted"


def test_merging_into_another_proposal_in_the_same_ward(app, client, officer):
    made = in_phase(app, "review", proposals=[4000, 3000])
    first, second = made["proposals"]
    other = in_phase(app, "review", wards=(CLAPHAM_TOWN,), proposals=[100])["proposals"][0]
    url = f"/admin/proposals/{first}/review"
    body = client.get(url).get_data(as_text=True)
    assert f'value="{second}"' in body and f'value="{other}"' not in body

    response = client.submit(url, {"decision": "merge", "merge_into": "", "reason": "Same idea"})
    assert response.status_code == 400
    assert error_for(response.get_data(as_text=True), "merge_into") == \
        "Choose another proposal in the same ward to merge into"
    response = client.submit(url, {"decision": "merge", "merge_into": str(other), "reason": "Same idea"})
    assert response.status_code == 400

    response = client.submit(url, {"decision": "merge", "merge_into": str(second), "reason": "Same idea"})
    assert response.status_code == 302
    with app.app_context():
        proposal = db.session.get(Proposal, first)
        assert (proposal.status, proposal.merged_into_id, proposal.feasibility_reason) == \
            ("merged", second, "Same idea")


def test_review_is_refused_once_voting_opens(app, client, officer):
    made = in_phase(app, "review", proposals=[4000])
    url = f'/admin/proposals/{made["proposals"][0]}/review'
    page = client.get(url).get_data(as_text=True)  # the officer opened the form in time...
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    with app.app_context():  # ...and voting opened before they pressed the button
        set_phase(db.session.get(Round, made["round"]), "voting")
    response = client.post(url, data={"csrf_token": token, "decision": "accept", "final_cost": "4000",
                                      "reason": "Fine"})
    assert response.status_code == 409
    assert "Voting has opened, so the ballot can no longer change." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Proposal, made["proposals"][0]).status == "submitted"
    body = client.get(url).get_data(as_text=True)
    assert "Voting has opened" in body and "Save review" not in body


def test_drafts_are_not_for_review(app, client, officer):
    made = in_phase(app, "proposals", proposals=[100])
    with app.app_context():
        db.session.get(Proposal, made["proposals"][0]).status = "draft"
        db.session.commit()
    assert client.get(f'/admin/proposals/{made["proposals"][0]}/review').status_code == 404
    assert "Idea 1" not in client.get(f'/admin/rounds/{made["round"]}').get_data(as_text=True)


# -- the count and delivery --------------------------------------------------------------


def voted_round(app) -> dict:
    """A round in voting with three projects on the ballot and three ballots cast."""
    with app.app_context():
        round_ = make_round("voting", wards=(ACRE_LANE,), budget=10_000)
        heading = round_.headings[0]
        projects = add_projects(heading, [6000, 5000, 3000])
        ids = [p.project_id for p in projects]
        for name, choices in (("Ada", [ids[0], ids[2]]), ("Ben", [ids[0]]), ("Cy", [ids[1], ids[2]])):
            person = Person(name=name, ward_id=heading.ward_id)
            db.session.add(person)
            db.session.commit()
            voting.cast_ballot(person, heading, choices)
        return {"round": round_.id, "heading": heading.id, "projects": [p.id for p in projects]}


def test_the_count_button_stores_a_result(app, client, officer):
    made = voted_round(app)
    url = f'/admin/rounds/{made["round"]}'
    assert "Run the count" not in client.get(url).get_data(as_text=True)  # voting is still open
    with app.app_context():
        set_phase(db.session.get(Round, made["round"]), "counting")
    assert "Run the count" in client.get(url).get_data(as_text=True)

    response = _count(client, url)
    assert response.status_code == 302
    with app.app_context():
        result = db.session.scalar(select(Result))
        assert result.heading_id == made["heading"] and result.ballots_counted == 3
        assert result.rule == "greedy" and len(result.ballots_sha256) == 64
    page = client.get(url).get_data(as_text=True)
    assert "3 ballots counted" in page
    assert f'/rounds/{made["round"]}/' in page and "Results for Brixton Acre Lane" in page


def _count(client, url):
    page = client.get(url).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    return client.post(url + "/count", data={"csrf_token": token})


def test_the_count_cannot_run_while_voting_is_open(app, client, officer):
    made = voted_round(app)
    response = _count(client, f'/admin/rounds/{made["round"]}')
    assert response.status_code == 409
    assert "The count can only run once voting has closed." in response.get_data(as_text=True)
    assert count_rows(app, Result) == 0


def test_delivery_of_funded_projects_is_tracked(app, client, officer):
    made = voted_round(app)
    url = f'/admin/rounds/{made["round"]}'
    with app.app_context():
        set_phase(db.session.get(Round, made["round"]), "counting")
    assert _count(client, url).status_code == 302
    with app.app_context():
        set_phase(db.session.get(Round, made["round"]), "results")
    funded, _unfunded, _third = made["projects"]  # 6000 (2 votes) funded; budget 10,000
    body = client.get(url).get_data(as_text=True)
    assert f"/admin/proposals/{funded}/delivery" in body

    delivery = f"/admin/proposals/{funded}/delivery"
    response = client.submit(delivery, {"note": "Ordered"})
    assert response.status_code == 400
    assert error_for(response.get_data(as_text=True), "status") == "Choose how delivery is going"
    response = client.submit(delivery, {"status": "in_progress", "note": "Benches ordered"})
    assert response.status_code == 302
    with app.app_context():
        proposal = db.session.get(Proposal, funded)
        assert (proposal.delivery_status, proposal.delivery_note) == ("in_progress", "Benches ordered")
    with app.app_context():
        selected = db.session.scalar(select(Result)).selected
    unfunded = [p for p in made["projects"] if str(p) not in selected]
    assert unfunded and client.get(f"/admin/proposals/{unfunded[0]}/delivery").status_code == 404


def test_an_extension_and_a_recount_are_on_the_public_record(app, client, officer):
    from pb.services import counting, rounds
    from tests.factories import close_and_mix

    with app.app_context():
        round_ = make_round("voting", wards=(ACRE_LANE,))
        closes = rounds.last_day(round_, "voting") + timedelta(days=2)
        rounds.extend_voting(factories_officer(), round_, closes, "The library was shut")
        close_and_mix(round_)
        counting.mix_and_count(factories_officer(), round_)
        counting.mix_and_count(factories_officer(), round_, "A ward's budget was typed wrongly")
        round_id = round_.id
    body = client.get(f"/rounds/{round_id}").get_data(as_text=True)
    assert "Voting was extended" in body and "The library was shut" in body
    assert "The ballots were counted again on" in body and "typed wrongly" in body
    admin = client.get(f"/admin/rounds/{round_id}").get_data(as_text=True)
    assert "Counted again" in admin and "Why are you counting again?" in admin

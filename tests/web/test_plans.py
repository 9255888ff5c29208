"""Ward plan pages over HTTP: a councillor drafts and publishes, an officer posts updates,
the public sees only published plans, and a councillor of another ward gets 403 on every
plan action, GET and POST."""

import csv
import io
import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from pb.models import Person, Plan, PlanOutcome, db
from pb.services import plans
from tests.factories import add_projects, make_round, ward

ACRE = "brixton-acre-lane"
CLAPHAM = "clapham-town"
ACRE_CLLR = "cllr.brixton-acre-lane.1@demo.lambeth.example"
CLAPHAM_CLLR = "cllr.clapham-town.1@demo.lambeth.example"


def person(email: str) -> Person:
    return db.session.scalar(select(Person).where(Person.email == email))


def outcome_form(**overrides) -> dict:
    target = plans.today() + timedelta(days=300)
    data = {"title": "20 new street trees", "description": "Along Acre Lane", "priority_id": "",
            "responsible": "Parks service", "target_date": [str(target.day), str(target.month), str(target.year)],
            "measure": "Trees planted and still alive after a year"}
    data.update(overrides)
    return data


@pytest.fixture
def plan_ids(app, demo):
    """A draft plan and a published plan for Brixton Acre Lane, each with a priority and an outcome."""
    with app.app_context():
        cllr = person(ACRE_CLLR)
        draft = plans.create_plan(cllr, ward(ACRE), title="Draft plan", start_year=2029, end_year=2031,
                                  summary="Draft summary")
        d_priority = plans.add_priority(cllr, draft, title="Draft priority")
        d_outcome = plans.add_outcome(cllr, draft, title="Draft outcome", responsible="Parks",
                                      target_date=plans.today() + timedelta(days=30), measure="Count")
        live = plans.create_plan(cllr, ward(ACRE), title="Live plan", start_year=2026, end_year=2028,
                                 summary="Live summary")
        l_priority = plans.add_priority(cllr, live, title="Live priority")
        l_outcome = plans.add_outcome(cllr, live, title="Live outcome", responsible="Highways",
                                      target_date=plans.today() - timedelta(days=3), measure="Count")
        plans.publish_plan(cllr, live)
        return {"draft": draft.id, "d_priority": d_priority.id, "d_outcome": d_outcome.id,
                "live": live.id, "l_priority": l_priority.id, "l_outcome": l_outcome.id}


def staff_routes(ids) -> list[tuple[str, str]]:
    """Every plan action for staff: (method, path)."""
    d, p, o = ids["draft"], ids["d_priority"], ids["d_outcome"]
    routes = [f"/plans/new?ward={ACRE}", f"/plans/{d}/edit", f"/plans/{d}/publish", f"/plans/{d}/delete",
              f"/plans/{d}/priorities/new", f"/plans/{d}/priorities/{p}/edit",
              f"/plans/{d}/priorities/{p}/delete", f"/plans/{d}/outcomes/new",
              f"/plans/{d}/outcomes/{o}/edit", f"/plans/{d}/outcomes/{o}/delete",
              f"/plans/{ids['live']}/outcomes/{ids['l_outcome']}/update"]
    both = [(method, path) for path in routes for method in ("GET", "POST")]
    return both + [("POST", f"/plans/{d}/priorities/{p}/move")]


def draft_public_routes(ids) -> list[str]:
    d = ids["draft"]
    return [f"/plans/{d}", f"/plans/{d}.csv", f"/plans/{d}.json"]


def csrf(client, path="/account/sign-out") -> str:
    """A CSRF token of this session (any page with a form will do: the sign-out link's)."""
    page = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    return match.group(1) if match else ""


def test_a_councillor_of_another_ward_gets_403_on_every_plan_action(app, client, sign_in, plan_ids):
    sign_in(CLAPHAM_CLLR)
    token = csrf(client)
    for method, path in staff_routes(plan_ids):
        if method == "GET":
            response = client.get(path)
        else:
            response = client.post(path, data={"csrf_token": token, "title": "Mine", "body": "Mine",
                                               "direction": "up", "start_year": "2026", "end_year": "2027",
                                               "summary": "x"})
        assert response.status_code == 403, (method, path, response.status_code)
    for path in draft_public_routes(plan_ids):
        assert client.get(path).status_code == 403, path
    with app.app_context():
        draft = db.session.get(Plan, plan_ids["draft"])
        assert draft.title == "Draft plan" and draft.state == "draft" and len(draft.priorities) == 1
        assert db.session.get(PlanOutcome, plan_ids["l_outcome"]).updates == []
    # a published plan is public: they may read it like anyone, but not change it
    page = client.get(f"/plans/{plan_ids['live']}").get_data(as_text=True)
    assert "Live plan" in page and "Post an update" not in page


def test_anonymous_visitors_never_see_a_draft_and_are_sent_to_sign_in_for_staff_pages(client, plan_ids):
    for path in draft_public_routes(plan_ids):
        assert client.get(path).status_code == 404, path
    for method, path in staff_routes(plan_ids):
        response = client.open(path, method=method)
        if method == "GET":
            assert response.status_code == 302 and "/account/sign-in" in response.headers["Location"], path
        else:
            assert response.status_code in (302, 400), path  # no CSRF token: refused either way
    assert client.get(f"/plans/{plan_ids['live']}").status_code == 200
    assert "Draft plan" not in client.get(f"/wards/{ACRE}/plans").get_data(as_text=True)


def test_a_resident_is_refused_staff_pages_and_does_not_see_drafts(app, client, plan_ids):
    with app.app_context():
        from tests.factories import resident
        someone = resident("Rita Resident", ACRE)
        session_id = someone.get_id()
    with client.session_transaction() as session:
        session["_user_id"] = session_id
        session["_fresh"] = True
    for path in draft_public_routes(plan_ids):
        assert client.get(path).status_code == 404, path
    for method, path in staff_routes(plan_ids):
        if method == "GET":
            assert client.get(path).status_code == 403, path


def test_a_councillor_drafts_and_publishes_and_an_officer_posts_updates(app, client, sign_in, demo):
    sign_in(ACRE_CLLR)
    assert client.get(f"/plans/new?ward={CLAPHAM}").status_code == 403
    empty = client.submit(f"/plans/new?ward={ACRE}", {"title": "", "start_year": "20x6", "end_year": "",
                                                       "summary": ""})
    assert empty.status_code == 400
    body = empty.get_data(as_text=True)
    assert "There is a problem" in body and "Enter a title for the plan" in body
    made = client.submit(f"/plans/new?ward={ACRE}", {"title": "Acre Lane plan 2026 to 2028",
                                                      "start_year": "2026", "end_year": "2028",
                                                      "summary": "Line one\nLine two"})
    assert made.status_code == 302
    plan_path = made.headers["Location"]
    plan_id = int(re.search(r"/plans/(\d+)", plan_path).group(1))
    for title in ("Greener streets", "Safer crossings", "Youth space"):
        assert client.submit(f"/plans/{plan_id}/priorities/new", {"title": title}).status_code == 302
    with app.app_context():
        priority_ids = [p.id for p in db.session.get(Plan, plan_id).priorities]
    bad = client.submit(f"/plans/{plan_id}/outcomes/new", outcome_form(target_date=["31", "2", "2027"]))
    assert bad.status_code == 400 and "The target date must be a real date" in bad.get_data(as_text=True)
    bad = client.submit(f"/plans/{plan_id}/outcomes/new", outcome_form(priority_id="999999"))
    assert bad.status_code == 400
    for n in range(2):
        assert client.submit(f"/plans/{plan_id}/outcomes/new",
                             outcome_form(title=f"Outcome {n}", priority_id=str(priority_ids[n]))).status_code == 302
    token = csrf(client, f"/plans/{plan_id}")
    assert client.post(f"/plans/{plan_id}/priorities/{priority_ids[2]}/move",
                       data={"csrf_token": token, "direction": "up"}).status_code == 302
    page = client.get(f"/plans/{plan_id}").get_data(as_text=True)
    assert page.index("Youth space") < page.index("Safer crossings")
    assert "<p class=\"govuk-body\">Line one</p><p class=\"govuk-body\">Line two</p>" in page
    assert client.get(f"/wards/{ACRE}/plan").status_code == 404  # nothing published yet
    assert client.submit(f"/plans/{plan_id}/publish", {}).status_code == 302
    assert client.get(f"/plans/{plan_id}/edit").status_code == 409  # fixed once published
    assert client.get(f"/plans/{plan_id}/outcomes/new").status_code == 409
    with app.app_context():
        outcome_id = db.session.get(Plan, plan_id).outcomes[0].id
    no_reason = client.submit(f"/plans/{plan_id}/outcomes/{outcome_id}/update",
                              {"body": "Stopping", "new_status": "dropped"})
    assert no_reason.status_code == 400 and "Enter why the outcome is being dropped" in no_reason.get_data(as_text=True)
    client.get("/account/sign-out")
    client.post("/account/sign-out", data={"csrf_token": csrf(client)})
    sign_in(demo["officer"])
    posted = client.submit(f"/plans/{plan_id}/outcomes/{outcome_id}/update",
                           {"body": "Funding agreed with Parks", "new_status": "in_progress"})
    assert posted.status_code == 302
    client.post("/account/sign-out", data={"csrf_token": csrf(client)})
    public = client.get(f"/wards/{ACRE}/plan")
    assert public.status_code == 200
    text = public.get_data(as_text=True)
    assert "Funding agreed with Parks" in text and "Olu Officer, council officer" in text
    assert "Status changed from Proposed to In progress" in text
    tracker = client.get(f"/wards/{ACRE}/tracker").get_data(as_text=True)
    assert 'data-status="in_progress"' in tracker and "Funding agreed with Parks" in tracker
    ward_page = client.get(f"/wards/{ACRE}").get_data(as_text=True)
    assert "Acre Lane plan 2026 to 2028" in ward_page and f"/wards/{ACRE}/tracker" in ward_page


def test_the_tracker_counts_by_status_and_highlights_overdue(app, client, plan_ids):
    page = client.get(f"/wards/{ACRE}/tracker")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert 'id="overdue-list"' in body and "Live outcome" in body and "Draft outcome" not in body
    assert client.get("/tracker").status_code == 200
    assert "Live outcome" in client.get("/tracker").get_data(as_text=True)
    assert "Live outcome" not in client.get(f"/wards/{CLAPHAM}/tracker").get_data(as_text=True)
    assert client.get("/wards/nowhere/tracker").status_code == 404


def test_downloads_are_csv_and_json_and_safe_in_spreadsheets(app, client, sign_in, plan_ids):
    with app.app_context():
        outcome = db.session.get(PlanOutcome, plan_ids["l_outcome"])
        plans.post_update(person(ACRE_CLLR), outcome, body="=HYPERLINK(\"http://evil\")", new_status="agreed")
        outcome.title = "=1+2"
        outcome.responsible = "@SUM(A1)"
        db.session.commit()
    live = plan_ids["live"]
    for path in (f"/plans/{live}.csv", f"/wards/{ACRE}/tracker.csv", "/tracker.csv"):
        response = client.get(path)
        assert response.status_code == 200 and response.mimetype == "text/csv"
        rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
        titles = [r.get("outcome") or r.get("title") for r in rows]
        assert "'=1+2" in titles, path
        for row in rows:
            for value in row.values():
                assert not (value or "").startswith(("=", "+", "-", "@")), (path, value)
    document = client.get(f"/plans/{live}.json").get_json(force=True)
    assert document["title"] == "Live plan" and document["outcomes"][0]["title"] == "=1+2"
    assert document["outcomes"][0]["updates"][0]["to_status"] == "agreed"
    tracker = client.get(f"/wards/{ACRE}/tracker.json").get_json(force=True)
    assert tracker["counts"]["agreed"] == 1 and tracker["overdue"] == [plan_ids["l_outcome"]]
    assert json.loads(client.get("/tracker.json").get_data(as_text=True))["ward"] is None
    page = client.get(f"/plans/{live}").get_data(as_text=True)
    assert f"/plans/{live}.csv" in page and f"/plans/{live}.json" in page


def test_funded_projects_show_progress_and_rounds_serve_priorities(app, client, sign_in, demo, plan_ids):
    with app.app_context():
        round_, heading, funded = counted_round()
        draft_round = make_round("draft", wards=(ACRE,))
        ids = {"round": round_.id, "heading": heading.id, "funded": funded.id, "draft": draft_round.id}
    sign_in(demo["officer"])
    saved = client.submit(f"/admin/proposals/{ids['funded']}/delivery",
                          {"status": "in_progress", "progress": "40", "note": "Started"})
    assert saved.status_code == 302
    too_much = client.submit(f"/admin/proposals/{ids['funded']}/delivery",
                             {"status": "in_progress", "progress": "140", "note": ""})
    assert too_much.status_code == 400
    tracker = client.get(f"/wards/{ACRE}/tracker").get_data(as_text=True)
    assert f'data-project="{ids["funded"]}"' in tracker and "40%" in tracker
    results = client.get(f"/rounds/{ids['round']}/wards/{ids['heading']}/results").get_data(as_text=True)
    assert f"/wards/{ACRE}/tracker" in results
    edit = client.get(f"/admin/rounds/{ids['draft']}/edit").get_data(as_text=True)
    assert f'value="{plan_ids["l_priority"]}"' in edit and f'value="{plan_ids["d_priority"]}"' not in edit
    with app.app_context():
        from pb.models import Round
        data = _draft_form(db.session.get(Round, ids["draft"]))
    data["priorities"] = [str(plan_ids["l_priority"])]
    assert client.submit(f"/admin/rounds/{ids['draft']}/edit", data).status_code == 302
    data["priorities"] = [str(plan_ids["d_priority"])]
    assert client.submit(f"/admin/rounds/{ids['draft']}/edit", data).status_code == 400
    with app.app_context():
        from pb.models import Round
        round_ = db.session.get(Round, ids["draft"])
        assert [p.id for p in round_.priorities] == [plan_ids["l_priority"]]
        round_.status = "published"
        db.session.commit()
    page = client.get(f"/plans/{plan_ids['live']}").get_data(as_text=True)
    assert f"/rounds/{ids['draft']}" in page
    round_page = client.get(f"/rounds/{ids['draft']}").get_data(as_text=True)
    assert f"/plans/{plan_ids['live']}#priority-{plan_ids['l_priority']}" in round_page


def counted_round():
    """A round with published results in Brixton Acre Lane: the first of two projects funded."""
    from pb.services import voting
    from pb.services.counting import mix_and_count
    from tests.factories import officer, set_phase

    round_ = make_round("voting", wards=(ACRE,), budget=5_000)
    heading = round_.headings[0]
    funded, other = add_projects(heading, [4000, 3000])
    voter = Person(name="Voter", ward_id=heading.ward_id)
    db.session.add(voter)
    db.session.commit()
    voting.cast_ballot(voter, heading, [funded.project_id])
    set_phase(round_, "counting")
    mix_and_count(officer(), round_)
    set_phase(round_, "results")
    return round_, heading, funded


def _draft_form(round_) -> dict:
    from pb.models import PHASES
    data = {"title": round_.title, "description": round_.description, "ballot_type": round_.ballot_type,
            "rule": round_.rule, "min_choices": "", "max_choices": "", "points": "", "min_spend_percent": "",
            "min_age": "", "max_age": ""}
    for phase in PHASES:
        day = getattr(round_, f"{phase}_from")
        data[f"{phase}_from"] = [str(day.day), str(day.month), str(day.year)]
    for heading in round_.headings:
        data[f"budget_{heading.ward_id}"] = str(heading.budget)
    return data


@pytest.mark.parametrize("priority", ["\u00b2", "\u0663", "\uff11", "1" * 12, "-1", "1.0"])
def test_a_strange_priority_id_is_a_form_error_not_a_server_error(client, sign_in, plan_ids, priority):
    """'²'.isdigit() is true but int('²') fails: such a value is no priority, never a 500."""
    sign_in(ACRE_CLLR)
    answer = client.submit(f"/plans/{plan_ids['draft']}/outcomes/new", outcome_form(priority_id=priority))
    assert answer.status_code in (302, 400)

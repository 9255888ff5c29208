"""A youth budget through the pages: staff give the ages in the round form (checked the
GOV.UK way), the round's page says who can take part, and the check-your-answers page asks
the resident to declare their age before the vote is cast."""

import re

from sqlalchemy import func, select

from pb.models import RollEntry, Round, db
from pb.services import eligibility
from tests.factories import add_projects, make_round, officer, set_phase
from tests.web.test_admin_rounds import count_rows, error_for, round_form

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
ACRE_LANE = "brixton-acre-lane"


def summary_links(body: str) -> list[tuple[str, str]]:
    summary = re.search(r'<div class="govuk-error-summary".*?</ul>', body, re.S).group(0)
    return [(href, re.sub(r"\s+", " ", text).strip())
            for href, text in re.findall(r'<a href="([^"]+)"[^>]*>(.*?)</a>', summary, re.S)]


def test_an_officer_gives_a_round_an_age_range(app, client, demo, sign_in):
    sign_in(demo["officer"])
    page = client.get("/admin/rounds/new").get_data(as_text=True)
    assert "Youngest age that can vote (optional)" in page and 'id="min_age"' in page
    done = client.post("/admin/rounds/new", data={
        "csrf_token": CSRF.search(page).group(1),
        **round_form(app, {ACRE_LANE: "25000"}, min_age="11", max_age=" 25 ")})
    assert done.status_code == 302, done.get_data(as_text=True)[:2000]
    with app.app_context():
        round_ = db.session.scalars(select(Round)).one()
        assert (round_.min_age, round_.max_age) == (11, 25)
        round_id = round_.id
    admin_page = client.get(f"/admin/rounds/{round_id}").get_data(as_text=True)
    assert "This budget is for people aged 11 to 25." in admin_page
    edit = client.get(f"/admin/rounds/{round_id}/edit").get_data(as_text=True)
    assert re.search(r'id="min_age"[^>]*value="11"', edit)
    # the draft can change its ages, and drop them
    changed = client.post(f"/admin/rounds/{round_id}/edit", data={
        "csrf_token": CSRF.search(edit).group(1),
        **round_form(app, {ACRE_LANE: "25000"}, min_age="", max_age="18")})
    assert changed.status_code == 302
    with app.app_context():
        assert db.session.get(Round, round_id).age_range == (None, 18)


def test_wrong_ages_are_explained_next_to_their_boxes(app, client, demo, sign_in):
    sign_in(demo["officer"])
    token = CSRF.search(client.get("/admin/rounds/new").get_data(as_text=True)).group(1)

    def send(**ages):
        response = client.post("/admin/rounds/new", data={
            "csrf_token": token, **round_form(app, {ACRE_LANE: "25000"}, **ages)})
        assert response.status_code == 400
        return response.get_data(as_text=True)

    body = send(min_age="eleven", max_age="25.5")
    assert error_for(body, "min_age") == "Enter the youngest age as a whole number, like 11"
    assert error_for(body, "max_age") == "Enter the oldest age as a whole number, like 25"
    assert ("#min_age", "Enter the youngest age as a whole number, like 11") in summary_links(body)
    body = send(min_age="121", max_age="-1")
    assert error_for(body, "min_age") == "The youngest age must be between 0 and 120"
    assert error_for(body, "max_age") == "Enter the oldest age as a whole number, like 25"
    body = send(min_age="25", max_age="11")
    assert error_for(body, "max_age") == "The oldest age cannot be lower than the youngest age"
    assert 'id="min_age-error"' not in body
    assert count_rows(app, Round) == 0


def youth_round(app, **options) -> tuple[int, str]:
    with app.app_context():
        round_ = make_round("voting", min_age=11, max_age=25, **options)
        projects = add_projects(round_.headings[0], [3000, 4000])
        return round_.id, projects[0].project_id


def check_page(client, round_id: int, project_id: str, name="Ada Lovelace") -> str:
    client.get("/account/sign-out")
    client.submit("/account/resident", {"name": name, "postcode": "SW9 0AA"})
    check = client.submit(f"/vote/{round_id}", {"project": [project_id], "action": "continue"},
                          follow_redirects=True)
    assert check.status_code == 200
    return check.get_data(as_text=True)


def roll(app) -> list[bool]:
    with app.app_context():
        return [entry.age_declared for entry in db.session.scalars(select(RollEntry))]


def test_the_round_page_says_who_can_take_part(app, client):
    round_id, _ = youth_round(app)
    page = client.get(f"/rounds/{round_id}").get_data(as_text=True)
    assert "This budget is for people aged 11 to 25." in page
    with app.app_context():
        anyone = make_round("voting").id
    assert "This budget is for people aged" not in client.get(f"/rounds/{anyone}").get_data(as_text=True)


def test_a_resident_must_tick_the_age_declaration_to_cast(app, client):
    round_id, project_id = youth_round(app)
    body = check_page(client, round_id, project_id)
    assert 'class="govuk-checkboxes__input" id="age_declared" name="age_declared" type="checkbox" value="yes"' in body
    assert "I am aged 11 to 25" in body and "This budget is for people aged 11 to 25." in body

    missing = client.post(f"/vote/{round_id}/cast", data={"csrf_token": CSRF.search(body).group(1),
                                                          "project": [project_id]})
    page = missing.get_data(as_text=True)
    assert missing.status_code == 400
    assert summary_links(page) == [("#age_declared", "Confirm that you are aged 11 to 25 to vote in this round")]
    assert error_for(page, "age_declared") == "Confirm that you are aged 11 to 25 to vote in this round"
    assert "govuk-form-group--error" in page and "<title>Error:" in page
    assert roll(app) == []

    # the choices still wait on the check page; ticking the box casts
    again = client.get(f"/vote/{round_id}/check").get_data(as_text=True)
    cast = client.post(f"/vote/{round_id}/cast", data={"csrf_token": CSRF.search(again).group(1),
                                                       "project": [project_id], "age_declared": "yes"})
    assert cast.status_code == 303
    assert roll(app) == [True]


def test_the_age_and_the_reference_are_explained_together(app, client):
    with app.app_context():
        round_ = make_round("review", min_age=11, max_age=25)
        project_id = add_projects(round_.headings[0], [3000])[0].project_id
        eligibility.upload_list(officer(), round_, "register.csv", b"AB123456\n")
        set_phase(round_, "voting")
        round_id = round_.id
    body = check_page(client, round_id, project_id)
    refused = client.post(f"/vote/{round_id}/cast", data={"csrf_token": CSRF.search(body).group(1),
                                                          "project": [project_id], "reference": ""})
    assert refused.status_code == 400
    assert [href for href, _ in summary_links(refused.get_data(as_text=True))] == ["#age_declared", "#reference"]
    # ticked, with a wrong reference: the box stays ticked and only the reference is wrong
    again = client.get(f"/vote/{round_id}/check").get_data(as_text=True)
    wrong = client.post(f"/vote/{round_id}/cast", data={"csrf_token": CSRF.search(again).group(1),
                                                        "project": [project_id], "reference": "ZZ999",
                                                        "age_declared": "yes"})
    page = wrong.get_data(as_text=True)
    assert [href for href, _ in summary_links(page)] == ["#reference"]
    assert re.search(r'id="age_declared" name="age_declared" type="checkbox" value="yes" checked', page)
    assert roll(app) == []
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(RollEntry)) == 0


def test_an_ordinary_round_asks_no_age(app, client):
    with app.app_context():
        round_ = make_round("voting")
        project_id = add_projects(round_.headings[0], [3000])[0].project_id
        round_id = round_.id
    body = check_page(client, round_id, project_id)
    assert "age_declared" not in body and "I am aged" not in body
    cast = client.post(f"/vote/{round_id}/cast", data={"csrf_token": CSRF.search(body).group(1),
                                                       "project": [project_id]})
    assert cast.status_code == 303
    assert roll(app) == [False]


def test_without_the_age_box_a_reference_is_not_looked_up(app, client):
    """Else a form sent without the box would tell a guesser which references are on the
    list without using them."""
    with app.app_context():
        round_ = make_round("review", min_age=11, max_age=25)
        project_id = add_projects(round_.headings[0], [3000])[0].project_id
        eligibility.upload_list(officer(), round_, "register.csv", b"AB123456\n")
        set_phase(round_, "voting")
        round_id = round_.id
    answers = []
    for reference in ("AB123456", "ZZ999999"):
        body = check_page(client, round_id, project_id, name=f"Prober {reference}")
        refused = client.post(f"/vote/{round_id}/cast", data={"csrf_token": CSRF.search(body).group(1),
                                                              "project": [project_id], "reference": reference})
        assert refused.status_code == 400
        answers.append(summary_links(refused.get_data(as_text=True)))
    assert answers[0] == answers[1] == [("#age_declared", "Confirm that you are aged 11 to 25 to vote in this round")]
    assert roll(app) == []

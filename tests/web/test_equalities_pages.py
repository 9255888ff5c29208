"""The monitoring questions after voting, the report, who's missing, the published summary,
the CSV and the panel's thresholds: who may see what, and what the public may never see."""

import csv
import io
import re

import pytest
from sqlalchemy import func, select

from pb.models import EqualitiesSetting, db
from tests.services.test_equalities_service import one_cast, recorded_answers, seed_heading

OTHER_COUNCILLOR = "cllr.clapham-town.1@demo.lambeth.example"


@pytest.fixture
def results(app):
    with app.app_context():
        return seed_heading(n=600, phase="results")


@pytest.fixture
def voting(app):
    """A round in voting with 30 real casts, sealed until voting closes."""
    from pb.services import voting as casting
    from tests.factories import add_projects, make_round, resident

    with app.app_context():
        heading = make_round("voting", wards=("brixton-acre-lane",)).headings[0]
        project = add_projects(heading, [3000])[0]
        for n in range(30):
            casting.cast_ballot(resident(f"Voter {n}", "brixton-acre-lane"), heading,
                                [project.project_id])
        return heading.id


def _with_ballot(client, app) -> str:
    """A real cast; its one-time token in this browser's session, as the voting view leaves it."""
    with app.app_context():
        token, _ = one_cast()
    with client.session_transaction() as session:
        session["voter_token"] = token
    return token


def _responses(app) -> list:
    with app.app_context():
        return recorded_answers()


# -- the questions -----------------------------------------------------------------------

def test_the_questions_explain_consent_and_offer_prefer_not_to_say(client, app):
    _with_ballot(client, app)
    body = client.get("/equalities/questions").get_data(as_text=True)
    assert "attached to your anonymous ballot" in body and "totals of 10 people or more" in body
    assert body.count("Prefer not to say") == 6
    assert "What is your age?" in body and "Do you own or rent your home?" in body
    assert "Skip these questions" in body


def test_answers_are_recorded_once_and_the_session_key_removed(client, app):
    token = _with_ballot(client, app)
    response = client.submit("/equalities/questions", {"age": "35_49", "sex": "prefer_not_to_say"})
    assert response.status_code == 302
    assert "Your answers have been recorded" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert _responses(app) == [{"age": "35_49", "sex": "prefer_not_to_say"}]
    with client.session_transaction() as session:
        assert "voter_token" not in session
    # the same token again (e.g. a copied cookie): it ended when used, so nothing is open
    with client.session_transaction() as session:
        session["voter_token"] = token
    body = client.get("/equalities/questions").get_data(as_text=True)
    assert "There are no questions to answer" in body
    assert client.submit("/equalities/questions", {"age": "16_24"}).status_code in (200, 400)
    assert _responses(app) == [{"age": "35_49", "sex": "prefer_not_to_say"}]


def test_a_bad_answer_is_a_gov_uk_error_and_nothing_is_written(client, app):
    _with_ballot(client, app)
    response = client.submit("/equalities/questions", {"age": "35_49", "tenure": "castle"})
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "govuk-error-summary" in body and 'id="tenure-error"' in body
    assert "Choose one of the answers, or leave the question blank" in body
    assert _responses(app) == []


def test_skipping_writes_nothing_and_ends_the_hand_off(client, app):
    _with_ballot(client, app)
    body = client.get("/equalities/questions/skip").get_data(as_text=True)
    assert "You skipped the optional questions" in body
    assert _responses(app) == []
    assert "no questions to answer" in client.get("/equalities/questions").get_data(as_text=True)


def test_the_thank_you_and_skip_pages_only_follow_a_ballot_of_this_visit(client, app):
    # opened directly, neither may claim that anything was recorded
    for path in ("/equalities/questions/thanks", "/equalities/questions/skip"):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"].endswith(
            "/equalities/questions")
        assert "no questions to answer" in client.get(response.headers["Location"]).get_data(
            as_text=True)
    _with_ballot(client, app)
    thanks = client.submit("/equalities/questions", {"age": "35_49"}).headers["Location"]
    assert "Your answers have been recorded" in client.get(thanks).get_data(as_text=True)
    assert client.get(thanks).status_code == 302  # once only: a reload is sent back
    _with_ballot(client, app)
    body = client.get("/equalities/questions/skip").get_data(as_text=True)
    assert "Your vote has been recorded all the same" in body


def test_without_a_ballot_in_the_session_the_page_is_polite(client, app):
    response = client.get("/equalities/questions")
    assert response.status_code == 200
    assert "There are no questions to answer" in response.get_data(as_text=True)
    with client.session_transaction() as session:
        session["voter_token"] = "no-such-token"
    assert client.get("/equalities/questions").status_code == 200


# -- who may see the report --------------------------------------------------------------

@pytest.mark.parametrize("who", ["panel", "officer", "councillor", "admin"])
def test_panel_officers_and_the_wards_councillors_see_the_full_report(client, demo, sign_in,
                                                                      results, who):
    sign_in(demo[who])
    for path in ("", "/missing", ".csv"):
        assert client.get(f"/equalities/headings/{results}{path}").status_code == 200, path
    body = client.get(f"/equalities/headings/{results}").get_data(as_text=True)
    assert "Would the result change?" in body and "one person, one vote" in body
    assert "are under-represented" in body and "support comes from" in body
    assert '<svg class="pb-chart"' in body and 'role="img"' in body


def test_another_wards_councillor_is_refused(client, demo, sign_in, results):
    sign_in(OTHER_COUNCILLOR)
    for path in ("", "/missing", ".csv", "/threshold"):
        assert client.get(f"/equalities/headings/{results}{path}").status_code == 403, path


def test_the_public_is_sent_to_sign_in(client, results):
    for path in ("", "/missing", ".csv", "/threshold"):
        response = client.get(f"/equalities/headings/{results}{path}")
        assert response.status_code == 302 and "/account/sign-in" in response.headers["Location"]


def test_an_unknown_heading_is_not_found(client, demo, sign_in):
    sign_in(demo["panel"])
    assert client.get("/equalities/headings/999999").status_code == 404
    assert client.get("/equalities/headings/999999/summary").status_code == 404


def test_the_printable_version_has_no_navigation(client, demo, sign_in, results):
    sign_in(demo["panel"])
    body = client.get(f"/equalities/headings/{results}?print=1").get_data(as_text=True)
    assert "govuk-service-navigation" not in body and "govuk-footer" not in body
    assert "Who voted: equalities report" in body


def test_during_voting_the_figures_stay_sealed_until_voting_closes(client, demo, sign_in,
                                                                    voting):
    sign_in(demo["councillor"])
    for path in ("", "/missing"):
        body = client.get(f"/equalities/headings/{voting}{path}").get_data(as_text=True)
        assert "No figures have been released yet" in body
        assert "at least 50 new voters after the last release" in body
        assert "Would the result change?" not in body and "About 30 people" not in body


# -- the CSV -----------------------------------------------------------------------------

def test_the_csv_has_its_headers_and_only_protected_counts(client, demo, sign_in, results):
    sign_in(demo["officer"])
    response = client.get(f"/equalities/headings/{results}.csv")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert {"ward_code", "characteristic", "category", "participants", "participants_share",
            "residents_share", "ratio", "ratio_low", "ratio_high", "flag", "chi_square",
            "p_value", "cohens_w"} <= set(rows[0])
    counts = [int(r["participants"]) for r in rows if r["participants"]]
    assert counts and all(c >= 10 and c % 5 == 0 for c in counts)
    assert {r["flag"] for r in rows} >= {"under", "over"}


# -- the published summary ---------------------------------------------------------------

def test_the_summary_waits_for_the_results(client, voting):
    response = client.get(f"/equalities/headings/{voting}/summary")
    assert response.status_code == 404
    assert "Not published yet" in response.get_data(as_text=True)


def test_the_public_summary_shows_only_protected_figures(client, app):
    with app.app_context():
        heading_id = seed_heading(n=120, phase="results")
    response = client.get(f"/equalities/headings/{heading_id}/summary")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Who took part" in body and "Not shown" in body
    assert "Would the result change?" not in body and "Ratio" not in body
    cells = re.findall(r'govuk-table__cell--numeric">([^<%–]+)</td>', body)
    counts = [int(c.replace(",", "")) for c in cells if c.strip() and c.strip() != "Not shown"]
    assert counts and all(c >= 10 and c % 5 == 0 for c in counts)


# -- the thresholds ----------------------------------------------------------------------

@pytest.mark.parametrize("data, message", [
    ({"low": "", "high": "1.25"}, "Enter the lower threshold"),
    ({"low": "abc", "high": "1.25"}, "Enter the lower threshold as a number, like 0.8"),
    ({"low": "1.2", "high": "1.25"}, "The lower threshold must be between 0.1 and 0.99"),
    ({"low": "0.8", "high": "0.9"}, "The upper threshold must be between 1.01 and 10"),
    ({"low": "0.8", "high": "nan"}, "The upper threshold must be between 1.01 and 10"),
])
def test_threshold_errors_are_gov_uk_errors(client, app, demo, sign_in, results, data, message):
    sign_in(demo["panel"])
    response = client.submit(f"/equalities/headings/{results}/threshold", data)
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "govuk-error-summary" in body and message in body
    with app.app_context():
        assert db.session.scalar(select(func.count(EqualitiesSetting.id))) == 0


def test_the_panel_changes_the_threshold(client, app, demo, sign_in, results):
    sign_in(demo["panel"])
    response = client.submit(f"/equalities/headings/{results}/threshold",
                             {"low": "0.5", "high": "2"}, follow_redirects=True)
    body = response.get_data(as_text=True)
    assert "The thresholds have been saved." in body and "below 0.50 or above 2.00" in body
    with app.app_context():
        setting = db.session.scalar(select(EqualitiesSetting))
        assert (setting.low, setting.high) == (0.5, 2.0)


def test_officers_cannot_change_the_threshold(client, demo, sign_in, results):
    sign_in(demo["officer"])
    assert client.get(f"/equalities/headings/{results}/threshold").status_code == 403


def test_the_reports_index_lists_what_each_person_may_read(app, client, demo, sign_in):
    from tests.factories import make_round

    with app.app_context():
        own = make_round("voting", wards=("brixton-acre-lane",)).headings[0].id
        other = make_round("voting", wards=("oval",)).headings[0].id
    sign_in(demo["councillor"])
    body = client.get("/equalities/").get_data(as_text=True)
    assert f"/equalities/headings/{own}" in body and f"/equalities/headings/{other}\"" not in body
    client.submit("/account/sign-out", {})
    sign_in(demo["panel"])
    body = client.get("/equalities/").get_data(as_text=True)
    assert f"/equalities/headings/{own}" in body and f"/equalities/headings/{other}" in body


def test_residents_cannot_see_the_reports_index(client):
    client.submit("/account/resident", {"name": "Ada", "postcode": "SW2 1RW"})
    assert client.get("/equalities/").status_code == 403

"""Error pages in the design system's style, and addresses no page can have."""

import re

import pytest
from flask import abort
from sqlalchemy.exc import OperationalError

from pb import create_app
from tests.factories import make_round

HEADINGS = {
    400: "Sorry, there is a problem with that request",
    403: "You cannot see this page",
    404: "Page not found",
    405: "Sorry, there is a problem with that request",
    409: "Sorry, that cannot be done now",
    413: "What you sent was too large",
    414: "The web address is too long",
    429: "Sorry, there have been too many attempts",
    500: "Sorry, there is a problem with the service",
    503: "Ward Budgets is not available at the moment",
}


def heading(response) -> str:
    return re.search(r"<h1[^>]*>(.*?)</h1>", response.get_data(as_text=True), re.S).group(1).strip()


@pytest.fixture
def broken(app):
    """The app, with pages that fail in each way (a fresh app: routes cannot be added to one
    that has served requests). Errors become pages, as in production, not test failures."""
    application = create_app({"TESTING": True, "PROPAGATE_EXCEPTIONS": False})

    @application.get("/fails-with/<int:status>")
    def fails_with(status):
        abort(status)

    @application.get("/raises")
    def raises():
        raise RuntimeError("a bug")

    @application.get("/database-down")
    def database_down():
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    return application


@pytest.mark.parametrize("status", sorted(HEADINGS))
def test_every_error_has_its_page(broken, status):
    response = broken.test_client().get(f"/fails-with/{status}")
    body = response.get_data(as_text=True)
    assert response.status_code == status
    assert heading(response) == HEADINGS[status]
    assert f"<title>{HEADINGS[status]} – Ward Budgets" in body
    assert "govuk-heading-l" in body and "Go to the Ward Budgets home page" in body


def test_a_status_without_a_page_gets_the_general_one(broken):
    response = broken.test_client().get("/fails-with/401")
    assert response.status_code == 401 and heading(response) == HEADINGS[400]
    response = broken.test_client().get("/fails-with/501")
    assert response.status_code == 501 and heading(response) == HEADINGS[500]


def test_a_bug_is_a_500_page(broken):
    response = broken.test_client().get("/raises")
    assert response.status_code == 500 and heading(response) == HEADINGS[500]


def test_a_database_that_does_not_answer_is_a_503(broken):
    response = broken.test_client().get("/database-down")
    assert response.status_code == 503 and heading(response) == HEADINGS[503]
    assert response.headers["Retry-After"] == "30"


def test_the_503_page_shows_even_when_it_cannot_ask_who_is_signed_in(broken, monkeypatch):
    def loader(_person_id):
        raise OperationalError("SELECT people", {}, Exception("connection refused"))

    # the login manager is shared by every app in this process: monkeypatch puts it back
    monkeypatch.setattr(broken.login_manager, "_user_callback", loader)
    client = broken.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = "1"
    response = client.get("/database-down")
    assert response.status_code == 503 and heading(response) == HEADINGS[503]
    assert "Sign in" in response.get_data(as_text=True)  # shown as to someone signed out


def test_a_wrong_method_says_which_are_allowed(client):
    response = client.post("/cookies")
    assert response.status_code == 405 and "GET" in response.headers["Allow"]


def test_a_request_over_a_megabyte_is_refused_unread(app, client):
    assert app.config["MAX_CONTENT_LENGTH"] == 1024 * 1024
    response = client.post("/account/resident", data={"name": "x" * 1_100_000, "postcode": "SW2 1RW"})
    assert response.status_code == 413 and heading(response) == HEADINGS[413]


@pytest.mark.parametrize("round_id", ["0", "2147483648", "9223372036854775807", "9223372036854775808",
                                      "99999999999999999999999", "-1", "١", "1e1"])
def test_an_id_no_database_can_hold_is_not_found(client, round_id):
    for path in (f"/rounds/{round_id}", f"/rounds/{round_id}/wards/{round_id}/results", f"/vote/{round_id}"):
        response = client.get(path)
        assert response.status_code in (302, 404), path  # the ballot asks who you are first
        if response.status_code == 404:
            assert heading(response) == "Page not found"


def test_the_largest_id_is_still_looked_up(app, client):
    assert client.get("/rounds/2147483647").status_code == 404
    with app.app_context():
        round_id = make_round("proposals").id
    assert client.get(f"/rounds/{round_id}").status_code == 200
    assert client.get(f"/rounds/000{round_id}").status_code == 200


def test_a_control_character_in_an_address_is_not_found(client):
    for path in ("/wards/%00", "/wards/brixton%00", "/wards/a%1bb"):
        assert client.get(path).status_code == 404, path

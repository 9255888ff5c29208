"""The trends page across rounds in a ward, its CSV and its printable version: who may read
them (the same people as each round's equalities report), and that they show only
published figures."""

import csv
import io
import re

import pytest

from tests.services.test_equality_trends import WARD, _answers, past_round
from tests.web.test_equalities_pages import OTHER_COUNCILLOR

PAGE = f"/equalities/wards/{WARD}/trends"


@pytest.fixture
def rounds(app):
    from pb.equalities.simulate import OLDER_OWNERS

    with app.app_context():
        first = past_round("Budget 2024", _answers(400, 1, OLDER_OWNERS), years_ago=2)
        second = past_round("Budget 2025", _answers(400, 2), years_ago=1)
        tiny = past_round("Pop-up budget 2025", _answers(6, 3), years_ago=1)
    return first, second, tiny


@pytest.mark.parametrize("who", ["panel", "officer", "councillor", "admin"])
def test_the_report_readers_see_the_trends_page_and_csv(client, demo, sign_in, rounds, who):
    sign_in(demo[who])
    assert client.get(PAGE).status_code == 200
    assert client.get(PAGE + ".csv").status_code == 200


def test_another_wards_councillor_and_the_public_are_refused(client, demo, sign_in, rounds):
    for path in (PAGE, PAGE + ".csv"):
        response = client.get(path)
        assert response.status_code == 302 and "/account/sign-in" in response.headers["Location"]
    sign_in(OTHER_COUNCILLOR)
    for path in (PAGE, PAGE + ".csv"):
        assert client.get(path).status_code == 403
    assert client.get("/equalities/wards/no-such-ward/trends").status_code == 404


def test_the_page_shows_each_round_the_change_in_words_and_links(client, demo, sign_in, rounds):
    first, second, tiny = rounds
    sign_in(demo["panel"])
    body = client.get(PAGE).get_data(as_text=True)
    assert "Trends across rounds" in body and "Rounds in this ward, oldest first" in body
    assert body.index("Budget 2024") < body.index("Budget 2025")
    assert "Closer to the ward's population than Budget 2024" in body
    assert "This page makes no new figures" in body
    for heading in rounds:
        assert f"/equalities/headings/{heading}\"" in body
    assert f"/equalities/wards/{WARD}/trends.csv" in body and "print=1" in body
    # the tiny round: no figures, no verdict
    row = body[body.index("Pop-up budget 2025"):].split("</tr>")[0]
    assert "Not shown" in row and "Yes." not in row and "No." not in row
    # every count shown is a published one: a multiple of 5, at least 10
    cells = re.findall(r'govuk-table__cell--numeric">([\d,]+)(?:</td>| \()', body)
    assert cells and all(int(c.replace(",", "")) >= 10 and int(c.replace(",", "")) % 5 == 0
                         for c in cells)
    # linked from the round's report and from the index
    report = client.get(f"/equalities/headings/{second}").get_data(as_text=True)
    assert f'href="{PAGE}"' in report
    assert f'href="{PAGE}"' in client.get("/equalities/").get_data(as_text=True)


def test_the_printable_version_has_no_navigation(client, demo, sign_in, rounds):
    sign_in(demo["panel"])
    body = client.get(PAGE + "?print=1").get_data(as_text=True)
    assert "govuk-service-navigation" not in body and "govuk-footer" not in body
    assert "Rounds in this ward, oldest first" in body and "trends.csv" not in body


def test_the_csv_has_one_row_per_round_and_characteristic(client, demo, sign_in, rounds):
    first, second, tiny = rounds
    sign_in(demo["officer"])
    response = client.get(PAGE + ".csv")
    assert response.mimetype == "text/csv"
    assert 'filename="equalities-trends-brixton-acre-lane.csv"' in response.headers[
        "Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 3 * 6
    assert {"round_title", "voters", "answered", "answered_share", "lowest_over_highest",
            "r_indicator", "r_indicator_low", "r_indicator_high", "flags",
            "change_since_previous", "verdict"} <= set(rows[0])
    counts = [int(r[k]) for r in rows for k in ("voters", "answered") if r[k]]
    assert counts and all(c >= 10 and c % 5 == 0 for c in counts)
    tiny_rows = [r for r in rows if r["round_title"] == "Pop-up budget 2025"]
    assert all(r["voters"] == r["answered"] == r["r_indicator"] == r["verdict"] == ""
               for r in tiny_rows)
    age = [r for r in rows if r["characteristic"] == "age"]
    assert [r["change_since_previous"] for r in age][:2] == ["", "closer"]


def test_a_ward_with_no_rounds_says_so(client, demo, sign_in):
    sign_in(demo["panel"])
    body = client.get("/equalities/wards/oval/trends").get_data(as_text=True)
    assert "No round in this ward has reached voting yet." in body
    rows = client.get("/equalities/wards/oval/trends.csv").get_data(as_text=True).splitlines()
    assert rows[0].startswith("ward_code,") and len(rows) == 1

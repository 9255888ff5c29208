"""The public pages: home, postcode search, wards, information pages, errors, health."""

import csv
import re

from pb.services.census import DATA


def heading(response) -> str:
    match = re.search(r"<h1[^>]*>(.*?)</h1>", response.get_data(as_text=True), re.S)
    return match.group(1).strip()


def test_home_offers_a_postcode_search(client):
    response = client.get("/")
    assert response.status_code == 200
    assert heading(response) == "What's happening in my ward"
    assert 'name="postcode"' in response.get_data(as_text=True)


def test_a_lambeth_postcode_leads_to_its_ward(client):
    with open(DATA / "lambeth_postcode_to_ward_onspd_may2026.csv") as fh:
        rows = list(csv.DictReader(fh))
    for row in (rows[0], rows[len(rows) // 2], rows[-1]):
        untidy = row["postcode"].lower().replace(" ", "  ")
        response = client.get("/find-your-ward", query_string={"postcode": f" {untidy} "})
        assert response.status_code == 302
        ward = client.get(response.headers["Location"])
        assert heading(ward) == row["ward_name"].replace(" & ", " and ").replace("'", "&#39;")


def test_a_postcode_without_a_space_is_understood(client):
    response = client.get("/find-your-ward?postcode=SW21RW")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/wards/brixton-acre-lane")


def test_a_malformed_postcode_gets_an_error_next_to_the_field(client):
    response = client.get("/find-your-ward?postcode=SW2+ZZZ")
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "govuk-error-summary" in body
    assert 'href="#postcode"' in body  # the summary links to the field
    assert 'id="postcode-error"' in body
    assert "Enter a real postcode, like SW2 1RW" in body
    assert "<title>Error:" in body


def test_an_empty_postcode_is_asked_for(client):
    response = client.get("/find-your-ward?postcode=")
    assert response.status_code == 400
    assert "Enter your postcode" in response.get_data(as_text=True)


def test_a_valid_postcode_outside_lambeth_is_explained_politely(client):
    response = client.get("/find-your-ward?postcode=N1+9GU")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert heading(response) == "This postcode is not in Lambeth"
    assert "N1 9GU" in body
    assert "govuk-error-summary" not in body


def test_wards_lists_all_25_by_their_real_names(client):
    body = client.get("/wards/").get_data(as_text=True)
    names = re.findall(r'<a class="govuk-link" href="/wards/[^"]+">([^<]+)</a>', body)
    assert len(names) == 25
    assert "Brixton Windrush" in names
    assert "Streatham Common and Vale" in names
    assert "Knight&#39;s Hill" in names


def test_ward_page_shows_real_census_figures(client):
    with open(DATA / "lambeth_wards_age_ts007_census2021.csv") as fh:
        rows = [r for r in csv.DictReader(fh) if r["ward_code"] == "E05014098"]
    population = sum(int(r["count"]) for r in rows)
    response = client.get("/wards/brixton-windrush")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"{population:,} people live in Brixton Windrush" in body
    assert f"{int(rows[5]['count']):,}" in body  # aged 25 to 34
    assert body.count('<svg class="pb-chart"') >= 5
    assert 'class="pb-chart pb-outline"' in body and "<path d=\"M" in body


def test_ward_page_lists_its_councillors(client, demo):
    body = client.get("/wards/brixton-windrush").get_data(as_text=True)
    assert body.count("<li>Cllr ") == 2  # Brixton Windrush elects 2 councillors


def test_unknown_ward_is_a_404_in_the_design_system_style(client):
    response = client.get("/wards/atlantis")
    assert response.status_code == 404
    assert heading(response) == "Page not found"


def test_information_pages(client):
    for url, title in [("/accessibility", "Accessibility statement"), ("/privacy", "Privacy notice"),
                       ("/cookies", "Cookies")]:
        response = client.get(url)
        assert response.status_code == 200
        assert heading(response) == title
        assert f'href="{url}"' in client.get("/").get_data(as_text=True)  # linked from every footer


def test_healthz_answers_when_the_database_does(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_server_errors_render_the_500_page(app):
    from pb import create_app

    broken = create_app({"TESTING": False, "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})

    @broken.get("/boom")
    def boom():
        raise RuntimeError("boom")

    response = broken.test_client().get("/boom")
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.get_data(as_text=True)


def test_security_headers_and_script_nonce(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    assert f'nonce="{nonce}"' in response.get_data(as_text=True)
    assert response.headers["X-Frame-Options"] == "DENY"


def test_pages_are_never_kept_in_a_shared_computers_cache(client):
    """A receipt or a resident's choices must not come back from the browser's cache."""
    for path in ("/", "/account/resident", "/equalities/questions"):
        assert client.get(path).headers["Cache-Control"] == "no-store", path

"""Choosing a language: ?lang=, a remembered cookie, Accept-Language, and <html lang>."""

import re

import pytest


def html_lang(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.get_data(as_text=True)).group(1)


def test_english_by_default(client):
    assert html_lang(client.get("/")) == "en"


@pytest.mark.parametrize("code", ["pt", "so", "es", "yo", "fr", "tw", "pl"])
def test_lang_parameter_translates_the_page_and_is_remembered(client, code):
    response = client.get(f"/?lang={code}")
    assert html_lang(response) == code
    assert "What&#39;s happening in my ward" not in response.get_data(as_text=True)
    assert f"lang={code}" in response.headers["Set-Cookie"]
    later = client.get("/wards/")  # no parameter: the cookie remembers
    assert html_lang(later) == code


def test_twi_uses_the_akan_catalogue_but_says_tw(client):
    response = client.get("/?lang=tw")
    assert html_lang(response) == "tw"
    assert 'aria-current="true">Twi<' in response.get_data(as_text=True)


def test_accept_language_is_negotiated(client):
    response = client.get("/", headers={"Accept-Language": "so-SO,so;q=0.9,en;q=0.5"})
    assert html_lang(response) == "so"
    response = client.get("/", headers={"Accept-Language": "ak"})
    assert html_lang(response) == "tw"
    response = client.get("/", headers={"Accept-Language": "de-DE"})
    assert html_lang(response) == "en"


def test_unknown_lang_parameter_is_ignored(client):
    response = client.get("/?lang=xx")
    assert html_lang(response) == "en"
    assert "Set-Cookie" not in response.headers


def test_switcher_links_keep_the_page_and_its_query(client):
    body = client.get("/find-your-ward?postcode=N1+9GU").get_data(as_text=True)
    assert 'href="/find-your-ward?lang=pl&amp;postcode=N1+9GU"' in body


def test_error_messages_are_translated(client):
    english = client.get("/find-your-ward?postcode=zz&lang=en").get_data(as_text=True)
    polish = client.get("/find-your-ward?postcode=zz&lang=pl").get_data(as_text=True)
    assert "Enter a real postcode" in english
    assert "Enter a real postcode" not in polish
    assert "There is a problem" not in polish

"""Behind a proxy: off-site `next=` redirects refused, ProxyFix only when configured, and in
production HSTS and secure cookies beside the nonce-based Content-Security-Policy."""

import pytest

from pb import create_app
from tests.second_factor import sign_in_staff

# Each of these leaves the site in some browser, or would once decoded again by a proxy.
OFF_SITE = [
    "//evil.example",
    "///evil.example",
    "////evil.example",
    "/\\evil.example",
    "\\/evil.example",
    "\\\\evil.example",
    "/%09/evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "/%0d%0a/evil.example",
    "%0d%0aLocation:%20https://evil.example",
    "/%2F%2Fevil.example",
    "/%2f/evil.example",
    "/%5Cevil.example",
    "/%5c%5cevil.example",
    "https://evil.example",
    "https:evil.example",
    "https:/evil.example",
    "//evil.example/%2e%2e",
    "javascript:alert(1)",
    "/ /evil.example",
    "/\u3000/evil.example",
    "/\uff0f/evil.example",
    "/\u2215evil.example",
    "/\u2044evil.example",
    "/\x00/evil.example",
    "/\x7f/evil.example",
    "evil.example",
    " /evil.example",
    "/%20/evil.example",
    "/%E3%80%80/evil.example",
    "/%EF%BC%8Fevil.example",
    "/%00/evil.example",
]

ON_SITE = ["/", "/rounds/", "/account/", "/rounds/1/wards/2/results?lang=pt", "/admin/#top"]


def resident_signs_in(client, next_):
    return client.submit("/account/resident", {"name": "Ada Lovelace", "postcode": "SW9 0AA"},
                         query_string={"next": next_})


def test_at_least_twenty_payloads_are_checked():
    assert len(set(OFF_SITE)) >= 20


@pytest.mark.parametrize("payload", OFF_SITE)
def test_an_off_site_next_goes_home(app, client, payload):
    response = resident_signs_in(client, payload)
    assert response.status_code == 302
    assert response.headers["Location"] == "/", payload


@pytest.mark.parametrize("target", ON_SITE)
def test_a_same_site_next_is_kept(app, client, target):
    from urllib.parse import unquote

    response = resident_signs_in(client, target)
    assert response.status_code == 302 and unquote(response.headers["Location"]) == target


def test_staff_sign_in_refuses_an_off_site_next_too(app, client, demo):
    response = sign_in_staff(client, demo["officer"], next="/%09/evil.example")  # password, then code
    assert response.status_code == 302 and response.headers["Location"] == "/"


def _app_with_ip_page(config):
    application = create_app({"TESTING": True, **config})

    @application.get("/_test/ip")
    def ip():
        from flask import request

        return f"{request.remote_addr} {request.scheme} {request.host}"

    return application


def test_forwarded_headers_are_ignored_unless_proxies_are_configured(app):
    forged = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example"}
    direct = _app_with_ip_page({}).test_client()
    assert direct.get("/_test/ip", headers=forged).get_data(as_text=True) == "127.0.0.1 http localhost"
    proxied = _app_with_ip_page({"PB_PROXIES": 1}).test_client()
    body = proxied.get("/_test/ip", headers={**forged, "X-Forwarded-Host": "wardbudgets.lambeth.example"})
    assert body.get_data(as_text=True) == "203.0.113.9 https wardbudgets.lambeth.example"
    # with one proxy, only the address it added counts, not one the client made up before it
    chained = proxied.get("/_test/ip", headers={"X-Forwarded-For": "198.51.100.1, 203.0.113.9"})
    assert chained.get_data(as_text=True).startswith("203.0.113.9 ")


def test_pb_proxies_is_read_from_the_environment(monkeypatch, tmp_path):
    from pb import config

    monkeypatch.setenv("PB_PROXIES", "2")
    assert config.load(str(tmp_path))["PB_PROXIES"] == 2
    monkeypatch.setenv("PB_PROXIES", "two")
    with pytest.raises(config.ConfigError):
        config.load(str(tmp_path))


@pytest.fixture
def production(app, monkeypatch):
    monkeypatch.setenv("PB_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "s" * 64)
    monkeypatch.setenv("BALLOT_SEAL_KEY", "ab" * 32)
    monkeypatch.setenv("PB_PROXIES", "1")
    return create_app({"TESTING": True})


def test_production_sends_hsts_secure_cookies_and_keeps_the_nonce_csp(production):
    client = production.test_client()
    response = client.get("/account/sign-in?lang=pt", headers={"X-Forwarded-Proto": "https"})
    assert response.status_code == 200
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    csp = response.headers["Content-Security-Policy"]
    assert "'nonce-" in csp and "unsafe-inline" not in csp
    cookies = {c.split("=", 1)[0]: c for c in response.headers.getlist("Set-Cookie")}
    assert set(cookies) >= {"session", "lang"}
    for cookie in cookies.values():
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie, cookie


def test_development_sends_no_hsts(app, client):
    response = client.get("/")
    assert "Strict-Transport-Security" not in response.headers
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]

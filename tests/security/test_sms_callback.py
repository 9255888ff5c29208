"""Notify's received-text callback in production: not offered without a token, a short token
refused at start-up, replies through Notify itself, and the abuse limits per number and for
forged callbacks."""

import uuid

import pytest
from sqlalchemy import func, select

from pb import create_app
from pb.config import ConfigError
from pb.extensions import limiter
from pb.models import SmsConversation, db
from tests.services.test_phone_sign_in import FakeNotify, notify_server  # noqa: F401 (a fixture)
from tests.web.test_sms_inbound import TOKEN, URL, Phone

PRODUCTION = {"PB_ENV": "production", "SECRET_KEY": "s" * 64, "BALLOT_SEAL_KEY": "ab" * 32}


def _production(monkeypatch, **env):
    for name, value in {**PRODUCTION, **env}.items():
        monkeypatch.setenv(name, value)
    return create_app({"TESTING": True})


def test_production_without_a_token_offers_no_endpoint(app, monkeypatch):
    monkeypatch.delenv("NOTIFY_INBOUND_TOKEN", raising=False)
    production = _production(monkeypatch)
    assert "sms.received" not in production.view_functions
    response = production.test_client().post(URL, json={"source_number": "447911123480", "message": "VOTE"},
                                              headers={"Authorization": "Bearer anything"})
    assert response.status_code == 404


def test_a_short_token_stops_the_app_starting(app, monkeypatch):
    with pytest.raises(ConfigError, match="NOTIFY_INBOUND_TOKEN"):
        _production(monkeypatch, NOTIFY_INBOUND_TOKEN="too-short")


def test_production_replies_through_notify(app, monkeypatch, notify_server):  # noqa: F811
    service_id, secret, template = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
    production = _production(monkeypatch, NOTIFY_INBOUND_TOKEN=TOKEN,
                             NOTIFY_API_KEY=f"ward_budgets_test-{service_id}-{secret}",
                             NOTIFY_SMS_TEMPLATE_ID=template,
                             NOTIFY_BASE_URL=f"http://127.0.0.1:{notify_server.server_port}")
    client = production.test_client()
    assert "dev.outbox" not in production.view_functions
    forged = client.post(URL, json={"source_number": "447911123481", "message": "VOTE"})
    assert forged.status_code == 403 and FakeNotify.received == []
    answered = client.post(URL, json={"id": str(uuid.uuid4()), "source_number": "447911123481",
                                      "destination_number": "07860033333", "message": "HELP",
                                      "date_received": "2026-12-02T05:15:30.000000Z"},
                           headers={"Authorization": f"Bearer {TOKEN}"})
    assert answered.status_code == 204
    [sent] = FakeNotify.received
    assert sent["json"]["phone_number"] == "+447911123481" and sent["json"]["template_id"] == template
    assert "VOTE" in sent["json"]["personalisation"]["body"]


@pytest.fixture
def limits_on(app, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_ENABLED", True)
    monkeypatch.setitem(app.config, "NOTIFY_INBOUND_TOKEN", TOKEN)
    limiter.reset()
    yield
    limiter.reset()


def test_texts_are_limited_per_number_not_per_address(app, client, limits_on, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_SMS_INBOUND_PER_NUMBER", "5 per 10 minutes")
    flood = Phone(app, client, "447911123482")
    assert [flood.post("HELP").status_code for _ in range(6)] == [204] * 5 + [429]
    # Notify calls from one address for every resident: another number is not held up
    assert Phone(app, client, "447911123483").post("HELP").status_code == 204


def test_forged_callbacks_are_limited_per_address_and_do_not_use_a_numbers_allowance(
        app, client, limits_on, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_SMS_INBOUND_PER_NUMBER", "3 per 10 minutes")
    monkeypatch.setitem(app.config, "RATELIMIT_SMS_INBOUND_REFUSED_PER_IP", "4 per 10 minutes")
    victim = Phone(app, client, "447911123484")
    assert [victim.post("STOP", token="forged-" + "f" * 30).status_code for _ in range(5)] == [403] * 4 + [429]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SmsConversation)) == 0
    # the resident's own texts, through Notify from another address, still get through
    notify = Phone(app, app.test_client(), "447911123484")
    notify.client.environ_base["REMOTE_ADDR"] = "198.51.100.9"
    assert [notify.post("HELP").status_code for _ in range(3)] == [204] * 3

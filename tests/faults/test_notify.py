"""GOV.UK Notify failing: sign-in codes (and staff emails) are retried a bounded number of
times when Notify certainly did not take them (no connection, or 500/502/503), never when it
may have (a read timeout, a dropped answer, 504), and a resident whose code could not be sent
is told so and is not charged: the failed request uses none of the hour's three codes for
the number nor of the address's allowance. The real notifications-python-client talks to a
local fake (tests/faults/fake_notify.py) through NOTIFY_BASE_URL."""

import re
import socket
import time
import uuid

import pytest
from sqlalchemy import func, select

from pb import create_app
from pb.extensions import limiter
from pb.models import Person, RoleGrant, SignInCode, db
from tests.conftest import FormClient
from tests.faults.fake_notify import FakeNotify

NUMBER = "07400 123456"
NOT_SENT = "We could not send a text message just now. Try again in a few minutes."


@pytest.fixture
def notify():
    server = FakeNotify().start()
    yield server
    server.stop()


@pytest.fixture
def notify_app(app, notify, monkeypatch):
    monkeypatch.setenv("NOTIFY_API_KEY", f"ward_budgets_test-{uuid.uuid4()}-{uuid.uuid4()}")
    monkeypatch.setenv("NOTIFY_SMS_TEMPLATE_ID", str(uuid.uuid4()))
    monkeypatch.setenv("NOTIFY_EMAIL_TEMPLATE_ID", str(uuid.uuid4()))
    monkeypatch.setenv("NOTIFY_BASE_URL", notify.url)
    monkeypatch.setenv("PB_PUBLIC_URL", "https://wardbudgets.lambeth.example")
    application = create_app({"TESTING": True, "SMS_ADAPTER": "notify", "RATELIMIT_ENABLED": True,
                              "RATELIMIT_SMS_CODES_PER_IP": "3 per hour",
                              "NOTIFY_READ_TIMEOUT": 0.4, "NOTIFY_CONNECT_TIMEOUT": 0.4,
                              "NOTIFY_BACKOFF_SECONDS": 0.01})
    limiter.reset()
    yield application
    limiter.reset()
    with application.app_context():
        db.session.remove()


def ask_for_code(application, number=NUMBER):
    client = FormClient(application.test_client())
    return client, client.submit("/account/phone", {"number": number})


def codes_counted(application) -> int:
    with application.app_context():
        return db.session.scalar(select(func.count()).select_from(SignInCode))


def sent_code(body: dict) -> str:
    return re.search(r"\b(\d{6})\b", body["personalisation"]["body"]).group(1)


def test_a_notify_500_is_retried_and_the_resident_gets_one_code(notify_app, notify):
    notify.plan = [500, 502]
    client, response = ask_for_code(notify_app)
    assert response.status_code == 302 and response.location.startswith("/account/phone/code")
    assert len(notify.received) == 3 and len(notify.accepted) == 1  # two refused, one sent
    signed_in = client.submit("/account/phone/code", {"code": sent_code(notify.accepted[0])})
    assert signed_in.status_code == 302 and "/account/phone/postcode" in signed_in.location


def test_slow_refusals_stop_retrying_before_the_request_would_be_killed(notify_app, notify):
    """Three refusals that each take nearly the read timeout would outlast gunicorn's 30 s with
    the defaults: no attempt starts that could end after NOTIFY_TOTAL_SECONDS."""
    notify_app.config["NOTIFY_TOTAL_SECONDS"] = 1.0  # one more try could take 0.8 s more
    notify.plan, notify.slow_seconds = ["slow 500"] * 3, 0.3
    started = time.monotonic()
    _, response = ask_for_code(notify_app)
    assert response.status_code == 503 and NOT_SENT in response.get_data(as_text=True)
    assert len(notify.received) == 1 and time.monotonic() - started < 5
    assert codes_counted(notify_app) == 0  # the failed code was given back


def test_notify_down_tells_the_resident_and_charges_nothing(notify_app, notify):
    notify.plan = [503] * 9  # three requests of three attempts each
    for _ in range(3):
        _, response = ask_for_code(notify_app)
        page = response.get_data(as_text=True)
        assert response.status_code == 503 and NOT_SENT in page
        assert "govuk-error-summary" in page and "Traceback" not in page
    assert len(notify.received) == 9  # bounded: three attempts a request
    assert codes_counted(notify_app) == 0
    # Notify is back: the number's three codes an hour and the address's three are all there
    for _ in range(3):
        _, response = ask_for_code(notify_app)
        assert response.status_code == 302
    assert len(notify.accepted) == 3
    _, fourth = ask_for_code(notify_app)
    assert fourth.status_code == 429


def test_a_notify_answer_lost_after_it_took_the_message_is_not_sent_twice(notify_app, notify):
    """A read timeout may come after Notify accepted the text: resending could text the
    resident twice, so the code stands (it may arrive; the code page says texts can take a
    few minutes and offers a new code, within the hour's three)."""
    notify.plan = ["slow"]
    started = time.monotonic()
    client, response = ask_for_code(notify_app)
    assert time.monotonic() - started < 5
    assert response.status_code == 302 and response.location.startswith("/account/phone/code")
    assert len(notify.received) == 1  # not resent
    assert codes_counted(notify_app) == 1
    page = client.get("/account/phone/code").get_data(as_text=True)
    assert "can take a few minutes to arrive" in page and "Send a new code" in page
    signed_in = client.submit("/account/phone/code", {"code": sent_code(notify.accepted[0])})
    assert signed_in.status_code == 302


@pytest.mark.parametrize("answer", ["drop", 504])
def test_other_answers_that_may_hide_a_sent_text_are_not_resent(notify_app, notify, answer):
    notify.plan = [answer]
    _, response = ask_for_code(notify_app)
    assert response.status_code == 302
    assert len(notify.received) == 1


def test_notify_unreachable_is_retried_then_the_resident_is_told(notify_app, notify):
    with socket.socket() as closed:  # a port nobody listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    notify_app.config["NOTIFY_BASE_URL"] = f"http://127.0.0.1:{port}"
    started = time.monotonic()
    _, response = ask_for_code(notify_app)
    assert time.monotonic() - started < 5
    assert response.status_code == 503 and NOT_SENT in response.get_data(as_text=True)
    assert codes_counted(notify_app) == 0


def test_notify_refusing_the_number_is_not_retried(notify_app, notify):
    notify.plan = [400]
    _, response = ask_for_code(notify_app)
    assert response.status_code == 503 and NOT_SENT in response.get_data(as_text=True)
    assert len(notify.received) == 1 and codes_counted(notify_app) == 0


def test_staff_emails_are_retried_like_texts_and_never_sent_twice(notify_app, notify):
    from pb.services import staff
    from pb.services.email import EmailNotSent, send_email

    with notify_app.test_request_context():
        person = Person(name="Reset Me", email="reset.me@example.org")
        person.roles.append(RoleGrant(role="officer"))
        db.session.add(person)
        db.session.commit()
        notify.plan = [503, 500]
        staff.request_password_reset("reset.me@example.org")
        assert len(notify.received) == 3 and len(notify.accepted) == 1
        notify.plan = ["slow"]
        send_email("someone@example.org", "Subject", "Body")  # may have gone: not resent
        assert len(notify.received) == 4
        notify.plan = [503] * 3
        with pytest.raises(EmailNotSent):
            send_email("someone@example.org", "Subject", "Body")
        assert len(notify.received) == 7
        db.session.remove()

"""Residents sign in with a mobile number and a code by text message, on the real database,
with the development outbox (and, at the end, the real Notify client against a local server)."""

import json
import re
import secrets
import threading
import time
import uuid
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import jwt
import pytest
from sqlalchemy import select, text, update

from pb import create_app
from pb.config import ConfigError
from pb.models import OutboxMessage, Person, PhoneNumber, SignInCode, db
from pb.services import identity
from pb.services.errors import ServiceError

NUMBER = "07911 123456"
E164 = "+447911123456"


@pytest.fixture
def req(app):
    with app.test_request_context():
        yield
        db.session.remove()


def last_code(number=E164) -> str:
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.number == number)
                                .order_by(OutboxMessage.id.desc()))
    return re.search(r"\b(\d{6})\b", message.text).group(1)


def signs_up(number=NUMBER, postcode="SW9 0AA"):
    nonce = secrets.token_urlsafe(32)
    row = identity.request_code(number, nonce)
    assert identity.verify_code(row.id, nonce, last_code(identity.parse_mobile(number))) is None
    return identity.register_by_phone(row.id, nonce, postcode)


def test_a_new_number_gives_its_postcode_once_and_is_one_person(req):
    person = signs_up()
    assert person.ward.slug == "stockwell-east" and person.has_role("resident")
    # the next sign-in, from another browser, finds the same person without asking again
    nonce = secrets.token_urlsafe(32)
    row = identity.request_code("+44 7911 123456", nonce)
    assert row.last_digits == "456"
    assert identity.verify_code(row.id, nonce, last_code()) == person
    assert db.session.scalar(select(db.func.count()).select_from(Person)) == 1


def test_the_number_is_stored_only_as_a_keyed_hash(req):
    signs_up()
    dumps = []
    for table in ("people", "phone_numbers", "sign_in_codes"):
        dumps += [str(row) for row in db.session.execute(text(f"SELECT * FROM {table}")).all()]
    assert dumps
    for plain in ("7911123456", "07911123456", "7911 123456", "911123456"):
        assert not any(plain in dump for dump in dumps), plain
    phone = db.session.scalar(select(PhoneNumber))
    assert phone.last_digits == "456" and len(phone.number_hash) == 64
    assert phone.number_hash == identity.number_hash(E164)


def test_numbers_are_checked(req):
    for bad, message in [("12345", "Enter a mobile phone number in the correct format"),
                         ("not a number", "Enter a mobile phone number in the correct format"),
                         ("020 7926 1000", "can receive text messages")]:
        with pytest.raises(ServiceError) as refused:
            identity.request_code(bad, "nonce")
        assert message in str(refused.value.message) and refused.value.field == "number"
    assert identity.parse_mobile("+33 6 12 34 56 78") == "+33612345678"  # international is fine
    assert db.session.scalar(select(db.func.count()).select_from(SignInCode)) == 0


def test_the_code_is_hashed_and_works_once(req):
    nonce = "browser-one"
    row = identity.request_code(NUMBER, nonce)
    code = last_code()
    assert code not in row.code_hash and len(row.code_hash) == 64
    assert identity.verify_code(row.id, nonce, code[:3] + " " + code[3:]) is None
    with pytest.raises(ServiceError, match="already been used"):
        identity.verify_code(row.id, nonce, code)


def test_five_wrong_codes_void_the_code(req):
    nonce = "browser-one"
    row = identity.request_code(NUMBER, nonce)
    code = last_code()
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(4):
        with pytest.raises(ServiceError, match="not right"):
            identity.verify_code(row.id, nonce, wrong)
    with pytest.raises(ServiceError, match="wrongly 5 times"):
        identity.verify_code(row.id, nonce, wrong)
    with pytest.raises(ServiceError, match="wrongly 5 times"):
        identity.verify_code(row.id, nonce, code)  # even the right code, now
    assert db.session.scalar(select(PhoneNumber)) is None


def test_an_expired_code_is_refused(req):
    nonce = "browser-one"
    row = identity.request_code(NUMBER, nonce)
    db.session.execute(update(SignInCode).where(SignInCode.id == row.id).values(
        expires_at=row.expires_at - timedelta(minutes=10, seconds=1)))
    db.session.commit()
    with pytest.raises(ServiceError, match="expired"):
        identity.verify_code(row.id, nonce, last_code())


def test_the_fourth_code_in_an_hour_is_refused(req):
    for _ in range(3):
        identity.request_code(NUMBER, "browser-one")
    with pytest.raises(identity.TooManyCodes) as refused:
        identity.request_code("+447911123456", "browser-two")
    assert refused.value.status == 429
    assert "3 codes for this number in the last hour" in str(refused.value.message)
    assert db.session.scalar(select(db.func.count()).select_from(OutboxMessage)) == 3
    # another number is not affected, and an hour later this one may ask again
    identity.request_code("07400 123456", "browser-one")
    db.session.execute(update(SignInCode).values(created_at=identity._now() - timedelta(hours=1, seconds=1)))
    db.session.commit()
    identity.request_code(NUMBER, "browser-one")


def test_ten_requests_at_once_still_send_only_three_codes(app):
    barrier = threading.Barrier(10, timeout=30)
    outcomes = []

    def ask():
        with app.test_request_context():
            try:
                barrier.wait()
                identity.request_code(NUMBER, secrets.token_urlsafe(8))
                outcomes.append("sent")
            except identity.TooManyCodes:
                outcomes.append("refused")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=ask) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused"] * 7 + ["sent"] * 3
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(SignInCode)) == 3


def test_a_code_from_another_browser_session_is_refused(req):
    row = identity.request_code(NUMBER, "browser-one")
    code = last_code()
    with pytest.raises(ServiceError, match="not sent to this browser"):
        identity.verify_code(row.id, "browser-two", code)
    with pytest.raises(ServiceError, match="not sent to this browser"):
        identity.register_by_phone(row.id, "browser-two", "SW9 0AA")
    assert identity.verify_code(row.id, "browser-one", code) is None  # still good where it was sent


def test_the_postcode_decides_the_ward_and_must_be_in_lambeth(req):
    nonce = "browser-one"
    row = identity.request_code(NUMBER, nonce)
    with pytest.raises(ServiceError, match="expired"):  # not verified yet
        identity.register_by_phone(row.id, nonce, "SW9 0AA")
    identity.verify_code(row.id, nonce, last_code())
    with pytest.raises(ServiceError, match="Enter a postcode in Lambeth"):
        identity.register_by_phone(row.id, nonce, "N1 9GU")
    with pytest.raises(ServiceError, match="Enter a real postcode"):
        identity.register_by_phone(row.id, nonce, "nowhere")
    person = identity.register_by_phone(row.id, nonce, "sw2 1rw")
    assert person.postcode == "SW2 1RW" and person.ward is not None
    assert identity.register_by_phone(row.id, nonce, "SW9 0AA") == person  # sent twice: one person


def test_the_outbox_refuses_to_start_in_production(app, monkeypatch):
    monkeypatch.setenv("PB_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "s" * 64)
    monkeypatch.setenv("BALLOT_SEAL_KEY", "ab" * 32)
    with pytest.raises(ConfigError, match="outbox"):
        create_app({"TESTING": True, "SMS_ADAPTER": "outbox"})
    monkeypatch.setenv("SMS_ADAPTER", "outbox")
    with pytest.raises(ConfigError, match="outbox"):
        create_app({"TESTING": True})
    monkeypatch.delenv("SMS_ADAPTER")
    production = create_app({"TESTING": True})  # Notify is production's default
    assert production.config["SMS_ADAPTER"] == "notify"
    assert "dev.outbox" not in production.view_functions


class FakeNotify(BaseHTTPRequestHandler):
    """Just enough of GOV.UK Notify's API: POST /v2/notifications/sms and /v2/notifications/email."""

    received: list = []
    answer = 201

    def do_POST(self):  # noqa: N802 (http.server's name)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append({"path": self.path, "headers": dict(self.headers), "json": json.loads(body)})
        if self.answer == 201:
            sent = self.received[-1]["json"]
            content = {"body": sent["personalisation"]["body"], "from_number": "Lambeth"}
            if self.path.endswith("/email"):
                content = {"body": sent["personalisation"]["body"], "subject": sent["personalisation"]["subject"],
                           "from_email": "ward.budgets@notifications.service.gov.uk"}
            answer = {"id": str(uuid.uuid4()), "reference": None, "content": content,
                      "uri": "https://api.notifications.service.gov.uk/v2/notifications/x",
                      "template": {"id": self.received[-1]["json"]["template_id"], "version": 1,
                                   "uri": "https://api.notifications.service.gov.uk/v2/template/x"}}
        else:
            answer = {"status_code": self.answer,
                      "errors": [{"error": "BadRequestError", "message": "Can't send to this recipient"}]}
        data = json.dumps(answer).encode()
        self.send_response(self.answer)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def notify_server():
    FakeNotify.received, FakeNotify.answer = [], 201
    server = HTTPServer(("127.0.0.1", 0), FakeNotify)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    thread.join()


def test_codes_go_by_gov_uk_notify_with_the_real_client(app, notify_server, monkeypatch):
    service_id, secret, template = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
    monkeypatch.setenv("NOTIFY_API_KEY", f"ward_budgets_test-{service_id}-{secret}")
    monkeypatch.setenv("NOTIFY_SMS_TEMPLATE_ID", template)
    monkeypatch.setenv("NOTIFY_BASE_URL", f"http://127.0.0.1:{notify_server.server_port}")
    notify_app = create_app({"TESTING": True, "SMS_ADAPTER": "notify"})
    with notify_app.test_request_context():
        row = identity.request_code(NUMBER, "browser-one")
        [sent] = FakeNotify.received
        assert sent["path"] == "/v2/notifications/sms"
        assert sent["json"]["phone_number"] == E164 and sent["json"]["template_id"] == template
        assert set(sent["json"]) == {"phone_number", "template_id", "personalisation"}
        body = sent["json"]["personalisation"]["body"]
        code = re.search(r"\b(\d{6})\b", body).group(1)
        assert "Ward Budgets" in body and set(sent["json"]["personalisation"]) == {"body"}
        scheme, _, token = sent["headers"]["Authorization"].partition(" ")
        assert scheme == "Bearer"
        assert jwt.get_unverified_header(token) == {"typ": "JWT", "alg": "HS256"}
        claims = jwt.decode(token, secret, algorithms=["HS256"])
        assert claims["iss"] == service_id and abs(claims["iat"] - time.time()) < 30
        assert {k.lower(): v for k, v in sent["headers"].items()}["content-type"] == "application/json"
        assert db.session.scalar(select(OutboxMessage)) is None  # nothing in the outbox
        assert identity.verify_code(row.id, "browser-one", code) is None

        # Notify refuses: the resident is told, and the failed code does not count
        FakeNotify.answer = 400
        with pytest.raises(identity.CodeNotSent, match="could not send a text message"):
            identity.request_code("07400 123456", "browser-one")
        assert db.session.scalar(select(db.func.count()).select_from(SignInCode)) == 1
        db.session.remove()


def test_staff_emails_go_by_gov_uk_notify_with_the_real_client(app, notify_server, monkeypatch):
    """A password reset's email through notifications-python-client's send_email_notification,
    to the template whose subject is ((subject)) and whose text is ((body))."""
    from pb.models import EmailOutboxMessage, RoleGrant
    from pb.services import staff
    from pb.services.email import EmailNotSent, send_email

    service_id, secret, template = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
    monkeypatch.setenv("NOTIFY_API_KEY", f"ward_budgets_test-{service_id}-{secret}")
    monkeypatch.setenv("NOTIFY_EMAIL_TEMPLATE_ID", template)
    monkeypatch.setenv("NOTIFY_BASE_URL", f"http://127.0.0.1:{notify_server.server_port}")
    monkeypatch.setenv("PB_PUBLIC_URL", "https://wardbudgets.lambeth.example")
    notify_app = create_app({"TESTING": True, "SMS_ADAPTER": "notify"})
    assert notify_app.config["EMAIL_ADAPTER"] == "notify"  # email follows SMS_ADAPTER
    with notify_app.test_request_context(base_url="http://forged.example"):
        person = Person(name="Reset Me", email="reset.me@example.org")
        person.roles.append(RoleGrant(role="officer"))
        db.session.add(person)
        db.session.commit()
        staff.request_password_reset("reset.me@example.org")
        [sent] = FakeNotify.received
        assert sent["path"] == "/v2/notifications/email"
        assert sent["json"]["email_address"] == "reset.me@example.org" and sent["json"]["template_id"] == template
        assert set(sent["json"]) == {"email_address", "template_id", "personalisation"}
        assert set(sent["json"]["personalisation"]) == {"subject", "body"}
        assert sent["json"]["personalisation"]["subject"] == "Reset your Ward Budgets password"
        # the link starts with PB_PUBLIC_URL, never with the Host the request claimed
        token = re.search(r"https://wardbudgets\.lambeth\.example/account/link/([A-Za-z0-9_-]+)",
                          sent["json"]["personalisation"]["body"]).group(1)
        assert "forged.example" not in sent["json"]["personalisation"]["body"]
        assert staff.link_for(token) is not None
        claims = jwt.decode(sent["headers"]["Authorization"].partition(" ")[2], secret, algorithms=["HS256"])
        assert claims["iss"] == service_id
        assert db.session.scalar(select(EmailOutboxMessage)) is None  # nothing in the outbox

        FakeNotify.answer = 400
        with pytest.raises(EmailNotSent):
            send_email("someone@example.org", "Subject", "Body")
        db.session.remove()

    # without PB_PUBLIC_URL, real email refuses rather than take its links from the Host header
    FakeNotify.received.clear()
    monkeypatch.delenv("PB_PUBLIC_URL")
    no_public_url = create_app({"TESTING": True, "SMS_ADAPTER": "notify"})
    with no_public_url.test_request_context(base_url="http://forged.example"):
        from pb.services.email import public_url
        with pytest.raises(ConfigError, match="PB_PUBLIC_URL"):
            public_url("/account/link/x")
        db.session.remove()


def test_the_email_outbox_refuses_to_start_in_production(app, monkeypatch):
    monkeypatch.setenv("PB_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "s" * 64)
    monkeypatch.setenv("BALLOT_SEAL_KEY", "ab" * 32)
    with pytest.raises(ConfigError, match="email outbox"):
        create_app({"TESTING": True, "EMAIL_ADAPTER": "outbox"})
    monkeypatch.setenv("EMAIL_ADAPTER", "outbox")
    with pytest.raises(ConfigError, match="email outbox"):
        create_app({"TESTING": True})
    monkeypatch.delenv("EMAIL_ADAPTER")
    production = create_app({"TESTING": True})
    assert production.config["EMAIL_ADAPTER"] == "notify"
    assert "dev.outbox" not in production.view_functions
    # in development, an email outbox alone still gets the outbox page
    monkeypatch.setenv("PB_ENV", "development")
    development = create_app({"TESTING": True, "SMS_ADAPTER": "notify", "EMAIL_ADAPTER": "outbox"})
    assert "dev.outbox" in development.view_functions

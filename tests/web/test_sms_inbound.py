"""Voting by text message, through Notify's callback over HTTP: whole conversations in several
languages, every kind of reply, and forged callbacks refused with nothing stored."""

import re
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import func, select, update

from pb.models import (
    Ballot,
    OutboxMessage,
    PhoneNumber,
    RollEntry,
    SealedBallot,
    SmsConversation,
    SmsOptOut,
    SmsSpend,
    db,
)
from pb.models.people import _now
from pb.services.sms_segments import measure, tidy
from pb.services.sms_vote import CHECK_BUDGET, render
from pb.tally.messages import MESSAGES
from pb.web.helpers import money
from tests.factories import add_projects, close_and_mix, make_round
from tests.web.test_phone_sign_in import asks_for_a_code, code_from_outbox, enters

TOKEN = "test-inbound-token-" + "x" * 24
URL = "/sms/notify/received"


@pytest.fixture
def inbound(app):
    app.config["NOTIFY_INBOUND_TOKEN"] = TOKEN
    yield
    app.config["NOTIFY_INBOUND_TOKEN"] = ""


class Phone:
    """A resident's phone: texts the council's number, reads the replies from the outbox."""

    def __init__(self, app, client, number: str):
        self.app, self.client, self.number = app, client, number  # "447911..." as Notify sends it
        self.seen = 0

    def post(self, message, token=TOKEN):
        headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
        return self.client.post(URL, headers=headers, json={
            "id": str(uuid.uuid4()), "source_number": self.number, "destination_number": "07860033333",
            "message": message, "date_received": "2026-12-02T05:15:30.000000Z"})

    def text(self, message) -> str:
        response = self.post(message)
        assert response.status_code == 204, response.get_data(as_text=True)[:300]
        return "\n---\n".join(self.replies())

    def replies(self) -> list[str]:
        with self.app.app_context():
            rows = db.session.scalars(select(OutboxMessage).where(
                OutboxMessage.number == "+" + self.number, OutboxMessage.id > self.seen)
                .order_by(OutboxMessage.id)).all()
            if rows:
                self.seen = rows[-1].id
            return [row.text for row in rows]


def _round(app, ballot_type="approval", costs=(3000, 4000, 5000), **options):
    with app.app_context():
        round_ = make_round("voting", ballot_type=ballot_type, wards=("stockwell-east",), **options)
        projects = add_projects(round_.headings[0], list(costs))
        return round_.id, [p.project_id for p in projects]


def _ballots(app, round_id):
    with app.app_context():
        from pb.models import Round

        round_ = db.session.get(Round, round_id)
        close_and_mix(round_)
        return sorted((b.choices, b.channel) for b in db.session.scalars(
            select(Ballot).where(Ballot.heading_id == round_.headings[0].id)))


def test_an_english_approval_vote_from_vote_to_receipt(app, client, inbound):
    round_id, ids = _round(app, max_choices=2)
    phone = Phone(app, client, "447911123456")
    assert "postcode" in phone.text("vote")
    listed = phone.text("SW9 0AA")
    assert "Choose up to 2 projects" in listed and "1 Project 1 £3,000" in listed and "3 Project 3 £5,000" in listed
    # a number that is not on the list, then an invalid selection: the web ballot's own sentence
    assert "There is no project 7" in phone.text("7")
    assert "Choose no more than 2 projects" in phone.text("1 2 3")
    check = phone.text("3, 1")
    assert "You chose: 1, 3." in check and "Reply YES" in check
    cast = phone.text("yes")
    receipt = re.search(r"receipt is ([A-Z2-7-]+)", cast).group(1)
    with app.app_context():
        conv = db.session.scalar(select(SmsConversation))
        assert conv.draft is None and conv.heading_id is None and conv.step == "start"
        assert db.session.scalar(select(func.count()).select_from(SealedBallot)) == 1
        assert db.session.scalar(select(func.count()).select_from(RollEntry)) == 1
    # voting again by text: refused
    assert "already voted" in phone.text("VOTE")
    # a web vote from the same number: the same person, already on the roll
    code_page = asks_for_a_code(client, "07911 123456", next_url=f"/vote/{round_id}")
    back = enters(client, code_page, code_from_outbox(client))
    assert back.status_code == 302 and back.headers["Location"] == f"/vote/{round_id}"
    refused = client.get(f"/vote/{round_id}")
    assert refused.status_code == 409 and "You have already voted" in refused.get_data(as_text=True)
    # counted exactly like a web ballot; one SMS ballot in the ward is written as "web"
    assert _ballots(app, round_id) == [(f'["{ids[0]}", "{ids[2]}"]', "web")]
    with app.app_context():
        from pb.models import Round
        from pb.services import voting

        heading = db.session.get(Round, round_id).headings[0]
        assert voting.ballot_for_receipt(heading, receipt) is not None


def test_a_portuguese_knapsack_over_budget_then_within(app, client, inbound):
    round_id, ids = _round(app, "knapsack", costs=(6000, 5000, 3000), budget=10_000)
    phone = Phone(app, client, "447911123457")
    phone.text("PT")  # the language first
    phone.text("VOTAR")
    listed = phone.text("sw9 0aa")
    assert "1 Project 1" in listed
    over = phone.text("1 2")
    with app.test_request_context(), force_locale("pt"):  # the web's own sentence, in Portuguese
        expected = tidy(gettext(MESSAGES["over_budget"], total_cost=money(11_000), budget=money(10_000)))
    assert expected in over
    check = phone.text("2 3")
    assert "2, 3" in check
    with app.app_context():
        assert db.session.scalar(select(SmsConversation.language)) == "pt"
    phone.text("SIM")
    assert _ballots(app, round_id) == [(f'["{ids[1]}", "{ids[2]}"]', "web")]


def test_a_french_cumulative_ballot(app, client, inbound):
    round_id, ids = _round(app, "cumulative", points=5)
    phone = Phone(app, client, "447911123458")
    phone.text("VOTER")  # the French word sets French
    with app.app_context():
        assert db.session.scalar(select(SmsConversation.language)) == "fr"
    listed = phone.text("SW9 0AA")
    assert "3x2" in listed
    too_many = phone.text("1x4 2x3")
    assert "7" in too_many  # 7 points given, at most 5
    check = phone.text("1x3 3 x 2")
    assert "1x3, 3x2" in check
    phone.text("OUI")
    assert _ballots(app, round_id) == [(f'{{"{ids[0]}": 3, "{ids[2]}": 2}}', "web")]


def test_a_polish_ranked_ballot_and_info(app, client, inbound):
    round_id, ids = _round(app, "ranked", max_choices=2)
    phone = Phone(app, client, "447911123459")
    phone.text("PL")
    phone.text("VOTE")  # the keyword in English keeps the language chosen
    phone.text("SW9 0AA")
    info = phone.text("INFO 2")
    assert info.startswith("2 Project 2") and "Summary 2" in info
    check = phone.text("3 1")
    assert "3, 1" in check
    phone.text("TAK")
    with app.app_context():
        assert db.session.scalar(select(SmsConversation.language)) == "pl"
    assert _ballots(app, round_id) == [(f'["{ids[2]}", "{ids[0]}"]', "web")]


def test_somali_help_unknown_and_expiry(app, client, inbound):
    _round(app)
    phone = Phone(app, client, "447911123460")
    with app.test_request_context():
        with force_locale("ak"):
            twi_help = render("help")
        with force_locale("so"):
            somali_help = render("help")
    assert phone.text("TW") == twi_help  # Twi is "tw" to residents and "ak" to Babel
    assert phone.text("SO") == somali_help
    assert phone.text("what is this?")  # never silence
    phone.text("VOTE")
    phone.text("SW9 0AA")
    phone.text("1")
    with app.app_context():
        db.session.execute(update(SmsConversation).values(updated_at=_now() - timedelta(minutes=31)))
        db.session.commit()
    Phone(app, client, "447911123469").text("HELP")  # anyone's text clears choices left waiting
    with app.app_context():
        assert db.session.scalar(select(SmsConversation.draft).where(SmsConversation.language == "so")) is None
    with app.test_request_context(), force_locale("so"):
        expected = render("expired")
    assert phone.text("YES") == expected
    with app.app_context():
        conv = db.session.scalar(select(SmsConversation))
        assert conv.draft is None and conv.step == "start"
        assert db.session.scalar(select(func.count()).select_from(SealedBallot)) == 0


def test_stop_and_start(app, client, inbound):
    _round(app)
    phone = Phone(app, client, "447911123461")
    assert "no more texts" in phone.text("STOP")
    assert phone.text("VOTE") == ""  # nothing is sent to a number that said STOP
    # nor a sign-in code by the web
    client.submit("/account/phone", {"number": "07911 123461"})
    assert phone.replies() == []
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SmsOptOut)) == 1
        stored = db.session.scalar(select(SmsOptOut.number_hash))
        assert "7911123461" not in stored  # a keyed hash, not the number
    assert "on again" in phone.text("START")
    assert "postcode" in phone.text("VOTE")


def test_forged_callbacks_are_refused_and_store_nothing(app, client, inbound):
    _round(app)
    phone = Phone(app, client, "447911123462")
    for token in (None, "wrong-token-" + "y" * 30, TOKEN[:-1], ""):
        assert phone.post("VOTE", token=token).status_code == 403
    bare = client.post(URL, json={"source_number": "447911123462", "message": "VOTE"},
                       headers={"Authorization": TOKEN})  # no "Bearer"
    assert bare.status_code == 403
    with app.app_context():
        for model in (SmsConversation, OutboxMessage, SmsSpend, PhoneNumber, SmsOptOut):
            assert db.session.scalar(select(func.count()).select_from(model)) == 0, model


def test_no_token_configured_refuses_everything(app, client):
    phone = Phone(app, client, "447911123463")
    assert phone.post("VOTE", token="").status_code == 403
    assert phone.post("VOTE", token="anything").status_code == 403


def test_bad_callbacks_are_400_never_500(app, client, inbound):
    headers = {"Authorization": f"Bearer {TOKEN}"}
    for body in ({}, {"source_number": "447911123464"}, {"source_number": 4479, "message": "VOTE"},
                 {"source_number": "not a number", "message": "VOTE"},
                 {"source_number": "447911123464", "message": ["VOTE"]},
                 {"source_number": "447911123464", "message": "x" * 5000}):
        assert client.post(URL, json=body, headers=headers).status_code == 400
    assert client.post(URL, data="not json", headers=headers).status_code == 400
    assert client.get(URL).status_code == 405
    # hostile texts get a helpful answer, never an error
    phone = Phone(app, client, "447911123464")
    for message in ("", " ", "\x00\x01", "9" * 900, "1x99999999", "INFO 99999", "٣ ٥", "🗳️", "YES YES"):
        assert phone.post(message).status_code == 204


def test_spend_per_round_without_numbers(app, client, inbound, demo, sign_in):
    round_id, _ = _round(app)
    phone = Phone(app, client, "447911123465")
    phone.text("VOTE")
    texts = [phone.text("SW9 0AA"), phone.text("1"), phone.text("YES")]
    with app.app_context():
        spend = db.session.scalar(select(SmsSpend).where(SmsSpend.round_id == round_id))
        assert spend.messages_received == 3  # the postcode, the number and YES
        assert spend.segments_received == 3  # one each, whatever their length
        # each message at its planned segments: the list's 3 a message, the check's 2, the receipt's 1
        lists = texts[0].split("\n---\n")
        assert spend.messages_sent == len(lists) + 2
        assert spend.segments_sent == 3 * len(lists) + CHECK_BUDGET[0] + 1
        assert spend.segments_sent >= sum(measure(t).segments for text in texts for t in text.split("\n---\n"))
    sign_in(demo["officer"])
    page = client.get(f"/admin/rounds/{round_id}").get_data(as_text=True)
    assert "Text message voting" in page and "Segments sent" in page
    with app.app_context():
        cost = (spend.segments_sent * app.config["SMS_COST_PER_SEGMENT_SENT"]).quantize(Decimal("0.01"))
    assert f"£{cost}" in page  # at the configured price per segment
    assert "7911123465" not in page and "465" not in page.split("Text message voting")[1][:2000]


def test_a_web_voter_who_texts_is_told_they_have_voted(app, client, inbound):
    round_id, ids = _round(app)
    code_page = asks_for_a_code(client, "07911 123466", next_url=f"/vote/{round_id}")
    postcode = enters(client, code_page, code_from_outbox(client, "+447911123466"))
    client.submit(postcode.headers["Location"], {"postcode": "SW9 0AA"})
    check = client.submit(f"/vote/{round_id}", {"project": [ids[1]], "action": "continue"}, follow_redirects=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', check.get_data(as_text=True)).group(1)
    assert client.post(f"/vote/{round_id}/cast", data={"csrf_token": token, "project": [ids[1]]}).status_code == 303
    phone = Phone(app, client, "447911123466")
    assert "already voted" in phone.text("VOTE")
    # and a second number, texting the same choices, makes a ballot the count cannot tell apart
    other = Phone(app, client, "447911123467")
    other.text("VOTE")
    other.text("SW9 0AA")
    other.text("2")
    other.text("YES")
    assert _ballots(app, round_id) == [(f'["{ids[1]}"]', "web")] * 2


def _spend(app, round_id) -> tuple:
    with app.app_context():
        row = db.session.scalar(select(SmsSpend).where(SmsSpend.round_id == round_id))
        return (row.messages_sent, row.segments_sent, row.messages_received, row.segments_received) if row else (0,) * 4


def test_the_spend_does_not_tell_how_long_a_ballot_is(app, client, inbound):
    """In Twi (UCS-2) the check before casting measures 1 segment with one project and 2 with
    nine; the spend moves the same for both, so a live reader of sms_spend, watching the
    conversations' updated_at, learns nothing of either ballot."""
    round_id, _ = _round(app, costs=[1000] * 12)
    moved, measured = [], []
    for number, choice in (("447911123470", "1"), ("447911123471", "1 2 3 4 5 6 7 8 9")):
        phone = Phone(app, client, number)
        phone.text("TW")
        phone.text("VOTE")
        phone.text("SW9 0AA")
        before = _spend(app, round_id)
        check = phone.text(choice)
        measured.append(measure(check).segments)
        moved.append(tuple(b - a for a, b in zip(before, _spend(app, round_id), strict=True)))
        assert measure(check).encoding == "ucs2"
    assert measured[0] != measured[1]  # the texts differ in length...
    assert moved[0] == moved[1] == (1, CHECK_BUDGET[1], 1, 1)  # ...the spend does not


def test_a_number_that_texted_stop_cannot_vote_silently(app, client, inbound):
    round_id, _ = _round(app)
    phone = Phone(app, client, "447911123472")
    phone.text("VOTE")
    assert "no more texts" in phone.text("STOP")

    def state():
        with app.app_context():
            conv = db.session.scalar(select(SmsConversation))
            return ((conv.step, conv.heading_id, conv.draft, conv.language, conv.updated_at),
                    *(db.session.scalar(select(func.count()).select_from(model))
                      for model in (PhoneNumber, RollEntry, SealedBallot)), _spend(app, round_id))

    before = state()
    for message in ("VOTE", "SW9 0AA", "1", "YES", "PT", "HELP", "INFO 1"):
        assert phone.text(message) == ""  # no answer, no receipt
    assert state() == before  # no conversation, no resident, nothing on the roll, no ballot
    assert "on again" in phone.text("start please")
    assert "postcode" in phone.text("VOTE")


@pytest.mark.parametrize("message", ["Stop please", "STOP STOP", "please stop texting me", "PARAR",
                                     "ARRÊT", "arrêter", "Jooji", "gyae", "stop."])
def test_stop_is_any_word_that_means_stop(app, client, inbound, message):
    phone = Phone(app, client, "447911123473")
    assert "no more texts" in phone.text(message)
    assert phone.text("VOTE") == ""
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SmsOptOut)) == 1
    assert "on again" in phone.text("Start again please")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SmsOptOut)) == 0


def test_words_that_merely_contain_stop_are_not_stop(app, client, inbound):
    _round(app)
    phone = Phone(app, client, "447911123474")
    assert "no more texts" not in phone.text("bus stops near me?")
    assert "postcode" in phone.text("VOTE")


def _raw_post(client, number, json_text):
    body = f'{{"source_number": "{number}", "destination_number": "07860033333", "message": {json_text}}}'
    return client.post(URL, data=body, content_type="application/json",
                       headers={"Authorization": f"Bearer {TOKEN}"})


def test_a_lone_surrogate_gets_an_answer_not_a_500(app, client, inbound):
    _round(app)
    phone = Phone(app, client, "447911123475")
    # the first text, a postcode, and while choosing: each a 204 and a reply
    for message, reply in (('"\\ud800"', "did not understand"), ('"VOTE"', "postcode"),
                           ('"SW9 0AA\\udfff"', "could not find that postcode"), ('"SW9 0AA"', "Choose"),
                           ('"1 \\ud800 2"', "Reply with project numbers"), ('"\\udc00"', "Reply with project numbers")):
        response = _raw_post(client, phone.number, message)
        assert response.status_code == 204, message
        assert reply in "\n".join(phone.replies()), message


def test_no_sign_in_code_is_counted_for_a_number_that_texted_stop(app, client, inbound):
    from pb.models import SignInCode

    phone = Phone(app, client, "447911123476")
    phone.text("STOP")
    page = client.submit("/account/phone", {"number": "07911 123476"})
    assert page.status_code == 400
    assert "This number texted STOP" in page.get_data(as_text=True)
    assert phone.replies() == []
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SignInCode)) == 0  # none of the hour's three
    phone.text("START")
    assert client.submit("/account/phone", {"number": "07911 123476"}).status_code == 302
    assert "sign-in code" in "\n".join(phone.replies())

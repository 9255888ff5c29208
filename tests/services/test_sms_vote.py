"""Voting by text: the segment arithmetic, every reply's segment budget in every catalogue,
reading the numbers residents text, and the conversation's less common turns (several open
rounds, a youth budget, an eligibility list)."""

from pathlib import Path

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import func, select

from pb.i18n import LANGUAGES
from pb.models import Ballot, EligibilityEntry, OutboxMessage, SealedBallot, SmsConversation, db
from pb.services import eligibility, sms_vote
from pb.services.errors import AlreadyVoted, WrongPhase
from pb.services.sms_segments import measure, pack, shorten, tidy
from pb.tally.messages import MESSAGES
from tests.factories import add_projects, close_and_mix, make_round

NUMBER = "+447911123470"


# -- segments --------------------------------------------------------------------------------

def test_gsm7_and_ucs2_segments():
    assert measure("") == measure("")  # one segment even when empty
    assert measure("").segments == 1
    assert (measure("a" * 160).encoding, measure("a" * 160).segments) == ("gsm7", 1)
    assert measure("a" * 161).segments == 2
    assert measure("a" * 306).segments == 2 and measure("a" * 307).segments == 3
    assert measure("£€").units == 3  # € is in the extension table: two places
    assert measure("[" * 80).segments == 1 and measure("[" * 81).segments == 2
    assert measure("ẹ").encoding == "ucs2"  # Yoruba's dotted letters need UCS-2
    assert measure("ł").encoding == "ucs2" and measure("ɔ").encoding == "ucs2"  # Polish, Twi
    assert measure("é" * 160).encoding == "gsm7"  # French é is in GSM-7
    assert measure("ẹ" * 70).segments == 1 and measure("ẹ" * 71).segments == 2
    assert measure("ẹ" * 134).segments == 2 and measure("ẹ" * 135).segments == 3
    assert measure("🗳" * 35).units == 70 and measure("🗳" * 36).segments == 2  # surrogate pairs


def test_tidy_keeps_french_money_in_gsm7():
    assert tidy("2\u202f000\u00a0£ – « oui » …") == '2 000 £ - " oui " ...'
    assert measure(tidy("2\u202f000\u00a0£")).encoding == "gsm7"


def test_pack_and_shorten():
    lines = [f"{n} Project number {n} £10,000" for n in range(1, 40)]
    messages = pack("Header", lines, (3, 5))
    assert all(measure(m).segments <= 3 for m in messages)
    assert "\n".join(messages).split("\n") == ["Header", *lines]
    assert len(messages) == 3  # as few as fit
    long = shorten("word " * 200, 1)
    assert measure(long).segments == 1 and long.endswith("...")


# -- every reply within its budget, in every catalogue -----------------------------------------

def _catalogues() -> list[str]:
    """Every language with a catalogue on disk, and English (the source strings)."""
    root = Path(__file__).resolve().parents[2] / "translations"
    babel_codes = {babel for babel, _ in LANGUAGES.values()}
    found = ["en_GB"] + sorted(p.name for p in root.iterdir() if (p / "LC_MESSAGES").is_dir())
    assert {"pt", "so", "es", "yo", "fr", "ak", "pl"} <= set(found)
    return [code for code in found if code in babel_codes or code == "en_GB"]


def _longest_problems() -> str:
    sentences = []
    for message in MESSAGES.values():
        params = {"project": "#999", "min": 20, "max": 20, "points": 100, "points_given": 1000,
                  "total_cost": 1_250_000, "budget": 1_250_000, "over_by": 1_250_000,
                  "min_spend": 1_250_000, "short_by": 1_250_000}
        sentences.append(gettext(message, **{k: sms_vote._money(v) if k in ("total_cost", "budget", "over_by",
                                                                          "min_spend", "short_by") else v
                                             for k, v in params.items()}).rstrip("."))
    sentences.sort(key=lambda s: measure(tidy(s)).units, reverse=True)
    return sentences[0]


def _longest_reason() -> str:
    reasons = [str(AlreadyVoted().message), str(WrongPhase(gettext("Voting in this round is not open.")).message),
               str(eligibility.NOT_ACCEPTED), gettext("Enter your reference number")]
    return max((tidy(r) for r in reasons), key=lambda r: measure(r).units)


def _longest_age() -> str:
    return max((gettext("Confirm that you are aged %(min)s to %(max)s to vote in this round", min=100, max=120),
                gettext("Confirm that you are aged %(min)s or over to vote in this round", min=100),
                gettext("Confirm that you are aged %(max)s or under to vote in this round", max=120),
                gettext("Confirm that you are aged %(age)s to vote in this round", age=100)),
               key=lambda s: measure(tidy(s)).units) + "."


def _within(text: str, budget: tuple[int, int]) -> bool:
    found = measure(text)
    return found.segments <= (budget[0] if found.encoding == "gsm7" else budget[1])


@pytest.mark.parametrize("locale", _catalogues())
def test_every_reply_fits_its_segment_budget(app, locale):
    over = []
    with app.test_request_context(), force_locale(locale):
        for name, template in sms_vote.TEMPLATES.items():
            params = dict(template.longest)
            if name == "problems":
                params["problems"] = _longest_problems()
            if name == "not_cast":
                params["reason"] = _longest_reason()
            text = sms_vote.render(name, **params)
            if not _within(text, (template.gsm7, template.ucs2)):
                found = measure(text)
                over.append(f"{name}: {found.segments} {found.encoding} segments "
                            f"(budget {template.gsm7} GSM-7 / {template.ucs2} UCS-2): {text!r}")
        # the check before casting at its longest: 15 projects and their cost, a youth
        # budget's declaration, and the question of a round with an eligibility list
        longest = sms_vote.TEMPLATES["chose_cost"].longest
        check = " ".join([sms_vote.render("chose_cost", **longest), tidy(_longest_age()),
                          sms_vote.render("confirm_reference")])
        if not _within(check, sms_vote.CHECK_BUDGET):
            over.append(f"the check before casting: {measure(check)}: {check!r}")
        retry = " ".join([sms_vote.render("not_cast", reason=_longest_reason()),
                          sms_vote.render("confirm_reference")])
        if not _within(retry, sms_vote.CHECK_BUDGET):
            over.append(f"a refused reference: {measure(retry)}: {retry!r}")
        # a list's first message: the round's title and ward, and how to choose, leave room
        for name in ("how_approval", "how_knapsack", "how_cumulative", "how_ranked"):
            head = tidy("X" * sms_vote.TITLE_CHARS + " - Stockwell West and Larkhall\n") + sms_vote.render(
                name, **sms_vote.TEMPLATES[name].longest)
            if not _within(head + "\n" + "1 " + "Y" * 50 + " £1,250,000", sms_vote.LIST_SEGMENTS):
                over.append(f"the list's header {name}: {measure(head)}")
    assert not over, "\n".join(over)


def test_english_replies_are_one_segment_where_planned(app):
    with app.test_request_context():
        for name in ("help", "ask_postcode", "bad_postcode", "stop", "start", "unknown", "expired", "confirm"):
            text = sms_vote.render(name, **sms_vote.TEMPLATES[name].longest)
            assert measure(text) .encoding == "gsm7" and measure(text).segments == 1, (name, len(text))


# -- reading what residents text -----------------------------------------------------------

@pytest.mark.parametrize("text, read", [
    ("3 5 12", [(3, None), (5, None), (12, None)]),
    ("3,5, 12.", [(3, None), (5, None), (12, None)]),
    ("3x2 5x1", [(3, 2), (5, 1)]),
    ("3 x 2, 5X1", [(3, 2), (5, 1)]),
    ("３ ５", [(3, None), (5, None)]),  # full-width digits
    ("", None), ("VOTE", None), ("3 and 5", None), ("12345", None), ("3x", None),
    (" ".join(["1"] * 101), None),
])
def test_read_selection(text, read):
    assert sms_vote.read_selection(text) == read


# -- the less common turns of a conversation -----------------------------------------------

def _replies(after=0) -> list[str]:
    return [m.text for m in db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.id > after).order_by(OutboxMessage.id))]


def _say(text) -> str:
    last = db.session.scalar(select(func.max(OutboxMessage.id))) or 0
    sms_vote.receive(NUMBER, text)
    return "\n".join(_replies(last))


def test_several_open_rounds_ask_which(ctx):
    first = make_round("voting", wards=("stockwell-east",))
    second = make_round("voting", wards=("stockwell-east",))
    second.title = "Stockwell East youth budget"
    db.session.commit()
    add_projects(first.headings[0], [1000])
    add_projects(second.headings[0], [2000, 3000])
    _say("VOTE")
    which = _say("SW9 0AA")
    assert "More than one vote" in which and "2 Stockwell East youth budget" in which
    assert "There is no project 3" in _say("3")
    listed = _say("2")
    assert "Stockwell East youth budget" in listed and "2 Project 2 £3,000" in listed
    _say("1")
    assert "receipt" in _say("YES")
    assert "Stockwell East small grants" in _say("VOTE")  # the other round's list now
    assert "receipt" in (_say("1"), _say("YES"))[1]
    assert "already voted" in _say("VOTE")


def test_a_youth_budget_declares_age_and_a_list_takes_a_reference(ctx):
    round_ = make_round("voting", wards=("stockwell-east",), min_age=11, max_age=25)
    add_projects(round_.headings[0], [1000, 2000])
    db.session.add(EligibilityEntry(round_id=round_.id, reference_hash=eligibility.reference_hash("AB123")))
    db.session.commit()
    _say("VOTE")
    _say("SW9 0AA")
    check = _say("1 2")
    assert "aged 11 to 25" in check and "YES and your reference number" in check
    assert "We cannot accept that reference number" in _say("YES ZZ999")
    assert db.session.scalar(select(SmsConversation.step)) == "confirm"  # the choices still wait
    assert "receipt" in _say("yes ab123")
    assert db.session.scalar(select(SmsConversation.draft)) is None
    close_and_mix(round_)
    assert db.session.scalar(select(func.count()).select_from(Ballot)) == 1


def test_a_closed_round_casts_nothing(ctx):
    round_ = make_round("voting", wards=("stockwell-east",))
    add_projects(round_.headings[0], [1000])
    _say("VOTE")
    _say("SW9 0AA")
    _say("1")
    from tests.factories import set_phase

    set_phase(round_, "counting")
    assert "not cast" in _say("YES")
    assert "No vote is open" in _say("VOTE")


def test_keywords_are_read_without_accents_or_case():
    assert sms_vote._plain("głosuj!") == "GLOSUJ"
    assert sms_vote._plain(" Bẹ́ẹ̀ni ") == "BEENI" and sms_vote._plain("sí") == "SI"
    assert sms_vote._plain("info 3") == "INFO 3"


def test_wrong_references_by_text_are_limited_per_resident(app, ctx, monkeypatch):
    from pb.extensions import limiter

    monkeypatch.setitem(app.config, "RATELIMIT_ENABLED", True)
    monkeypatch.setitem(app.config, "RATELIMIT_REFERENCE_TRIES_PER_PERSON", "3 per hour")
    limiter.reset()
    try:
        round_ = make_round("voting", wards=("stockwell-east",))
        add_projects(round_.headings[0], [1000])
        db.session.add(EligibilityEntry(round_id=round_.id, reference_hash=eligibility.reference_hash("AB123")))
        db.session.commit()
        _say("VOTE")
        _say("SW9 0AA")
        _say("1")
        for guess in ("ZZ1", "ZZ2", "ZZ3"):
            assert "We cannot accept that reference number" in _say(f"YES {guess}")
        assert "too many wrong reference numbers" in _say("YES AB123")  # even the right one, for now
        assert db.session.scalar(select(func.count()).select_from(SealedBallot)) == 0
    finally:
        limiter.reset()


def test_a_lone_surrogate_is_measured_not_an_error():
    from pb.services.sms_segments import without_surrogates

    assert measure("\ud800") == measure("\ufffd")  # one UCS-2 place, as the network would bill it
    assert shorten("\udfff" * 200, 1).endswith("...")
    assert without_surrogates("1 \ud800 2\udc00") == "1 \ufffd 2\ufffd"
    assert without_surrogates("🗳️ ok") == "🗳️ ok"  # a real pair is one character, kept


def test_stop_and_start_words_are_no_other_keyword():
    keywords = set(sms_vote.VOTE_WORDS) | sms_vote.YES_WORDS | sms_vote.HELP_WORDS | set(sms_vote.LANGUAGE_CODES)
    assert not (sms_vote.STOP_WORDS | sms_vote.START_WORDS) & keywords
    assert not sms_vote.STOP_WORDS & sms_vote.START_WORDS
    assert all(word == sms_vote._plain(word) for word in sms_vote.STOP_WORDS | sms_vote.START_WORDS)

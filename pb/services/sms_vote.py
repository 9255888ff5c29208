"""Voting by text message: one conversation per number, in the resident's language.

A resident texts VOTE (or its word in any of our languages). A number the app has not seen
gives its postcode, which decides the ward, as on the web's phone sign-in: the number is the
verification, and its keyed hash is the same `phone_numbers` row the web uses, so one
number is one voter on one roll whichever way they vote. The open round's projects come
back as numbered lines with their costs; the resident replies with numbers (`3 5 12`;
`3x2 5x1` for points; an order for ranked ballots), which `pb.services.voting.problems_with`
checks exactly as it checks the web ballot; YES casts through `voting.cast_ballot` with
channel "sms" (the sealed ballot and the mixer, as on the web) and the receipt comes back.

HELP, STOP / START (pb.services.sms keeps the opt-out for every text the app sends), INFO
and a number, and a language code (PT SO ES YO TW FR PL EN) work at any point. A
conversation idle for 30 minutes starts again. The conversation keeps the choices only
while they wait for YES, sealed like the web's draft, and drops them when the ballot is
cast or refused. Nothing here stores a number or a message's text.

Every reply is a template below, rendered under `force_locale` in the conversation's
language, with a segment budget (`TEMPLATES`) that tests/services/test_sms_vote.py checks in
every catalogue, in GSM-7 and in UCS-2.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from flask import current_app
from flask_babel import force_locale, gettext
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from pb.extensions import limiter
from pb.i18n import LANGUAGES
from pb.models import (
    Heading,
    Person,
    PhoneNumber,
    RoleGrant,
    Round,
    SmsConversation,
    SmsOptOut,
    SmsSpend,
    db,
)
from pb.models.people import _now
from pb.services import ballot_box, eligibility, voting
from pb.services.errors import AlreadyVoted, ServiceError, WrongPhase
from pb.services.identity import number_hash
from pb.services.postcodes import normalise, ward_for
from pb.services.proposals import on_ballot
from pb.services.rounds import current_phase, heading_for, public_rounds
from pb.services.sms import SmsNotSent, opted_out, send_sms
from pb.services.sms_segments import measure, pack, shorten, tidy, without_surrogates
from pb.tally import MONEY_PARAMS

IDLE = timedelta(minutes=30)
LIST_SEGMENTS = (3, 5)  # a message of the project list: at most 3 segments in GSM-7, 5 in UCS-2
INFO_SEGMENTS = 3
TITLE_CHARS = 50  # a round's or project's title, in a reply
MAX_TEXT = 918  # Notify's longest text message; anything longer is cut
MAX_NUMBERS = 100
LANGUAGE_CODES = tuple(code.upper() for code in LANGUAGES)


# -- the replies, each with its segment budget ----------------------------------------------

def _money(value) -> str:
    from pb.web.helpers import money  # the web's own formatting, so both channels say the same

    return money(value)


def t_help(languages: str = " ".join(LANGUAGE_CODES)) -> str:
    # Translators: a text message (SMS). Keep VOTE, INFO 3 and STOP as your words for them.
    return gettext("Lambeth Ward Budgets: text VOTE to vote, INFO 3 to read about project 3, STOP to "
                   "get no more texts. Languages: %(languages)s", languages=languages)


def t_ask_postcode() -> str:
    # Translators: a text message (SMS)
    return gettext("To find your ward, reply with your home postcode, like SW2 1RW.")


def t_bad_postcode() -> str:
    # Translators: a text message (SMS)
    return gettext("We could not find that postcode in Lambeth. Reply with your home postcode, like SW2 1RW.")


def t_no_vote(ward: str) -> str:
    # Translators: a text message (SMS); %(ward)s is a ward of Lambeth
    return gettext("No vote is open in %(ward)s just now. Text VOTE again when one is.", ward=ward)


def t_choose_round(ward: str) -> str:
    # Translators: a text message (SMS), followed by a numbered list of votes
    return gettext("More than one vote is open in %(ward)s. Reply with the number of the one you want:",
                   ward=ward)


def t_how_approval(max: int) -> str:
    # Translators: a text message (SMS), followed by the numbered list of projects
    return gettext("Choose up to %(max)s projects: reply with their numbers, like 3 5 12.", max=max)


def t_how_approval_any() -> str:
    # Translators: a text message (SMS), followed by the numbered list of projects
    return gettext("Choose the projects you want: reply with their numbers, like 3 5 12.")


def t_how_knapsack(budget: str) -> str:
    # Translators: a text message (SMS), followed by the numbered list of projects
    return gettext("Choose projects costing up to %(budget)s in total: reply with their numbers, "
                   "like 3 5 12.", budget=budget)


def t_how_cumulative(points: int) -> str:
    # Translators: a text message (SMS). "3x2" means 2 points for project 3; keep the x.
    return gettext("Share %(points)s points: reply with each project's number, x and its points, "
                   "like 3x2 5x1.", points=points)


def t_how_ranked(max: int) -> str:
    # Translators: a text message (SMS), followed by the numbered list of projects
    return gettext("Rank up to %(max)s projects: reply with their numbers, your favourite first, "
                   "like 5 3 12.", max=max)


def t_problems(problems: str) -> str:
    # Translators: a text message (SMS); %(problems)s is a sentence from the ballot's checks
    return gettext("Your vote has a problem. %(problems)s. Reply with new numbers.", problems=problems)


def t_no_such_project(number: int, count: int) -> str:
    # Translators: a text message (SMS)
    return gettext("There is no project %(number)s. Reply with numbers from 1 to %(count)s.",
                   number=number, count=count)


def t_not_numbers(example: str) -> str:
    # Translators: a text message (SMS); %(example)s is like "3 5 12"
    return gettext("Reply with project numbers, like %(example)s. Text INFO 3 to read about "
                   "project 3, or HELP.", example=example)


def t_chose(choices: str) -> str:
    # Translators: a text message (SMS), the start of the check before casting
    return gettext("You chose: %(choices)s.", choices=choices)


def t_chose_cost(choices: str, total: str) -> str:
    # Translators: a text message (SMS), the start of the check before casting
    return gettext("You chose: %(choices)s, costing %(total)s.", choices=choices, total=total)


def t_order(choices: str) -> str:
    # Translators: a text message (SMS), the start of the check before casting a ranked ballot
    return gettext("Your order: %(choices)s.", choices=choices)


def t_points(choices: str) -> str:
    # Translators: a text message (SMS); "3x2" means 2 points for project 3
    return gettext("Your points: %(choices)s.", choices=choices)


def t_confirm() -> str:
    # Translators: a text message (SMS); YES is your word for yes
    return gettext("Reply YES to cast your vote, or send new numbers.")


def t_confirm_reference() -> str:
    # Translators: a text message (SMS); YES is your word for yes
    return gettext("Reply YES and your reference number, like YES AB123, to cast your vote, "
                   "or send new numbers.")


def t_cast(receipt: str) -> str:
    # Translators: a text message (SMS)
    return gettext("Your vote is cast. Your receipt is %(receipt)s. Keep it to check your vote "
                   "when the results are out.", receipt=receipt)


def t_already(round: str) -> str:
    # Translators: a text message (SMS); %(round)s is a vote's title
    return gettext("You have already voted in %(round)s. Each person votes once.", round=round)


def t_not_cast(reason: str) -> str:
    # Translators: a text message (SMS); %(reason)s is a sentence saying why
    return gettext("Your vote was not cast: %(reason)s", reason=reason)


def t_too_many_references() -> str:
    # Translators: a text message (SMS)
    return gettext("You have sent too many wrong reference numbers. Try again in an hour, or "
                   "contact the council.")


def t_expired() -> str:
    # Translators: a text message (SMS)
    return gettext("Your vote was not cast: nothing came for 30 minutes. Text VOTE to start again.")


def t_stop() -> str:
    # Translators: a text message (SMS); START is the word to text
    return gettext("You will get no more texts from Ward Budgets. Text START to get them again.")


def t_start() -> str:
    # Translators: a text message (SMS)
    return gettext("Texts from Ward Budgets are on again. Text VOTE to vote, or HELP for help.")


def t_unknown() -> str:
    # Translators: a text message (SMS)
    return gettext("Sorry, we did not understand that. Text VOTE to vote, or HELP for help.")


def t_info_first() -> str:
    # Translators: a text message (SMS)
    return gettext("Text VOTE first to see the projects, then INFO and a project's number.")


@dataclass(frozen=True)
class Template:
    render: Callable[..., str]
    gsm7: int  # segments allowed when the reply is GSM-7
    ucs2: int  # segments allowed when it needs UCS-2
    longest: dict  # realistic longest parameters, for the budget test


LONG_WARD = "Stockwell West and Larkhall"
LONG_TITLE = "X" * TITLE_CHARS
LONG_MONEY = 1_250_000
LONG_CHOICES = ", ".join(str(n) for n in range(10, 25))  # 15 choices of two digits

TEMPLATES: dict[str, Template] = {
    "help": Template(t_help, 1, 3, {}),
    "ask_postcode": Template(t_ask_postcode, 1, 2, {}),
    "bad_postcode": Template(t_bad_postcode, 1, 2, {}),
    "no_vote": Template(t_no_vote, 1, 2, {"ward": LONG_WARD}),
    "choose_round": Template(t_choose_round, 1, 2, {"ward": LONG_WARD}),
    "how_approval": Template(t_how_approval, 1, 2, {"max": 20}),
    "how_approval_any": Template(t_how_approval_any, 1, 2, {}),
    "how_knapsack": Template(t_how_knapsack, 1, 2, {"budget": LONG_MONEY}),
    "how_cumulative": Template(t_how_cumulative, 1, 2, {"points": 100}),
    "how_ranked": Template(t_how_ranked, 1, 2, {"max": 20}),
    "problems": Template(t_problems, 2, 4, {"problems": None}),  # the longest check's sentence
    "no_such_project": Template(t_no_such_project, 1, 2, {"number": 1000, "count": 999}),
    "not_numbers": Template(t_not_numbers, 1, 2, {"example": "3x2 5x1"}),
    # the check before casting is one message: the choices, the age declaration, the question
    "chose": Template(t_chose, 1, 2, {"choices": LONG_CHOICES}),
    "chose_cost": Template(t_chose_cost, 1, 2, {"choices": LONG_CHOICES, "total": LONG_MONEY}),
    "order": Template(t_order, 1, 2, {"choices": LONG_CHOICES}),
    "points": Template(t_points, 1, 2, {"choices": "10x10, 11x10, 12x10, 13x10, 14x10, 15x10, 16x10"}),
    "confirm": Template(t_confirm, 1, 1, {}),
    "confirm_reference": Template(t_confirm_reference, 1, 2, {}),
    "cast": Template(t_cast, 1, 3, {"receipt": "ABCD-EFGH-IJKL-MNOP-QRST-UVWX-YZ"}),
    "already": Template(t_already, 1, 2, {"round": LONG_TITLE}),
    "not_cast": Template(t_not_cast, 2, 4, {"reason": None}),  # the longest refusal of a cast
    "expired": Template(t_expired, 1, 2, {}),
    "too_many_references": Template(t_too_many_references, 1, 2, {}),
    "stop": Template(t_stop, 1, 2, {}),
    "start": Template(t_start, 1, 2, {}),
    "unknown": Template(t_unknown, 1, 2, {}),
    "info_first": Template(t_info_first, 1, 2, {}),
}
# the whole check before casting at its longest (a knapsack ballot of 15 projects in a youth
# budget with an eligibility list), and a refused reference with the question again
CHECK_BUDGET = (2, 5)


def render(name: str, **params) -> str:
    """A template's text, money formatted for the locale, tidied for GSM-7."""
    params = {key: _money(value) if key in ("budget", "total") and not isinstance(value, str) else value
              for key, value in params.items()}
    return tidy(TEMPLATES[name].render(**params))


# -- what the resident texted -------------------------------------------------------------

def _plain(text: str) -> str:
    """Upper case, no accents, no punctuation: "Sí!" -> "SI", "głosuj" -> "GLOSUJ"."""
    text = unicodedata.normalize("NFKD", text.upper().replace("Ł", "L").replace("Ø", "O"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^A-Z0-9 ]", " ", text).split())


# the word for "vote" in each language, and the language it tells (None: two languages share it)
VOTE_WORDS = {"VOTE": "en", "VOTAR": None, "VOTER": "fr", "GLOSUJ": "pl", "GLOSOWAC": "pl",
              "CODEE": "so", "CODBIXI": "so", "DIBO": "yo", "TO ABA": "tw", "TOABA": "tw"}
YES_WORDS = {"YES", "Y", "SIM", "SI", "HAA", "HA", "BEENI", "BENI", "AANE", "OUI", "TAK"}
HELP_WORDS = {"HELP", "AJUDA", "AYUDA", "CAAWIMAAD", "CAAWIN", "IRANLOWO", "MMOA", "AIDE", "POMOC"}
# Opting out and back in: a text is STOP when any of its words is one of these (after
# _plain: capitals, no accents), so "Stop please", "STOP STOP" and "ARRÊT" all stop; it is
# START when no word stops and any word starts. Data, not translations: each is a word people
# certainly use for it, whatever language the conversation is in. Words that also mean
# something else in a conversation ("DURO" in Yoruba is also "wait", "KONIEC" in Polish
# "end" in any sentence) are left out: a resident can always text STOP.
STOP_WORDS = {
    "STOP", "STOPALL", "UNSUBSCRIBE",  # English, and the word every UK network and Notify use
    "PARAR",  # Portuguese and Spanish
    "ARRET", "ARRETER",  # French ("ARRÊT", "ARRÊTER")
    "JOOJI",  # Somali
    "GYAE",  # Twi
}
START_WORDS = {"START", "UNSTOP"}


def _keyword(which: str) -> str:
    if which == "vote":
        # Translators: the one word residents text to start voting by SMS (capitals, no accents if you can)
        return gettext("VOTE")
    if which == "yes":
        # Translators: the one word residents text to say yes by SMS (capitals, no accents if you can)
        return gettext("YES")
    # Translators: the one word residents text for help by SMS (capitals, no accents if you can)
    return gettext("HELP")


def _translated(which: str) -> dict[str, str]:
    """Each catalogue's word for a keyword, and its language."""
    words = {}
    for code, (babel, _name) in LANGUAGES.items():
        with force_locale(babel):
            word = _plain(_keyword(which))
        if word:
            words.setdefault(word, code)
    return words


_SELECTION = re.compile(r"([0-9]{1,4})(?:x([0-9]{1,6}))?")


def read_selection(text: str):
    """[(number, points or None), ...] when the text is a selection like "3 5 12" or
    "3x2 5x1", otherwise None."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"\s*[xX*×:=]\s*", "x", text.strip())
    tokens = [t for t in re.split(r"[\s,;.&/+-]+", text) if t]
    if not tokens or len(tokens) > MAX_NUMBERS:
        return None
    read = []
    for token in tokens:
        match = _SELECTION.fullmatch(token)
        if match is None:
            return None
        read.append((int(match[1]), int(match[2]) if match[2] is not None else None))
    return read


# -- the conversation ------------------------------------------------------------------------

@dataclass
class Reply:
    """One message (or a list, packed into as few messages as it needs): templates as
    (name, params) and already translated sentences, joined by spaces."""
    parts: list
    lines: list | None = None  # a numbered list after the parts
    prefix: str = ""  # plain text (a round's title and ward) on the first line
    raw: str | None = None  # text that is not a template (INFO's project details)
    budget: tuple[int, int] | None = None  # (GSM-7, UCS-2) segments planned, when not its templates'


def _reply(name: str, **params) -> Reply:
    return Reply([(name, params)])


def _babel(code: str) -> str:
    return LANGUAGES.get(code, LANGUAGES["en"])[0]


def _texts(reply: Reply) -> list[tuple[str, int]]:
    """The reply's messages, each with the segments planned for it (see `planned`)."""
    if reply.raw is not None:
        return [(shorten(tidy(reply.raw), INFO_SEGMENTS), INFO_SEGMENTS)]
    text = " ".join(render(part[0], **part[1]) if isinstance(part, tuple) else tidy(str(part)) for part in reply.parts)
    if reply.prefix:
        text = tidy(reply.prefix) + "\n" + text
    if reply.lines is None:
        return [(text, planned(reply, text))]
    return [(message, _in(LIST_SEGMENTS, message))
            for message in pack(text, [tidy(line) for line in reply.lines], LIST_SEGMENTS)]


def _in(budget: tuple[int, int], text: str) -> int:
    return budget[0] if measure(text).encoding == "gsm7" else budget[1]


def planned(reply: Reply, text: str) -> int:
    """The segments a message is counted as in the spend: its templates' budget (the most it
    may take, which tests/services/test_sms_vote.py holds every catalogue to), never its
    measured size. Only the encoding counts, and that is the language's and the
    templates', not the ballot's: in Twi the check before casting costs the same whether one
    project was chosen or nine, so the spend says nothing about anyone's ballot."""
    if reply.budget is not None:
        return _in(reply.budget, text)
    return max(1, sum(_in((TEMPLATES[part[0]].gsm7, TEMPLATES[part[0]].ucs2), text)
                      for part in reply.parts if isinstance(part, tuple)))


def _short(title: str) -> str:
    title = " ".join(title.split())
    return title if len(title) <= TITLE_CHARS else title[:TITLE_CHARS - 3].rstrip() + "..."


def _person(hashed: str) -> Person | None:
    phone = db.session.scalar(select(PhoneNumber).where(PhoneNumber.number_hash == hashed))
    return phone.person if phone else None


def _open_headings(person: Person) -> list[Heading]:
    """The headings of the person's ward open for voting now with projects on the ballot."""
    found = []
    for round_ in db.session.scalars(public_rounds().order_by(Round.voting_from, Round.id)):
        if current_phase(round_) != "voting":
            continue
        heading = heading_for(round_, person.ward)
        if heading is not None and on_ballot(heading):
            found.append(heading)
    return found


def _example(kind: str) -> str:
    return {"cumulative": "3x2 5x1", "ranked": "5 3 12"}.get(kind, "3 5 12")


def _ballot_list(heading: Heading) -> Reply:
    round_ = heading.round
    kind = round_.ballot_type
    if kind == "knapsack":
        how = ("how_knapsack", {"budget": heading.budget})
    elif kind == "cumulative":
        how = ("how_cumulative", {"points": round_.points})
    elif kind == "ranked":
        how = ("how_ranked", {"max": round_.max_choices or len(on_ballot(heading))})
    elif round_.max_choices:
        how = ("how_approval", {"max": round_.max_choices})
    else:
        how = ("how_approval_any", {})
    lines = [f"{n} {_short(p.title)} {_money(p.cost)}" for n, p in enumerate(on_ballot(heading), start=1)]
    return Reply([how], lines=lines, prefix=f"{_short(round_.title)} - {heading.ward.name}")


def _start_ballot(conv: SmsConversation, person: Person) -> Reply:
    headings = _open_headings(person)
    ward = person.ward.name if person.ward else ""
    if not headings:
        return _reply("no_vote", ward=ward)
    waiting = [h for h in headings if not voting.has_voted(person, h.round)]
    if not waiting:
        return _reply("already", round=_short(headings[0].round.title))
    if len(waiting) > 1:
        conv.step, conv.offered = "round", json.dumps([h.id for h in waiting])
        return Reply([("choose_round", {"ward": ward})],
                     lines=[f"{n} {_short(h.round.title)}" for n, h in enumerate(waiting, start=1)])
    conv.step, conv.heading_id, conv.offered = "choose", waiting[0].id, None
    return _ballot_list(waiting[0])


def _choices_from(heading: Heading, selection) -> tuple[object, Reply | None]:
    """The tally engine's choices for the numbers texted, in the web ballot's shape
    (pb.web.voting.routes.read_choices), or a reply saying what is wrong with the numbers."""
    kind = heading.round.ballot_type
    projects = on_ballot(heading)
    for number, points in selection:
        if not 1 <= number <= len(projects):
            return None, _reply("no_such_project", number=number, count=len(projects))
        if points is not None and kind != "cumulative":
            return None, _reply("not_numbers", example=_example(kind))
    ids = [projects[number - 1].project_id for number, _ in selection]
    if kind in ("approval", "knapsack"):
        return sorted(set(ids), key=lambda x: (len(x), x)), None
    if kind == "cumulative":
        given: dict[str, int] = {}
        for pid, (_, points) in zip(ids, selection, strict=True):
            given[pid] = given.get(pid, 0) + (1 if points is None else points)
        return given, None
    return ids, None


def problem_text(problems, heading: Heading) -> str:
    """The first of the ballot checks' own sentences, as the web shows it, naming a project
    by its number on the list ("#3"), not its title: one short reply at a time, and the
    next one says what is still wrong."""
    numbers = {p.project_id: n for n, p in enumerate(on_ballot(heading), start=1)}
    problem = problems[0]
    params = {k: _money(v) if k in MONEY_PARAMS else v for k, v in problem.params.items()}
    if problem.project_id in numbers:
        params["project"] = f"#{numbers[problem.project_id]}"
    return gettext(problem.message, **params).rstrip(".")


def _question(round_: Round) -> list:
    """The end of the check before casting: the web's age declaration sentence (a round
    with ages), then how to cast."""
    parts = []
    try:
        voting.check_age(round_, False)
    except ServiceError as err:
        parts.append(str(err.message) + ".")
    parts.append(("confirm_reference" if eligibility.has_list(round_) else "confirm", {}))
    return parts


def _check_reply(heading: Heading, choices) -> Reply:
    """The check before casting: what was chosen, then the question."""
    numbers = {p.project_id: n for n, p in enumerate(on_ballot(heading), start=1)}
    kind = heading.round.ballot_type
    if kind == "cumulative":
        first = ("points", {"choices": ", ".join(f"{numbers[pid]}x{points}"
                                                 for pid, points in choices.items() if points)})
    elif kind == "ranked":
        first = ("order", {"choices": ", ".join(str(numbers[pid]) for pid in choices)})
    else:
        listed = ", ".join(str(n) for n in sorted(numbers[pid] for pid in choices))
        if kind == "knapsack":
            total = sum(p.cost for p in on_ballot(heading) if p.project_id in choices)
            first = ("chose_cost", {"choices": listed, "total": total})
        else:
            first = ("chose", {"choices": listed})
    return Reply([first, *_question(heading.round)], budget=CHECK_BUDGET)


def _reset(conv: SmsConversation) -> None:
    conv.step, conv.heading_id, conv.offered, conv.draft = "start", None, None, None


def _answer(conv: SmsConversation, number_e164: str, hashed: str, text: str) -> list[Reply]:
    words = _plain(text)
    vote_words = {**_translated("vote"), **VOTE_WORDS}
    expired = conv.step != "start" and conv.updated_at < _now() - IDLE
    if expired:
        _reset(conv)
    if words in LANGUAGE_CODES:  # the language is already switched (_switch_language)
        return [_reply("help")]
    if words in HELP_WORDS or words in _translated("help") or text.strip() == "?":
        return [_reply("help")]
    if words in vote_words:
        _reset(conv)
        person = _person(hashed)
        if person is None:
            conv.step = "postcode"
            return [_reply("ask_postcode")]
        return [_start_ballot(conv, person)]
    info = re.fullmatch(r"INFO ?([0-9]{1,4})", words)
    if info:
        return [_info(conv, int(info[1]))]
    if expired:
        return [_reply("expired")]
    if conv.step == "postcode":
        return [_postcode_step(conv, number_e164, hashed, text)]
    if conv.step == "round":
        return [_round_step(conv, hashed, text)]
    if conv.step in ("choose", "confirm"):
        return _choose_step(conv, hashed, text, words)
    return [_reply("unknown")]


def _info(conv: SmsConversation, number: int) -> Reply:
    heading = db.session.get(Heading, conv.heading_id) if conv.heading_id else None
    if heading is None:
        return _reply("info_first")
    projects = on_ballot(heading)
    if not 1 <= number <= len(projects):
        return _reply("no_such_project", number=number, count=len(projects))
    p = projects[number - 1]
    return Reply([], raw=f"{number} {p.title} {_money(p.cost)}: {p.summary}")


def _choose_step(conv, hashed, text, words) -> list[Reply]:
    heading = db.session.get(Heading, conv.heading_id) if conv.heading_id else None
    person = _person(hashed)
    if heading is None or person is None:
        _reset(conv)
        return [_reply("unknown")]
    yes_words = YES_WORDS | set(_translated("yes"))
    if conv.step == "confirm" and words.split(" ")[0] in yes_words:
        given = text.strip().split(None, 1)
        return [_cast(conv, person, heading, given[1] if len(given) > 1 else None)]
    selection = read_selection(text)
    if selection is None:
        if conv.step == "confirm":
            return [Reply(_question(heading.round), budget=CHECK_BUDGET)]
        return [_reply("not_numbers", example=_example(heading.round.ballot_type))]
    choices, wrong = _choices_from(heading, selection)
    if wrong:
        return [wrong]
    problems = voting.problems_with(heading, choices)  # the web ballot's own checks
    if problems:
        conv.step, conv.draft = "choose", None
        return [_reply("problems", problems=problem_text(problems, heading))]
    conv.step = "confirm"
    conv.draft = ballot_box.seal_draft(person.id, heading.round_id, choices)
    return [_check_reply(heading, choices)]


def _postcode_step(conv, number_e164, hashed, text) -> Reply:
    tidy_code = normalise(text)
    ward = ward_for(tidy_code) if tidy_code else None
    if ward is None:
        return _reply("bad_postcode")
    person = _person(hashed)
    if person is None:  # a new number becomes a resident of the postcode's ward, as on the web
        person = Person(name="", postcode=tidy_code, ward=ward)
        person.roles.append(RoleGrant(role="resident"))
        db.session.add(person)
        db.session.add(PhoneNumber(number_hash=hashed, last_digits=number_e164[-3:], person=person))
        db.session.flush()
    return _start_ballot(conv, person)


def _round_step(conv, hashed, text) -> Reply:
    selection = read_selection(text)
    offered = json.loads(conv.offered or "[]")
    person = _person(hashed)
    if person is None or not offered:
        _reset(conv)
        return _reply("unknown")
    if not selection or len(selection) != 1 or selection[0][1] is not None \
            or not 1 <= selection[0][0] <= len(offered):
        return _reply("no_such_project", number=selection[0][0] if selection else 0, count=len(offered))
    heading = db.session.get(Heading, offered[selection[0][0] - 1])
    if heading is None or current_phase(heading.round) != "voting":
        _reset(conv)
        return _start_ballot(conv, person)
    conv.step, conv.heading_id, conv.offered = "choose", heading.id, None
    return _ballot_list(heading)


def _cast(conv, person, heading, reference) -> Reply:
    """YES: the ballot goes through voting.cast_ballot (its own transaction, the roll and
    the sealed ballot) with channel "sms"; the conversation then forgets the choices."""
    choices = ballot_box.open_draft(conv.draft, person.id, heading.round_id)
    round_ = heading.round
    title = _short(round_.title)
    if choices is None:
        _reset(conv)
        return _reply("expired")
    conv_id = conv.id
    db.session.commit()  # the conversation so far; the cast is a transaction of its own
    has_list = eligibility.has_list(round_)
    if has_list and not _reference_tries_left(person):
        return _reply("too_many_references")
    try:
        # the age sentence was in the check the resident said YES to
        done = voting.cast_ballot(person, heading, choices, channel="sms", reference=reference,
                                  age_declared=round_.age_range is not None)
    except AlreadyVoted:
        outcome = _reply("already", round=title)
    except voting.InvalidBallot as err:
        outcome = _reply("problems", problems=problem_text(err.problems, heading))
    except WrongPhase as err:
        outcome = _reply("not_cast", reason=str(err.message))
    except ServiceError as err:
        if err.field == "reference":  # the choices wait for the right reference
            if has_list and (reference or "").strip():
                _reference_refused(person)
            return Reply([("not_cast", {"reason": str(err.message)}), ("confirm_reference", {})],
                         budget=CHECK_BUDGET)
        outcome = _reply("not_cast", reason=str(err.message))
    else:
        outcome = _reply("cast", receipt=done.receipt)
    _reset(db.session.get(SmsConversation, conv_id))  # nothing of the ballot stays
    return outcome


# Guessing eligibility references by text is limited as on the web: refused references count
# per resident (RATELIMIT_REFERENCE_TRIES_PER_PERSON), here under a key of their own.

def _reference_limits():
    from limits import parse_many

    return parse_many(current_app.config["RATELIMIT_REFERENCE_TRIES_PER_PERSON"])


def _reference_tries_left(person: Person) -> bool:
    if not limiter.enabled:
        return True
    return all(limiter.limiter.test(item, "sms-reference", f"person:{person.id}")
               for item in _reference_limits())


def _reference_refused(person: Person) -> None:
    if limiter.enabled:
        for item in _reference_limits():
            limiter.limiter.hit(item, "sms-reference", f"person:{person.id}")


# -- receiving a text ------------------------------------------------------------------------

def _conversation(hashed: str) -> SmsConversation:
    query = select(SmsConversation).where(SmsConversation.number_hash == hashed).with_for_update()
    conv = db.session.scalar(query)
    if conv is None:
        try:
            db.session.add(SmsConversation(number_hash=hashed, updated_at=_now()))
            db.session.commit()
        except IntegrityError:
            db.session.rollback()  # the same number's other text, at the same moment
        conv = db.session.scalar(query)
    return conv


def _record(round_id: int | None, *, sent: tuple[int, int] = (0, 0), received: tuple[int, int] = (0, 0)) -> None:
    """Add messages and segments to the round's spend (no number, no text)."""
    values = {"messages_sent": SmsSpend.messages_sent + sent[0],
              "segments_sent": SmsSpend.segments_sent + sent[1],
              "messages_received": SmsSpend.messages_received + received[0],
              "segments_received": SmsSpend.segments_received + received[1]}
    where = SmsSpend.round_id.is_(None) if round_id is None else SmsSpend.round_id == round_id
    try:
        if db.session.execute(update(SmsSpend).where(where).values(**values)).rowcount == 0:
            db.session.add(SmsSpend(round_id=round_id, messages_sent=sent[0], segments_sent=sent[1],
                                    messages_received=received[0], segments_received=received[1]))
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        db.session.execute(update(SmsSpend).where(where).values(**values))
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise


def _round_of(heading_id: int | None) -> int | None:
    heading = db.session.get(Heading, heading_id) if heading_id else None
    return heading.round_id if heading else None


def receive(number_e164: str, text: str) -> list[str]:
    """Answer one text from `number_e164`: the replies sent. A number that texted STOP hears
    nothing and changes nothing (no conversation, no ballot) until it texts START."""
    text = re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", " ", without_surrogates(text or "")[:MAX_TEXT])
    hashed = number_hash(number_e164)
    # every text received is counted as one segment: its measured length would say how many
    # numbers a resident texted (and Notify does not charge for texts received)
    received = (1, 1)
    words = _plain(text)
    stop = any(word in STOP_WORDS for word in words.split())
    if stop or any(word in START_WORDS for word in words.split()):
        return _opt(number_e164, hashed, stop=stop, received=received)
    if opted_out(number_e164):
        return []
    try:
        # choices left waiting by any conversation idle for 30 minutes go now (their seal
        # has lapsed too); the step stays, so that number's next text hears it expired
        db.session.execute(update(SmsConversation).where(
            SmsConversation.updated_at < _now() - IDLE, SmsConversation.draft.is_not(None),
            SmsConversation.number_hash != hashed).values(draft=None))
        conv = _conversation(hashed)
        round_before = _round_of(conv.heading_id)
        language = _switch_language(conv, words)
        # everything the replies say (the ballot's checks, money, the age sentence) is
        # worked out in the resident's language, not the request's
        with force_locale(_babel(language)):
            replies = _answer(conv, number_e164, hashed, text)
            conv = db.session.scalar(select(SmsConversation).where(SmsConversation.number_hash == hashed))
            conv.updated_at = _now()
            round_id = _round_of(conv.heading_id) or round_before
            db.session.commit()
            texts = [message for reply in replies for message in _texts(reply)]
    except BaseException:
        db.session.rollback()
        raise
    return _send_all(number_e164, texts, round_id, received)


def _switch_language(conv: SmsConversation, words: str) -> str:
    """A language code (PT, TW...) or a word for "vote" that only one language uses (VOTER,
    GLOSUJ...) sets the conversation's language; the answer is the language to reply in."""
    if words in LANGUAGE_CODES:
        conv.language = words.lower()
    else:
        # "VOTE" is every language's keyword (the help text names it): it changes nothing
        told = {**_translated("vote"), **VOTE_WORDS}.get(words)
        if told and told != "en":
            conv.language = told
    return conv.language


def _send_all(number_e164: str, texts: list[tuple[str, int]], round_id: int | None, received) -> list[str]:
    """Send the messages and count them in the spend at their planned segments."""
    sent = [0, 0]
    try:
        for text, segments in texts:
            if send_sms(number_e164, text):
                sent[0] += 1
                sent[1] += segments
    except SmsNotSent as err:
        current_app.logger.warning("A voting reply by text could not be sent: %s", err)
    _record(round_id, sent=tuple(sent), received=received)
    return [text for text, _ in texts]


def _opt(number_e164: str, hashed: str, *, stop: bool, received) -> list[str]:
    """STOP: the confirmation goes, then nothing more until START. START: texts again."""
    try:
        conv = db.session.scalar(select(SmsConversation).where(SmsConversation.number_hash == hashed))
        language = conv.language if conv else "en"
        if conv is not None:
            _reset(conv)
        if not stop:
            db.session.execute(delete(SmsOptOut).where(SmsOptOut.number_hash == hashed))
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    with force_locale(_babel(language)):
        name = "stop" if stop else "start"
        text = render(name)
    texts = _send_all(number_e164, [(text, planned(_reply(name), text))], None, received)  # nothing goes to a number opted out
    if stop:
        try:
            if db.session.get(SmsOptOut, hashed) is None:
                db.session.add(SmsOptOut(number_hash=hashed))
            db.session.commit()
        except IntegrityError:
            db.session.rollback()  # two STOPs at once: one row is enough
        except BaseException:
            db.session.rollback()
            raise
    return texts


# -- what officers see ---------------------------------------------------------------------

@dataclass(frozen=True)
class Spend:
    messages_sent: int
    segments_sent: int
    messages_received: int
    segments_received: int
    cost: object  # Decimal pounds, at SMS_COST_PER_SEGMENT_SENT / _RECEIVED


def spend(round_: Round) -> Spend:
    """The round's voting conversations in figures: no number, no text."""
    row = db.session.scalar(select(SmsSpend).where(SmsSpend.round_id == round_.id))
    sent = (row.messages_sent, row.segments_sent) if row else (0, 0)
    received = (row.messages_received, row.segments_received) if row else (0, 0)
    config = current_app.config
    cost = (sent[1] * config["SMS_COST_PER_SEGMENT_SENT"]
            + received[1] * config["SMS_COST_PER_SEGMENT_RECEIVED"]).quantize(Decimal("0.01"))
    return Spend(sent[0], sent[1], received[0], received[1], cost)

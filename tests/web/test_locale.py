"""Money, numbers and dates in the reader's locale (pb.i18n), on the server and in the
ballot's live total (assets/js/money.js), which must write every amount exactly as the
server does."""

import html
import json
import re
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from pb import i18n
from tests.factories import add_projects, make_round

ROOT = Path(__file__).resolve().parents[2]
BABEL_CODES = [babel for babel, _name in i18n.LANGUAGES.values()]
NBSP, NNBSP = "\u00a0", "\u202f"

EXPECTED_MONEY = {  # whole pounds, always with the pound sign, placed as the locale places it
    "en_GB": "£30,000", "so": "£30,000", "yo": "£30,000", "ak": "£30,000",
    "pt": f"30{NBSP}000{NBSP}£", "es": f"30.000{NBSP}£",  # European Portuguese (pt_PT)
    "fr": f"30{NNBSP}000{NBSP}£", "pl": f"30{NBSP}000{NBSP}£",
}
EXPECTED_DATE = {
    "en_GB": "26 November 2026", "so": "26 Noofeembar 2026", "ak": "26 November 2026",
    "pt": "26 de novembro de 2026", "es": "26 de noviembre de 2026", "fr": "26 novembre 2026",
    "pl": "26 listopada 2026", "yo": "26 Oṣù Bélú 2026",
}


@pytest.mark.parametrize("code", BABEL_CODES)
def test_money_uses_the_pound_sign_where_the_locale_puts_it(code):
    assert i18n.money(30_000, code) == EXPECTED_MONEY[code]
    assert "GBP" not in i18n.money(0, code) and "£GB" not in i18n.money(0, code)
    assert i18n.money(0, code).replace(NBSP, "").strip("£") == "0"
    assert re.search(r"[.,]50\b", i18n.money(1500.5, code))  # pence only when there are pence


@pytest.mark.parametrize("code", BABEL_CODES)
def test_long_dates(code):
    assert i18n.date_long(date(2026, 11, 26), code) == EXPECTED_DATE[code]
    assert "," not in i18n.date_long(date(2026, 11, 1), code)  # no stray commas (Twi, Somali)


def test_french_first_of_the_month_and_aware_datetimes():
    assert i18n.date_long(date(2026, 11, 1), "fr") == "1er novembre 2026"
    assert i18n.date_long(date(2026, 11, 2), "fr") == "2 novembre 2026"
    # 23:30 UTC on 30 June is already 1 July in London (BST)
    assert i18n.date_long(datetime(2026, 6, 30, 23, 30, tzinfo=UTC), "en_GB") == "1 July 2026"


def test_locale_data_is_parsed_once_per_locale():
    i18n.locale.cache_clear()
    for _ in range(50):
        i18n.money(1234, "pl")
        i18n.date_long(date(2026, 1, 1), "pl")
    assert i18n.locale.cache_info().misses == 1


AMOUNTS = [0, 1, 999, 1000, 9999, 10_000, 53_500, 100_000, 1_234_567, 100_000_000, -5, -12_345]


def test_the_ballot_script_formats_like_the_server_in_every_locale():
    """assets/js/money.js, run by Node, given the spec the server renders into the page."""
    specs = {code: json.loads(i18n.money_spec(code)) for code in BABEL_CODES}
    script = (
        "import { formatMoney } from './assets/js/money.js';\n"
        f"const specs = {json.dumps(specs)}; const amounts = {json.dumps(AMOUNTS)};\n"
        "const out = {}; for (const [code, spec] of Object.entries(specs)) "
        "out[code] = amounts.map((a) => formatMoney(a, spec));\n"
        "console.log(JSON.stringify(out));\n"
    )
    result = subprocess.run(["node", "--input-type=module", "-e", script], cwd=ROOT,
                            capture_output=True, text=True, check=True)
    from_js = json.loads(result.stdout)
    for code in BABEL_CODES:
        assert from_js[code] == [i18n.money(amount, code) for amount in AMOUNTS], code


BAKED = re.compile(r"£\s?\d")


def test_no_amount_is_baked_into_a_message():
    """Amounts inside sentences are parameters formatted for the reader, never in the msgid."""
    offenders = []
    for path in list((ROOT / "pb").rglob("*.py")) + list((ROOT / "templates").rglob("*.html")):
        if "tally" in path.parts or path.name == "demo.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if BAKED.search(line) and re.search(r"_l?\(|gettext", line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offenders, "\n".join(offenders)


@pytest.mark.parametrize("lang", list(i18n.LANGUAGES))
def test_ballot_pages_show_amounts_and_dates_in_the_readers_locale(app, client, lang):
    from pb.services.rounds import last_day

    with app.app_context():
        round_ = make_round("voting", ballot_type="knapsack", budget=30_000)
        add_projects(round_.headings[0], [23_500, 6_000])
        round_id, closes = round_.id, last_day(round_, "voting")
    response = client.submit("/account/resident", {"name": "Ada", "postcode": "SW9 0AA"})
    assert response.status_code == 302
    raw = client.get(f"/vote/{round_id}?lang={lang}").get_data(as_text=True)
    body = html.unescape(raw)
    code = i18n.LANGUAGES[lang][0]
    assert i18n.money(30_000, code) in body and i18n.money(23_500, code) in body
    assert "GBP" not in body and "£GB" not in body
    assert i18n.date_long(closes, code) in body
    spec = re.search(r'data-money="([^"]+)"', raw)
    assert spec and json.loads(html.unescape(spec.group(1))) == json.loads(i18n.money_spec(code))
    round_page = html.unescape(client.get(f"/rounds/{round_id}?lang={lang}").get_data(as_text=True))
    assert i18n.money(30_000, code) in round_page and "GBP" not in round_page


def test_english_resident_pages_use_british_dates(app, client):
    with app.app_context():
        round_ = make_round("voting")
        round_id = round_.id
    body = client.get(f"/rounds/{round_id}?lang=en").get_data(as_text=True)
    assert not re.search(r"(January|February|March|April|May|June|July|August|September|October"
                         r"|November|December) \d{1,2}, \d{4}", body)
    assert re.search(r"\d{1,2} (January|February|March|April|May|June|July|August|September"
                     r"|October|November|December) \d{4}", body)


# --- Easy read: switched by a plain link, remembered in a cookie ------------------------------

@pytest.mark.parametrize("lang", list(i18n.LANGUAGES))
def test_easy_read_is_switched_on_remembered_and_off(client, lang):
    off = client.get(f"/how-to-take-part?lang={lang}").get_data(as_text=True)
    assert 'id="easy-read"' not in off and 'id="easy-read-switch"' in off
    on = client.get("/how-to-take-part?easy=1")
    assert "easy=1" in on.headers["Set-Cookie"]
    assert 'id="easy-read"' in on.get_data(as_text=True)
    home = client.get("/").get_data(as_text=True)  # remembered without the parameter
    assert 'id="easy-read"' in home and f'<html lang="{lang}"' in home
    assert 'href="/?easy=0"' in home  # the way back, on every page
    back = client.get("/?easy=0")
    assert "easy=;" in back.headers["Set-Cookie"]
    assert 'id="easy-read"' not in client.get("/").get_data(as_text=True)


def test_easy_read_keeps_the_pages_query(client):
    body = client.get("/find-your-ward?postcode=N1+9GU").get_data(as_text=True)
    assert 'href="/find-your-ward?easy=1&amp;postcode=N1+9GU"' in body


def test_accessibility_statement_has_the_govuk_sections_and_dates(client):
    body = client.get("/accessibility").get_data(as_text=True)
    for heading in ["Compliance status", "Non-accessible content", "Feedback and contact information",
                    "Preparation of this accessibility statement", "How we tested this website"]:
        assert heading in body
    assert "partially compliant" in body and "2 December 2026" in body and "@" in body
    polish = client.get("/accessibility?lang=pl").get_data(as_text=True)
    assert "2 grudnia 2026" in polish


@pytest.mark.parametrize(("lang", "written"), [("en", "12,345 people voted."), ("pl", "12\u00a0345"),
                                               ("fr", "12\u202f345"), ("es", "12.345")])
def test_counts_in_sentences_are_grouped_as_the_reader_writes_them(app, lang, written):
    """ngettext's %(num)s is the count in the reader's locale, in templates and in Python."""
    from flask import render_template_string

    from pb.i18n import ngettext
    with app.test_request_context(f"/?lang={lang}"):
        shown = render_template_string(
            '{{ ngettext("%(num)s person voted.", "%(num)s people voted.", 12345) }}')
        assert written in shown, shown
        assert written in ngettext("%(num)s person voted.", "%(num)s people voted.", 12345)


def test_no_message_formats_a_count_as_a_bare_integer():
    """%(num)d would print 12345 in every language: messages say %(num)s (see pb.i18n.ngettext)."""
    import pathlib
    root = pathlib.Path(__file__).resolve().parents[2]
    offenders = [str(path.relative_to(root)) for folder in ("pb", "templates")
                 for path in (root / folder).rglob("*") if path.suffix in (".py", ".html")
                 and "%(num)d" in path.read_text(encoding="utf-8")]
    assert not offenders, offenders

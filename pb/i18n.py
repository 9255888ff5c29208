"""Languages: which we offer, how a request picks one, and what <html lang> says.

Twi has no locale of its own in CLDR/Babel, which treats it as Akan ("ak"), so
its catalogue lives in translations/ak while URLs, cookies and <html lang>
say "tw".

English is written in British English: Babel formats it as en_GB ("26 November 2026",
"£1,500"), while URLs, cookies and <html lang> say "en". Its messages are the source
strings themselves, so there is no English catalogue.
"""

import json
import re
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from functools import cache

from babel import Locale
from babel.dates import format_date as _babel_date
from babel.numbers import NumberPattern, parse_pattern
from babel.numbers import format_decimal as _babel_decimal
from flask import g, has_request_context, request
from jinja2 import pass_context
from markupsafe import Markup

# code used in URLs and <html lang>  ->  (Babel locale, name in its own language)
LANGUAGES = {
    "en": ("en_GB", "English"),
    "pt": ("pt", "Português"),
    "so": ("so", "Soomaali"),
    "es": ("es", "Español"),
    "yo": ("yo", "Yorùbá"),
    "fr": ("fr", "Français"),
    "tw": ("ak", "Twi"),
    "pl": ("pl", "Polski"),
}
COOKIE = "lang"
BABEL_TO_CODE = {babel: code for code, (babel, _name) in LANGUAGES.items()}


def requested_language() -> str:
    """The language for this request: ?lang=, then the cookie, then Accept-Language."""
    if not has_request_context():
        return "en"  # the CLI and background work speak English
    if "lang_code" in g:
        return g.lang_code
    code = request.args.get("lang", "").lower()
    if code in LANGUAGES:
        g.lang_changed = request.cookies.get(COOKIE) != code
    else:
        code = request.cookies.get(COOKIE, "").lower()
        if code not in LANGUAGES:
            best = request.accept_languages.best_match(
                list(LANGUAGES) + [babel for babel, _ in LANGUAGES.values()]
            )
            code = BABEL_TO_CODE.get(best, best) if best else "en"
            if code not in LANGUAGES:
                code = "en"
    g.lang_code = code
    return code


def select_locale() -> str:
    return LANGUAGES[requested_language()][0]


def remember_language(response):
    """Keep a ?lang= choice in a cookie (a strictly necessary, functional cookie)."""
    if g.get("lang_changed"):
        response.set_cookie(COOKIE, g.lang_code, max_age=365 * 24 * 3600, samesite="Lax",
                            httponly=True, secure=request.is_secure)
    return response


# --- Formatting in the reader's locale --------------------------------------------------
#
# Money, numbers and dates go through Babel with the locale of the request (en_GB for
# English). Locale objects and the patterns built from them are cached per locale, so a
# page with a hundred amounts parses CLDR data once per process, not once per amount.
#
# Money always shows the pound sign "£", placed where the locale's own currency pattern
# puts its symbol: "£30,000" (en, so, yo, tw), "30.000 £" (es), "30 000 £" (pt, fr, pl). CLDR's own symbol for GBP is "GBP" in Polish and Spanish and "£GB"
# in French: correct abroad, but on a Lambeth page every amount is in pounds and residents
# know the sign from their bills. Whole pounds show no pence.
#
# Dates: the locale's long date ("26 November 2026", "26 de noviembre de 2026"), except
#   - Twi: CLDR's "ak" long date is "1, Obubuo, 2026": stray commas and the traditional
#     month names that many Twi speakers in the UK (and in Ghana's written, official usage)
#     do not use for calendar dates. Twi pages show the day, the English month name and the
#     year, "26 November 2026", as residents see on letters from the council.
#   - French: the first of the month is "1er novembre 2026".
#   - Somali: CLDR's long date is US-ordered ("Noofeembar 26, 2026"); Somali pages use
#     day month year like every other page ("26 Noofeembar 2026").


# Portuguese pages are European Portuguese (translations/README.md): Babel's "pt" is Brazilian,
# which writes "£ 30.000"; Portugal writes "30 000 £".
_FORMAT_LOCALES = {"pt": "pt_PT"}


@cache
def locale(babel_code: str) -> Locale:
    return Locale.parse(_FORMAT_LOCALES.get(babel_code, babel_code))


def current_babel_code() -> str:
    return LANGUAGES[requested_language()][0]


def _whole(value) -> bool:
    return value == int(value)


@cache
def money_patterns(babel_code: str) -> tuple[NumberPattern, NumberPattern]:
    """(whole pounds, pounds and pence) number patterns with "£" in the locale's place,
    parsed once (Babel would parse a pattern string on every call)."""
    standard = locale(babel_code).currency_formats["standard"].pattern.split(";")[0]
    with_pence = standard.replace("\u00a4", "£")
    whole = re.sub(r"0\.0+", "0", with_pence)
    return parse_pattern(whole), parse_pattern(with_pence)


@cache
def money_spec(babel_code: str) -> str:
    """What the ballot's script needs to write whole pounds exactly as money() does, as JSON
    (rendered into a data attribute; see assets/js/money.js)."""
    pattern, _ = money_patterns(babel_code)
    symbols = locale(babel_code).number_symbols["latn"]
    return json.dumps({
        "prefix": pattern.prefix[0], "suffix": pattern.suffix[0],
        "negativePrefix": pattern.prefix[1], "negativeSuffix": pattern.suffix[1],
        "group": symbols["group"], "size": pattern.grouping[0],
    }, ensure_ascii=False)


def money(value, babel_code: str | None = None) -> str:
    """Pounds in the reader's locale: "£1,500" or "£1,500.50" in English, "1 500 £" in Polish."""
    code = babel_code or current_babel_code()
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    whole, with_pence = money_patterns(code)
    if _whole(value):
        return _babel_decimal(int(value), format=whole, locale=locale(code))
    return _babel_decimal(Decimal(str(value)).quantize(Decimal("0.01")), format=with_pence,
                          locale=locale(code), decimal_quantization=True)


def number(value, babel_code: str | None = None) -> str:
    return _babel_decimal(value, locale=locale(babel_code or current_babel_code()))


def decimal(value, pattern: str, babel_code: str | None = None) -> str:
    return _babel_decimal(value, format=pattern, locale=locale(babel_code or current_babel_code()))


@cache
def _percent_pattern(babel_code: str, digits: int) -> NumberPattern:
    pattern = locale(babel_code).percent_formats[None].pattern
    if digits:
        pattern = pattern.replace("#,##0", "#,##0." + "0" * digits, 1)
    return parse_pattern(pattern)


def percent(value, digits: int = 0, babel_code: str | None = None) -> str:
    code = babel_code or current_babel_code()
    return _babel_decimal(value, format=_percent_pattern(code, digits), locale=locale(code))


# day-month-year patterns where CLDR's long date does not suit (see above)
_DATE_PATTERNS = {"ak": ("d MMMM y", "en_GB"), "so": ("d MMMM y", "so")}


def date_long(value, babel_code: str | None = None) -> str:
    """A date in the reader's language: "26 November 2026" in English (en_GB)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date() if value.tzinfo is None else _london(value)
    code = babel_code or current_babel_code()
    pattern, data_locale = _DATE_PATTERNS.get(code, ("long", code))
    if code == "fr" and value.day == 1:
        pattern = "d'er' MMMM y"
    return _babel_date(value, format=pattern, locale=locale(data_locale))


def _london(moment: datetime) -> date:
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo("Europe/London")).date()


class lazy_money:  # noqa: N801 - used like a function, in messages
    """An amount that formats itself when its message is rendered, so a message built at
    import time (a form's validator) still shows the reader's locale:
    ``_l("Enter a cost between %(min)s and %(max)s", min=lazy_money(1), max=...)``."""

    def __init__(self, value):
        self.value = value

    def __str__(self) -> str:
        return money(self.value)

    __html__ = __str__


class lazy_date:  # noqa: N801
    """A date that formats itself in the reader's locale when its message is rendered."""

    def __init__(self, value):
        self.value = value

    def __str__(self) -> str:
        return date_long(self.value)

    __html__ = __str__


@pass_context
def jinja_ngettext(context, singular: str, plural: str, num, **variables):
    """Templates' ngettext: as Jinja's own (the translation chosen by num, autoescaped), but
    %(num)s is the count written in the reader's locale ("30,000" in English, "30 000" in
    Polish), where Jinja would give the bare integer. Messages say %(num)s, never %(num)s."""
    from flask_babel import get_translations

    variables.setdefault("num", number(num))
    text = get_translations().ungettext(singular, plural, num)
    if context.eval_ctx.autoescape:
        text = Markup(text)
    return text % variables


def ngettext(singular: str, plural: str, num, **variables) -> str:
    """Python's ngettext with the count in the reader's locale (see jinja_ngettext)."""
    from flask_babel import get_translations

    variables.setdefault("num", number(num))
    return get_translations().ungettext(singular, plural, num) % variables

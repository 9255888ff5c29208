"""Small things templates need: language-switch URLs and number formatting."""

from urllib.parse import urlencode

from flask import request

from pb import i18n


def url_with_lang(code: str) -> str:
    args = request.args.copy()
    args["lang"] = code
    return request.path + "?" + urlencode(sorted(args.items(multi=True)))


def money(value) -> str:
    """Pounds in the reader's locale (pb.i18n.money): £1,500 in English, 1 500 £ in Polish."""
    return i18n.money(value)


def number(value) -> str:
    return i18n.number(value)


def percent(value, digits: int = 0) -> str:
    return i18n.percent(value, digits)


def dateformat(value) -> str:
    """A date in the reader's language: "26 November 2026" in English (en_GB)."""
    return i18n.date_long(value)


def money_spec() -> str:
    """JSON for assets/js/money.js, so the ballot's live total reads like the server's."""
    return i18n.money_spec(i18n.current_babel_code())


FILTERS = {"money": money, "number": number, "percent": percent, "dateformat": dateformat}

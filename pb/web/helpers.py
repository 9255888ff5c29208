"""Small things templates need: language-switch URLs and number formatting."""

from decimal import Decimal
from fractions import Fraction
from urllib.parse import urlencode

from flask import request
from flask_babel import format_currency, format_date, format_decimal, format_percent


def url_with_lang(code: str) -> str:
    args = request.args.copy()
    args["lang"] = code
    return request.path + "?" + urlencode(sorted(args.items(multi=True)))


def money(value) -> str:
    """Pounds in the reader's locale: £1,500, or £1,500.50 when there are pence."""
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    if value == int(value):
        return format_currency(value, "GBP", format="¤#,##0", currency_digits=False)
    return format_currency(value, "GBP")


def number(value) -> str:
    return format_decimal(value)


def percent(value, digits: int = 0) -> str:
    return format_percent(value, format="#,##0" + ("." + "0" * digits if digits else "") + "%")


def dateformat(value) -> str:
    """A date in the reader's language: "26 November 2026" in English (en_GB)."""
    return format_date(value, format="long")


FILTERS = {"money": money, "number": number, "percent": percent, "dateformat": dateformat}

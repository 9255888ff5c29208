"""Exact rational numbers for the tally.

Every cost, budget, weight, point and ratio in a count is an exact rational, because a tie
test on floats could go either way and flip an outcome. We use gmpy2's ``mpq`` when it is
installed (several times faster) and :class:`fractions.Fraction` otherwise; both give the same
answers. Public results are always handed back as :class:`fractions.Fraction`.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

try:  # pragma: no cover - which branch runs depends on the environment
    from gmpy2 import mpq as _mpq

    BACKEND = "gmpy2"
except ImportError:  # pragma: no cover
    _mpq = Fraction
    BACKEND = "fraction"

Q = _mpq
"""The internal rational type: ``gmpy2.mpq`` if available, else ``Fraction``."""


def use_backend(name: str) -> None:
    """Switch the internal rational type ("gmpy2" or "fraction"); used by tests and benchmarks."""
    global Q, BACKEND
    if name == "fraction":
        Q, BACKEND = Fraction, "fraction"
    elif name == "gmpy2":
        from gmpy2 import mpq

        Q, BACKEND = mpq, "gmpy2"
    else:
        raise ValueError(f"unknown number backend {name!r}")


MAX_EXPONENT = 4000
"""Decimal strings with an exponent beyond this (``1e999999999``) are refused: exact arithmetic
on a number with that many digits would take forever, and no cost or budget needs it."""


def rational(value) -> Fraction:
    """Turn an int, Fraction, Decimal, mpq or decimal string ("2828094.61", "1,5") into a Fraction.

    Floats are refused: a float such as 0.1 is not the number the council wrote down. Anything
    that is not a finite number of reasonable size raises ``TypeError`` or ``ValueError`` (never
    ``decimal.InvalidOperation``, ``OverflowError`` or ``AttributeError``).
    """
    if isinstance(value, bool):
        raise TypeError("a boolean is not a number")
    if isinstance(value, int | Fraction):
        return Fraction(value)
    if isinstance(value, Decimal):
        return _from_decimal(value)
    if isinstance(value, str):
        text = value.strip().replace(",", ".")
        if not text:
            raise ValueError("empty number")
        if "/" in text:
            try:
                return Fraction(text)
            except ZeroDivisionError:
                raise ValueError(f"not a number: {value[:40]!r}") from None
        try:
            number = Decimal(text)
        except (ArithmeticError, ValueError):
            raise ValueError(f"not a number: {value[:40]!r}") from None
        return _from_decimal(number)
    if isinstance(value, float):
        raise TypeError("use an int, Fraction or decimal string, not a float")
    # gmpy2.mpq and other rationals with numerator/denominator
    try:
        numerator, denominator = value.numerator, value.denominator
    except AttributeError:
        raise TypeError(f"not a number: {type(value).__name__}") from None
    return Fraction(int(numerator), int(denominator))


def _from_decimal(number: Decimal) -> Fraction:
    if not number.is_finite():
        raise ValueError(f"not a finite number: {number}")
    if abs(number.as_tuple().exponent) > MAX_EXPONENT:
        raise ValueError("number out of range")
    return Fraction(number)


def to_q(value):
    """Convert a Fraction (or int) to the internal rational type."""
    value = Fraction(value)
    return Q(value.numerator, value.denominator)


def to_fraction(value) -> Fraction:
    """Convert an internal rational (or int) back to a Fraction."""
    kind = type(value)
    if kind is Fraction:
        return value
    if kind is int:
        return Fraction(value)
    return Fraction(int(value.numerator), int(value.denominator))


def decimal_text(value) -> str:
    """Write a rational as a plain decimal ("400000", "2828094.61").

    Raises ValueError if it has no finite decimal expansion (e.g. 1/3).
    """
    value = Fraction(value)
    if value.denominator == 1:
        return str(value.numerator)
    den = value.denominator
    twos = fives = 0
    while den % 2 == 0:
        den //= 2
        twos += 1
    while den % 5 == 0:
        den //= 5
        fives += 1
    if den != 1:
        raise ValueError(f"{value} has no finite decimal form")
    places = max(twos, fives)
    scaled = value * 10**places
    sign = "-" if scaled < 0 else ""
    digits = str(abs(scaled.numerator)).rjust(places + 1, "0")
    text = f"{digits[:-places]}.{digits[-places:]}".rstrip("0").rstrip(".")
    return sign + text


def plain_number(value):
    """An int when whole, else a Decimal (exact when possible): for JSON and message params."""
    value = Fraction(value)
    if value.denominator == 1:
        return value.numerator
    try:
        return Decimal(decimal_text(value))
    except ValueError:
        return Decimal(value.numerator) / Decimal(value.denominator)

"""How many SMS segments a text costs: pure, no Flask.

A text message is sent in GSM-7 when every character is in the GSM 03.38 alphabet (its basic
set, plus the extension set whose characters take two places), otherwise in UCS-2 (UTF-16,
so a character outside the Basic Multilingual Plane takes two places). One segment holds 160
GSM-7 places or 70 UCS-2 places; a longer text is split into segments of 153 or 67, the rest
being the header that joins them again on the phone. Providers (GOV.UK Notify among them)
charge per segment.

``tidy`` swaps the typography our formatters and translators use (no-break and thin
spaces, curly quotes, dashes, the ellipsis) for plain GSM-7 look-alikes first, so that a
French "2 000 £" with a narrow no-break space does not make a whole reply UCS-2 and cost
three times as much.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from math import ceil

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")  # each takes two places (escape + character)

SINGLE = {"gsm7": 160, "ucs2": 70}
CONCATENATED = {"gsm7": 153, "ucs2": 67}

_TIDY = str.maketrans({
    "\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2007": " ", "\u2002": " ", "\u2003": " ",
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u02bc": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-",
    "\u2026": "...",
    "\u200b": None, "\u200e": None, "\u200f": None, "\u2060": None, "\ufeff": None,
})


@dataclass(frozen=True)
class Measure:
    encoding: str  # "gsm7" or "ucs2"
    units: int  # GSM-7 places (septets) or UTF-16 code units
    segments: int


_SURROGATE = re.compile("[\ud800-\udfff]")


def without_surrogates(text: str) -> str:
    """A lone UTF-16 surrogate (JSON may carry "\\ud800") swapped for U+FFFD, the
    replacement character: it is no character, and nothing can encode it."""
    return _SURROGATE.sub("\ufffd", text)


def tidy(text: str) -> str:
    """Typographic characters swapped for their plain GSM-7 look-alikes."""
    return text.translate(_TIDY)


def is_gsm7(text: str) -> bool:
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text)


def measure(text: str) -> Measure:
    """The encoding a phone network would use for ``text``, its length in that encoding, and
    how many segments it is billed as (an empty text is still one)."""
    if is_gsm7(text):
        encoding = "gsm7"
        units = sum(2 if ch in GSM7_EXTENSION else 1 for ch in text)
    else:
        encoding = "ucs2"
        # "surrogatepass": a lone surrogate is one UCS-2 place, not an error
        units = len(text.encode("utf-16-le", "surrogatepass")) // 2
    return Measure(encoding, units, segments_for(encoding, units))


def segments_for(encoding: str, units: int) -> int:
    if units <= SINGLE[encoding]:
        return 1
    return ceil(units / CONCATENATED[encoding])


def capacity(encoding: str, segments: int) -> int:
    """How many places fit in ``segments`` segments."""
    return SINGLE[encoding] if segments == 1 else CONCATENATED[encoding] * segments


def shorten(text: str, segments: int, ellipsis: str = "...") -> str:
    """``text`` cut (at a space when one is near) so it fits in ``segments`` segments."""
    if measure(text).segments <= segments:
        return text
    low, high = 0, len(text)
    while low < high:  # the longest prefix that fits with the ellipsis
        mid = (low + high + 1) // 2
        if measure(text[:mid].rstrip() + ellipsis).segments <= segments:
            low = mid
        else:
            high = mid - 1
    cut = text[:low]
    space = cut.rfind(" ")
    if space > low * 3 // 4:
        cut = cut[:space]
    return cut.rstrip() + ellipsis


def fits(text: str, budget: tuple[int, int]) -> bool:
    """Whether ``text`` is within ``budget``: (segments if GSM-7, segments if UCS-2)."""
    found = measure(text)
    return found.segments <= (budget[0] if found.encoding == "gsm7" else budget[1])


def pack(header: str, lines: list[str], budget: tuple[int, int]) -> list[str]:
    """``header`` then ``lines``, one per line, in as few messages as possible, each within
    ``budget`` (segments in GSM-7, segments in UCS-2). A line too long for a message of its
    own is shortened."""
    messages: list[str] = []
    current = header
    for line in lines:
        line = shorten(line, budget[0] if is_gsm7(line) else budget[1])
        candidate = f"{current}\n{line}" if current else line
        if fits(candidate, budget):
            current = candidate
            continue
        if current:
            messages.append(current)
        current = line
    if current:
        messages.append(current)
    return messages

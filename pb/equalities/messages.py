"""Message ids for the equalities check.

The core never translates: it hands English msgids (and their parameters) to the
edge, which translates them with Flask-Babel's gettext. ``N_`` only marks a
string for extraction (``pybabel extract -k N_``); it returns it unchanged.
"""


def N_(s: str) -> str:  # noqa: N802 - the conventional gettext marker name
    return s

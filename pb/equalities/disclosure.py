"""Disclosure control for every figure the check shows.

Rules (applied per *group*: a set of cells that add up to a published total, such as one
characteristic's categories plus its non-response row, adding up to everyone who took part):

1. **Primary suppression.** A cell counting fewer than ``THRESHOLD`` (10) people is withheld.
   A total under 10 is withheld with all its cells.
2. **Secondary (complementary) suppression.** If a group has withheld cells, more are
   withheld, smallest first, until at least two are withheld *and* the withheld cells add
   up to at least 10. So a reader who subtracts the shown cells from the total learns only
   the sum of two or more withheld cells, and that sum is at least 10: they cannot tell
   any one withheld cell, nor even that it is small. (Non-response is chosen last, so
   withheld non-response is always a small one and the share base barely moves.)
3. **Rounding.** Every shown count and total is rounded to the nearest 5 (halves up), so
   small changes between releases during voting do not reveal individual participants.
4. **Derived figures.** Shares, ratios, intervals and tests are computed only from the
   published (rounded) figures, and not at all for a withheld cell; a chi-square test is
   shown only when none of its categories is withheld.

The suppression pattern protects without relying on rounding: it holds even against a
reader who knew the exact values of every shown cell and total (as they do for a project's
official vote count).
"""

import math
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

THRESHOLD = 10
ROUNDING_BASE = 5


def round_to_base(value: float, base: int = ROUNDING_BASE) -> int:
    """Round to the nearest multiple of ``base``, halves up (12.5 -> 15)."""
    return int(math.floor(value / base + 0.5)) * base


@dataclass(frozen=True)
class ProtectedGroup:
    shown: dict  # key -> published (rounded) count, or None where withheld
    total: int | None  # published (rounded) total, or None where withheld
    withheld: frozenset  # keys of withheld cells (primary and secondary alike)

    def is_shown(self, key: Hashable) -> bool:
        return self.shown.get(key) is not None


def withheld_cells(
    cells: Mapping[Hashable, int],
    threshold: int = THRESHOLD,
    last_resort: Iterable[Hashable] = (),
) -> set:
    """Which cells to withhold (primary and secondary) for a group adding up to its total."""
    total = sum(cells.values())
    if total < threshold:
        return set(cells)
    hidden = {k for k, v in cells.items() if v < threshold}
    if not hidden:
        return hidden
    order = {k: i for i, k in enumerate(cells)}
    late = set(last_resort)
    while len(hidden) < 2 or sum(cells[k] for k in hidden) < threshold:
        candidates = [k for k in cells if k not in hidden]
        if not candidates:
            break
        hidden.add(min(candidates, key=lambda k: (k in late, cells[k], order[k])))
    return hidden


def protect(
    cells: Mapping[Hashable, int],
    threshold: int = THRESHOLD,
    base: int = ROUNDING_BASE,
    last_resort: Iterable[Hashable] = (),
) -> ProtectedGroup:
    """Suppress and round one group of cells whose published total is their sum."""
    hidden = withheld_cells(cells, threshold, last_resort)
    total = sum(cells.values())
    shown = {k: None if k in hidden else round_to_base(v, base) for k, v in cells.items()}
    published_total = round_to_base(total, base) if total >= threshold else None
    return ProtectedGroup(shown, published_total, frozenset(hidden))


def protect_figure(value: float, people: int, threshold: int = THRESHOLD,
                   base: int = ROUNDING_BASE) -> int | None:
    """A single figure (e.g. a weighted count) resting on ``people``: rounded, or withheld."""
    if people < threshold:
        return None
    return round_to_base(value, base)

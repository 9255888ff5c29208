"""Participants' monitoring answers as a compact integer matrix.

One row per participant, one column per characteristic (in ``CHARACTERISTICS`` order);
each cell is the index of the answer's category, or -1 for non-response (no answer or
"Prefer not to say"). Counting, raking and the per-project breakdowns all work on it.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from pb.equalities.characteristics import (
    CHARACTERISTICS,
    NON_RESPONSE,
    PREFER_NOT_TO_SAY,
    Characteristic,
)

_COLUMN = {ch.key: i for i, ch in enumerate(CHARACTERISTICS)}
_CODES = [
    {**{cat.key: j for j, cat in enumerate(ch.categories)}, None: -1, "": -1, PREFER_NOT_TO_SAY: -1}
    for ch in CHARACTERISTICS
]


class UnknownAnswer(ValueError):
    """An answer that is not one of the question's categories."""


@dataclass(frozen=True)
class Responses:
    codes: np.ndarray  # shape (participants, characteristics), int16

    @classmethod
    def from_answers(cls, answers: Iterable[Mapping[str, str | None]]) -> "Responses":
        answers = answers if isinstance(answers, list) else list(answers)
        codes = np.empty((len(answers), len(CHARACTERISTICS)), dtype=np.int16)
        for j, ch in enumerate(CHARACTERISTICS):
            lookup, key = _CODES[j], ch.key
            try:
                codes[:, j] = [lookup[a.get(key)] for a in answers]
            except KeyError as error:
                raise UnknownAnswer(f"unknown answer {error.args[0]!r} to {key!r}") from None
        return cls(codes)

    def __len__(self) -> int:
        return self.codes.shape[0]

    def column(self, characteristic: Characteristic) -> np.ndarray:
        return self.codes[:, _COLUMN[characteristic.key]]

    def subset(self, mask_or_index) -> "Responses":
        return Responses(self.codes[mask_or_index])

    def counts(self, characteristic: Characteristic, weights=None) -> dict[str, float]:
        """Participants per category and NON_RESPONSE (weighted sums if weights are given)."""
        column = self.column(characteristic)
        k = len(characteristic.categories)
        tallies = np.bincount(column + 1, weights=weights, minlength=k + 1)
        as_number = int if weights is None else float
        counts = {cat.key: as_number(tallies[j + 1]) for j, cat in enumerate(characteristic.categories)}
        counts[NON_RESPONSE] = as_number(tallies[0])
        return counts

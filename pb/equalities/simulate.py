"""Synthetic rounds for tests, the benchmark and demonstrations: never for real results.

Participants are drawn characteristic by characteristic from a ward's census shares
(independently, which real people are not), optionally *tilted* so some groups take part
more, with a share of non-response. Each casts an approval ballot: people in the
"backing" group (by default older home owners) favour one set of projects, everyone else
another.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from pb.equalities.characteristics import CHARACTERISTICS, PREFER_NOT_TO_SAY

OLDER = ("50_64", "65_74", "75_plus")

# A small ward budget: the "heritage" projects appeal to older home owners, the
# "youth" projects to everyone else.
PROJECTS = {
    "bowls": 20_000, "benches": 15_000, "parking": 18_000,
    "youth-club": 22_000, "football": 16_000, "study-space": 14_000,
    "trees": 9_000, "lights": 8_000,
}
BUDGET = 60_000
HERITAGE = ("bowls", "benches", "parking")
YOUTH = ("youth-club", "football", "study-space")


@dataclass(frozen=True)
class Tilt:
    """Multiply some categories' census shares (then renormalise) to skew who takes part."""

    factors: Mapping[str, Mapping[str, float]] = field(default_factory=dict)


OLDER_OWNERS = Tilt({
    "age": {"16_24": 0.35, "25_34": 0.5, "50_64": 2.0, "65_74": 3.0, "75_plus": 3.0},
    "tenure": {"own": 2.5, "social_rent": 0.6, "private_rent": 0.4},
})


def draw_answers(
    margins: Mapping[str, Mapping[str, int]],
    n: int,
    rng: np.random.Generator,
    tilt: Tilt = Tilt(),
    non_response: float = 0.05,
) -> list[dict[str, str]]:
    """``n`` participants' monitoring answers drawn from census ``margins``."""
    columns = {}
    for ch in CHARACTERISTICS:
        if ch.key not in margins:
            continue
        shares = np.array([margins[ch.key][k] * tilt.factors.get(ch.key, {}).get(k, 1.0)
                           for k in ch.category_keys], dtype=float)
        shares /= shares.sum()
        picks = np.asarray(ch.category_keys, dtype=object)[rng.choice(len(shares), n, p=shares)]
        picks[rng.random(n) < non_response] = PREFER_NOT_TO_SAY
        columns[ch.key] = picks
    return [{key: str(column[i]) for key, column in columns.items()} for i in range(n)]


def backs_heritage(answers: Mapping[str, str]) -> bool:
    return answers.get("age") in OLDER and answers.get("tenure") == "own"


def draw_choices(answers: list[Mapping[str, str]], rng: np.random.Generator) -> list[list[str]]:
    """Approval ballots: heritage projects for older owners, youth projects for the rest."""
    ids = list(PROJECTS)
    heritage = np.array([p in HERITAGE for p in ids])
    youth = np.array([p in YOUTH for p in ids])
    older_owner = np.array([backs_heritage(a) for a in answers])
    p = np.where(older_owner[:, None],
                 np.where(heritage, 0.9, np.where(youth, 0.1, 0.3)),
                 np.where(heritage, 0.15, np.where(youth, 0.45, 0.3)))
    approve = rng.random(p.shape) < p
    return [[ids[j] for j in np.flatnonzero(row)] for row in approve]


def synthetic_election(answers, rng: np.random.Generator):
    """A ``pb.tally`` Election for the synthetic participants, ballots in ``answers`` order."""
    from pb.tally import Ballot, BallotRules, Election, Project

    projects = [Project(pid, cost) for pid, cost in PROJECTS.items()]
    ballots = [Ballot(choices) for choices in draw_choices(answers, rng)]
    return Election(BUDGET, projects, ballots, BallotRules("approval"))

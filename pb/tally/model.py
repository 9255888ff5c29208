"""Plain data for an election: projects, ballots, ballot rules and the election itself."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from .exact import rational

BALLOT_KINDS = ("approval", "knapsack", "cumulative", "ranked", "scoring")
"""approval/knapsack: a set of project ids; ranked: ids in order; cumulative/scoring: id -> points."""


class TallyError(ValueError):
    """Something about an election makes it impossible to count (a domain error, not a resident's)."""


@dataclass(frozen=True)
class Project:
    """A proposal on the ballot. ``id`` is its identity; ties are broken on it as a string."""

    id: str
    cost: Fraction | int
    name: str = ""
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self):
        object.__setattr__(self, "id", str(self.id))
        cost = rational(self.cost)
        if cost < 0:
            raise TallyError(f"project {self.id} has a negative cost")
        object.__setattr__(self, "cost", cost)

    @property
    def label(self) -> str:
        return self.name or self.id


ONE = Fraction(1)  # the usual ballot weight, shared: a Fraction is immutable


@dataclass(frozen=True, eq=False)
class Ballot:
    """One resident's ballot, or ``weight`` identical ballots.

    ``choices``: for approval/knapsack a collection of project ids; for ranked a sequence of ids,
    most preferred first; for cumulative/scoring a mapping id -> points.
    ``weight``: a non-negative rational; a ballot of weight w counts as w voters.
    ``voter``: optional data about the voter (e.g. Pabulib's voter_id, age, sex, voting_method).
    """

    choices: Any
    weight: Fraction | int = 1
    voter: dict | None = None

    def __post_init__(self):
        if self.weight == 1 and type(self.weight) is int:  # the usual ballot, kept quick
            object.__setattr__(self, "weight", ONE)
            return
        weight = rational(self.weight)
        if weight < 0:
            raise TallyError("a ballot weight cannot be negative")
        object.__setattr__(self, "weight", weight)


@dataclass(frozen=True)
class BallotRules:
    """What a valid ballot looks like.

    - approval: choose between ``min_choices`` and ``max_choices`` projects;
    - knapsack: approval whose total cost must fit the budget, and reach ``min_spend_share`` of it;
    - cumulative: spread up to ``points`` points (whole numbers) over projects;
    - ranked: rank up to ``max_ranks`` projects in order;
    - scoring: give each chosen project between 0 and ``points`` points.
    """

    kind: str
    min_choices: int | None = None
    max_choices: int | None = None
    min_spend_share: Fraction | None = None
    points: int | None = None
    max_ranks: int | None = None

    def __post_init__(self):
        if self.kind not in BALLOT_KINDS:
            raise TallyError(f"unknown ballot kind {self.kind!r}; use one of {BALLOT_KINDS}")
        if self.min_spend_share is not None:
            object.__setattr__(self, "min_spend_share", rational(self.min_spend_share))
        if self.kind == "cumulative" and self.points is None:
            raise TallyError("cumulative ballots need a number of points")

    @property
    def is_approval(self) -> bool:
        return self.kind in ("approval", "knapsack")


@dataclass(eq=False)
class Election:
    """A budget, the projects, the ballots cast and the rules they were cast under."""

    budget: Fraction | int
    projects: list[Project] | Mapping[str, Project]
    ballots: list[Ballot]
    rules: BallotRules
    meta: dict = field(default_factory=dict)

    def __post_init__(self):
        self.budget = rational(self.budget)
        if self.budget < 0:
            raise TallyError("the budget cannot be negative")
        items = self.projects.values() if isinstance(self.projects, Mapping) else self.projects
        by_id: dict[str, Project] = {}
        for project in items:
            if project.id in by_id:
                raise TallyError(f"project id {project.id} appears twice")
            by_id[project.id] = project
        self.projects = list(by_id.values())
        self._by_id = by_id
        self.ballots = list(self.ballots)

    def project(self, project_id: str) -> Project:
        return self._by_id[project_id]

    @property
    def project_ids(self) -> list[str]:
        return [p.id for p in self.projects]

    @property
    def total_weight(self) -> Fraction:
        return sum((b.weight for b in self.ballots), Fraction(0))

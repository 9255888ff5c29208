"""Utilitarian greedy: fund projects in order of satisfaction per pound, skipping any that no longer fit.

Same as pabutools' ``greedy_utilitarian_welfare`` (additive path): the order is by
``density = total satisfaction / cost`` (with cost utilities for approval ballots that is simply
the number of supporters), highest first, ties by the tie-breaking rule. A project with support
and no cost comes first; a project with no (or negative) total satisfaction has density 0 and is
still funded at the end if it fits, as pabutools does.
"""

from __future__ import annotations

from dataclasses import dataclass

from .profile import Profile


@dataclass
class GreedyRun:
    selected: list[int]
    budget_left_when_considered: dict[int, object]  # project index -> money left when reached
    left: object  # money left at the end


def greedy_order(profile: Profile, candidates) -> list[int]:
    def key(j):
        total, cost = profile.total_sat[j], profile.cost[j]
        if total > 0:
            if cost > 0:
                return (1, -(total / cost), profile.tie_key[j])
            return (0, 0, profile.tie_key[j])  # infinite density
        return (1, 0, profile.tie_key[j])

    return sorted(candidates, key=key)


def run_greedy(profile: Profile, already: list[int] = ()) -> GreedyRun:
    """Greedy from an initial selection ``already`` (empty for the plain rule)."""
    chosen = set(already)
    left = profile.budget - sum((profile.cost[j] for j in already), 0)
    selected: list[int] = []
    seen = {}
    for j in greedy_order(profile, [j for j in range(len(profile.ids)) if j not in chosen]):
        seen[j] = left
        if profile.cost[j] <= left:
            selected.append(j)
            left -= profile.cost[j]
    return GreedyRun(selected, seen, left)

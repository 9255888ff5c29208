"""Tie-breaking: the one place that decides between projects the rule itself cannot separate.

A tie happens when two projects have exactly the same standing: the same supporters per pound
under ``greedy``, or exactly the same price per unit of satisfaction under Equal Shares. The
tie-breaking rule orders the tied projects, and the first one wins.

- ``"lexico"`` (default, as in pabutools): the smaller project id wins, compared as a *string*,
  so "10" comes before "9" and "L010" before "L014". Give ids a fixed width if that matters.
- ``"most_supporters"``: the project on more ballots wins (weights counted); then the smaller id.
- ``"lowest_cost"``: the cheaper project wins; then the smaller id.

"Supporters" of a project are the ballots that include it: approve it, rank it, or give it
more than 0 points.
"""

from __future__ import annotations

TIE_BREAKING_RULES = ("lexico", "most_supporters", "lowest_cost")


def tie_keys(rule: str, ids, supporters, costs) -> list:
    """A sort key per project (smaller wins), for projects given as parallel lists."""
    if rule == "lexico":
        return list(ids)
    if rule == "most_supporters":
        return [(-s, i) for i, s in zip(ids, supporters, strict=True)]
    if rule == "lowest_cost":
        return [(c, i) for i, c in zip(ids, costs, strict=True)]
    raise ValueError(f"unknown tie-breaking rule {rule!r}; use one of {TIE_BREAKING_RULES}")

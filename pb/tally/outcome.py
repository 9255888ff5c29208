"""The result of a count, with a plain-data explanation for every project.

Results pages and open data show these, so everything is a dataclass of numbers, strings and
machine codes. Money and weights are ``Fraction``s; ``Outcome.to_dict()`` gives JSON-ready data.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from fractions import Fraction

from .exact import plain_number

# Why a project was funded
FUNDED_GREEDY = "funded_greedy"  # greedy: funded from the common pot in order of support
FUNDED_EQUAL_SHARES = "funded_equal_shares"  # Equal Shares: its supporters paid for it
FUNDED_LEFTOVER = "funded_from_leftover"  # mes-add1: money Equal Shares left was spent by greedy
# Why a project was not funded
NO_SUPPORT = "no_support"  # nobody supported it, so Equal Shares never considered it
SUPPORTERS_COULD_NOT_AFFORD = "supporters_could_not_afford"  # its supporters had too little left
DID_NOT_FIT = "did_not_fit"  # greedy: it cost more than the money left when its turn came

FUNDED_CODES = (FUNDED_GREEDY, FUNDED_EQUAL_SHARES, FUNDED_LEFTOVER)
UNFUNDED_CODES = (NO_SUPPORT, SUPPORTERS_COULD_NOT_AFFORD, DID_NOT_FIT)


@dataclass(frozen=True)
class SupporterPayment:
    """A group of a project's supporters and what they paid for it (Equal Shares).

    Supporters who could afford it paid the price times their satisfaction, the same amount
    ``each`` (one group per amount); those who could not paid all they had left, amounts that
    differ, so they are one group with ``each`` None. ``total`` is what the group paid together.
    """

    voters: Fraction  # how many supporters (ballot weights summed)
    each: Fraction | None  # what each of them paid; None for those who paid all they had
    paid_all_they_had: bool  # True if this was all the money they had left
    total: Fraction  # what they paid together


@dataclass(frozen=True)
class Explanation:
    project_id: str
    cost: Fraction
    funded: bool
    code: str  # one of FUNDED_CODES or UNFUNDED_CODES
    supporters: Fraction  # ballots (weights summed) that approve, rank or give points to it
    score: Fraction  # total satisfaction: supporters (approval), points, or Borda points (ranked)
    position: int | None = None  # 1 = funded first
    payments: tuple[SupporterPayment, ...] = ()  # Equal Shares: who paid what
    price: Fraction | None = None  # Equal Shares: paid per unit of satisfaction ("rho")
    budget_left: Fraction | None = None  # greedy: money left in the pot when its turn came
    supporters_money_left: Fraction | None = None  # Equal Shares: its supporters' money at the end


@dataclass
class Outcome:
    rule: str
    selected: list[str]  # project ids, in the order they were funded
    spent: Fraction
    budget: Fraction
    explanations: dict[str, Explanation]
    tie_breaking: str = "lexico"
    equal_share: Fraction | None = None  # MES rules: starting money per voter, budget / voters
    final_share: Fraction | None = None  # mes-add1: money per voter of the level that was used
    details: dict = field(default_factory=dict)  # e.g. add1 levels tried

    @property
    def left_over(self) -> Fraction:
        return self.budget - self.spent

    def to_dict(self) -> dict:
        """JSON-ready: numbers become ints or Decimals (exact), see ``exact.plain_number``."""
        return _plain(asdict(self))


def _plain(value):
    if isinstance(value, Fraction):
        return plain_number(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value

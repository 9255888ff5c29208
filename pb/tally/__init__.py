"""The tally engine: ballots, validation, counting rules, explanations and Pabulib files.

Pure Python (no Flask, no database): views, the CLI, the SMS channel and tests all call this.
See ``rules.py`` for the rules, ``tiebreak.py`` for tie-breaking, ``validation.py`` for ballots.
"""

from .exact import rational
from .messages import MONEY_PARAMS, N_
from .model import BALLOT_KINDS, Ballot, BallotRules, Election, Project, TallyError
from .outcome import (
    DID_NOT_FIT,
    FUNDED_EQUAL_SHARES,
    FUNDED_GREEDY,
    FUNDED_LEFTOVER,
    NO_SUPPORT,
    SUPPORTERS_COULD_NOT_AFFORD,
    Explanation,
    Outcome,
    SupporterPayment,
)
from .pabulib import read_pabulib, write_pabulib
from .rules import RULES, count
from .tiebreak import TIE_BREAKING_RULES
from .validation import Problem, validate_ballot

__all__ = [
    "BALLOT_KINDS", "DID_NOT_FIT", "FUNDED_EQUAL_SHARES", "FUNDED_GREEDY", "FUNDED_LEFTOVER",
    "MONEY_PARAMS", "NO_SUPPORT", "N_", "RULES", "SUPPORTERS_COULD_NOT_AFFORD",
    "TIE_BREAKING_RULES", "Ballot", "BallotRules", "Election", "Explanation", "Outcome",
    "Problem", "Project", "SupporterPayment", "TallyError", "count", "rational", "read_pabulib",
    "validate_ballot", "write_pabulib",
]

"""Messages a resident may see, marked for extraction.

``N_`` marks a msgid without translating it (``pybabel extract -k N_``); the web layer translates
with ``gettext(problem.message, **problem.params)``. Messages follow GOV.UK style: say what to do.

Money params (keys in ``MONEY_PARAMS``) are numbers, not text: an ``int`` for whole pounds or an
exact ``Decimal`` for pence, so the web formats them as currency for the locale, symbol included
(e.g. ``format_currency(value, "GBP")`` gives "£65,000"); the messages therefore carry no "£".
Other params are plain numbers or project names.
"""


def N_(s: str) -> str:
    """Mark a message for translation; the translation itself happens at the edge."""
    return s


MONEY_PARAMS = frozenset({"total_cost", "budget", "min_spend", "over_by", "short_by"})

# Every message, by problem code
MESSAGES = {
    "not_a_ballot": N_("We could not read this ballot. Start again"),
    "empty": N_("Choose at least one project"),
    "unknown_project": N_("%(project)s is not one of the projects you can vote for"),
    "duplicate": N_("You chose %(project)s more than once. Choose each project only once"),
    "too_few": N_("Choose at least %(min)s projects"),
    "too_many": N_("Choose no more than %(max)s projects"),
    "over_budget": N_(
        "Your choices cost %(total_cost)s, which is more than the budget of %(budget)s"
    ),
    "under_min_spend": N_(
        "Your choices cost %(total_cost)s. Choose projects that cost at least %(min_spend)s in total"
    ),
    "points_not_whole": N_("Give %(project)s a whole number of points"),
    "points_negative": N_("Points for %(project)s must be 0 or more"),
    "too_many_points": N_(
        "You have given %(points_given)s points. Give no more than %(points)s points in total"
    ),
    "score_too_high": N_("Give %(project)s no more than %(points)s points"),
    "too_many_ranks": N_("Rank no more than %(max)s projects"),
    "too_few_ranks": N_("Rank at least %(min)s projects"),
    "duplicate_rank": N_("You ranked %(project)s more than once. Rank each project only once"),
}

"""What plans call their states and outcome statuses: each named once, with one colour."""

from flask_babel import lazy_gettext as _l

PLAN_STATE_NAMES = {
    "draft": _l("Draft (not public)"),
    "consultation": _l("In consultation"),
    "published": _l("Published"),
}
PLAN_STATE_COLOURS = {"draft": "grey", "consultation": "yellow", "published": "green"}

OUTCOME_STATUS_NAMES = {
    "proposed": _l("Proposed"),
    "agreed": _l("Agreed"),
    "in_progress": _l("In progress"),
    "delivered": _l("Delivered"),
    "dropped": _l("Dropped"),
}
OUTCOME_STATUS_COLOURS = {"proposed": "grey", "agreed": "turquoise", "in_progress": "blue",
                          "delivered": "green", "dropped": "red"}

POSTER_ROLE_NAMES = {
    "councillor": _l("councillor for %(ward)s"),
    "officer": _l("council officer"),
    "admin": _l("council administrator"),
}

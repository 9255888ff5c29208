"""Forms for the staff pages: opening a round, moving a phase date, reviewing a proposal
and tracking delivery. Every validator carries a GOV.UK-style message; none of WTForms'
default wording reaches the page."""

import re
from datetime import date

from flask import request
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from govuk_frontend_wtf.gov_form_base import GovFormBase
from werkzeug.datastructures import CombinedMultiDict
from wtforms import Field, RadioField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Optional, StopValidation

from pb.i18n import lazy_money
from pb.models import PHASES
from pb.web.fields import LineField, ParagraphsField, WebForm, first_text
from pb.web.names import (  # noqa: F401 (one wording for staff and public)
    BALLOT_TYPE_NAMES,
    DELIVERY_NAMES,
    PHASE_NAMES,
    RULE_NAMES,
    STATUS_NAMES,
)
from pb.web.widgets import DateInput, FileInput, RadioInput, Select, TextInput

# ---------------------------------------------------------------- labels


# label, "enter it" message, "not a real date" message, "out of order" message
PHASE_DATE_FIELDS = {
    "proposals": (_l("Proposals open"), _l("Enter the date proposals open"),
                  _l("The date proposals open must be a real date"), None),
    "review": (_l("Review starts"), _l("Enter the date review starts"),
               _l("The date review starts must be a real date"),
               _l("Review must start on or after the date proposals open")),
    "voting": (_l("Voting opens"), _l("Enter the date voting opens"),
               _l("The date voting opens must be a real date"),
               _l("Voting must open on or after the date review starts")),
    "counting": (_l("Counting starts"), _l("Enter the date counting starts"),
                 _l("The date counting starts must be a real date"),
                 _l("Counting must start at least one day after voting opens")),
    "results": (_l("Results published"), _l("Enter the date results are published"),
                _l("The date results are published must be a real date"),
                _l("Results must be published on or after the date counting starts")),
    "delivery": (_l("Delivery starts"), _l("Enter the date delivery starts"),
                 _l("The date delivery starts must be a real date"),
                 _l("Delivery must start on or after the date results are published")),
}

DECISION_NAMES = {
    "accept": _l("Accept onto the ballot"),
    "reject": _l("Reject"),
    # Translators: a proposal's public status: officers checked it and it cannot be done
    "unfeasible": _l("Not feasible"),
    "merge": _l("Merge into another proposal"),
}
# ---------------------------------------------------------------- fields


def parse_whole_number(text: str) -> int | None:
    """ "25000", "25,000", "£25,000" -> 25000; anything else -> None."""
    cleaned = text.strip().replace(",", "").replace("£", "").replace(" ", "")
    if re.fullmatch(r"[0-9]{1,12}", cleaned):
        return int(cleaned)
    return None


class WholeNumberField(Field):
    """A whole number typed into a text box (GOV.UK asks for text inputs with inputmode)."""

    widget = TextInput()

    def __init__(self, label=None, validators=None, *, invalid_message, required_message=None,
                 minimum=None, maximum=None, range_message=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.invalid_message = invalid_message
        self.required_message = required_message
        self.minimum, self.maximum, self.range_message = minimum, maximum, range_message

    def process_formdata(self, valuelist):
        self.data = None
        text = first_text(valuelist) or ""
        if not text.strip():
            if self.required_message:
                raise ValueError(self.required_message)
            return
        number = parse_whole_number(text)
        if number is None:
            raise ValueError(self.invalid_message)
        self.data = number

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation()
        if self.data is not None and (
                (self.minimum is not None and self.data < self.minimum)
                or (self.maximum is not None and self.data > self.maximum)):
            raise StopValidation(self.range_message or self.invalid_message)

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else str(self.data)


class DayMonthYearInput(DateInput):
    """GOV.UK date input: three boxes with translated labels, the day box first for errors."""

    def map_gov_params(self, field, **kwargs):
        params = GovFormBase.map_gov_params(self, field, **kwargs)
        if params.get("errorMessage"):
            params["errorMessage"]["visuallyHiddenText"] = gettext("Error")
        params.pop("value", None)
        params.pop("label", None)
        params.setdefault("fieldset", {"legend": {"text": field.label.text}})
        parts = list(field.raw_data or [])
        if not parts and field.data:
            parts = [str(field.data.day), str(field.data.month), str(field.data.year)]
        parts = (parts + ["", "", ""])[:3]
        error = " govuk-input--error" if field.errors else ""
        params["items"] = [
            {"label": gettext("Day"), "id": f"{field.id}-day", "name": field.name,
             "classes": "govuk-input--width-2" + error, "value": parts[0]},
            {"label": gettext("Month"), "id": f"{field.id}-month", "name": field.name,
             "classes": "govuk-input--width-2" + error, "value": parts[1]},
            {"label": gettext("Year"), "id": f"{field.id}-year", "name": field.name,
             "classes": "govuk-input--width-4" + error, "value": parts[2]},
        ]
        return params


class DayMonthYearField(Field):
    """A date typed as day, month and year (three inputs sharing one name)."""

    widget = DayMonthYearInput()
    summary_suffix = "-day"  # the error summary links to the day box

    def __init__(self, label=None, validators=None, *, required_message, invalid_message, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.required_message = required_message
        self.invalid_message = invalid_message

    def process_formdata(self, valuelist):
        self.data = None
        parts = [v.strip() if isinstance(v, str) else "" for v in valuelist[:3]]
        if not any(parts):
            raise ValueError(self.required_message)
        if len(parts) != 3 or not all(re.fullmatch(r"[0-9]{1,4}", p) for p in parts) or len(parts[2]) != 4:
            raise ValueError(self.invalid_message)
        try:
            self.data = date(int(parts[2]), int(parts[1]), int(parts[0]))
        except ValueError:
            raise ValueError(self.invalid_message) from None

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation()

    def _value(self):
        return ""


class OneOf:
    """The answer must be one of the offered choices (WTForms' own says "Not a valid choice")."""

    def __init__(self, message):
        self.message = message

    def __call__(self, form, field):
        if field.data not in [choice.value for choice in field.choices]:
            raise StopValidation(self.message)


def _choices(names: dict) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in names.items()]


def _date_field(phase: str) -> DayMonthYearField:
    label, required, invalid, _order = PHASE_DATE_FIELDS[phase]
    return DayMonthYearField(label, required_message=required, invalid_message=invalid,
                             description=_l("For example, 27 3 2026"))


class SummaryMixin:
    """The error summary in page order, with each link pointing at the box to fix."""

    summary_order: tuple[str, ...] = ()
    form_error_target: str | None = None  # where a message about the whole form links to

    def error_list(self) -> list[dict]:
        names = [n for n in self.summary_order if n in self._fields] + \
            [n for n in self._fields if n not in self.summary_order]
        items = []
        for name in names:
            field = self._fields[name]
            if field.errors:
                items.append({"text": field.errors[0],
                              "href": "#" + field.id + getattr(field, "summary_suffix", "")})
        for message in self.form_errors:
            items.append({"text": message, "href": "#" + self.form_error_target}
                         if self.form_error_target else {"text": message})
        return items

    def add_service_error(self, err) -> None:
        """Show a ServiceError next to the field it is about, or at the top of the page."""
        field = self._fields.get(err.field) if err.field else None
        if field is not None:
            field.errors = [*field.errors, err.message]
        else:
            self.form_errors.append(err.message)


# ---------------------------------------------------------------- forms


class RoundForm(SummaryMixin, WebForm):
    title = LineField(
        _l("Title"),
        description=_l("Residents will see this, for example ‘Brixton Acre Lane ward budget 2026’"),
        max_length=200, too_long=_l("The title must be 200 characters or fewer"),  # rounds.title
        validators=[DataRequired(message=_l("Enter a title for the round"))])
    description = ParagraphsField(
        _l("Description (optional)"),
        description=_l("What the money is for and who can take part"),
        max_length=5000, too_long=_l("The description must be 5,000 characters or fewer"))
    ballot_type = RadioField(
        _l("Type of ballot"), widget=RadioInput(), choices=_choices(BALLOT_TYPE_NAMES), validate_choice=False,
        validators=[InputRequired(message=_l("Choose a type of ballot")),
                    OneOf(_l("Choose a type of ballot"))])
    points = WholeNumberField(
        _l("Points each voter can spread"), minimum=1, description=_l("Only for points ballots"),
        invalid_message=_l("Enter the number of points as a whole number, like 10"),
        maximum=1000, range_message=_l("Each voter must have between 1 and 1000 points"))
    min_spend_percent = WholeNumberField(
        _l("Share of the budget voters must spend (optional)"),
        description=_l("Only for budget ballots. A percentage from 0 to 100."), minimum=0, maximum=100,
        invalid_message=_l("Enter the share as a whole number from 0 to 100"))
    rule = RadioField(
        _l("How votes are counted"), widget=RadioInput(), choices=_choices(RULE_NAMES), validate_choice=False,
        validators=[InputRequired(message=_l("Choose how votes are counted")),
                    OneOf(_l("Choose how votes are counted"))])
    min_choices = WholeNumberField(
        _l("Fewest projects a voter must choose (optional)"), minimum=1,
        invalid_message=_l("Enter the fewest projects as a whole number, like 1"),
        maximum=100, range_message=_l("The fewest projects must be between 1 and 100"))
    max_choices = WholeNumberField(
        _l("Most projects a voter can choose (optional)"), minimum=1,
        description=_l("For ranked ballots, the most projects a voter can rank"),
        invalid_message=_l("Enter the most projects as a whole number, like 5"),
        maximum=100, range_message=_l("The most projects must be between 1 and 100"))
    min_age = WholeNumberField(
        _l("Youngest age that can vote (optional)"), minimum=0, maximum=120,
        description=_l("In years, for example 11. Leave empty if there is no youngest age."),
        invalid_message=_l("Enter the youngest age as a whole number, like 11"),
        range_message=_l("The youngest age must be between 0 and 120"))
    max_age = WholeNumberField(
        _l("Oldest age that can vote (optional)"), minimum=0, maximum=120,
        description=_l("In years, for example 25. Leave empty if there is no oldest age."),
        invalid_message=_l("Enter the oldest age as a whole number, like 25"),
        range_message=_l("The oldest age must be between 0 and 120"))
    proposals_from = _date_field("proposals")
    review_from = _date_field("review")
    voting_from = _date_field("voting")
    counting_from = _date_field("counting")
    results_from = _date_field("results")
    delivery_from = _date_field("delivery")

    form_error_target = "wards"

    @classmethod
    def for_wards(cls, wards, shown_wards=None, **kwargs) -> "RoundForm":
        """A form with a budget box for each of `wards`; `shown_wards` are the ones on the page
        (a councillor sees only their own, but the service decides what they may submit)."""
        fields = {f"budget_{ward.id}": WholeNumberField(
            ward.name, minimum=1,
            invalid_message=_l("Enter the budget for %(ward)s as a whole number of pounds, like 25000",
                               ward=ward.name),
            maximum=100_000_000,
            range_message=_l("The budget for %(ward)s must be between %(min)s and %(max)s", ward=ward.name,
                             min=lazy_money(1), max=lazy_money(100_000_000)))
            for ward in wards}
        form = type("RoundWithWardsForm", (cls,), fields)(**kwargs)
        form.wards = list(wards)
        form.shown_wards = list(shown_wards if shown_wards is not None else wards)
        return form

    @property
    def summary_order(self):
        return ("title", "description", *[f"budget_{w.id}" for w in self.shown_wards],
                "ballot_type", "points", "min_spend_percent", "rule", "min_choices", "max_choices",
                "min_age", "max_age", *[f"{p}_from" for p in PHASES])

    def budget_fields(self):
        return [(ward, self[f"budget_{ward.id}"]) for ward in self.shown_wards]

    def headings(self):
        """(ward, budget) for every ward given a budget."""
        return [(ward, self[f"budget_{ward.id}"].data) for ward in self.wards
                if self[f"budget_{ward.id}"].data is not None]

    def dates(self) -> dict[str, date]:
        return {phase: self[f"{phase}_from"].data for phase in PHASES}

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        budgets = [self[f"budget_{w.id}"] for w in self.wards]
        if not any(f.errors for f in budgets) and not self.headings():
            first = self[f"budget_{self.shown_wards[0].id}"] if self.shown_wards else None
            message = _l("Enter a budget for at least one ward")
            if first is not None:
                first.errors = [*first.errors, message]
            else:
                self.form_errors.append(message)
            ok = False
        if self.ballot_type.data == "cumulative" and self.points.data is None and not self.points.errors:
            self.points.errors = [_l("Enter the number of points each voter can spread")]
            ok = False
        if (self.min_choices.data is not None and self.max_choices.data is not None
                and self.min_choices.data > self.max_choices.data and not self.max_choices.errors):
            self.max_choices.errors = [_l("The most projects cannot be fewer than the fewest projects")]
            ok = False
        if (self.min_age.data is not None and self.max_age.data is not None
                and self.max_age.data < self.min_age.data and not self.max_age.errors):
            self.max_age.errors = [_l("The oldest age cannot be lower than the youngest age")]
            ok = False
        dates = self.dates()
        for earlier, later in zip(PHASES, PHASES[1:], strict=False):
            field = self[f"{later}_from"]
            if dates[earlier] is None or dates[later] is None or field.errors:
                continue
            if dates[later] < dates[earlier] or (later == "counting" and dates[later] == dates[earlier]):
                field.errors = [*field.errors, PHASE_DATE_FIELDS[later][3]]
                ok = False
        return ok

    def ballot_settings(self) -> dict:
        kind = self.ballot_type.data
        return {
            "min_choices": self.min_choices.data,
            "max_choices": self.max_choices.data,
            "points": self.points.data if kind == "cumulative" else None,
            "min_spend_percent": self.min_spend_percent.data if kind == "knapsack" else None,
            # who can vote by age: residents declare it when they cast
            "min_age": self.min_age.data,
            "max_age": self.max_age.data,
        }


class MoveDateForm(SummaryMixin, WebForm):
    phase = SelectField(
        _l("Phase"), widget=Select(), validate_choice=False,
        choices=[SelectChoice("", _l("Choose a phase"))] + [SelectChoice(p, PHASE_NAMES[p]) for p in PHASES],
        validators=[InputRequired(message=_l("Choose a phase")), OneOf(_l("Choose a phase"))])
    new_date = DayMonthYearField(
        _l("New start date"), description=_l("For example, 27 3 2026"),
        required_message=_l("Enter the new start date"),
        invalid_message=_l("The new start date must be a real date"))
    reason = ParagraphsField(
        _l("Reason for the change"),
        description=_l("This is shown publicly with the round's dates"),
        max_length=2000, too_long=_l("The reason must be 2000 characters or fewer"),
        validators=[DataRequired(message=_l("Give a reason for moving the date"))])

    summary_order = ("phase", "new_date", "reason")
    form_error_target = "move-date"

    def add_service_error(self, err) -> None:
        # the service checks the order of all six dates; here only the new date can be wrong
        if err.field and err.field not in self._fields:
            err.field = "new_date"
        super().add_service_error(err)


class CountForm(SummaryMixin, WebForm):
    """The button runs the count; counting again needs a reason, kept on the public record."""

    reason = ParagraphsField(
        _l("Why are you counting again?"),
        description=_l("This is published with the results"),
        max_length=2000, too_long=_l("The reason must be 2000 characters or fewer"),
        validators=[Optional()])

    summary_order = ("reason",)
    form_error_target = "run-count"


class ConfirmForm(SummaryMixin, WebForm):
    """Only the CSRF token: publish, unpublish or delete a draft."""


class ExtendVotingForm(SummaryMixin, WebForm):
    closes_on = DayMonthYearField(
        _l("New last day of voting"), description=_l("For example, 27 3 2026"),
        required_message=_l("Enter the new last day of voting"),
        invalid_message=_l("The new last day of voting must be a real date"))
    reason = ParagraphsField(
        _l("Reason for giving more time"),
        description=_l("This is shown publicly with the round's dates"),
        max_length=2000, too_long=_l("The reason must be 2000 characters or fewer"),
        validators=[DataRequired(message=_l("Give a reason for moving the date"))])

    summary_order = ("closes_on", "reason")
    form_error_target = "extend-voting"

    def add_service_error(self, err) -> None:
        if err.field and err.field not in self._fields:
            err.field = "closes_on"
        super().add_service_error(err)


class FileChosen:
    def __call__(self, form, field):
        if not getattr(field.data, "filename", ""):
            raise StopValidation(_l("Select a CSV file of reference numbers"))


class EligibilityForm(SummaryMixin, WebForm):
    """Upload a round's eligibility list: a CSV file of reference numbers, one a row."""

    references = FileField(
        _l("Upload a list of reference numbers"),
        description=_l("A CSV file with one electoral register or council tax reference number "
                       "in the first column of each row"),
        widget=FileInput(), validators=[FileChosen()])

    summary_order = ("references",)

    class Meta:
        def wrap_formdata(self, form, formdata):
            # the one form that takes a file: read the upload beside the posted fields
            if formdata is not None and not hasattr(formdata, "getlist"):
                submitted = request.method == "POST" and (request.form or request.files)
                formdata = CombinedMultiDict((request.files, request.form)) if submitted else None
            return super().wrap_formdata(form, formdata)


class ReviewForm(SummaryMixin, WebForm):
    decision = RadioField(
        _l("Decision"), widget=RadioInput(), choices=_choices(DECISION_NAMES), validate_choice=False,
        validators=[InputRequired(message=_l("Choose a decision")), OneOf(_l("Choose a decision"))])
    final_cost = WholeNumberField(
        _l("Final cost in pounds"),
        description=_l("Needed if you accept the proposal: the council's costing, which goes on the ballot"),
        minimum=1, invalid_message=_l("Enter the final cost as a whole number of pounds, like 12000"),
        range_message=_l("Enter the final cost in pounds"))
    merge_into = SelectField(_l("Proposal to merge into"), widget=Select(), validate_choice=False,
                             description=_l("Needed if you merge the proposal"))
    reason = ParagraphsField(
        _l("Reason"),
        description=_l("Shown publicly with the proposal. Explain the decision in plain English."),
        max_length=5000, too_long=_l("The reason must be 5000 characters or fewer"),
        validators=[DataRequired(message=_l("Give a reason, which will be shown publicly"))])

    summary_order = ("decision", "final_cost", "merge_into", "reason")

    def set_merge_choices(self, proposals) -> None:
        self.merge_into.choices = [SelectChoice("", _l("Choose a proposal"))] + \
            [SelectChoice(str(p.id), p.title) for p in proposals]

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.decision.data == "accept" and self.final_cost.data is None and not self.final_cost.errors:
            self.final_cost.errors = [_l("Enter the final cost in pounds")]
            ok = False
        if self.decision.data == "merge" and self.merge_into.data not in \
                [choice.value for choice in self.merge_into.choices if choice.value]:
            self.merge_into.errors = [_l("Choose another proposal in the same ward to merge into")]
            ok = False
        return ok


class DeliveryForm(SummaryMixin, WebForm):
    status = RadioField(
        _l("How is delivery going?"), widget=RadioInput(), choices=_choices(DELIVERY_NAMES),
        validate_choice=False,
        validators=[InputRequired(message=_l("Choose how delivery is going")),
                    OneOf(_l("Choose how delivery is going"))])
    progress = WholeNumberField(
        _l("Progress (optional)"), description=_l("How much of the project is done, from 0 to 100%"),
        minimum=0, maximum=100, invalid_message=_l("Enter the progress as a whole number from 0 to 100"))
    note = ParagraphsField(
        _l("Update for residents (optional)"),
        description=_l("For example, what has been done and what happens next"),
        max_length=5000, too_long=_l("The update must be 5000 characters or fewer"))

    summary_order = ("status", "progress", "note")

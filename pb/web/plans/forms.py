"""Forms for ward plans: the plan, a priority, an outcome, and a progress update."""

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired

from pb.models import OUTCOME_STATUSES
from pb.web.admin.forms import DayMonthYearField, OneOf, SummaryMixin, WholeNumberField
from pb.web.fields import LineField, ParagraphsField, WebForm
from pb.web.plans.names import OUTCOME_STATUS_NAMES
from pb.web.widgets import RadioInput, Select

TEXT_MAX = 10_000


class PlanForm(SummaryMixin, WebForm):
    title = LineField(
        _l("Title"), description=_l("For example, ‘Brixton Windrush ward plan 2026 to 2028’"),
        max_length=200, too_long=_l("The title must be 200 characters or fewer"),
        validators=[DataRequired(message=_l("Enter a title for the plan"))])
    start_year = WholeNumberField(
        _l("First year"), description=_l("For example, 2026"),
        required_message=_l("Enter the first year of the plan, like 2026"),
        invalid_message=_l("Enter the first year of the plan, like 2026"),
        minimum=2000, maximum=2100)
    end_year = WholeNumberField(
        _l("Last year"), description=_l("For example, 2028"),
        required_message=_l("Enter the last year of the plan, like 2028"),
        invalid_message=_l("Enter the last year of the plan, like 2028"),
        minimum=2000, maximum=2100)
    summary = ParagraphsField(
        _l("Summary"),
        description=_l("What the plan is for. Plain text: each new line starts a new paragraph."),
        max_length=TEXT_MAX, too_long=_l("The summary must be 10,000 characters or fewer"),
        validators=[DataRequired(message=_l("Enter a summary of the plan"))])
    you_said_we_did = ParagraphsField(
        _l("You said, we did (optional)"),
        description=_l("What changed in the plan because of what residents said. Shown on the published plan."),
        max_length=TEXT_MAX, too_long=_l("“You said, we did” must be 10,000 characters or fewer"))

    summary_order = ("title", "start_year", "end_year", "summary", "you_said_we_did")


class PriorityForm(SummaryMixin, WebForm):
    title = LineField(
        _l("Priority"), max_length=200, too_long=_l("The title must be 200 characters or fewer"),
        validators=[DataRequired(message=_l("Enter a title for the priority"))])
    description = ParagraphsField(
        _l("Description (optional)"), description=_l("Plain text: each new line starts a new paragraph."),
        max_length=TEXT_MAX, too_long=_l("The description must be 10,000 characters or fewer"))

    summary_order = ("title", "description")


class OutcomeForm(SummaryMixin, WebForm):
    title = LineField(
        _l("Outcome"), description=_l("What will be different, for example ‘Safer crossing on Acre Lane’"),
        max_length=200, too_long=_l("The title must be 200 characters or fewer"),
        validators=[DataRequired(message=_l("Enter a title for the outcome"))])
    description = ParagraphsField(
        _l("Description (optional)"), description=_l("Plain text: each new line starts a new paragraph."),
        max_length=TEXT_MAX, too_long=_l("The description must be 10,000 characters or fewer"))
    priority_id = SelectField(_l("Priority it serves (optional)"), widget=Select(), validate_choice=False,
                              choices=[])
    responsible = LineField(
        _l("Who is responsible"), description=_l("A council service or a partner, for example ‘Highways’"),
        max_length=200, too_long=_l("Who is responsible must be 200 characters or fewer"),
        validators=[DataRequired(message=_l("Enter who is responsible, like a council service or a partner"))])
    target_date = DayMonthYearField(
        _l("Target date"), description=_l("For example, 27 3 2027"),
        required_message=_l("Enter the target date"),
        invalid_message=_l("The target date must be a real date"))
    measure = ParagraphsField(
        _l("How progress is measured"), description=_l("For example, ‘Number of new trees planted’"),
        max_length=TEXT_MAX, too_long=_l("How progress is measured must be 10,000 characters or fewer"),
        validators=[DataRequired(message=_l("Enter how progress will be measured"))])

    summary_order = ("title", "description", "priority_id", "responsible", "target_date", "measure")

    def offer(self, plan) -> "OutcomeForm":
        self.priority_id.choices = [SelectChoice("", _l("No particular priority"))] + [
            SelectChoice(str(p.id), p.title) for p in plan.priorities]
        return self

    def chosen_priority(self):
        value = self.priority_id.data
        return int(value) if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 10 else None


class UpdateForm(SummaryMixin, WebForm):
    body = ParagraphsField(
        _l("Update"), description=_l("What has happened. Residents see this with your name and role."),
        max_length=TEXT_MAX, too_long=_l("The update must be 10,000 characters or fewer"),
        validators=[DataRequired(message=_l("Enter the update"))])
    new_status = RadioField(
        _l("Status"), widget=RadioInput(), validate_choice=False,
        choices=[SelectChoice("", _l("Keep the current status"))]
        + [SelectChoice(s, OUTCOME_STATUS_NAMES[s]) for s in OUTCOME_STATUSES],
        default="",
        validators=[InputRequired(message=_l("Choose the outcome’s new status")),
                    OneOf(_l("Choose the outcome’s new status"))])
    dropped_reason = ParagraphsField(
        _l("Why is the outcome being dropped? (only if dropping it)"),
        description=_l("Shown publicly with the outcome"),
        max_length=TEXT_MAX, too_long=_l("The reason must be 10,000 characters or fewer"))

    summary_order = ("body", "new_status", "dropped_reason")


class ConfirmForm(SummaryMixin, WebForm):
    """Only the CSRF token: publish or delete."""


class MoveForm(WebForm):
    """Only the CSRF token; the direction is the button pressed."""

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


class PublishForm(SummaryMixin, WebForm):
    """Publishing; after a consultation, with what changed because of it."""

    you_said_we_did = ParagraphsField(
        _l("You said, we did"),
        description=_l("What changed in the plan because of what residents said in the consultation. "
                       "Shown on the published plan and in its downloads."),
        max_length=TEXT_MAX, too_long=_l("“You said, we did” must be 10,000 characters or fewer"))

    summary_order = ("you_said_we_did",)


YES_NO = [SelectChoice("no", _l("No, show comments at once")),
          SelectChoice("yes", _l("Yes, a council officer approves each comment before it is shown"))]


class OpenConsultationForm(SummaryMixin, WebForm):
    opens_on = DayMonthYearField(
        _l("Opens on"), description=_l("Today or later, for example 27 3 2027"),
        required_message=_l("Enter the day the consultation opens"),
        invalid_message=_l("The day the consultation opens must be a real date"))
    closes_on = DayMonthYearField(
        _l("Closes on"), description=_l("Residents can answer until the end of this day"),
        required_message=_l("Enter the day the consultation closes"),
        invalid_message=_l("The day the consultation closes must be a real date"))
    premoderated = RadioField(
        _l("Should comments wait for a moderator before they are shown?"), widget=RadioInput(),
        validate_choice=False, choices=YES_NO, default="no",
        validators=[InputRequired(message=_l("Choose whether comments wait for a moderator")),
                    OneOf(_l("Choose whether comments wait for a moderator"))])

    summary_order = ("opens_on", "closes_on", "premoderated")


QUESTION_KIND_NAMES = {"single": _l("One answer from a list"), "multiple": _l("Any answers from a list"),
                       "text": _l("Free text")}


class QuestionForm(SummaryMixin, WebForm):
    kind = RadioField(
        _l("Kind of question"), widget=RadioInput(), validate_choice=False,
        choices=[SelectChoice(k, v) for k, v in QUESTION_KIND_NAMES.items()],
        validators=[InputRequired(message=_l("Choose the kind of question")),
                    OneOf(_l("Choose the kind of question"))])
    text = LineField(
        _l("Question"), max_length=500, too_long=_l("The question must be 500 characters or fewer"),
        validators=[DataRequired(message=_l("Enter the question"))])
    options = ParagraphsField(
        _l("Options (for a list)"), description=_l("One option a line, between 2 and 20"),
        max_length=TEXT_MAX, too_long=_l("The options must be 10,000 characters or fewer"))

    summary_order = ("kind", "text", "options")


class HideCommentForm(SummaryMixin, WebForm):
    reason = ParagraphsField(
        _l("Why is the comment hidden?"),
        description=_l("Shown publicly in place of the comment, for example ‘It named a private person’"),
        max_length=500, too_long=_l("The reason must be 500 characters or fewer"),
        validators=[DataRequired(message=_l("Enter why the comment is hidden"))])

    summary_order = ("reason",)


class FollowForm(SummaryMixin, WebForm):
    channel = RadioField(
        _l("How should we tell you?"), widget=RadioInput(), validate_choice=False,
        choices=[SelectChoice("sms", _l("By text message")), SelectChoice("email", _l("By email"))],
        validators=[InputRequired(message=_l("Choose text message or email")),
                    OneOf(_l("Choose text message or email"))])
    number = LineField(
        _l("Your mobile number"), description=_l("The number you signed in with"),
        max_length=30, too_long=_l("Enter a mobile phone number in the correct format"))
    email = LineField(
        _l("Your email address"), description=_l("We will send a link to confirm it first"),
        max_length=254, too_long=_l("Enter an email address in the correct format, like name@example.com"))

    summary_order = ("channel", "number", "email")

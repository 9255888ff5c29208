"""Forms for assisted voting and paper ballots. Every validator has a GOV.UK-style message."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, RadioField, SelectField
from wtforms.validators import DataRequired, InputRequired

from pb.web.admin.forms import DayMonthYearField, OneOf, SummaryMixin, WholeNumberField, _choices
from pb.web.fields import POSTCODE_MAX, LineField, WebForm
from pb.web.widgets import RadioInput, Select

CHECK_METHOD_NAMES = {
    "document": _l("I have seen a document with their name and date of birth"),
    "known": _l("I know the resident personally"),
    "other": _l("Another way (say how)"),
}


class ResidentForm(SummaryMixin, WebForm):
    summary_order = ("name", "born", "postcode", "method", "note", "reference")
    name = LineField(_l("Resident's full name"), max_length=200,
                     too_long=_l("The name must be 200 characters or fewer"),
                     validators=[DataRequired(message=_l("Enter the resident's full name"))])
    born = DayMonthYearField(_l("Date of birth"), description=_l("For example, 27 3 1970"),
                             required_message=_l("Enter the resident's date of birth"),
                             invalid_message=_l("The date of birth must be a real date"))
    postcode = LineField(_l("Postcode"), description=_l("The postcode decides the resident's ward"),
                         max_length=POSTCODE_MAX, too_long=_l("Enter a real postcode, like SW2 1RW"),
                         validators=[DataRequired(message=_l("Enter the resident's postcode"))])
    method = RadioField(
        _l("How did you check the resident's identity?"), widget=RadioInput(),
        choices=_choices(CHECK_METHOD_NAMES), validate_choice=False,
        validators=[InputRequired(message=_l("Select how you checked the resident's identity")),
                    OneOf(_l("Select how you checked the resident's identity"))])
    note = LineField(_l("If another way, how?"), max_length=200,
                     too_long=_l("The note must be 200 characters or fewer"))
    reference = LineField(
        _l("Resident's reference number"),
        description=_l("Their electoral register number or council tax reference number."),
        max_length=60, too_long=_l("Enter a reference number of 40 characters or fewer"))


class CastForm(WebForm):
    pass


class BatchForm(SummaryMixin, WebForm):
    summary_order = ("heading", "label", "expected")
    heading = SelectField(_l("Ward"), widget=Select(), validate_choice=False, coerce=str,
                          validators=[InputRequired(message=_l("Choose the ward"))])
    label = LineField(_l("Label"), description=_l("For example, Brixton library box 1"), max_length=100,
                      too_long=_l("The label must be 100 characters or fewer"),
                      validators=[DataRequired(message=_l("Enter a label for the batch, like Brixton library box 1"))])
    expected = WholeNumberField(
        _l("Number of papers in the batch"), minimum=1, maximum=10_000,
        invalid_message=_l("Enter the number of papers as a whole number, like 25"),
        required_message=_l("Enter how many papers are in the batch"),
        range_message=_l("Enter how many papers are in the batch, from 1 to 10,000"))


class KeyingForm(SummaryMixin, WebForm):
    summary_order = ("number",)
    number = WholeNumberField(
        _l("Paper number"), minimum=1, description=_l("The number you wrote on the paper"),
        invalid_message=_l("Enter the paper's number as a whole number, like 7"),
        required_message=_l("Enter the paper's number"), range_message=_l("Enter the paper's number"))
    spoilt = BooleanField(_l("This paper is spoilt (it cannot be read, or breaks the ballot's rules)"))


class ResolveForm(WebForm):
    spoilt = BooleanField(_l("This paper is spoilt (it cannot be read, or breaks the ballot's rules)"))

"""The cast form: the choices travel in hidden fields; a round with an eligibility list
also asks for the resident's reference number, and a round with an age range (a youth
budget) asks the resident to declare they are within it."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField

from pb.web.fields import LineField, WebForm

AGE_FIELD = "age_declared"


class CastForm(WebForm):
    reference = LineField(
        _l("Your reference number"),
        description=_l("Your electoral register number or council tax reference number. "
                       "Each number can be used to vote once in this round."),
        max_length=60, too_long=_l("Enter a reference number of 40 characters or fewer"))
    # rendered by the template (GOV.UK checkboxes), with the round's ages in its label
    age_declared = BooleanField(false_values=(False, "false", "", "0", "no"))

    def error_list(self) -> list[dict]:
        """The error summary in page order: the age declaration, then the reference."""
        items = []
        if self.age_declared.errors:
            items.append({"text": self.age_declared.errors[0], "href": "#" + AGE_FIELD})
        if self.reference.errors:
            items.append({"text": self.reference.errors[0], "href": "#reference"})
        return items

    def add_service_error(self, err) -> None:
        field = self.age_declared if err.field == AGE_FIELD else self.reference
        if err.message not in field.errors:
            field.errors = [*field.errors, err.message]

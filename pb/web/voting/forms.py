"""The cast form: the choices travel in hidden fields; a round with an eligibility list
also asks for the resident's reference number."""

from flask_babel import lazy_gettext as _l

from pb.web.fields import LineField, WebForm


class CastForm(WebForm):
    reference = LineField(
        _l("Your reference number"),
        description=_l("Your electoral register number or council tax reference number. "
                       "Each number can be used to vote once in this round."),
        max_length=60, too_long=_l("Enter a reference number of 40 characters or fewer"))

    def error_list(self) -> list[dict]:
        return [{"text": self.reference.errors[0], "href": "#reference"}] if self.reference.errors else []

    def add_service_error(self, err) -> None:
        self.reference.errors = [*self.reference.errors, err.message]

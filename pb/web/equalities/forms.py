from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from wtforms import RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Optional, StopValidation

from pb.equalities.characteristics import CHARACTERISTICS
from pb.services.equalities import HIGH_RANGE, LOW_RANGE
from pb.web.fields import LineField, WebForm
from pb.web.widgets import RadioInput


def _question(characteristic) -> RadioField:
    options = characteristic.answer_options()
    return RadioField(
        _l(characteristic.question), widget=RadioInput(), validate_choice=False,
        choices=[SelectChoice(value, _l(label)) for value, label in options],
        validators=[Optional(), AnyOf([value for value, _ in options], message=_l(
            "Choose one of the answers, or leave the question blank"))],
    )


class MonitoringForm(WebForm):
    """One optional question per characteristic, each ending with "Prefer not to say"."""

    def answers(self) -> dict[str, str | None]:
        return {ch.key: getattr(self, ch.key).data or None for ch in CHARACTERISTICS}


for _characteristic in CHARACTERISTICS:
    setattr(MonitoringForm, _characteristic.key, _question(_characteristic))


class Ratio:
    """A decimal number within [low, high], with GOV.UK messages."""

    def __init__(self, bounds: tuple[float, float], not_number, out_of_range):
        self.bounds, self.not_number, self.out_of_range = bounds, not_number, out_of_range

    def __call__(self, form, field):
        try:
            value = Decimal(field.data.strip())
        except (InvalidOperation, AttributeError):
            raise StopValidation(self.not_number) from None
        # Compare decimals with decimals: the float 0.99 is a little under 0.99, and 0.1 a
        # little over 0.1, so comparing with the floats refused the documented limits.
        low, high = (Decimal(str(bound)) for bound in self.bounds)
        if not value.is_finite() or not low <= value <= high:
            raise StopValidation(self.out_of_range)
        field.number = float(value)


RATIO_MAX = 32  # characters; more digits than any threshold needs


class ThresholdForm(WebForm):
    low = LineField(
        _l("Lower threshold"),
        description=_l("Flag a group when its representation ratio is below this, for "
                       "example 0.8"),
        max_length=RATIO_MAX, too_long=_l("The lower threshold must be between 0.1 and 0.99"),
        validators=[DataRequired(message=_l("Enter the lower threshold")),
                    Ratio(LOW_RANGE, _l("Enter the lower threshold as a number, like 0.8"),
                          _l("The lower threshold must be between 0.1 and 0.99"))],
    )
    high = LineField(
        _l("Upper threshold"),
        description=_l("Flag a group when its representation ratio is above this, for "
                       "example 1.25"),
        max_length=RATIO_MAX, too_long=_l("The upper threshold must be between 1.01 and 10"),
        validators=[DataRequired(message=_l("Enter the upper threshold")),
                    Ratio(HIGH_RANGE, _l("Enter the upper threshold as a number, like 1.25"),
                          _l("The upper threshold must be between 1.01 and 10"))],
    )

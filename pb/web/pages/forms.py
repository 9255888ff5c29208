from flask_babel import lazy_gettext as _l
from wtforms.validators import DataRequired, ValidationError

from pb.services.postcodes import normalise
from pb.web.fields import POSTCODE_MAX, LineField, WebForm


class PostcodeForm(WebForm):
    class Meta:
        csrf = False  # a GET search changes nothing

    postcode = LineField(
        _l("Postcode"),
        description=_l("For example, SW2 1RW"),
        max_length=POSTCODE_MAX, too_long=_l("Enter a real postcode, like SW2 1RW"),
        validators=[DataRequired(message=_l("Enter your postcode"))],
    )

    def validate_postcode(self, field):
        normal = normalise(field.data)
        if normal is None:
            raise ValidationError(_l("Enter a real postcode, like SW2 1RW"))
        field.data = normal

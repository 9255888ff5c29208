from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import InputRequired, ValidationError

from pb.services.postcodes import normalise
from pb.web.widgets import TextInput


class PostcodeForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search changes nothing

    postcode = StringField(
        _l("Postcode"),
        description=_l("For example, SW2 1RW"),
        widget=TextInput(),
        validators=[InputRequired(message=_l("Enter your postcode"))],
    )

    def validate_postcode(self, field):
        normal = normalise(field.data)
        if normal is None:
            raise ValidationError(_l("Enter a real postcode, like SW2 1RW"))
        field.data = normal

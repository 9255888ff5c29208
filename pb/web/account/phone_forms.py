from flask_babel import lazy_gettext as _l
from wtforms.validators import DataRequired

from pb.web.fields import POSTCODE_MAX, LineField, WebForm

NUMBER_MAX = 30  # what people type for a number, spaces, brackets and all
CODE_MAX = 20


class PhoneNumberForm(WebForm):
    number = LineField(
        _l("Mobile phone number"),
        # the format, not an example number: see pb.services.identity.parse_mobile
        description=_l("A UK mobile number starts with 07 and has 11 digits. For an international "
                       "number, start with + and the country code, like +33"),
        max_length=NUMBER_MAX,
        too_long=_l("Enter a mobile phone number in the correct format: 11 digits starting with 07, "
                    "or + and the country code"),
        validators=[DataRequired(message=_l("Enter your mobile phone number"))])


class CodeForm(WebForm):
    code = LineField(
        _l("Code from the text message"), description=_l("The code is 6 numbers"),
        max_length=CODE_MAX, too_long=_l("Enter the 6-digit code from the text message"),
        validators=[DataRequired(message=_l("Enter the 6-digit code from the text message"))])


class PhonePostcodeForm(WebForm):
    postcode = LineField(_l("Your postcode"), description=_l("We use it to find your ward"),
                         max_length=POSTCODE_MAX, too_long=_l("Enter a real postcode, like SW2 1RW"),
                         validators=[DataRequired(message=_l("Enter your postcode"))])

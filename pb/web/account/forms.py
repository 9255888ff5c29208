from flask_babel import lazy_gettext as _l
from wtforms.validators import DataRequired, Email, InputRequired

from pb.web.fields import POSTCODE_MAX, LineField, SecretField, WebForm

NAME_MAX = 200  # people.name
EMAIL_MAX = 254  # people.email, and the most an email address can be


class SignInForm(WebForm):
    email = LineField(
        _l("Email address"), max_length=EMAIL_MAX,
        too_long=_l("Enter an email address in the correct format, like name@example.com"),
        validators=[DataRequired(message=_l("Enter your email address")),
                    Email(message=_l("Enter an email address in the correct format, like name@example.com"),
                          check_deliverability=False)],
    )
    password = SecretField(
        _l("Password"),
        validators=[InputRequired(message=_l("Enter your password"))],
    )


class SignOutForm(WebForm):
    pass


class ResidentSignInForm(WebForm):
    name = LineField(_l("Your full name"), max_length=NAME_MAX,
                     too_long=_l("Your name must be 200 characters or fewer"),
                     validators=[DataRequired(message=_l("Enter your name"))])
    postcode = LineField(_l("Your postcode"), description=_l("We use it to find your ward"),
                         max_length=POSTCODE_MAX, too_long=_l("Enter a real postcode, like SW2 1RW"),
                         validators=[DataRequired(message=_l("Enter your postcode"))])

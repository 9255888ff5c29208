from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import Email, InputRequired

from pb.web.widgets import PasswordInput, TextInput


class SignInForm(FlaskForm):
    email = StringField(
        _l("Email address"), widget=TextInput(),
        validators=[InputRequired(message=_l("Enter your email address")),
                    Email(message=_l("Enter an email address in the correct format, like name@example.com"),
                          check_deliverability=False)],
    )
    password = PasswordField(
        _l("Password"), widget=PasswordInput(),
        validators=[InputRequired(message=_l("Enter your password"))],
    )


class SignOutForm(FlaskForm):
    pass


class ResidentSignInForm(FlaskForm):
    name = StringField(_l("Your full name"), widget=TextInput(),
                       validators=[InputRequired(message=_l("Enter your name"))])
    postcode = StringField(_l("Your postcode"), description=_l("We use it to find your ward"),
                           widget=TextInput(),
                           validators=[InputRequired(message=_l("Enter your postcode"))])

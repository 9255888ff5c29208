from flask_babel import lazy_gettext as _l
from wtforms.validators import DataRequired, Email, InputRequired

from pb.web.account.forms import EMAIL_MAX, NAME_MAX
from pb.web.fields import LineField, SecretField, WebForm

CODE_MAX = 20  # six digits, and whatever spaces or dashes people type between them


class SecondFactorForm(WebForm):
    code = LineField(
        _l("Code from your authenticator app"), description=_l("The code is 6 numbers"),
        max_length=CODE_MAX, too_long=_l("Enter the 6-digit code from your authenticator app"),
        validators=[DataRequired(message=_l("Enter the 6-digit code from your authenticator app"))])


class ForgotPasswordForm(WebForm):
    email = LineField(
        _l("Email address"), max_length=EMAIL_MAX,
        too_long=_l("Enter an email address in the correct format, like name@example.com"),
        validators=[DataRequired(message=_l("Enter your email address")),
                    Email(message=_l("Enter an email address in the correct format, like name@example.com"),
                          check_deliverability=False)])


class SetPasswordForm(WebForm):
    """A new password from a one-time link; the name too for an invitation (see `without_name`)."""

    name = LineField(_l("Your full name"), max_length=NAME_MAX,
                     too_long=_l("Your name must be 200 characters or fewer"),
                     validators=[DataRequired(message=_l("Enter your full name"))])
    password = SecretField(
        _l("New password"), description=_l("At least 12 characters. A few unrelated words make a good password."),
        validators=[InputRequired(message=_l("Enter a new password"))])

    @classmethod
    def without_name(cls, **kwargs):
        form = cls(**kwargs)
        del form["name"]
        return form

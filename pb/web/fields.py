"""Form fields residents can type into naturally, and the base form every page uses.

Text is tidied the same way everywhere: surrounding space is removed, control characters
(NUL among them) are dropped, and every box has a length limit that fits its database
column, so what a form accepts the database can always store.
"""

import re

from flask import request
from flask_wtf import FlaskForm
from wtforms import IntegerField, PasswordField, StringField, TextAreaField
from wtforms.validators import StopValidation

from pb.web.widgets import PasswordInput, TextArea, TextInput

# Unicode's control characters (category Cc): C0, DEL and C1.
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
CONTROL_EXCEPT_TAB_AND_NEWLINE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
LINE_BREAK_OR_TAB = re.compile(r"\r\n|[\t\n\v\f\r\x85]")
# What people type for a postcode, spaces and all; it is tidied to 8 characters or refused.
POSTCODE_MAX = 20


def first_text(valuelist) -> str | None:
    """The first posted value, or None when nothing (or something that is not text) was sent."""
    if valuelist and isinstance(valuelist[0], str):
        return valuelist[0]
    return None


def one_line(text: str) -> str:
    """A line of text: tabs and line breaks become spaces, other control characters go."""
    return CONTROL.sub("", LINE_BREAK_OR_TAB.sub(" ", text)).strip()


def paragraphs(text: str) -> str:
    """Text from a text area: line breaks become \\n (browsers send \\r\\n); tabs are kept."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return CONTROL_EXCEPT_TAB_AND_NEWLINE.sub("", text).strip()


class WebForm(FlaskForm):
    """The base of every form: the posted fields only.

    FlaskForm would also read a JSON body and uploaded files; no form here takes either,
    and neither is text, so a request carrying them is read as the fields it posted."""

    class Meta:
        def wrap_formdata(self, form, formdata):
            if formdata is not None and not hasattr(formdata, "getlist"):  # FlaskForm's "from the request"
                submitted = request.method in ("POST", "PUT", "PATCH", "DELETE")
                formdata = request.form if submitted and request.form else None
            return super().wrap_formdata(form, formdata)


class MaxLength:
    """At most `maximum` characters; checked first, and nothing else is said about a box
    that is too long (an over-long email address is not also "in the wrong format")."""

    def __init__(self, maximum: int, message):
        self.maximum, self.message = maximum, message

    def __call__(self, form, field):
        if field.data and len(field.data) > self.maximum:
            raise StopValidation(self.message)


class _LimitedText:
    """`max_length` (the database column's) and its message are required: no box is unbounded."""

    tidy = staticmethod(one_line)

    def __init__(self, label=None, validators=(), *, max_length: int, too_long, **kwargs):
        super().__init__(label, [MaxLength(max_length, too_long), *validators], **kwargs)
        self.max_length = max_length

    def process_formdata(self, valuelist):
        text = first_text(valuelist)
        self.data = "" if text is None else self.tidy(text)


class LineField(_LimitedText, StringField):
    """One line of text. Use DataRequired (not InputRequired) when it must be filled in, so
    that a box of only spaces counts as empty."""

    widget = TextInput()


class ParagraphsField(_LimitedText, TextAreaField):
    """A text area: several lines, tabs kept."""

    widget = TextArea()
    tidy = staticmethod(paragraphs)


class SecretField(PasswordField):
    """A password, exactly as typed (spaces can be part of one), but always text."""

    widget = PasswordInput()

    def process_formdata(self, valuelist):
        self.data = first_text(valuelist) or ""


class PoundsField(IntegerField):
    """Whole pounds; accepts '£2,500' as well as '2500'. `invalid` is the GOV.UK-style message."""

    def __init__(self, label=None, validators=None, invalid=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.invalid = invalid

    def process_formdata(self, valuelist):
        text = first_text(valuelist)
        if text is None:
            return
        text = text.strip().replace(",", "").replace("£", "").replace(" ", "")
        if text == "":
            self.data = None
            return
        # ASCII digits only: int() would also take "1_000", "+5" and other scripts' digits
        if not re.fullmatch(r"[0-9]{1,12}", text):
            self.data = None
            raise ValueError(self.invalid or self.gettext("Not a valid integer value."))
        self.data = int(text)

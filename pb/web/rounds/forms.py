from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from pb.services.proposals import CATEGORIES
from pb.web.fields import PoundsField
from pb.web.widgets import RadioInput, TextArea, TextInput


class ProposalForm(FlaskForm):
    title = StringField(_l("Name your project"), description=_l("For example, Benches for Rush Common"),
                        widget=TextInput(), validators=[
                            InputRequired(message=_l("Enter a name for your project")),
                            Length(max=120, message=_l("The name must be 120 characters or fewer"))])
    summary = StringField(_l("Describe it in one line"), description=_l("This is shown on the ballot"),
                          widget=TextInput(), validators=[
                              InputRequired(message=_l("Describe your project in one line")),
                              Length(max=200, message=_l("The one-line description must be 200 characters or fewer"))])
    description = TextAreaField(_l("What should happen, and why?"), widget=TextArea(), validators=[
        InputRequired(message=_l("Say what should happen and why")),
        Length(max=5000, message=_l("The description must be 5,000 characters or fewer"))])
    location = StringField(_l("Where in the ward? (optional)"), widget=TextInput(), validators=[
        Optional(), Length(max=200, message=_l("The place must be 200 characters or fewer"))])
    category = RadioField(_l("What kind of project is it?"), widget=RadioInput(),
                          choices=list(CATEGORIES.items()),
                          validators=[InputRequired(message=_l("Choose what kind of project it is"))])
    rough_cost = PoundsField(_l("Roughly how much would it cost, in pounds?"),
                             invalid=_l("Enter a rough cost in pounds, like 2500"),
                              description=_l("A guess is fine: council officers will work out the real cost"),
                              widget=TextInput(), validators=[
                                  InputRequired(message=_l("Enter a rough cost in pounds, like 2500")),
                                  NumberRange(min=1, max=10_000_000, message=_l("Enter a cost between £1 and £10,000,000"))])


class ReceiptForm(FlaskForm):
    class Meta:
        csrf = False

    receipt = StringField(_l("Your receipt code"), description=_l("For example, ABCD-EFGH-JKLM-NPQR-STUV-WXYZ-AB"),
                          widget=TextInput(), validators=[InputRequired(message=_l("Enter your receipt code"))])

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, InputRequired, NumberRange

from pb.i18n import LANGUAGES, lazy_money, requested_language
from pb.services.proposals import CATEGORIES, LIMITS
from pb.web.fields import LineField, ParagraphsField, PoundsField, WebForm
from pb.web.translate.widgets import LanguageSelect
from pb.web.widgets import RadioInput, TextInput


class ProposalForm(WebForm):
    title = LineField(_l("Name your project"), description=_l("For example, Benches for Rush Common"),
                      max_length=LIMITS["title"], too_long=_l("The name must be 120 characters or fewer"),
                      validators=[DataRequired(message=_l("Enter a name for your project"))])
    summary = LineField(_l("Describe it in one line"), description=_l("This is shown on the ballot"),
                        max_length=LIMITS["summary"],
                        too_long=_l("The one-line description must be 200 characters or fewer"),
                        validators=[DataRequired(message=_l("Describe your project in one line"))])
    description = ParagraphsField(
        _l("What should happen, and why?"), max_length=LIMITS["description"],
        too_long=_l("The description must be 5,000 characters or fewer"),
        validators=[DataRequired(message=_l("Say what should happen and why"))])
    location = LineField(_l("Where in the ward? (optional)"), max_length=LIMITS["location"],
                         too_long=_l("The place must be 200 characters or fewer"))
    category = RadioField(_l("What kind of project is it?"), widget=RadioInput(),
                          choices=[SelectChoice(key, name) for key, name in CATEGORIES.items()],
                          validate_choice=False,
                          validators=[InputRequired(message=_l("Choose what kind of project it is")),
                                      AnyOf(list(CATEGORIES), message=_l("Choose what kind of project it is"))])
    # the language the resident writes in: their text is marked with it on pages in other
    # languages, and translators translate from it (pb.services.content)
    original_locale = SelectField(
        _l("Which language are you writing in?"), widget=LanguageSelect(), default=requested_language,
        description=_l("You can write in any of these languages. Volunteers may translate your proposal for residents who read other languages."),
        choices=[SelectChoice(code, name) for code, (_babel, name) in LANGUAGES.items()],
        validate_choice=False,
        validators=[AnyOf(list(LANGUAGES), message=_l("Choose the language you are writing in"))])
    rough_cost = PoundsField(_l("Roughly how much would it cost, in pounds?"),
                             invalid=_l("Enter a rough cost in pounds, like 2500"),
                             description=_l("A guess is fine: council officers will work out the real cost"),
                             widget=TextInput(), validators=[
                                 InputRequired(message=_l("Enter a rough cost in pounds, like 2500")),
                                 NumberRange(min=1, max=LIMITS["rough_cost"],
                                             message=_l("Enter a cost between %(min)s and %(max)s",
                                                        min=lazy_money(1), max=lazy_money(LIMITS["rough_cost"])))])


class ReceiptForm(WebForm):
    class Meta:
        csrf = False

    # 26 letters and numbers in groups of four; room for the spaces people type between them
    receipt = LineField(_l("Your receipt code"), description=_l("For example, ABCD-EFGH-JKLM-NPQR-STUV-WXYZ-AB"),
                        max_length=64,
                        too_long=_l("A receipt code is 26 letters and numbers, like ABCD-EFGH-JKLM-NPQR-STUV-WXYZ-AB"),
                        validators=[DataRequired(message=_l("Enter your receipt code"))])

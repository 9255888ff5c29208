"""GOV.UK widgets whose hidden "Error:" prefix is translated like the rest of the page."""

from flask_babel import gettext
from govuk_frontend_wtf import wtforms_widgets as gov


class _TranslatedError:
    def map_gov_params(self, field, **kwargs):
        params = super().map_gov_params(field, **kwargs)
        if params.get("errorMessage"):
            params["errorMessage"]["visuallyHiddenText"] = gettext("Error")
        return params


class TextInput(_TranslatedError, gov.GovTextInput):
    pass


class PasswordInput(_TranslatedError, gov.GovPasswordInput):
    pass


class TextArea(_TranslatedError, gov.GovTextArea):
    pass


class RadioInput(_TranslatedError, gov.GovRadioInput):
    pass


class Select(_TranslatedError, gov.GovSelect):
    pass


class DateInput(_TranslatedError, gov.GovDateInput):
    pass



class FileInput(_TranslatedError, gov.GovFileInput):
    pass

"""Form fields residents can type into naturally."""

from wtforms import IntegerField


class PoundsField(IntegerField):
    """Whole pounds; accepts '£2,500' as well as '2500'. `invalid` is the GOV.UK-style message."""

    def __init__(self, label=None, validators=None, invalid=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.invalid = invalid

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        text = valuelist[0].strip().replace(",", "").replace("£", "").replace(" ", "")
        if text == "":
            self.data = None
            return
        try:
            self.data = int(text)
        except ValueError:
            self.data = None
            raise ValueError(self.invalid or self.gettext("Not a valid integer value.")) from None

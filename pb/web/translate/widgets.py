"""The language picker of the proposal form: each language's name, written in that language,
carries its `lang` (WCAG 3.1.2), as the header's language links do."""

from pb.web.widgets import Select


class LanguageSelect(Select):
    def map_gov_params(self, field, **kwargs):
        params = super().map_gov_params(field, **kwargs)
        for item in params["items"]:
            item["attributes"] = {"lang": item["value"]}
        return params

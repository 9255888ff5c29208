"""Showing content in the reader's language: the Jinja globals every template uses for text
that people wrote (round texts, proposals, reasons, plans, updates).

- `localized(obj, "title")`: the translation into the page's language when there is a fresh
  one; otherwise the original, wrapped in an element with its `lang` (WCAG 3.1.2) and
  followed by a short note "Written in English" (in the reader's language). `paragraphs=True`
  shows text areas as paragraphs. The note is said once per object: a field other than the
  title has it only when the title is translated and it is not; `note=True`/`False` forces.
- `localized_text(obj, "title")`: the same text, plain (for <title>, <option>, sentences).
- `content_lang(obj, "title")`: ` lang="en"` for an element that shows localized_text, or
  nothing when the text is in the page's language.
- `original_note(obj, "title")`: the note alone, or nothing.

Public downloads (CSV, JSON, .pb files) keep the original texts: they do not use these.
"""

from markupsafe import Markup, escape

from pb.i18n import requested_language
from pb.services import content


def _shown(obj, field: str) -> content.Shown:
    return content.translated(obj, field, requested_language())


def _paragraphs(text: str) -> Markup:
    lines = [line.strip() for line in text.splitlines()]
    return Markup("".join(f'<p class="govuk-body">{escape(line)}</p>' for line in lines if line))


def _note(shown: content.Shown, block: bool) -> Markup:
    words = escape(str(content.WRITTEN_IN[shown.locale]))
    if block:
        return Markup(f'<p class="govuk-body-s pb-original-note">{words}</p>')
    return Markup(f' <span class="pb-original-note govuk-!-font-size-16 govuk-!-font-weight-regular">'
                  f'({words})</span>')


def _title_says_it(obj, field: str) -> bool:
    """Whether the object's title, shown with its own note, already says this field is in
    the original language (so the note is said once per proposal, not once per field)."""
    if field == "title" or not getattr(obj, "title", None):
        return False
    return _shown(obj, "title").untranslated


def localized(obj, field: str, note="auto", paragraphs: bool = False) -> Markup:
    if obj is None:
        return Markup("")
    shown = _shown(obj, field)
    body = _paragraphs(shown.text) if paragraphs else escape(shown.text)
    if not shown.untranslated:
        return body if paragraphs else Markup(body)
    tag = "div" if paragraphs else "span"
    marked = Markup(f'<{tag} lang="{escape(shown.locale)}">{body}</{tag}>')
    if note == "auto":
        note = not _title_says_it(obj, field)
    return marked + _note(shown, paragraphs) if note else marked


def localized_text(obj, field: str) -> str:
    return "" if obj is None else _shown(obj, field).text


def content_lang(obj, field: str) -> Markup:
    if obj is None:
        return Markup("")
    shown = _shown(obj, field)
    return Markup(f' lang="{escape(shown.locale)}"') if shown.untranslated else Markup("")


def original_note(obj, field: str, block: bool = True) -> Markup:
    if obj is None:
        return Markup("")
    shown = _shown(obj, field)
    return _note(shown, block) if shown.untranslated else Markup("")


GLOBALS = {
    "localized": localized,
    "localized_text": localized_text,
    "content_lang": content_lang,
    "original_note": original_note,
}

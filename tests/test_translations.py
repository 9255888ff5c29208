"""What a council's translation QA would check, for every catalogue (translations/README.md):

- complete: no untranslated, fuzzy or obsolete entry; every string the code marks is there;
- placeholders survive translation (the same %(name)s set);
- the Plural-Forms header is the one we chose for the language;
- the language's glossary (translations/<code>/glossary.csv) is used consistently;
- no English word is left in a translation, outside an allow-list;
- every msgid the glossary of English terms (translations/glossary_terms.csv) calls
  ambiguous carries a translator comment.
"""

import csv
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"
CODES = ["pt", "so", "es", "yo", "ak", "fr", "pl"]
CATALOGUES = {code: TRANSLATIONS / code / "LC_MESSAGES" / "messages.po" for code in CODES}
PLACEHOLDER = re.compile(r"%\(([a-z_]+)\)[sd]")

# The plural rule we chose per language, as a function of n (translations/README.md says why
# where we depart from CLDR); the catalogue's Plural-Forms must agree on 0..1000.
PLURAL_FORMS = {
    "pt": (2, lambda n: int(n != 1)),  # European Portuguese (CLDR pt_PT), as Lambeth's Portuguese write
    "so": (2, lambda n: int(n != 1)),
    "es": (2, lambda n: int(n != 1)),
    "yo": (2, lambda n: int(n != 1)),  # nouns do not inflect, but pronouns agree: ó/wọ́n, rẹ̀/wọn
    "ak": (2, lambda n: int(n > 1)),   # CLDR ak: "one" is 0 and 1
    "fr": (2, lambda n: int(n > 1)),   # CLDR fr: "one" is 0 and 1
    "pl": (3, lambda n: 0 if n == 1 else 1 if n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14) else 2),
}

# Words that are the same in English and in every language here, or are names.
ALLOWED_EVERYWHERE = {
    "lambeth", "london", "gov", "govuk", "notify", "csv", "json", "sms", "ons", "pabulib",
    "census", "agpl", "email", "e-mail", "brixton", "stockwell", "vauxhall", "clapham",
    "streatham", "kennington", "waterloo", "oval", "norwood", "herne", "windrush", "acre",
    "lane", "wcag", "eass", "javascript", "twi", "yoruba", "yorùbá", "english", "polski",
    "português", "soomaali", "español", "français", "royal", "mail", "crown", "ordnance",
    "survey", "office", "national", "statistics", "open", "government", "licence",
}
# Names kept in English on purpose: the service's name, products, bodies and laws cited by name.
ALLOWED_PHRASES = re.compile("|".join(re.escape(p) for p in [
    "Ward Budgets", "Lambeth Council", "Microsoft Authenticator", "Google Authenticator", "FreeOTP",
    "Equality and Human Rights Commission", "Equality Advisory and Support Service",
    "Public Sector Bodies (Websites and Mobile Applications) (No. 2) Accessibility Regulations 2018",
    "Information Commissioner's Office", "Web Content Accessibility Guidelines",
    "Crown copyright and database right", "Royal Mail copyright and database right",
    "AGPL-3.0-or-later", "Open Government Licence", "Brixton Rush Common", "Rush Common",
    # UK names residents meet on letters, glossed after the translation: "(council tax)"
    "Equality Act", "council tax", "Black Caribbean", "Highways",
]), re.IGNORECASE)
RECEIPT = re.compile(r"\b[A-Z0-9]{4}(?:-[A-Z0-9]{2,4})+\b")
WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
# markup, placeholders, addresses, and setting names (BALLOT_SEAL_KEY) an operator must type as they are
TAG = re.compile(r"<[^>]+>|%\([a-z_]+\)[sd]|https?://\S+|\S+@\S+|\b[A-Z0-9]+(?:_[A-Z0-9]+)+\b")


def load(code):
    with open(CATALOGUES[code], encoding="utf-8") as fh:
        return read_po(fh)


def entries(catalogue):
    """(msgid, [msgids], [msgstrs], message) for every real entry."""
    for message in catalogue:
        if not message.id:
            continue
        ids = list(message.id) if isinstance(message.id, tuple | list) else [message.id]
        strings = list(message.string) if isinstance(message.string, tuple | list) else [message.string]
        yield ids[0], ids, strings, message


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F",
                    str(ROOT / "babel.cfg"), "-k", "_l", "-k", "N_", "-k", "lazy_gettext",
                    "--add-comments=Translators:", "-o", str(pot), str(ROOT)],
                   check=True, cwd=ROOT, capture_output=True)
    with open(pot, encoding="utf-8") as fh:
        return {(m.id if isinstance(m.id, str) else m.id[0]): m for m in read_po(fh) if m.id}


@pytest.mark.parametrize("code", CODES)
def test_catalogue_is_complete(code, source):
    catalogue = load(code)
    assert not catalogue.fuzzy, f"{code}: the header is marked fuzzy"
    translated = {}
    problems = []
    for first, ids, strings, message in entries(catalogue):
        translated[first] = strings
        if message.fuzzy:
            problems.append(f"fuzzy: {first!r}")
        if not all(strings) or len(strings) < (catalogue.num_plurals if len(ids) > 1 else 1):
            problems.append(f"untranslated: {first!r}")
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        for string in strings:
            found = set(PLACEHOLDER.findall(string))
            if found - wanted or (len(ids) == 1 and found != wanted):
                problems.append(f"placeholders differ: {first!r} -> {string!r}")
    problems += [f"obsolete: {key!r}" for key in catalogue.obsolete]
    problems += [f"missing from catalogue: {m!r}" for m in sorted(set(source) - set(translated))]
    assert not problems, f"{code}: {len(problems)} problems\n" + "\n".join(problems[:40])


@pytest.mark.parametrize("code", CODES)
def test_plural_forms_header(code):
    from gettext import c2py

    catalogue = load(code)
    nplurals, rule = PLURAL_FORMS[code]
    assert catalogue.num_plurals == nplurals, f"{code}: {catalogue.plural_forms}"
    header = c2py(catalogue.plural_expr)
    wrong = [n for n in range(1001) if header(n) != rule(n)]
    assert not wrong, f"{code}: {catalogue.plural_forms} differs from our rule at n = {wrong[:10]}"


# --- Glossaries --------------------------------------------------------------------------

def glossary_terms():
    with open(TRANSLATIONS / "glossary_terms.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_english_term_list_is_well_formed():
    rows = glossary_terms()
    assert rows and set(rows[0]) == {"english", "note"}
    terms = [row["english"].strip().lower() for row in rows]
    assert len(terms) == len(set(terms)), "a term is listed twice"
    for needed in ["ward", "round", "proposal", "budget", "ballot", "vote", "receipt", "councillor",
                   "officer", "consultation", "plan", "outcome", "equality"]:
        assert needed in terms


def read_glossary(code):
    path = TRANSLATIONS / code / "glossary.csv"
    if not path.exists():
        return None
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == ["english", "translation", "note"], \
            f"{path}: the header must be english,translation,note"
        rows = list(reader)
    return rows


def term_pattern(english: str) -> re.Pattern:
    """The English term as a whole word, case-insensitive, with its regular plural."""
    return re.compile(r"\b" + re.escape(english.strip()) + r"(?:s|es)?\b", re.IGNORECASE)


def glossary_problems(rows, catalogue) -> list[str]:
    problems = []
    known = {row["english"].strip().lower() for row in glossary_terms()}
    for row in rows:
        english = row["english"].strip()
        stems = [s.strip().lower() for s in row["translation"].split("|") if s.strip()]
        if not english or not stems:
            problems.append(f"glossary row without a term or translation: {row}")
            continue
        if english.lower() not in known:
            problems.append(f"{english!r} is not in translations/glossary_terms.csv")
        pattern = term_pattern(english)
        for first, ids, strings, _message in entries(catalogue):
            # the term as the msgid says it: not inside a placeholder (%(ward)s) or a name (Ward Budgets)
            if not any(pattern.search(ALLOWED_PHRASES.sub(" ", TAG.sub(" ", i))) for i in ids):
                continue
            for string in strings:
                if string and not any(stem in string.lower() for stem in stems):
                    problems.append(f"{english!r} is not {row['translation']!r} in: {first!r} -> {string!r}")
    return problems


@pytest.mark.parametrize("code", CODES)
def test_glossary_is_used_consistently(code):
    rows = read_glossary(code)
    assert rows is not None, f"translations/{code}/glossary.csv is missing (translations/README.md)"
    with open(TRANSLATIONS / "glossary_terms.csv", encoding="utf-8") as terms:
        english = {row["english"] for row in csv.DictReader(terms)}
    missing = english - {row["english"] for row in rows}
    assert not missing, f"{code}: the glossary lacks {sorted(missing)}"
    problems = glossary_problems(rows, load(code))
    assert not problems, f"{code}: {len(problems)} problems\n" + "\n".join(problems[:40])


def test_glossary_check_catches_an_inconsistent_term():
    """The check itself, on a made-up catalogue."""
    from babel.messages.catalog import Catalog

    catalogue = Catalog(locale="pl")
    catalogue.add("Your ballot", "Twoja karta do głosowania")
    catalogue.add("Ballots counted", "Policzone głosy")          # inconsistent
    catalogue.add("Ballot-free page", "Strona")                   # "Ballot-free": still the word
    catalogue.add("Balloting", "Głosowanie")                      # another word: not checked
    rows = [{"english": "ballot", "translation": "kart|kartę", "note": ""}]
    problems = glossary_problems(rows, catalogue)
    assert len(problems) == 2 and "Ballots counted" in problems[0]


# --- English left in a translation ---------------------------------------------------------

def allowed_words(code) -> set[str]:
    path = TRANSLATIONS / code / "english_allowed.txt"
    words = set(ALLOWED_EVERYWHERE)
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.split("#", 1)[0].strip().lower()
            if line:
                words.add(line)
    return words


def words(text: str) -> list[str]:
    text = RECEIPT.sub(" ", ALLOWED_PHRASES.sub(" ", TAG.sub(" ", text)))
    return [w.lower() for w in WORD.findall(text)]


def english_left(catalogue, allowed) -> list[str]:
    """Words of four letters or more that a translation keeps from its own English msgid."""
    problems = []
    for first, ids, strings, _message in entries(catalogue):
        english = {w for i in ids for w in words(i) if len(w) >= 4}
        for string in strings:
            kept = sorted({w for w in words(string) if w in english and w not in allowed})
            if kept:
                problems.append(f"{', '.join(kept)}: {first!r} -> {string!r}")
    return problems


@pytest.mark.parametrize("code", CODES)
def test_no_english_left_in_translations(code):
    problems = english_left(load(code), allowed_words(code))
    assert not problems, (f"{code}: {len(problems)} translations keep English words (translate them, "
                          f"or list a word that is right in {code} in translations/{code}/english_allowed.txt)\n"
                          + "\n".join(problems[:60]))


def test_english_check_catches_a_kept_word():
    from babel.messages.catalog import Catalog

    catalogue = Catalog(locale="ak")
    catalogue.add("Your receipt", "Wo receipt")
    catalogue.add("Lambeth Council", "Lambeth Council")          # names are allowed
    catalogue.add("Budget", "Sika a wɔde bɛyɛ adwuma")
    assert english_left(catalogue, allowed_words("xx") | {"council"}) == ["receipt: 'Your receipt' -> 'Wo receipt'"]


# --- Translator comments -------------------------------------------------------------------

AMBIGUOUS = ["Feasible", "Not feasible", "Round", "Menu", "Receipt", "Ballot", "Voting",
             "Continue", "Back", "Funded", "Not funded", "Change", "Remove", "Update total"]


def test_ambiguous_msgids_carry_translator_comments(source):
    missing = [msgid for msgid in AMBIGUOUS if msgid in source and not source[msgid].auto_comments]
    assert not missing, "add a '# Translators:' comment where these are marked: " + ", ".join(missing)
    assert any(m.auto_comments for m in source.values())


def test_babel_cfg_and_makefile_extract_translator_comments():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "--add-comments=Translators:" in makefile or "-c Translators:" in makefile


@pytest.mark.parametrize("code", CODES)
def test_the_header_names_who_translated(code):
    """No gettext placeholder in the header: a council's QA reads who is answerable for it."""
    catalogue = load(code)
    assert "FULL NAME" not in (catalogue.last_translator or "") and "LL@li.org" not in str(catalogue.language_team)

"""Languages: which we offer, how a request picks one, and what <html lang> says.

Twi has no locale of its own in CLDR/Babel, which treats it as Akan ("ak"), so
its catalogue lives in translations/ak while URLs, cookies and <html lang>
say "tw".

English is written in British English: Babel formats it as en_GB ("26 November 2026",
"£1,500"), while URLs, cookies and <html lang> say "en". Its messages are the source
strings themselves, so there is no English catalogue.
"""

from flask import g, has_request_context, request

# code used in URLs and <html lang>  ->  (Babel locale, name in its own language)
LANGUAGES = {
    "en": ("en_GB", "English"),
    "pt": ("pt", "Português"),
    "so": ("so", "Soomaali"),
    "es": ("es", "Español"),
    "yo": ("yo", "Yorùbá"),
    "fr": ("fr", "Français"),
    "tw": ("ak", "Twi"),
    "pl": ("pl", "Polski"),
}
COOKIE = "lang"
BABEL_TO_CODE = {babel: code for code, (babel, _name) in LANGUAGES.items()}


def requested_language() -> str:
    """The language for this request: ?lang=, then the cookie, then Accept-Language."""
    if not has_request_context():
        return "en"  # the CLI and background work speak English
    if "lang_code" in g:
        return g.lang_code
    code = request.args.get("lang", "").lower()
    if code in LANGUAGES:
        g.lang_changed = request.cookies.get(COOKIE) != code
    else:
        code = request.cookies.get(COOKIE, "").lower()
        if code not in LANGUAGES:
            best = request.accept_languages.best_match(
                list(LANGUAGES) + [babel for babel, _ in LANGUAGES.values()]
            )
            code = BABEL_TO_CODE.get(best, best) if best else "en"
            if code not in LANGUAGES:
                code = "en"
    g.lang_code = code
    return code


def select_locale() -> str:
    return LANGUAGES[requested_language()][0]


def remember_language(response):
    """Keep a ?lang= choice in a cookie (a strictly necessary, functional cookie)."""
    if g.get("lang_changed"):
        response.set_cookie(COOKIE, g.lang_code, max_age=365 * 24 * 3600, samesite="Lax",
                            httponly=True, secure=request.is_secure)
    return response

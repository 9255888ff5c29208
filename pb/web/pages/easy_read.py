"""Easy read: short sentences, one idea per line, for the key pages (home, how to take
part, the ballot's help, results), in every language.

Switched on and off on any page by a plain link (`?easy=1` / `?easy=0`), so it works
without JavaScript; the choice is kept in the `easy` cookie (a functional cookie, like
`lang`) and so remembered across pages."""

from urllib.parse import urlencode

from flask import g, request

from pb.web.pages import bp

COOKIE = "easy"


def easy_read() -> bool:
    if "easy_read" not in g:
        asked = request.args.get("easy")
        if asked in ("0", "1"):
            g.easy_read = asked == "1"
            g.easy_changed = (request.cookies.get(COOKIE) == "1") != g.easy_read
        else:
            g.easy_read = request.cookies.get(COOKIE) == "1"
    return g.easy_read


def url_with_easy(on: bool) -> str:
    """This page, with easy read switched on or off (every other argument kept)."""
    args = request.args.copy()
    args["easy"] = "1" if on else "0"
    return request.path + "?" + urlencode(sorted(args.items(multi=True)))


@bp.before_app_request
def _read_choice():
    easy_read()


@bp.after_app_request
def _remember_choice(response):
    if g.get("easy_changed"):
        if g.easy_read:
            response.set_cookie(COOKIE, "1", max_age=365 * 24 * 3600, samesite="Lax", httponly=True,
                                secure=request.is_secure)
        else:
            response.delete_cookie(COOKIE, samesite="Lax", httponly=True, secure=request.is_secure)
    return response


@bp.app_context_processor
def _easy_read_globals():
    return {"easy_read": easy_read, "url_with_easy": url_with_easy}

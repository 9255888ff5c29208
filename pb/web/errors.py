"""Error pages in the design system's style, one template per status, and the URL rules
that make an address no database row can match a 404 rather than a database error."""

from flask import current_app, g, render_template
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException, ServiceUnavailable
from werkzeug.routing import IntegerConverter, UnicodeConverter

from pb.extensions import db

PAGES = (400, 403, 404, 405, 409, 413, 414, 429, 500, 503)
# The largest id any table can hold: PostgreSQL's integer (SQLite's is 2**63 - 1).
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """`<int:...>` in a URL: ASCII digits, from 1 to MAX_ID. Anything else is not a page (404),
    so a view never asks the database for a number it cannot hold."""

    regex = r"[0-9]+"

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


class SegmentConverter(UnicodeConverter):
    """`<name>` in a URL (a ward's slug): any text but control characters, which no slug
    has and PostgreSQL cannot even be asked about (NUL)."""

    def __init__(self, map, *args, **kwargs):
        super().__init__(map, *args, **kwargs)
        self.regex = self.regex.replace("[^/]", r"[^/\x00-\x1f\x7f-\x9f]", 1)


def strict_url_rules(app) -> None:
    """Call before the blueprints are registered: their rules pick their converters then."""
    app.url_map.converters["int"] = IdConverter
    app.url_map.converters["default"] = app.url_map.converters["string"] = SegmentConverter


def register(app) -> None:
    for status in PAGES:
        app.register_error_handler(status, error_page)
    app.register_error_handler(CSRFError, error_page)  # a 400: the form was open too long
    app.register_error_handler(HTTPException, other_error_page)
    app.register_error_handler(OperationalError, database_unavailable)
    # registered after Flask-SQLAlchemy's own teardown, so it runs first (Flask runs them last
    # registered, first called)
    app.teardown_appcontext(_end_session)


def _undo(end) -> None:
    """Roll back (``end`` False) or end (True) the request's database session. A connection
    the database dropped (a restart, a failover) cannot even roll back: it is thrown away,
    not reused, and the error is logged rather than turning a page into a bare 500."""
    try:
        db.session.remove() if end else db.session.rollback()
    except DBAPIError as err:
        current_app.logger.warning("Database connection lost: %s", err)
        db.session().invalidate()  # closes without a rollback; the pool opens a new connection
        if end:
            db.session.remove()


def _end_session(_exc=None) -> None:
    _undo(end=True)


def error_page(error: HTTPException):
    return _page(error.code if error.code in PAGES else 500, error)


def other_error_page(error: HTTPException):
    """A status without a page of its own gets the general one for its kind."""
    if error.code is None or error.code < 400:
        return error  # redirects Werkzeug raises while routing, such as a missing slash
    return _page(400 if error.code < 500 else 500, error)


def database_unavailable(error: OperationalError):
    """The database did not answer (down, restarting, or locked): say so, and log why."""
    current_app.logger.error("Database unavailable: %s", error)
    return _page(503, ServiceUnavailable(retry_after=30))


def _page(page: int, error: HTTPException):
    if page >= 500:
        _undo(end=False)  # whatever the request half-did is not kept
    # keep what the error says about itself (Allow for a 405, Retry-After for a 429 or 503)
    headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
    status = error.code
    try:
        return render_template(f"errors/{page}.html"), status, headers
    except Exception:
        # The page's header asks the database who is signed in; when the database is the
        # problem, show the page as to someone signed out rather than fail again.
        _undo(end=False)
        g._login_user = current_app.login_manager.anonymous_user()
        return render_template(f"errors/{page}.html"), status, headers

"""Flask extensions, created once and bound to the app in create_app()."""

import sqlite3

import click
from flask import current_app, has_app_context, request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine

# Named constraints so Alembic migrations behave the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING))


class LazyMigrate:
    """Flask-Migrate, imported only when a migration runs (a ``flask db`` command, or
    ``flask_migrate.upgrade()`` in the tests). With Alembic, Mako and Pygments it was a quarter
    of the app's start-up, paid by every worker and every ``flask pb count``.

    ``app.extensions["migrate"]`` and the ``db`` command stand in for Flask-Migrate's own until
    first used, then set it up with the same arguments and hand over to it.
    """

    def init_app(self, app, db, **kwargs) -> None:
        def real():
            from flask_migrate import Migrate

            Migrate().init_app(app, db, **kwargs)  # replaces both stand-ins
            return app.extensions["migrate"]

        app.extensions["migrate"] = _OnFirstUse(real)
        app.cli.add_command(_LazyGroup("db", lambda: (real(), app.cli.commands["db"])[1],
                                       help="Perform database migrations."))


class _OnFirstUse:
    def __init__(self, load):
        self._load = load
        self._real = None

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        if self._real is None:
            self._real = self._load()
        return getattr(self._real, name)


class _LazyGroup(click.Group):
    """A command group whose real one is loaded when the command runs (``--help`` included)."""

    def __init__(self, name, load, **kwargs):
        super().__init__(name, **kwargs)
        self._load = load

    def make_context(self, info_name, args, parent=None, **extra):
        return self._load().make_context(info_name, args, parent=parent, **extra)


migrate = LazyMigrate()
csrf = CSRFProtect()
babel = Babel()
login_manager = LoginManager()


def client_ip() -> str:
    """The client's address: the proxy's X-Forwarded-For once ProxyFix (PB_PROXIES) trusts it."""
    return request.remote_addr or "unknown"


class AppLimiter(Limiter):
    """Flask-Limiter, switched on and off per app by RATELIMIT_ENABLED.

    Flask-Limiter's own switch is one per process: the last app made would decide for every
    app. Here the hooks and the storage are always set up, and each request asks its own
    app's RATELIMIT_ENABLED, so a test can turn limits on for itself alone.
    """

    def init_app(self, app) -> None:
        wanted = app.config.setdefault("RATELIMIT_ENABLED", True)
        if str(app.config.get("RATELIMIT_STORAGE_URI") or "").startswith("redis"):
            # a Redis that hangs (no answer, rather than a refused connection) must fail fast
            # so the fallback to memory begins: redis-py's default is to wait forever,
            # holding the worker until gunicorn kills it
            app.config.setdefault("RATELIMIT_STORAGE_OPTIONS", {"socket_connect_timeout": 0.5,
                                                                "socket_timeout": 0.5})
        app.config["RATELIMIT_ENABLED"] = True
        try:
            super().init_app(app)
        finally:
            app.config["RATELIMIT_ENABLED"] = wanted
        storage = str(app.config.get("RATELIMIT_STORAGE_URI") or "memory://")
        if app.config.get("PB_ENV") == "production" and wanted and storage.startswith("memory://"):
            # gunicorn -w 4 makes four processes, each counting alone: every limit is four times looser
            app.logger.warning(
                "Abuse limits are counted in this process's memory (RATELIMIT_STORAGE_URI is memory://): with "
                "several app processes or machines each counts alone. Set RATELIMIT_STORAGE_URI=redis://host:6379.")

    @property
    def enabled(self) -> bool:
        if not getattr(self, "_switched_on", True):
            return False
        return not has_app_context() or bool(current_app.config.get("RATELIMIT_ENABLED", True))

    @enabled.setter
    def enabled(self, value: bool) -> None:
        self._switched_on = value


# No default limits: only what is worth guessing at is limited (staff sign-in, receipt checks,
# and SMS codes), so residents sharing a library's address are never stopped from voting.
limiter = AppLimiter(key_func=client_ip, default_limits=[])


def abuse_limit(config_key: str, key_func=client_ip, failures_only: bool = False,
                free_statuses: tuple = ()):
    """Decorate a view: POSTs limited to the limit string in app.config[config_key]
    (e.g. RATELIMIT_SMS_CODES_PER_NUMBER), counted per key_func() (the client's address by
    default). With failures_only, a request counts only when its answer is not a redirect
    (a successful form post redirects). A request answered with one of free_statuses (such as
    503: our provider failed, not the person) never counts. Over the limit: the 429 page with
    Retry-After."""
    def counts(response) -> bool:
        if response.status_code in free_statuses:
            return False
        return not failures_only or not 300 <= response.status_code < 400

    return limiter.limit(
        lambda: current_app.config[config_key],
        key_func=key_func,
        methods=["POST"],
        scope=config_key,
        deduct_when=counts if failures_only or free_statuses else None,
    )


@event.listens_for(Engine, "connect")
def _sqlite_foreign_keys(dbapi_connection, _record):
    """SQLite ignores foreign keys unless asked; ask, so it behaves like PostgreSQL.

    secure_delete overwrites deleted rows with zeros, so a sealed ballot the mixer has
    moved leaves no bytes behind in the file's free pages.
    """
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

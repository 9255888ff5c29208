"""Ward Budgets: participatory budgeting and neighbourhood plans for a co-operative council."""

import gc
import secrets
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Flask is imported inside the functions below, so that the pure cores
# (pb.tally, pb.equalities) can be imported and run without it.


PAGELESS_COMMANDS = ("count", "mix")


def pages_needed(argv: list[str]) -> bool:
    """False only for ``flask ... pb count|mix ...`` (the ``flask`` script or ``python -m
    flask``): an operator command that shows no page. Importing the pages was a fifth of a
    count's start-up (README "Performance"). Anything else (gunicorn, tests) gets them."""
    program = Path(argv[0]) if argv else Path()
    if not (program.name == "flask" or program.parent.name == "flask") or "pb" not in argv[1:]:
        return True
    after = argv[argv.index("pb", 1) + 1:]
    return not (after and after[0] in PAGELESS_COMMANDS)


def create_app(config: dict | None = None, *, pages: bool | None = None):
    """The app. ``pages=False``: without the web pages (their blueprints); by default, decided
    from the command line by ``pages_needed``."""
    if pages is None:
        pages = pages_needed(sys.argv)
    # Importing the app's modules makes hundreds of thousands of long-lived objects, and the
    # cyclic garbage collector would walk them all again and again while they load (a fifth
    # of the start-up every worker and every `flask pb count` pays): it waits until the end.
    # Outside tests they live as long as the process, so they are then never walked again.
    collecting = gc.isenabled()
    gc.disable()
    try:
        app = _make_app(config, pages)
        if not app.testing:
            gc.freeze()
        return app
    finally:
        if collecting:
            gc.enable()


def _make_app(config: dict | None, pages: bool):
    from flask import Flask

    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder="static",
    )
    from pb import config as settings

    app.config.update(settings.load(app.instance_path))
    if config:
        app.config.update(config)
        if config.get("TESTING") and "RATELIMIT_ENABLED" not in config:
            app.config["RATELIMIT_ENABLED"] = False  # tests that want limits turn them on

    _init_extensions(app)
    _init_templates(app)
    _register_errors(app)
    if pages:
        _register_blueprints(app)
    __import__("pb.services.sms", fromlist=["init_app"]).init_app(app)  # refuses the SMS outbox in production
    __import__("pb.services.email", fromlist=["init_app"]).init_app(app)  # and the email outbox
    if pages:
        _limit_receipt_checks(app)

    from pb.cli import pb_cli

    app.cli.add_command(pb_cli)
    return app


def _init_extensions(app) -> None:
    from flask import g, request
    from govuk_frontend_wtf.main import WTFormsHelpers

    from pb import i18n
    from pb.extensions import babel, csrf, db, limiter, login_manager, migrate

    if app.config.get("PB_PROXIES"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["PB_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    login_manager.init_app(app)
    limiter.init_app(app)
    _init_compression(app)
    login_manager.login_view = "account.phone_sign_in"
    login_manager.blueprint_login_views = {"admin": "account.sign_in", "equalities": "account.sign_in",
                                           "assist": "account.sign_in", "translate": "account.sign_in"}
    login_manager.login_message = None
    WTFormsHelpers(app)

    @login_manager.user_loader
    def load_person(session_id: str):
        """The person of "<id>:<session version>:<sign-up fingerprint>" (Person.get_id), or
        nobody once they signed out since, or when the id is now someone else's."""
        from pb.models import Person

        person_id, _, rest = str(session_id).partition(":")
        version = rest.partition(":")[0]
        if not (person_id.isdigit() and version.isdigit()) or int(person_id) > 2**31 - 1:
            return None
        person = db.session.get(Person, int(person_id))
        if person is None or person.get_id() != str(session_id):
            return None
        return person

    app.after_request(i18n.remember_language)

    @app.before_request
    def make_nonce():
        g.csp_nonce = secrets.token_urlsafe(16)

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if app.config.get("HSTS"):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if request.endpoint != "static":
            # pages may show a receipt or a resident's choices: never from a shared
            # computer's cache or back button after the resident has gone
            response.headers.setdefault("Cache-Control", "no-store")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; "
            f"script-src 'self' 'nonce-{g.get('csp_nonce', '')}'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'",
        )
        return response


def _init_compression(app) -> None:
    """Pages compressed by Flask-Compress (Brotli, else gzip), static files pre-compressed at
    build time with hashed, immutable URLs (pb/web/static_files.py). README "Production"."""
    from flask_compress import Compress

    from pb.web import static_files

    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault("COMPRESS_ALGORITHM_STREAMING", ["br", "gzip"])
    app.config.setdefault("COMPRESS_BR_LEVEL", 5)
    Compress(app)
    static_files.init_app(app)


def _init_templates(app) -> None:
    from flask import g
    from flask_babel import get_locale
    from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader

    from pb import i18n, policy
    from pb.web import helpers

    app.jinja_loader = ChoiceLoader([
        FileSystemLoader(str(ROOT / "templates")),
        PrefixLoader({
            "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
            "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
        }),
    ])
    app.jinja_env.globals.update(
        get_locale=get_locale,
        LANGUAGES=i18n.LANGUAGES,
        html_lang=lambda: g.get("lang_code") or i18n.requested_language(),
        url_with_lang=helpers.url_with_lang,
        money_spec=helpers.money_spec,
        csp_nonce=lambda: g.get("csp_nonce", ""),
        can=policy.can,  # templates ask pb.policy, never the roles themselves
    )
    app.jinja_env.filters.update(helpers.FILTERS)
    from pb.web.translate import display

    app.jinja_env.globals.update(display.GLOBALS)  # content in the reader's language
    app.jinja_env.globals["ngettext"] = i18n.jinja_ngettext  # counts grouped as the reader writes them
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    __import__("pb.web.jinja_speed", fromlist=["init_app"]).init_app(app)  # cheaper macro imports


def _register_blueprints(app) -> None:
    from pb.web.account import bp as account
    from pb.web.admin import bp as admin
    from pb.web.assist import bp as assist
    from pb.web.equalities import bp as equalities
    from pb.web.pages import bp as pages
    from pb.web.plans import bp as plans
    from pb.web.rounds import bp as rounds
    from pb.web.translate import bp as translate
    from pb.web.voting import bp as voting
    from pb.web.wards import bp as wards

    for bp in (pages, wards, rounds, voting, account, equalities, admin, assist, plans, translate):
        app.register_blueprint(bp)
    from pb.web.api import bp as api
    from pb.web.opendata import bp as opendata

    app.register_blueprint(opendata)
    app.register_blueprint(api)


_LIMITED_VIEWS: dict = {}


def _limit_receipt_checks(app) -> None:
    """Receipt checks (the results page's POST) per address. The view is wrapped here, once the
    blueprints are registered, so that the limits live in one place with the others."""
    from pb.extensions import abuse_limit

    view = app.view_functions["rounds.results"]
    if view not in _LIMITED_VIEWS:  # decorate once per process: each decoration adds a limit
        _LIMITED_VIEWS[view] = abuse_limit("RATELIMIT_RECEIPT_CHECKS_PER_IP")(view)
    app.view_functions["rounds.results"] = _LIMITED_VIEWS[view]


def _register_errors(app) -> None:
    from pb.web import errors

    errors.strict_url_rules(app)  # before the blueprints: an id out of range is a 404
    errors.register(app)


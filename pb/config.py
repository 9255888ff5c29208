"""Configuration from environment variables, with safe defaults.

DATABASE_URL  SQLAlchemy URL; default a SQLite file in the instance folder.
              postgres:// and postgresql:// URLs are sent through psycopg 3.
DATABASE_POOL_SIZE  connections each app process keeps open (SQLAlchemy's default is 5).
SECRET_KEY    signs sessions and CSRF tokens; generated once and kept in the
              instance folder when unset, and required when PB_ENV=production.
BALLOT_SEAL_KEY  seals (encrypts) cast ballots until the mixer moves them, when voting
              closes: 64 hex characters (32 bytes), or any long secret (hashed to 32
              bytes). Required when PB_ENV=production; in development it is derived
              from SECRET_KEY. Keep it until every round's voting has closed and been
              mixed: ballots sealed under a lost key cannot be counted.
PB_ENV        "development" (default) or "production": production turns on HSTS and
              secure cookies.
PB_PROXIES    how many proxies in front of the app set X-Forwarded-For/-Proto/-Host
              (werkzeug's ProxyFix); default 0: not behind a proxy, and those headers
              are ignored (a client could forge them).
STAFF_IDLE_MINUTES  a staff session idle for longer is signed out on its next request
              (default 30). Residents are not affected.

Abuse limits (Flask-Limiter, pb.extensions.limiter; strings in its "N per period" syntax):
RATELIMIT_STORAGE_URI  where the counts live: memory (one process, the default) or
              redis://host:6379 when several app processes or machines run (production
              warns at start-up when it is memory). While Redis cannot be reached, each
              process counts in its own memory and nothing is refused for it.
RATELIMIT_ENABLED  "0" turns every limit off. Default on; but an app made with TESTING
              and no RATELIMIT_ENABLED of its own has limits off, so the test suite is
              never slowed or refused. A test turns them on for its app alone with
              app.config["RATELIMIT_ENABLED"] = True (each request asks its own app's
              setting; see tests/security/test_abuse_limits.py) and clears the counts
              with pb.extensions.limiter.reset().
RATELIMIT_STAFF_SIGN_IN_PER_ACCOUNT  wrong staff passwords for one email (default
              10 per 15 minutes); what stops guessing. While it is reached even the right
              password is refused.
RATELIMIT_STAFF_SIGN_IN_PER_IP  failed staff sign-ins from one address (default 50 per
              10 minutes: a council office shares one address).
RATELIMIT_RECEIPT_CHECKS_PER_IP  receipt checks on a results page from one address (default
              200 per 10 minutes: 50 residents at a library checking twice each fit easily).
RATELIMIT_SMS_CODES_PER_NUMBER, RATELIMIT_SMS_CODES_PER_IP  for the SMS sign-in's code
              requests (defaults 3 per hour, and 200 per 10 minutes: every resident at a
              library asking for two codes). Use them with pb.extensions.abuse_limit:
                  @abuse_limit("RATELIMIT_SMS_CODES_PER_IP")
                  @abuse_limit("RATELIMIT_SMS_CODES_PER_NUMBER", key_func=lambda: number_hash)
RATELIMIT_REFERENCE_TRIES_PER_PERSON, RATELIMIT_REFERENCE_TRIES_PER_IP  refused eligibility
              reference numbers when casting (defaults 10 per hour for one resident, and 150
              per 10 minutes from one address: 50 residents at a library mistyping twice each
              fit; only refused references count).
RATELIMIT_STAFF_CODES_PER_ACCOUNT, RATELIMIT_STAFF_CODES_PER_IP  wrong second-factor codes
              for one staff account and from one address (defaults 10 per hour and 20 per
              day, and 50 per 10 minutes); besides, 5 wrong codes end that sign-in. Someone
              who has the password then gets at most about 25 guesses a day at a code.
RATELIMIT_PASSWORD_RESETS_PER_EMAIL, RATELIMIT_PASSWORD_RESETS_PER_IP  "Forgot your
              password?" requests for one email and from one address (defaults 3 per hour
              and 30 per hour).

RATELIMIT_SMS_INBOUND_PER_NUMBER  texts received from one number in voting conversations
              (default 40 per 10 minutes and 300 per day); only callbacks with the right token count.
RATELIMIT_SMS_INBOUND_REFUSED_PER_IP  refused (forged) callbacks from one address (default 20
              per 10 minutes).
RATELIMIT_AUDIT_LOG_PER_IP  the transparency page and audit.json pages from one address
              (default 120 per minute); AUDIT_VERDICT_SECONDS (default 300) how long the
              chain's verdict is reused while its head has not moved.

Voting by text (pb.web.sms, pb.services.sms_vote): NOTIFY_INBOUND_TOKEN, the bearer token of
Notify's "received text message" callback (at least 32 characters; without it production does
not offer the endpoint), and SMS_COST_PER_SEGMENT_SENT / _RECEIVED, prices in pounds per
segment for the spend shown to officers (defaults 0.0227 and 0).

Email (pb.services.email): EMAIL_ADAPTER (default: as SMS_ADAPTER), NOTIFY_EMAIL_TEMPLATE_ID,
and PB_PUBLIC_URL, the site's address for links in emails (required in production).
"""

import hashlib
import hmac
import os
import secrets
from pathlib import Path


class ConfigError(RuntimeError):
    pass


def database_url(instance_path: str) -> str:
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return "sqlite:///" + str(Path(instance_path) / "ward-budgets.db")
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def secret_key(instance_path: str, production: bool) -> str:
    key = os.environ.get("SECRET_KEY", "").strip()
    if key:
        return key
    if production:
        raise ConfigError("SECRET_KEY must be set in production (PB_ENV=production).")
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key


def ballot_seal_key(secret: str, production: bool) -> bytes:
    """32 bytes for AES-GCM, from BALLOT_SEAL_KEY (or, in development, from SECRET_KEY)."""
    given = os.environ.get("BALLOT_SEAL_KEY", "").strip()
    if not given:
        if production:
            raise ConfigError("BALLOT_SEAL_KEY must be set in production (PB_ENV=production).")
        return hmac.new(secret.encode(), b"ward-budgets ballot seal", hashlib.sha256).digest()
    if len(given) == 64:
        try:
            return bytes.fromhex(given)
        except ValueError:
            pass
    if len(given) < 32:
        raise ConfigError("BALLOT_SEAL_KEY must be 64 hex characters or at least 32 characters.")
    return hashlib.sha256(given.encode()).digest()


LIMITS = {
    "RATELIMIT_STAFF_SIGN_IN_PER_ACCOUNT": "10 per 15 minutes",
    "RATELIMIT_STAFF_SIGN_IN_PER_IP": "50 per 10 minutes",
    "RATELIMIT_RECEIPT_CHECKS_PER_IP": "200 per 10 minutes",
    "RATELIMIT_SMS_CODES_PER_NUMBER": "3 per hour",
    "RATELIMIT_SMS_CODES_PER_IP": "200 per 10 minutes",
    "RATELIMIT_REFERENCE_TRIES_PER_PERSON": "10 per hour",
    "RATELIMIT_REFERENCE_TRIES_PER_IP": "150 per 10 minutes",
    "RATELIMIT_STAFF_CODES_PER_ACCOUNT": "10 per hour;20 per day",
    "RATELIMIT_STAFF_CODES_PER_IP": "50 per 10 minutes",
    "RATELIMIT_PASSWORD_RESETS_PER_EMAIL": "3 per hour",
    "RATELIMIT_PASSWORD_RESETS_PER_IP": "30 per hour",
    "RATELIMIT_SMS_INBOUND_PER_NUMBER": "40 per 10 minutes;300 per day",
    "RATELIMIT_SMS_INBOUND_REFUSED_PER_IP": "20 per 10 minutes",
    "RATELIMIT_AUDIT_LOG_PER_IP": "120 per minute",
}


def _whole_number(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip() or str(default)
    if not value.isdigit():
        raise ConfigError(f"{name} must be a whole number.")
    return int(value)


def _pounds(name: str, default: str):
    """A price in pounds, like 0.0227 (2.27p)."""
    from decimal import Decimal, InvalidOperation

    value = os.environ.get(name, "").strip() or default
    try:
        price = Decimal(value)
    except InvalidOperation:
        price = None
    if price is None or not price.is_finite() or price < 0:
        raise ConfigError(f"{name} must be a price in pounds, like 0.0227.")
    return price


def limits() -> dict:
    settings = {name: os.environ.get(name, "").strip() or default for name, default in LIMITS.items()}
    settings["RATELIMIT_ENABLED"] = os.environ.get("RATELIMIT_ENABLED", "1").strip().lower() not in ("0", "false", "no", "off")
    settings["RATELIMIT_STORAGE_URI"] = os.environ.get("RATELIMIT_STORAGE_URI", "").strip() or "memory://"
    # Redis lost: the limits count in each process's memory until it is back, and nobody is
    # refused a page (or shown a 500) because the counter is unreachable
    settings["RATELIMIT_SWALLOW_ERRORS"] = True
    settings["RATELIMIT_IN_MEMORY_FALLBACK_ENABLED"] = True
    settings["RATELIMIT_HEADERS_ENABLED"] = True  # Retry-After on the 429 page
    return settings


def load(instance_path: str) -> dict:
    env = os.environ.get("PB_ENV", "development")
    production = env == "production"
    Path(instance_path).mkdir(parents=True, exist_ok=True)
    url = database_url(instance_path)
    engine_options = {"pool_pre_ping": True}
    if os.environ.get("DATABASE_POOL_SIZE"):
        engine_options["pool_size"] = int(os.environ["DATABASE_POOL_SIZE"])
    secret = secret_key(instance_path, production)
    return {
        "PB_ENV": env,
        "SECRET_KEY": secret,
        "BALLOT_SEAL_KEY": ballot_seal_key(secret, production),
        "SQLALCHEMY_DATABASE_URI": url,
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "PB_PROXIES": _whole_number("PB_PROXIES", 0),
        "HSTS": production,  # Strict-Transport-Security: a year, with subdomains
        "STAFF_IDLE_MINUTES": _whole_number("STAFF_IDLE_MINUTES", 30),
        **limits(),
        "WTF_CSRF_TIME_LIMIT": None,
        "MAX_CONTENT_LENGTH": 1024 * 1024,  # bytes; a bigger request body gets the 413 page
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).resolve().parent.parent / "translations"),
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_DEFAULT_TIMEZONE": "Europe/London",
        "SHOW_DEMO_CREDENTIALS": not production,
        # voting by text: Notify's callback token, and the price of a segment for the spend
        "NOTIFY_INBOUND_TOKEN": os.environ.get("NOTIFY_INBOUND_TOKEN", "").strip(),
        "SMS_COST_PER_SEGMENT_SENT": _pounds("SMS_COST_PER_SEGMENT_SENT", "0.0227"),
        "SMS_COST_PER_SEGMENT_RECEIVED": _pounds("SMS_COST_PER_SEGMENT_RECEIVED", "0"),
    }

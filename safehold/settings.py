"""Safehold's one settings file, driven by the environment (API.md §1).

Every variable may also be given as NAME_FILE, a path to a file holding the value, so
secrets can come from a secrets manager or a mounted file rather than the process
environment. `docs/configuration.md` describes each one.
"""

import os
import re
import secrets
import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent


def env(name: str, default: str | None = None) -> str | None:
    """The value of NAME, or the contents of the file named by NAME_FILE."""
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        try:
            return Path(file_path).read_text(encoding="utf-8").strip()
        except OSError as error:
            raise ImproperlyConfigured(f"{name}_FILE: cannot read {file_path}: {error}") from error
    return os.environ.get(name, default)


SAFEHOLD_ENV = env("SAFEHOLD_ENV", "production")
if SAFEHOLD_ENV not in ("development", "production"):
    raise ImproperlyConfigured(
        f"SAFEHOLD_ENV must be 'development' or 'production', not {SAFEHOLD_ENV!r}"
    )
DEVELOPMENT = SAFEHOLD_ENV == "development"
DEBUG = False  # Even in development: stack traces never reach a browser.

DATA_DIR = Path(env("SAFEHOLD_DATA_DIR", "./safehold-data") or "./safehold-data").resolve()


def development_secret(name: str, filename: str, nbytes: int) -> str:
    """A secret kept in the data folder; only ever used when SAFEHOLD_ENV=development."""
    path = DATA_DIR / filename
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True, mode=0o700)
        # Readable by this user only from the first byte (safehold/privacy/data_folder.py).
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(secrets.token_hex(nbytes))
        print(
            f"safehold: {name} is not set, so one was generated in {path} because "
            "SAFEHOLD_ENV=development. Never run a real service like this.",
            file=sys.stderr,
        )
    return path.read_text(encoding="utf-8").strip()


def required_secret(name: str, filename: str, nbytes: int) -> str:
    value = env(name)
    if value:
        return value
    if DEVELOPMENT:
        return development_secret(name, filename, nbytes)
    raise ImproperlyConfigured(
        f"{name} (or {name}_FILE) must be set when SAFEHOLD_ENV=production. "
        "See docs/configuration.md."
    )


SECRET_KEY = required_secret("SAFEHOLD_SECRET_KEY", "secret-key.dev", 50)
# The key that wraps each case's data key. It is never stored in the database.
SAFEHOLD_MASTER_KEY = required_secret("SAFEHOLD_MASTER_KEY", "master-key.dev", 32)
SAFEHOLD_POLICY = env("SAFEHOLD_POLICY", "default") or "default"
# A provider's own risk tools: every *.toml file here is loaded beside the bundled ones.
SAFEHOLD_RISK_TOOLS_DIR = Path(
    env("SAFEHOLD_RISK_TOOLS_DIR", str(DATA_DIR / "risk-tools")) or DATA_DIR / "risk-tools"
)

ALLOWED_HOSTS = [h.strip() for h in (env("SAFEHOLD_ALLOWED_HOSTS", "") or "").split(",") if h]
if not ALLOWED_HOSTS:
    ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]"]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in (env("SAFEHOLD_CSRF_TRUSTED_ORIGINS", "") or "").split(",") if o
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "safehold.privacy",
    "safehold.limits",
    "safehold.accounts",
    "safehold.cases",
    "safehold.risk",
    "safehold.casework",
    "safehold.evidence",
    "safehold.closure",
    "safehold.records",
    "safehold.marac",
    "safehold.reports",
    "safehold.partners",
    "safehold.desk",
    "safehold.public",
    "safehold.web",
]

MIDDLEWARE = [
    # The client's address for the audit entries a request writes (limits/addresses.py).
    "safehold.limits.addresses.ClientAddressMiddleware",
    # The public pages on their own host name, or off (safehold/public/hosts.py).
    "safehold.public.hosts.PublicHostMiddleware",
    # The header middleware wrap everything that can answer early (WhiteNoise's static
    # files, ProblemMiddleware's 413, the sign-in redirects), so that every answer has
    # its headers: tests/test_security_headers.py.
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "safehold.web.middleware.NoStoreMiddleware",
    "csp.middleware.CSPMiddleware",
    "safehold.api.problems.ProblemMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Refused requests (403, 429, refused break glass) in the audit trail: it sees the
    # CSRF refusals (and writes nothing for them) and everything after (accounts/refusals.py).
    "safehold.accounts.middleware.RefusalAuditMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "safehold.accounts.middleware.SessionLimitsMiddleware",
    "safehold.accounts.middleware.TwoFactorRequiredMiddleware",
    "safehold.accounts.middleware.SessionRecordMiddleware",
    "safehold.accounts.middleware.PasswordChangeRequiredMiddleware",
    # A partner reaches only the partner pages and their own account (partners/gate.py).
    "safehold.partners.gate.PartnerGateMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "safehold.urls"
WSGI_APPLICATION = "safehold.wsgi.application"

# A provider's own letter templates (letters/<kind>_<recipient>.html) come first.
SAFEHOLD_LETTER_TEMPLATES_DIR = Path(
    env("SAFEHOLD_LETTER_TEMPLATES_DIR", str(DATA_DIR / "templates")) or DATA_DIR / "templates"
)

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [SAFEHOLD_LETTER_TEMPLATES_DIR],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "safehold.web.context_processors.service",
            ],
            # Plain words for codes, dates and times in every template (issue 18).
            "builtins": ["safehold.web.templatetags.words"],
        },
    },
]


def database_config(url: str | None = None) -> dict[str, object]:
    url = url or env("DATABASE_URL")
    if not url:
        url = f"sqlite:///{DATA_DIR / 'safehold.sqlite3'}"
    config: dict[str, object] = dict(dj_database_url.parse(url, conn_max_age=600))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets readers work while one writer commits; synchronous=FULL makes every
        # acknowledged commit durable across a power cut; IMMEDIATE takes the write lock
        # at the start of a transaction so two writers queue instead of deadlocking.
        # Connections are kept between requests (conn_max_age above), as on PostgreSQL:
        # opening one and running these PRAGMAs cost more than a case read's queries.
        config["OPTIONS"] = {
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
            ),
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    config["CONN_HEALTH_CHECKS"] = True
    if config["ENGINE"] != "django.db.backends.sqlite3":
        # PostgreSQL's JIT spent 0.2 to 1.1 s compiling each monitoring query at a
        # million cases and nothing on the short queries of case work; Safehold runs
        # without it. random_page_cost=1.1 (PostgreSQL's default of 4 prices a page read
        # for spinning disks): on SSDs, or with the tables in memory, it lets the planner
        # read a period's cases through the reported_at index instead of scanning every
        # case ever reported (docs/performance.md).
        options = dict(config.get("OPTIONS") or {})  # type: ignore[call-overload]
        chosen = "-c jit=off -c random_page_cost=1.1"
        options["options"] = f"{options.get('options', '')} {chosen}".strip()
        # The statements of every request are prepared on the server, each on its first
        # use (safehold/prepared.py). Django turns psycopg's prepared statements off (its
        # client-side cursors never prepare); a threshold no query reaches turns them on
        # for those statements alone, which ask to be prepared.
        options.setdefault("prepare_threshold", 2**31 - 1)
        config["OPTIONS"] = options
    return config


def reports_database_config(main: dict[str, object]) -> dict[str, object] | None:
    """The monitoring report's own database, when SAFEHOLD_REPORTS_DATABASE_URL names one:
    a PostgreSQL streaming replica of the main database (docs/deployment.md, "Read
    replicas and the reports"). Only the report's figures are read there
    (safehold/reports/routers.py); nothing is written or migrated there."""
    url = env("SAFEHOLD_REPORTS_DATABASE_URL")
    if not url:
        return None
    config = database_config(url)
    postgresql = "django.db.backends.postgresql"
    if config["ENGINE"] != postgresql or main["ENGINE"] != postgresql:
        raise ImproperlyConfigured(
            "SAFEHOLD_REPORTS_DATABASE_URL names a PostgreSQL streaming replica of the main "
            "database, so both it and DATABASE_URL must be postgres:// URLs"
        )
    # Read-only from the first statement, even if the URL names a server that could be
    # written: a hot standby refuses writes anyway, a primary named by mistake then does too.
    options = dict(config["OPTIONS"])  # type: ignore[call-overload]
    options["options"] = f"{options['options']} -c default_transaction_read_only=on"
    # A replica that does not answer fails the report in seconds, not after the system's
    # TCP time-out (about two minutes), past gunicorn's 60-second worker time-out.
    options["connect_timeout"] = 5
    config["OPTIONS"] = options
    config["ATOMIC_REQUESTS"] = False
    # Django's test runner points a replica at the main test database rather than
    # creating a database on a server that is read-only.
    config["TEST"] = {"MIRROR": "default"}
    return config


DATABASES = {"default": database_config()}
reports_database = reports_database_config(DATABASES["default"])
if reports_database is not None:
    DATABASES["reports"] = reports_database
    # Refuses to migrate the replica and keeps every write on the main database; reads
    # go to the replica only where the report's code asks for it (`.using()`).
    DATABASE_ROUTERS = ["safehold.reports.routers.ReportsRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.Staff"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "sign-in"
LOGIN_REDIRECT_URL = "home"

# Sessions: an idle time-out (the cookie's age, renewed on every request) and an absolute
# limit from sign-in (enforced by SessionLimitsMiddleware). These are security settings
# of the service, not rules of a provider's policy.
SESSION_IDLE_TIMEOUT = timedelta(minutes=30)
SESSION_ABSOLUTE_LIMIT = timedelta(hours=10)
SESSION_COOKIE_AGE = int(SESSION_IDLE_TIMEOUT.total_seconds())
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Kept in the database under a keyed hash of the session key, never the key itself
# (safehold/accounts/session_store.py): a copy of the table opens no session.
SESSION_ENGINE = "safehold.accounts.session_store"
CSRF_COOKIE_HTTPONLY = True
# Marks a CSRF refusal so that it is not audited in the name of the session it carried
# (accounts/refusals.py): another site's request is not that person's.
CSRF_FAILURE_VIEW = "safehold.accounts.refusals.csrf_failure"

# Lock-out after repeated failed sign-ins (django-axes, with accounts/lockout.py), for
# 15 minutes: 5 wrong passwords for one username from one client address lock that pair
# only, so a stranger who knows a username cannot lock its owner out from elsewhere; 5
# from one address lock that address (trying many usernames from one place). Past
# SAFEHOLD_SIGN_IN_USERNAME_CEILING failures for one username from all addresses in the
# window, each address gets one wrong try for it, not 5: a guess spread over many
# addresses is slowed, and the owner still signs in at the first right password.
# docs/security.md, "Lock-out". An admin can lift a username's lock-out early.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_HANDLER = "safehold.accounts.lockout.LockoutHandler"
SAFEHOLD_SIGN_IN_USERNAME_CEILING = 20
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "safehold.accounts.views.locked_out"
AXES_VERBOSE = False
# The address counted is the client's, read from X-Forwarded-For behind
# SAFEHOLD_PROXY_COUNT proxies (safehold/limits/addresses.py, with django-ipware): one
# function for lock-out and the API's rate limits alike, never the load balancer's own.
SAFEHOLD_PROXY_COUNT = int(env("SAFEHOLD_PROXY_COUNT", "0") or "0")
if SAFEHOLD_PROXY_COUNT < 0:
    raise ImproperlyConfigured("SAFEHOLD_PROXY_COUNT must be 0 or more")
AXES_CLIENT_IP_CALLABLE = "safehold.limits.addresses.client_address"


def rate_limit(name: str, default: str) -> str | None:
    """A rate from the environment (N/s, N/m, N/h or N/d), or None for `off`."""
    value = (env(name, default) or default).strip().lower()
    if value == "off":
        return None
    if not re.fullmatch(r"[1-9][0-9]*/[smhd]", value):
        raise ImproperlyConfigured(
            f"{name} must be a number of requests per s, m, h or d (such as 1200/m), "
            f"or off; not {value!r}"
        )
    return value


# API rate limits (safehold/api/limits.py): per token, and per client address for
# requests without a valid token. Over the limit the API answers 429. The counts live in
# the database (safehold/limits/counters.py), so every `safehold serve` process shares
# them; the default cache is per process and Safehold keeps nothing else in a cache.
SAFEHOLD_API_RATE_PER_TOKEN = rate_limit("SAFEHOLD_API_RATE_PER_TOKEN", "1200/m")
SAFEHOLD_API_RATE_PER_ADDRESS = rate_limit("SAFEHOLD_API_RATE_PER_ADDRESS", "120/m")
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# The public pages, /tell-us and /tell-us/our-policy (docs/public-pages.md): on, or off
# (they answer 404). With SAFEHOLD_PUBLIC_HOST set, they answer only on that host name
# and it answers nothing else (staff pages stay on the others).
SAFEHOLD_PUBLIC_PAGES = (env("SAFEHOLD_PUBLIC_PAGES", "on") or "on").lower() != "off"
SAFEHOLD_PUBLIC_HOST = (env("SAFEHOLD_PUBLIC_HOST", "") or "").strip().lower()
if SAFEHOLD_PUBLIC_HOST and SAFEHOLD_PUBLIC_HOST not in ALLOWED_HOSTS:
    ALLOWED_HOSTS.append(SAFEHOLD_PUBLIC_HOST)
# Reports sent per client address, and by everyone together, before the form refuses
# (and says to call instead); the largest form it reads; the shortest time in which a
# person fills it in (quicker is a machine); the least time every answer to a sent form
# takes, so that its timing cannot tell whether anyone named is known.
SAFEHOLD_PUBLIC_RATE_PER_ADDRESS = rate_limit("SAFEHOLD_PUBLIC_RATE_PER_ADDRESS", "5/h")
SAFEHOLD_PUBLIC_RATE_DAILY = rate_limit("SAFEHOLD_PUBLIC_RATE_DAILY", "500/d")
SAFEHOLD_PUBLIC_MAX_BODY = int(env("SAFEHOLD_PUBLIC_MAX_BODY", "65536") or "65536")
SAFEHOLD_PUBLIC_MIN_FILL_SECONDS = int(env("SAFEHOLD_PUBLIC_MIN_FILL_SECONDS", "5") or "5")
SAFEHOLD_PUBLIC_ANSWER_SECONDS = float(env("SAFEHOLD_PUBLIC_ANSWER_SECONDS", "1") or "1")

# Break glass (API.md §4): a manager or officer may open one case outside their need to
# know for this long, with a stated reason of at least this many characters.
SAFEHOLD_BREAK_GLASS_DURATION = timedelta(hours=24)
SAFEHOLD_BREAK_GLASS_MIN_REASON = 10
# A token's use is audited at most this often (every read of a case is audited anyway).
SAFEHOLD_TOKEN_USE_AUDIT_INTERVAL = timedelta(minutes=5)
# Refused requests (403, 429) recorded in the audit trail per person, token or address
# in a minute; the rest of that minute's are not (accounts/refusals.py).
SAFEHOLD_REFUSAL_AUDIT_PER_MINUTE = 10

# Email (break-glass alerts to DA leads). Django's SMTP backend by default; in
# development the messages are printed.
EMAIL_BACKEND = env(
    "SAFEHOLD_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEVELOPMENT
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env("SAFEHOLD_EMAIL_HOST", "localhost") or "localhost"
EMAIL_PORT = int(env("SAFEHOLD_EMAIL_PORT", "25") or "25")
EMAIL_HOST_USER = env("SAFEHOLD_EMAIL_USER", "") or ""
EMAIL_HOST_PASSWORD = env("SAFEHOLD_EMAIL_PASSWORD", "") or ""
EMAIL_USE_TLS = (env("SAFEHOLD_EMAIL_TLS", "false") or "false").lower() == "true"
DEFAULT_FROM_EMAIL = env("SAFEHOLD_EMAIL_FROM", "safehold@localhost") or "safehold@localhost"

OTP_TOTP_ISSUER = "Safehold"
OTP_TOTP_THROTTLE_FACTOR = 1

# Request size: the API refuses larger bodies with 413 (ProblemMiddleware).
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 500

# Security headers. HSTS and secure cookies in production, where the service is behind
# TLS; development serves plain HTTP on localhost.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEVELOPMENT:
    SECURE_HSTS_SECONDS = 63072000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = (env("SAFEHOLD_SSL_REDIRECT", "true") or "true").lower() == "true"
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
    },
}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = None
# WhiteNoise serves the files straight from the apps' static folders, so there is no
# collectstatic step to forget when installing or upgrading.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = False

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler", "stream": sys.stderr}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"axes": {"level": "WARNING"}},
}


# Background work (docs/records.md): Django's tasks framework through the django-tasks
# backport, stored in the database and run by `safehold worker` (django-tasks-db's
# db_worker). The nightly retention run is its first task.
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

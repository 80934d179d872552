"""Settings for Rathaus, read from environment variables with safe defaults.

Every knob an operator needs is an environment variable (see README,
"Configuration"). Without any, Rathaus runs the demo on SQLite.
"""

import os
from datetime import timedelta as _timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from rathaus.core.hosts import TownHosts

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("RATHAUS_VAR_DIR", PROJECT_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
TESTING = env_bool("RATHAUS_TESTING", False)
# Production unless told otherwise. Demo mode (`rathaus demo`, `make demo`) and the test
# suite (RATHAUS_TESTING=1) may run on the public demo key, any host name, the default
# town and the demo payment provider; production refuses to start with any of them
# (rathaus.core.deployment, checked in CoreConfig.ready; docs/security.md).
RATHAUS_MODE = os.environ.get("RATHAUS_MODE", "production").strip().lower()
DEMO_MODE = TESTING or RATHAUS_MODE == "demo"
DEMO_SECRET_KEY = "rathaus-demo-key-not-for-production-use-0123456789"
SECRET_KEY = os.environ.get("SECRET_KEY", "") or DEMO_SECRET_KEY
# The configured host names; the towns' host names in the database and the operator's
# hosts are allowed too, without a restart (core.hosts, ADR 0214).
ALLOWED_HOSTS = TownHosts(env_list("ALLOWED_HOSTS", "*" if DEMO_MODE else ""))
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "csp",
    "ninja",
    "rathaus.core",
    "rathaus.catalog",
    "rathaus.appointments",
    "rathaus.onsite",
    "rathaus.applications",
    "rathaus.council",
    "rathaus.participation",
    "rathaus.assistant",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "rathaus.core.csp.CSPMiddleware",
    "rathaus.core.tenancy.MunicipalityMiddleware",
    # /einbetten/: lean pages that listed origins may frame (ADR 0008); after tenancy.
    "rathaus.core.embedding.EmbedMiddleware",
    "rathaus.core.badinput.ParseErrorMiddleware",
    # Turns a refused (locked-out) login into login_throttle.locked_out's German page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "rathaus.urls"
WSGI_APPLICATION = "rathaus.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "rathaus.core.context_processors.municipality",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
# SQLite is the embedded default (demo, quick start); DATABASE_URL selects
# PostgreSQL, the production database.
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{PROJECT_DIR / 'db.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
POSTGRES_ENGINE = "rathaus.core.backends.postgresql"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})
    # WAL + a busy timeout let the threaded dev server and a task worker share the file.
    DATABASES["default"]["OPTIONS"].update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
else:
    # Django's PostgreSQL backend; its health check looks at the socket before it asks
    # the server (core/backends/postgresql, issue 24): no SELECT 1 on every request.
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["default"]["ENGINE"] = POSTGRES_ENGINE
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Django binds its queries on the client, so they are never prepared; the booking
    # statement (ADR 0024) uses a server-side cursor and is prepared once per
    # connection, which saves parsing and planning it on every booking. Behind
    # PgBouncer older than 1.21 in transaction mode, set DB_PREPARED_STATEMENTS=0: then
    # nothing is prepared (prepare_threshold None, Django's default, stated here), the
    # booking statement included (scripts/scaleout_check.py: 474 of 1,843 requests 500
    # with prepared statements through PgBouncer 1.18, none without).
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = (
        5 if env_bool("DB_PREPARED_STATEMENTS", True) else None
    )
    # Behind PgBouncer in transaction mode: no cursors that outlive a transaction.
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env_bool(
        "DB_DISABLE_SERVER_SIDE_CURSORS", False
    )
IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, sessions ----------------------------------------------------
# App servers are stateless: with REDIS_URL the cache (availability, rate
# limits) is shared between processes; without it each process has its own.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "rathaus"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# --- Auth -------------------------------------------------------------------
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "/"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Login throttle (django-axes, rathaus.core.login_throttle): per account and per client.
AUTHENTICATION_BACKENDS = [
    "rathaus.core.login_throttle.ThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("RATHAUS_LOGIN_FAILURE_LIMIT", "10"))
AXES_COOLOFF_TIME = _timedelta(minutes=int(os.environ.get("RATHAUS_LOGIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # either one reaching the limit locks
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "rathaus.core.login_throttle.client_address"
# Failures are counted in the cache (Redis in production, shared by all processes), not
# in the database: a failed login's form data may be anything (10,000 characters, NUL
# bytes), and nothing of it is stored. Successful logins are not logged (privacy).
AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler"
AXES_DISABLE_ACCESS_LOG = True
# axes warns about a per-process cache; without REDIS_URL every limit counts per process.
SILENCED_SYSTEM_CHECKS = ["axes.W001"]
AXES_USERNAME_CALLABLE = "rathaus.core.login_throttle.username_of"
AXES_LOCKOUT_CALLABLE = "rathaus.core.login_throttle.locked_out"
AXES_VERBOSE = False

# --- i18n -----------------------------------------------------------------
LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("Deutsch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Berlin")
USE_I18N = True
USE_TZ = True

# --- Static files -------------------------------------------------------------
STATIC_URL = "/static/"
# Set STATIC_ROOT (and run collectstatic) in production; the demo serves from the finders.
STATIC_ROOT = os.environ.get("STATIC_ROOT") or None
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# Uploads hold personal data: readable by the app's user and group only.
FILE_UPLOAD_PERMISSIONS = 0o640
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o750
# Serve from the finders without collectstatic unless an operator collected them.
WHITENOISE_USE_FINDERS = env_bool("WHITENOISE_USE_FINDERS", True)
WHITENOISE_AUTOREFRESH = DEBUG

# --- E-mail -------------------------------------------------------------------
# Console in the demo, SMTP in production (EMAIL_BACKEND=smtp plus EMAIL_HOST ...).
_email_backends = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
}
# Fail closed: without EMAIL_BACKEND, only development and tests print e-mails to the
# console; anywhere else sending fails (logged) instead of writing mails with their
# links and tokens into the console log (docs/privacy.md).
_default_email = "console" if DEMO_MODE or DEBUG else "rathaus.core.mail.RefuseBackend"
EMAIL_BACKEND = _email_backends.get(
    os.environ.get("EMAIL_BACKEND", _default_email),
    os.environ.get("EMAIL_BACKEND", _default_email),
)
EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Rathaus <noreply@rathaus.example>")

# --- Background tasks ---------------------------------------------------------
# Database backend: work survives restarts and is picked up by
# `manage.py db_worker`. TASKS_BACKEND=immediate runs tasks inline (tests, demo).
_task_backends = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
TASKS = {
    "default": {
        "BACKEND": _task_backends[os.environ.get("TASKS_BACKEND", "database")],
    }
}

# --- Security -------------------------------------------------------------
# Reverse proxies (IP addresses or networks) whose X-Forwarded-For is believed; rate
# limits and the login throttle then count the real client (core.ratelimit.client_ip).
RATHAUS_TRUSTED_PROXIES = env_list("RATHAUS_TRUSTED_PROXIES")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
# RATHAUS_HTTPS, not HTTPS: CGI servers (and Django's dev server) set HTTPS per request.
# The old name still works for now, with a warning (rathaus.core.deployment).
HTTPS_LEGACY_NAME_USED = "RATHAUS_HTTPS" not in os.environ and "HTTPS" in os.environ
RATHAUS_HTTPS = env_bool("RATHAUS_HTTPS", False) or (
    HTTPS_LEGACY_NAME_USED and env_bool("HTTPS", False)
)
if RATHAUS_HTTPS:
    SECURE_HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# No inline scripts or styles anywhere: every script is a static file.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "media-src": ["'self'", "data:"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
        "worker-src": ["'self'", "blob:"],
    }
}

# --- Rathaus -------------------------------------------------------------------
# Demo mode only: host names not claimed by any municipality fall back to this one.
# In production an unknown host name gets 400 (core.tenancy).
RATHAUS_DEFAULT_MUNICIPALITY = os.environ.get(
    "RATHAUS_DEFAULT_MUNICIPALITY", "musterstadt" if DEMO_MODE else ""
)
# Demo data loaders, run in this order by `rathaus demo`.
RATHAUS_DEMO_LOADERS = [
    "rathaus.core.demo.load",
    "rathaus.catalog.demo.load",
    "rathaus.appointments.demo.load",
    "rathaus.onsite.demo.load",
    "rathaus.applications.demo.load",
    "rathaus.council.demo.load",
    "rathaus.participation.demo.load",
    "rathaus.assistant.demo.load",
]
# Host names of the Land operator's area (issue 21): no town is served there, only
# /land/ (towns, onboarding, usage) and the login. Demo mode: land.localhost.
RATHAUS_OPERATOR_HOSTS = [
    host.lower()
    for host in env_list("RATHAUS_OPERATOR_HOSTS", "land.localhost" if DEMO_MODE else "")
]
RATHAUS_PUBLIC_BASE_URL = os.environ.get("RATHAUS_PUBLIC_BASE_URL", "http://127.0.0.1:8000")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# --- Module settings --------------------------------------------------------------
# Each module appends its own block below, headed by its name.

# assistant
# Conversations are deleted after this idle time (periodic job assistant.purge_conversations).
RATHAUS_ASSISTANT_RETENTION_SECONDS = int(
    os.environ.get("RATHAUS_ASSISTANT_RETENTION_SECONDS", 2 * 3600)
)
# Anonymised unanswered questions for catalog editors are kept this many days.
RATHAUS_ASSISTANT_OPEN_QUESTION_DAYS = 180
# Questions per client IP and minute (chat page and API).
RATHAUS_ASSISTANT_RATE_LIMIT = 30
# Dotted path of an AnswerComposer (e.g. an operator's language model); empty = rule based.
RATHAUS_ASSISTANT_COMPOSER = os.environ.get("RATHAUS_ASSISTANT_COMPOSER", "")

# applications
import json as _json  # noqa: E402 - kept inside this module's block

# Online applications: second factor and extra links on core's login page, payment provider,
# OpenID Connect providers for the citizen account (see docs/adr/0031, 0032).
RATHAUS_LOGIN_SECOND_FACTOR = "rathaus.applications.accounts.second_factor_redirect"
# Every session of a user with an authenticator must have passed the code, whatever the
# login path; staff must set 2FA up where it is required (applications/second_factor.py).
MIDDLEWARE.append("rathaus.applications.second_factor.SecondFactorMiddleware")
# 2FA for every staff account of the installation (a town can also require it for its own).
RATHAUS_STAFF_2FA_REQUIRED = env_bool("RATHAUS_STAFF_2FA_REQUIRED", not DEMO_MODE)
RATHAUS_LOGIN_EXTRA_TEMPLATES = ["applications/_login_extra.html"]
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24
# The demo provider takes any test card: demo mode only (production refuses to start with it).
APPLICATIONS_PAYMENT_PROVIDER = os.environ.get(
    "APPLICATIONS_PAYMENT_PROVIDER", "demo" if DEMO_MODE else ""
)
APPLICATIONS_PAYMENT_PROVIDERS = {"demo": "rathaus.applications.payments.DemoProvider"}
# Shared secret of the demo provider's webhooks (derived from SECRET_KEY when empty).
APPLICATIONS_DEMO_PAY_SECRET = os.environ.get("APPLICATIONS_DEMO_PAY_SECRET", "")
APPLICATIONS_DEMO_PAY_WEBHOOKS = env_bool("APPLICATIONS_DEMO_PAY_WEBHOOKS", True)
# Installation-wide OIDC providers as JSON list of {slug, name, issuer, client_id, client_secret}.
APPLICATIONS_OIDC_PROVIDERS = _json.loads(os.environ.get("APPLICATIONS_OIDC_PROVIDERS", "[]"))
# participation
# Map tiles for Leaflet maps (Mängelmelder, Baumgießen). Empty disables tiles: the maps then
# show markers on a plain background and every page still works through its lists and forms.
PARTICIPATION_MAP_TILE_URL = os.environ.get(
    "PARTICIPATION_MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
)
# Only a tile server the town runs itself may be used without asking the citizen first.
PARTICIPATION_MAP_TILES_SELF_HOSTED = env_bool("PARTICIPATION_MAP_TILES_SELF_HOSTED", False)
PARTICIPATION_MAP_ATTRIBUTION = os.environ.get(
    "PARTICIPATION_MAP_ATTRIBUTION", "© OpenStreetMap-Mitwirkende"
)
if PARTICIPATION_MAP_TILE_URL:
    from urllib.parse import urlsplit as _urlsplit

    _tiles = _urlsplit(PARTICIPATION_MAP_TILE_URL.replace("{s}", "a"))
    _tile_origin = f"{_tiles.scheme}://{_tiles.netloc}"
    if _tiles.netloc and _tile_origin not in CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"]:
        CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"].append(_tile_origin)
# Days after "erledigt"/"geschlossen" within which the reporter may reopen a report.
PARTICIPATION_REOPEN_DAYS = int(os.environ.get("PARTICIPATION_REOPEN_DAYS", "14"))
# Nearby reports of the same category within this distance are offered as duplicates.
# Reports further than this from the town centre (its first located office) are refused.
PARTICIPATION_MAX_DISTANCE_KM = int(os.environ.get("PARTICIPATION_MAX_DISTANCE_KM", "30"))
PARTICIPATION_DUPLICATE_RADIUS_M = int(os.environ.get("PARTICIPATION_DUPLICATE_RADIUS_M", "50"))
PARTICIPATION_PHOTO_MAX_BYTES = int(
    os.environ.get("PARTICIPATION_PHOTO_MAX_BYTES", 8 * 1024 * 1024)
)
# Contact data of finished reports is erased after this many days (GDPR retention).
PARTICIPATION_CONTACT_RETENTION_DAYS = int(
    os.environ.get("PARTICIPATION_CONTACT_RETENTION_DAYS", "180")
)

# appointments
# How long an unconfirmed hold (reservation) keeps its units before it expires.
RATHAUS_APPOINTMENTS_HOLD_MINUTES = int(os.environ.get("APPOINTMENTS_HOLD_MINUTES", "15"))
# fair release (issue 4, ADR 0021–0023)
# A cancelled appointment's units return to the pool only after this many minutes.
RATHAUS_APPOINTMENTS_CANCEL_COOLDOWN_MINUTES = int(
    os.environ.get("APPOINTMENTS_CANCEL_COOLDOWN_MINUTES", "60")
)
# How long a waiting-list offer (a hold sent by e-mail) stays open.
RATHAUS_APPOINTMENTS_WAITLIST_OFFER_MINUTES = int(
    os.environ.get("APPOINTMENTS_WAITLIST_OFFER_MINUTES", "120")
)
# ALTCHA proof of work: difficulty (max number) and challenge lifetime; the no-JS
# fallback accepts a form only after this many seconds (ADR 0022).
RATHAUS_ALTCHA_MAX_NUMBER = int(os.environ.get("ALTCHA_MAX_NUMBER", "100000"))
RATHAUS_ALTCHA_EXPIRES_SECONDS = 600
RATHAUS_ALTCHA_FALLBACK_SECONDS = int(os.environ.get("ALTCHA_FALLBACK_SECONDS", "20"))
# LOAD TESTS ONLY (benchmarks/rush.py, the two-server test): skip ALTCHA and the per-IP
# limits, since all simulated citizens come from 127.0.0.1. Never set in production.
RATHAUS_LOAD_TEST = os.environ.get("RATHAUS_LOAD_TEST") == "1"
# Rate limits (count, window seconds) per client IP and per normalised contact address.
RATHAUS_APPOINTMENTS_LIMITS = {
    "hold_ip": (20, 600),
    "hold_contact": (5, 3600),
    "lottery_ip": (10, 600),
    "lottery_contact": (3, 3600),
}
# Availability cache lifetime (seconds); entries are also invalidated on every change.
RATHAUS_AVAILABILITY_CACHE_SECONDS = 60
MIDDLEWARE.append("rathaus.appointments.busy.BusyMiddleware")
# onsite
# Days after which finished tickets lose their booking link and finished bookings their
# name and contact data (the figures stay; docs/adr/0070-onsite-app.md).
ONSITE_RETENTION_DAYS = int(os.environ.get("ONSITE_RETENTION_DAYS", "90"))
# Only devices a clerk activated as kiosk may hand out numbers (else anyone online could
# draw the day's contingent). Switch off only for a kiosk on an isolated network.
ONSITE_KIOSK_DEVICE_REQUIRED = env_bool("ONSITE_KIOSK_DEVICE_REQUIRED", True)
# Numbers only from 30 minutes before opening until closing (off: e.g. to try the demo at night).
ONSITE_DRAW_ONLY_WHEN_OPEN = env_bool("ONSITE_DRAW_ONLY_WHEN_OPEN", True)

# catalog
# Search indexes one process keeps (least recently used dropped; ~9 MB each), so a
# worker's memory does not grow with the number of towns it serves (issue 21).
CATALOG_SEARCH_INDEXES = int(os.environ.get("CATALOG_SEARCH_INDEXES", "8"))

# core: compression of machine-readable answers (not HTML; see core/compression.py).
MIDDLEWARE.insert(1, "rathaus.core.compression.MachineReadableGZipMiddleware")

# --- Privacy (docs/privacy.md; periods of the retention registry, core.retention) -------
APPOINTMENTS_RETENTION_DAYS = int(os.environ.get("APPOINTMENTS_RETENTION_DAYS", "90"))
PARTICIPATION_OPEN_CONTACT_RETENTION_DAYS = int(
    os.environ.get("PARTICIPATION_OPEN_CONTACT_RETENTION_DAYS", "730")
)
RATHAUS_AUDIT_RETENTION_DAYS = int(os.environ.get("RATHAUS_AUDIT_RETENTION_DAYS", str(3 * 365)))
RATHAUS_TASK_RETENTION_DAYS = int(os.environ.get("RATHAUS_TASK_RETENTION_DAYS", "7"))
# operations (issue 20: health, metrics, logs, task robustness; docs/operations.md)
# Kept in one block so that other settings work (demo mode, start-up checks) merges cleanly.
from rathaus.core.ops.logs import logging_config as _logging_config  # noqa: E402

# The request id comes first (every later layer logs with it), metrics second (they see
# every answer, the 503s of the database check included).
MIDDLEWARE.insert(0, "rathaus.core.ops.requestid.RequestIdMiddleware")
MIDDLEWARE.insert(1, "rathaus.core.ops.metrics.MetricsMiddleware")
MIDDLEWARE.insert(2, "rathaus.core.ops.health.HealthCheckMiddleware")
# The towns' host names for ALLOWED_HOSTS, looked up once per request before any
# get_host() (after the health checks: probes by IP address need no database).
MIDDLEWARE.insert(3, "rathaus.core.hosts.TownHostMiddleware")
# Before the booking's busy middleware: exceptions reach the later middleware first, so a
# lock timeout under a rush gets the booking's "viel los" 503, and only a database that is
# really down gets the general one.
MIDDLEWARE.insert(
    MIDDLEWARE.index("rathaus.appointments.busy.BusyMiddleware"),
    "rathaus.core.ops.unavailable.DatabaseUnavailableMiddleware",
)
# Incident / maintenance mode (after tenancy and authentication: it needs both).
MIDDLEWARE.append("rathaus.core.ops.modes.ServiceModeMiddleware")
TEMPLATES[0]["OPTIONS"]["context_processors"].append("rathaus.core.ops.modes.context")
# JSON lines (time, level, logger, message, request_id) on stderr; LOG_FORMAT=text for humans.
LOGGING = _logging_config(
    os.environ.get("LOG_LEVEL", "WARNING"), os.environ.get("LOG_FORMAT", "json")
)
# Every outbound connection has a timeout (seconds): SMTP, Redis, PostgreSQL connect.
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "20"))
if REDIS_URL:
    # Redis is optional at run time: unreachable, the cache answers per process.
    CACHES["default"]["BACKEND"] = "rathaus.core.ops.cache.ResilientRedisCache"
    CACHES["default"].setdefault("OPTIONS", {}).update(
        {"socket_connect_timeout": 2, "socket_timeout": 2}
    )
if IS_POSTGRES:
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", int(os.environ.get("DB_CONNECT_TIMEOUT", "5"))
    )
# Public read pages from a streaming replica, read-your-writes by a pin cookie (ADR 0091,
# core/ops/replica.py). Without DATABASE_REPLICA_URL nothing changes.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = {
        **dj_database_url.parse(DATABASE_REPLICA_URL, conn_max_age=60),
        "ENGINE": POSTGRES_ENGINE,
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": dict(DATABASES["default"].get("OPTIONS", {})),
        "DISABLE_SERVER_SIDE_CURSORS": DATABASES["default"].get(
            "DISABLE_SERVER_SIDE_CURSORS", False
        ),
        "TEST": {"MIRROR": "default"},
    }
    DATABASE_ROUTERS = ["rathaus.core.ops.replica.ReplicaRouter"]
    MIDDLEWARE.insert(
        MIDDLEWARE.index("rathaus.core.ops.health.HealthCheckMiddleware") + 1,
        "rathaus.core.ops.replica.ReplicaReadsMiddleware",
    )
# The public JSON API leaves the full chain here and runs a lean one (ADR 0094,
# core/leanapi.py): the rest of MIDDLEWARE minus these page-only entries. Everything
# before it (request id, metrics, health probes, replica reads) runs for every request.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware"),
    "rathaus.core.leanapi.LeanApiMiddleware",
)
# Warmed at worker start (core/warmup.py, gunicorn's post_worker_init): the URLconfs
# besides ROOT_URLCONF and the templates of the busiest pages and errors.
RATHAUS_WARM_URLCONFS = ["rathaus.embed_urls"]
RATHAUS_WARM_TEMPLATES = [
    "base.html",
    "catalog/home.html",
    "catalog/service_detail.html",
    "appointments/index.html",
    "appointments/calendar.html",
    "appointments/details.html",
    "core/error.html",
]
RATHAUS_PAGE_ONLY_MIDDLEWARE = [
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "rathaus.core.embedding.EmbedMiddleware",
    "axes.middleware.AxesMiddleware",
    "rathaus.applications.second_factor.SecondFactorMiddleware",
]
# A client that wrote reads from the primary for this long (longer than the replica's lag).
RATHAUS_REPLICA_PIN_SECONDS = int(os.environ.get("DATABASE_REPLICA_PIN_SECONDS", "10"))
RATHAUS_REPLICA_HEADER = env_bool("DATABASE_REPLICA_HEADER", False)
# Mail goes through the recording backend (no e-mail sent twice when a task is retried);
# EMAIL_BACKEND picks the transport behind it.
if EMAIL_BACKEND in (_email_backends["smtp"], _email_backends["file"]):
    RATHAUS_EMAIL_TRANSPORT = EMAIL_BACKEND
    EMAIL_BACKEND = "rathaus.core.ops.mail.EmailBackend"
# A RUNNING task older than this lost its worker and is queued again (must exceed the
# longest task; every connection's timeout keeps tasks far shorter).
RATHAUS_TASK_LEASE_SECONDS = int(os.environ.get("TASK_LEASE_SECONDS", "600"))
# Transient failures (mail server down, network, database restart) are retried with
# backoff 30 s, 1, 2, 4 … 60 min: 12 attempts span about seven hours.
RATHAUS_TASK_MAX_ATTEMPTS = int(os.environ.get("TASK_MAX_ATTEMPTS", "12"))
RATHAUS_TASK_RETRY_BASE_SECONDS = int(os.environ.get("TASK_RETRY_BASE_SECONDS", "30"))
# /readyz reports "not ready" when a due task has waited longer than this (worker down).
RATHAUS_READYZ_QUEUE_MAX_AGE_SECONDS = int(os.environ.get("READYZ_QUEUE_MAX_AGE", "900"))
# /metrics: a bearer token (METRICS_TOKEN) or a client address in METRICS_ALLOW.
RATHAUS_METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
RATHAUS_METRICS_ALLOW = env_list("METRICS_ALLOW", "127.0.0.1/32,::1/128")
# Versioned static file names (app.3f2a….css) once an operator collects them: browsers
# never keep an old CSS/JS after an upgrade, and nginx may cache them for a year.
if STATIC_ROOT:
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    WHITENOISE_USE_FINDERS = env_bool("WHITENOISE_USE_FINDERS", False)

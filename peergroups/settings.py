"""Django settings for Peergroups, read from the environment (see .env.example).

With no environment at all the project runs in DEBUG on an embedded SQLite file
under var/, so `make run` needs no set-up.
"""

from email.utils import parseaddr
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from peergroups.env import env_bool, env_int, env_list, env_str, parse_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

DEBUG = env_bool("DEBUG", True)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"
elif not DEBUG and (
    len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("django-insecure")
):
    # It signs sessions, password-reset and invitation links: a guessable one opens them all.
    raise ImproperlyConfigured(
        "SECRET_KEY is too weak for DEBUG=0: use at least 50 random characters, e.g. "
        "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# Unset in development, `runserver` sets it to the address it listens on (ops' runserver).
BASE_URL = (env_str("BASE_URL") or "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    # First: its `runserver` (links on the address it listens on) wraps staticfiles' one,
    # and its `db_worker` (with the heartbeat /readyz reads) replaces django_tasks_db's.
    "peergroups.ops",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",  # serves /api/docs from our own static files (the CSP allows no CDN)
    "django_tasks",
    "django_tasks_db",
    "peergroups.accounts",
    "peergroups.audit",
    "peergroups.organizations",
    "peergroups.people",
    "peergroups.sso",
    "peergroups.groups",
    "peergroups.formation",
    "peergroups.meetings",
    "peergroups.goals",
    "peergroups.resources",
    "peergroups.network",
    "peergroups.outcomes",
    "peergroups.dashboards",
    "peergroups.scim",
    "peergroups.api",
    "peergroups.demo",
]

MIDDLEWARE = [
    # A request id on every log line and in the X-Request-ID response header (ops.logs).
    "peergroups.ops.logs.RequestContextMiddleware",
    # Then: /healthz and /readyz answer for any Host and over plain HTTP (a balancer's probe).
    "peergroups.ops.middleware.ProbeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "peergroups.http.SecurityHeadersMiddleware",
    "peergroups.http.RequestSizeLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After the session and the user: the person's language, else their organization's,
    # else the browser's Accept-Language (accounts.middleware).
    "peergroups.accounts.middleware.LanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "peergroups.http.InputGuardMiddleware",
    "peergroups.http.ErrorPageMiddleware",
]

ROOT_URLCONF = "peergroups.urls"
WSGI_APPLICATION = "peergroups.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "peergroups.organizations.context_processors.organizations",
                "peergroups.ops.context_processors.dev_outbox",
            ],
        },
    },
]

# PostgreSQL: connecting gives up after DATABASE_CONNECT_TIMEOUT seconds and a statement
# after DATABASE_STATEMENT_TIMEOUT (a web request never legitimately needs gunicorn's 30 s);
# `manage.py` commands (task workers, migrate, imports) get WORKER_STATEMENT_TIMEOUT
# (ops.apps).
DATABASE_STATEMENT_TIMEOUT = env_int("DATABASE_STATEMENT_TIMEOUT", 30)
WORKER_STATEMENT_TIMEOUT = env_int("WORKER_STATEMENT_TIMEOUT", 600)
DATABASES = {
    "default": parse_database_url(
        env_str("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'peergroups.sqlite3'}",
        connect_timeout=env_int("DATABASE_CONNECT_TIMEOUT", 5),
        statement_timeout_ms=DATABASE_STATEMENT_TIMEOUT * 1000,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# Django's model backend, whose session user comes with the roles they hold (one query
# where two were: organizations.viewer). The model backend itself stays listed for the
# sessions it signed in before 0.4 (Django signs out a session whose backend is not
# listed); the viewer backend ends a failed sign-in, so it never asks a password twice.
AUTHENTICATION_BACKENDS = [
    "peergroups.organizations.viewer.ViewerBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24

LANGUAGE_CODE = "en"
# Each named in its own language: a person looks for their language by its own name.
LANGUAGES = [("en", "English"), ("de", "Deutsch")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Our date formats per language (peergroups/locale_formats/<lang>/formats.py): templates
# ask for a named format (SHORT_DATE_FORMAT, ...), never an English-only pattern.
FORMAT_MODULE_PATH = ["peergroups.locale_formats"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env_str("STATIC_ROOT") or str(VAR_DIR / "staticfiles")
# Uploaded files (shared resources) go through Django's storage API: local files under
# MEDIA_ROOT by default, any backend by FILE_STORAGE_BACKEND. They are never served from
# a public URL: a view checks who may see the resource and streams the file.
MEDIA_ROOT = env_str("MEDIA_ROOT") or str(VAR_DIR / "media")
STORAGES = {
    "default": {
        "BACKEND": env_str("FILE_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage")
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# E-mail: SMTP when EMAIL_HOST is set; otherwise, in development, kept in the outbox
# (files under MAIL_OUTBOX_DIR, listed for staff at /dev/outbox: ops.outbox), else printed
# to the console (with DEBUG=0, `check --deploy` fails without EMAIL_HOST, see ops.checks).
EMAIL_HOST = env_str("EMAIL_HOST", "")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
MAIL_OUTBOX = env_bool("MAIL_OUTBOX", DEBUG and not EMAIL_HOST)
MAIL_OUTBOX_DIR = env_str("MAIL_OUTBOX_DIR") or str(VAR_DIR / "mail")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "peergroups.ops.outbox.OutboxBackend"
    if MAIL_OUTBOX
    else "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Peergroups <noreply@peergroups.local>")
# A mail server that accepts and never answers must not hold a worker for minutes: the
# send fails after this many seconds and is retried later (ops.mail).
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)

# Background work runs in `manage.py db_worker` processes; several may share one PostgreSQL.
# Two queues: "default" (e-mail, reminders) and "formation" (engine runs of up to ten
# minutes), each with its own worker, so an invitation never waits behind a formation.
TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default", "formation"],
    }
}

# Behind a TLS-terminating proxy (opt-in): trust its X-Forwarded-Proto for "is this HTTPS"
# and its X-Forwarded-For for the client's address (throttling). Never without one: a
# client could claim either.
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Django's database sessions, read without the ORM on every page (accounts.sessions).
SESSION_ENGINE = "peergroups.accounts.sessions"

# Cookies only over HTTPS in production; SECURE_COOKIES=0 serves plain HTTP (e.g. a local benchmark).
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# HTTPS only, wherever cookies are: redirect plain HTTP, and have browsers remember it.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", SESSION_COOKIE_SECURE)
# Probes and the scraper speak plain HTTP (ProbeMiddleware answers them first anyway).
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
# /metrics (ops.metrics): a scraper sends it as a bearer token; with none set, only a
# private or loopback address not coming through the proxy may read it.
METRICS_TOKEN = env_str("METRICS_TOKEN", "")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if SECURE_SSL_REDIRECT else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# The check-in index includes `status` for PostgreSQL's index-only scans; SQLite builds
# the same index without it, which is all it can do (models.W040 says so on every migrate).
SILENCED_SYSTEM_CHECKS = ["models.W040"]
if not SECURE_HSTS_PRELOAD:
    # Preloading asks browser vendors to hard-code the domain: an operator's decision
    # (SECURE_HSTS_PRELOAD=1), not a default; check --deploy would otherwise warn.
    SILENCED_SYSTEM_CHECKS.append("security.W021")
# Scripts, styles and images from our own origin only: the templates have no inline
# script, style nor event handler (templates/base.html, static/js/app.js).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)

# One upload limit, stated once: the largest file anyone may upload (a shared resource's
# file; the member CSV import has its own, smaller 5 MB rule). A request body may be one
# MiB more, for the form's other fields and the multipart framing; a larger body is
# refused from its Content-Length before it is read (http.RequestSizeLimitMiddleware),
# and the proxy's limit (deploy/nginx-peergroups.conf, client_max_body_size) is the same.
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
MAX_REQUEST_BYTES = UPLOAD_MAX_BYTES + 1024 * 1024
# Forms and API JSON up to 2.5 MB in memory; a larger file streams to a temporary file.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # a larger file streams to a temporary file

# Each task worker beats this often; one silent for three beats is dead (/readyz stops
# counting it, and its running task is failed by the others' sweep).
WORKER_HEARTBEAT_SECONDS = env_int("WORKER_HEARTBEAT_SECONDS", 10)

# Invitations are single-use links valid for this many days.
INVITATION_VALID_DAYS = env_int("INVITATION_VALID_DAYS", 14)
# Single sign-on (peergroups.sso): every call to an organization's identity provider gives
# up after this many seconds. Issuers on loopback or private addresses, or over plain
# http, are refused unless allowed (development and tests run a provider on localhost).
SSO_HTTP_TIMEOUT = env_int("SSO_HTTP_TIMEOUT", 5)
SSO_ALLOW_LOCAL_ISSUERS = env_bool("SSO_ALLOW_LOCAL_ISSUERS", DEBUG)
# A sign-in started at the provider must come back within this many seconds.
SSO_PENDING_SECONDS = env_int("SSO_PENDING_SECONDS", 600)
# A formation "by region" (or industry) of at least this many people runs one task per
# segment on the formation queue, spread over however many workers serve it.
FORMATION_SEGMENT_TASKS_FROM = env_int("FORMATION_SEGMENT_TASKS_FROM", 3000)
# After publish, the welcome e-mails wait this long for the admin to confirm the group
# names ("Confirm names and send welcome e-mails" sends them at once).
GROUP_WELCOME_DELAY_HOURS = env_int("GROUP_WELCOME_DELAY_HOURS", 24)

# Shared resources: the largest file a member may attach is the upload limit.
RESOURCE_FILE_MAX_BYTES = UPLOAD_MAX_BYTES
# Files one person may attach per hour and per day (429 with Retry-After past them).
RESOURCE_UPLOADS_PER_HOUR = env_int("RESOURCE_UPLOADS_PER_HOUR", 20)
RESOURCE_UPLOADS_PER_DAY = env_int("RESOURCE_UPLOADS_PER_DAY", 60)
# A PDF's text is read by a task in a child process with these limits (CPU seconds and
# address space): a file that unpacks to far more than its size is cut off, not read.
RESOURCE_TEXT_SECONDS = env_int("RESOURCE_TEXT_SECONDS", 10)
RESOURCE_TEXT_MEMORY_MB = env_int("RESOURCE_TEXT_MEMORY_MB", 512)
# Ask the network: how many questions one person may send per day and per 30 days.
NETWORK_QUESTIONS_PER_DAY = env_int("NETWORK_QUESTIONS_PER_DAY", 3)
NETWORK_QUESTIONS_PER_MONTH = env_int("NETWORK_QUESTIONS_PER_MONTH", 10)

# One line per event on stderr (systemd's journal keeps it): UTC time, level, request id,
# user and client address (ops.logs), then the logger and the message.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"line": {"()": "peergroups.ops.logs.OneLineFormatter"}},
    "filters": {
        "production": {"()": "django.utils.log.RequireDebugFalse"},
        # One-click links lose their token before any line is written (peergroups/redact.py).
        "redact_links": {"()": "peergroups.redact.RedactLinks"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "line",
            "filters": ["redact_links"],
        },
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["production", "redact_links"],
        },
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's own console handler (DEBUG only) would print each of its lines twice.
        "django": {"handlers": ["mail_admins"], "level": "INFO", "propagate": True},
    },
}
# Errors (500s) are e-mailed to ADMINS ("Name <a@example.org>, b@example.org") when DEBUG
# is off, by Django's mail_admins handler, with the request id and user in the log line.
ADMINS = [parseaddr(item) for item in env_list("ADMINS", [])]
SERVER_EMAIL = DEFAULT_FROM_EMAIL

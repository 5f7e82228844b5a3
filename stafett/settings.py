"""Stafett settings: one file, driven by the environment.

SQLite (WAL) is the embedded default so a newcomer needs nothing installed;
set DATABASE_URL (postgres://…) for production and CI.
"""

import json
import os
from datetime import timedelta
from ipaddress import ip_address
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.conf.locale import LANG_INFO
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


# STAFETT_PRODUCTION=1 turns off every development convenience: a secret key
# must then come from the environment and DEBUG is off unless asked for.
PRODUCTION = env_bool("STAFETT_PRODUCTION", False)
DEBUG = env_bool("STAFETT_DEBUG", not PRODUCTION)
SECRET_KEY = os.environ.get("STAFETT_SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("STAFETT_SECRET_KEY must be set when STAFETT_PRODUCTION=1.")
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"

ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("STAFETT_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("STAFETT_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "stafett.accounts",
    "stafett.tenancy",
    "stafett.audit",
    "stafett.access",
    "stafett.guides",
    "stafett.concerns",
    "stafett.relay",
    "stafett.insights",
    "stafett.core",
    "django_tasks_db",
    "stafett.notify",
    "stafett.followup",
    "stafett.oidc",
    "stafett.citizen",
    "stafett.transport",
    "stafett.reports",
    "stafett.archive",
    "stafett.retention",
    "stafett.fullrecord",
    "stafett.catalog",
    "stafett.surveys",
    "stafett.feedback",
    "stafett.onboarding",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside everything else but the static files, so every page gets it.
    "stafett.core.middleware.NoStoreMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Django's, saving the session only when the idle deadline moves by a
    # minute or more (stafett/core/session.py) instead of on every request.
    "stafett.core.session.IdleSessionMiddleware",
    "stafett.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "stafett.tenancy.middleware.MunicipalityScopeMiddleware",
    "stafett.citizen.middleware.CitizenMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "stafett.urls"
WSGI_APPLICATION = "stafett.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "stafett.core.context_processors.stafett",
                # Both menu badges (follow-up and notices) in one query.
                "stafett.followup.context_processors.badge",
                "stafett.citizen.context_processors.family",
            ],
        },
    },
]

# --- Database --------------------------------------------------------------
# Statements written once per process (stafett.lib.prepared) are also
# prepared by PostgreSQL on each connection, so their plans are not made
# again on every page. Off behind a pooler in transaction mode that cannot
# keep them (PgBouncer before 1.21).
STAFETT_PREPARE_STATEMENTS = env_bool("STAFETT_PREPARE_STATEMENTS", True)
# psycopg prepares only what asks for it (prepare=True): no other statement
# is ever executed often enough to reach this threshold.
_PREPARE_ONLY_WHEN_ASKED = {"prepare_threshold": 2**31} if STAFETT_PREPARE_STATEMENTS else {}
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    if "postgresql" in DATABASES["default"]["ENGINE"]:
        # No JIT on the pages' connections: their queries take milliseconds,
        # and compiling a plan the planner thinks costly took 20-70 ms of a
        # 25-90 ms relay list (tests/load/bench_relay_list.py). The replica's
        # big aggregates keep the server's default.
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
        DATABASES["default"]["OPTIONS"].update(_PREPARE_ONLY_WHEN_ASKED)
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("STAFETT_SQLITE_PATH", str(BASE_DIR / "stafett.sqlite3")),
            "OPTIONS": {
                # WAL lets readers work while one writer writes; IMMEDIATE avoids
                # "database is locked" upgrades in the middle of a transaction.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
            "TEST": {"NAME": os.environ.get("STAFETT_SQLITE_TEST_PATH") or None},
        }
    }
# A streaming replica of the primary (PostgreSQL only), for reads that may be
# a few seconds old: the leadership view, exports and statistics
# (stafett.lib.replica; docs/scaling.md). Tests mirror it onto the primary.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(DATABASE_REPLICA_URL, conn_max_age=60)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    # A replica that does not answer at once is skipped, not waited for.
    DATABASES["replica"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 2)
    DATABASES["replica"]["OPTIONS"].update(_PREPARE_ONLY_WHEN_ASKED)
# Reads fall back to the primary while the replica lags more than this many
# seconds or is down; the replica's health is checked at most this often.
STAFETT_REPLICA_MAX_LAG = float(os.environ.get("STAFETT_REPLICA_MAX_LAG", "30"))
STAFETT_REPLICA_CHECK_SECONDS = float(os.environ.get("STAFETT_REPLICA_CHECK_SECONDS", "5"))
DATABASE_ROUTERS = ["stafett.lib.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts and login ----------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Staff sessions expire after 30 idle minutes: activity moves the session's
# expiry (at most once a minute, stafett.core.session), so only inactivity
# lets it run out.
SESSION_COOKIE_AGE = int(os.environ.get("STAFETT_SESSION_IDLE_SECONDS", 30 * 60))
SESSION_SAVE_EVERY_REQUEST = False
SESSION_ENGINE = "stafett.core.session"  # the database store, remembering the row's expiry
# Citizens (ID-porten) after 15 idle minutes, whatever staff get.
STAFETT_CITIZEN_IDLE_SECONDS = int(os.environ.get("STAFETT_CITIZEN_IDLE_SECONDS", 15 * 60))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# django-axes: lock an account after repeated failed logins, whatever addresses
# they come from (counting per address would let a guesser spread the attempts
# over many addresses). The lock lasts the cool-off time and never names the account.
AXES_FAILURE_LIMIT = int(os.environ.get("STAFETT_LOGIN_FAILURE_LIMIT", 5))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("STAFETT_LOGIN_COOLOFF_MINUTES", 15)))
AXES_LOCKOUT_PARAMETERS = ["username"]
# axes warns when the address is not a criterion. It is left out on purpose: a
# municipality's staff share a few addresses behind its network, and one
# person's typos must not lock out the whole office.
# Django warns that SQLite ignores an index's INCLUDE columns: the covering
# indexes of relay participations serve PostgreSQL's index-only scans, and on
# SQLite they are plain indexes, which is all a small installation needs.
SILENCED_SYSTEM_CHECKS = ["axes.W006", "models.W040"]
AXES_LOCKOUT_CALLABLE = "stafett.accounts.views.locked_out"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

OTP_TOTP_ISSUER = "Stafett"

# --- Security headers ------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# A refused form gets Stafett's own page, not Django's English one.
CSRF_FAILURE_VIEW = "stafett.core.errors.csrf_failure"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}
if env_bool("STAFETT_HTTPS", False):
    # Behind TLS: secure cookies and HSTS.
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("STAFETT_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True

# --- Language --------------------------------------------------------------
LANGUAGE_CODE = "nb"
# Staff pages are in bokmål, nynorsk or English. The family pages offer, in
# addition, the languages many families in Norway speak; each is named in
# itself, as a person looks for their own language. Every language Stafett
# speaks is in LANGUAGES, so the language cookie and the switch accept it;
# a staff page asked for a family-only language shows bokmål
# (stafett.core.middleware.language_for).
STAFF_LANGUAGES = [("nb", "Norsk bokmål"), ("nn", "Norsk nynorsk"), ("en", "English")]
FAMILY_LANGUAGES = [
    *STAFF_LANGUAGES,
    ("pl", "Polski"),
    ("uk", "Українська"),
    ("ar", "العربية"),
    ("so", "Soomaali"),
    ("ti", "ትግርኛ"),
]
LANGUAGES = FAMILY_LANGUAGES
# Django knows no Somali or Tigrinya: what it lacks for them, in one place
# (get_language_info and the {% get_language_info %} tag read this table).
# Arabic, right to left, is in Django's table and in LANGUAGES_BIDI already.
LANG_INFO.update({
    "so": {"bidi": False, "code": "so", "name": "Somali", "name_local": "Soomaali"},
    "ti": {"bidi": False, "code": "ti", "name": "Tigrinya", "name_local": "ትግርኛ"},
})
LOCALE_PATHS = [BASE_DIR / "locale"]
# Date formats for Somali and Tigrinya, which Django has none for.
FORMAT_MODULE_PATH = ["stafett.lib.formats"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
USE_I18N = True
TIME_ZONE = "Europe/Oslo"
USE_TZ = True

# --- Static files ----------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# Uploaded files (scanned consent forms) hold personal data: they are never
# served as static media, only through views that check access and audit.
MEDIA_ROOT = Path(os.environ.get("STAFETT_MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "/ikke-offentlig/"  # not routed: files are streamed by views only

# --- Stafett ---------------------------------------------------------------
# Test-Norge's synthetic identity numbers (month + 80) belong to nobody; the
# demo and the tests use them. Production turns them off.
STAFETT_ACCEPT_SYNTHETIC_IDS = env_bool("STAFETT_ACCEPT_SYNTHETIC_IDS", not PRODUCTION)
STAFETT_PAGE_SIZE = 25

# Where records go: per record kind ("report": reports of concern to the
# child welfare service, "archive": arkivmeldinger), "filedrop" (folders
# under STAFETT_FILEDROP_DIR, the default) or "fiksio" (KS Fiks IO).
STAFETT_TRANSPORTS = {
    "report": os.environ.get("STAFETT_REPORT_TRANSPORT", "filedrop"),
    "archive": os.environ.get("STAFETT_ARCHIVE_TRANSPORT", "filedrop"),
}
STAFETT_FILEDROP_DIR = Path(os.environ.get("STAFETT_FILEDROP_DIR", BASE_DIR / "filedrop"))
# Noark 5 extracts (stafett.archive.extract): one folder per extract, kept
# for the coordinator to download; Arkivverket's XSDs (arkivverket/schemas
# N5/v5.0 and ADDML/v8.3 in one folder) are copied into each extract when set.
STAFETT_EXTRACT_DIR = Path(os.environ.get("STAFETT_EXTRACT_DIR", BASE_DIR / "extracts"))
STAFETT_NOARK5_SCHEMA_DIR = os.environ.get("STAFETT_NOARK5_SCHEMA_DIR", "")
# The extract's PDFs are rendered in a helper process replaced after this many
# documents, so WeasyPrint's memory never piles up in the worker; 0 renders
# them in the worker itself (stafett.archive.extract_render).
STAFETT_EXTRACT_RENDER_BATCH = int(os.environ.get("STAFETT_EXTRACT_RENDER_BATCH", "50"))

# KS Fiks IO (docs/transport.md): the municipality's Fiks IO account and
# integration, its keys, and where Fiks and Maskinporten are. The defaults
# are KS's test environment; production sets its own hosts.
STAFETT_FIKSIO = {
    "account_id": os.environ.get("STAFETT_FIKSIO_ACCOUNT_ID", ""),
    "integration_id": os.environ.get("STAFETT_FIKSIO_INTEGRATION_ID", ""),
    "integration_password": os.environ.get("STAFETT_FIKSIO_INTEGRATION_PASSWORD", ""),
    # PEM files: the account's private key (Fiks encrypts to its public key),
    # and the enterprise certificate and key that sign what we send and the
    # Maskinporten grant.
    "account_key": os.environ.get("STAFETT_FIKSIO_ACCOUNT_KEY", ""),
    "signing_key": os.environ.get("STAFETT_FIKSIO_SIGNING_KEY", ""),
    "signing_certificate": os.environ.get("STAFETT_FIKSIO_SIGNING_CERTIFICATE", ""),
    "api_url": os.environ.get("STAFETT_FIKSIO_API_URL", "https://api.fiks.test.ks.no"),
    "amqp_url": os.environ.get("STAFETT_FIKSIO_AMQP_URL", "amqps://io.fiks.test.ks.no:5671"),
    "maskinporten_token_url": os.environ.get("STAFETT_MASKINPORTEN_TOKEN_URL",
                                             "https://test.maskinporten.no/token"),
    "maskinporten_audience": os.environ.get("STAFETT_MASKINPORTEN_AUDIENCE",
                                            "https://test.maskinporten.no/"),
    "maskinporten_client_id": os.environ.get("STAFETT_MASKINPORTEN_CLIENT_ID", ""),
    "ttl_seconds": int(os.environ.get("STAFETT_FIKSIO_TTL_SECONDS", 2 * 24 * 3600)),
}
_FIKSIO_REQUIRED = ["account_id", "integration_id", "integration_password", "account_key",
                    "signing_key", "signing_certificate", "maskinporten_client_id"]
if PRODUCTION and "fiksio" in STAFETT_TRANSPORTS.values():
    _missing = [f"STAFETT_FIKSIO_{n.upper()}" if not n.startswith("maskinporten")
                else f"STAFETT_{n.upper()}" for n in _FIKSIO_REQUIRED if not STAFETT_FIKSIO[n]]
    if _missing:
        raise ImproperlyConfigured(
            "A record goes by KS Fiks IO, and its configuration is incomplete: set "
            + ", ".join(_missing) + " (docs/transport.md)."
        )

# --- Identity providers (OpenID Connect) ----------------------------------
# ID-porten for citizens: the issuer (https://test.idporten.no in test,
# https://idporten.no in production), the client id, and either a client
# secret or a private key (PEM file) for private_key_jwt at the token endpoint.
# Staff log in through their municipality's own provider, per municipality:
# STAFETT_STAFF_OIDC is JSON, or the path of a JSON file, mapping a
# municipality number to {"issuer", "client_id", "client_secret", "claim"
# ("email" or "preferred_username"), "label"}. See docs/identity.md.
STAFETT_IDPORTEN_ISSUER = os.environ.get("STAFETT_IDPORTEN_ISSUER", "").rstrip("/")
STAFETT_IDPORTEN_CLIENT_ID = os.environ.get("STAFETT_IDPORTEN_CLIENT_ID", "")
STAFETT_IDPORTEN_CLIENT_SECRET = os.environ.get("STAFETT_IDPORTEN_CLIENT_SECRET", "")
STAFETT_IDPORTEN_PRIVATE_KEY = os.environ.get("STAFETT_IDPORTEN_PRIVATE_KEY", "")
# The lowest assurance level accepted from ID-porten.
STAFETT_IDPORTEN_MIN_ACR = "idporten-loa-substantial"


def _staff_oidc(raw: str) -> dict:
    raw = raw.strip()
    if not raw:
        return {}
    try:
        if not raw.startswith("{"):
            raw = Path(raw).read_text()
        providers = json.loads(raw)
    except (OSError, ValueError) as error:
        raise ImproperlyConfigured(f"STAFETT_STAFF_OIDC is neither JSON nor a readable JSON file: {error}") from None
    for number, provider in providers.items():
        missing = {"issuer", "client_id", "client_secret", "label"} - set(provider)
        if missing or provider.setdefault("claim", "email") not in {"email", "preferred_username"}:
            raise ImproperlyConfigured(
                f"STAFETT_STAFF_OIDC[{number!r}] needs issuer, client_id, client_secret, label "
                "and a claim of email or preferred_username."
            )
        provider["issuer"] = provider["issuer"].rstrip("/")
    return providers


STAFETT_STAFF_OIDC = _staff_oidc(os.environ.get("STAFETT_STAFF_OIDC", ""))
# `python -m devidp` (the local provider) is for development and tests only:
# production refuses to start when an issuer is on this machine.
STAFETT_DEV_IDP = env_bool("STAFETT_DEV_IDP", False)


def _is_local(issuer: str) -> bool:
    host = (urlsplit(issuer).hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


if PRODUCTION:
    _local = [i for i in [STAFETT_IDPORTEN_ISSUER, *(p["issuer"] for p in STAFETT_STAFF_OIDC.values())]
              if i and _is_local(i)]
    if STAFETT_DEV_IDP or _local:
        raise ImproperlyConfigured(
            "The local development identity provider (devidp) is configured, and "
            "STAFETT_PRODUCTION=1 refuses it: set STAFETT_IDPORTEN_ISSUER to ID-porten "
            "(https://idporten.no) and staff providers to the municipalities' own."
        )
# A form (the family logout) is followed by a redirect to the provider's
# end_session_endpoint: the CSP's form-action must allow the providers' origins.
# STAFETT_OIDC_FORM_ACTION adds origins (space-separated) for a provider whose
# end_session_endpoint is on another origin than its issuer.
SECURE_CSP["form-action"] += [
    i for i in [STAFETT_IDPORTEN_ISSUER, *os.environ.get("STAFETT_OIDC_FORM_ACTION", "").split()] if i
]

# --- Background work and e-mail (notifications, follow-up) -----------------
# django.tasks with the database backend: `manage.py db_worker` runs the queue
# (among it the outbox deliveries that stafett.notify enqueues after commit);
# `manage.py run_followup` enqueues the rules, the daily digest and a delivery sweep.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# SMTP from the environment (Django 6.1 MAILERS; the STAFETT_EMAIL_* names
# mirror Django's old EMAIL_* settings). Without a host, mail goes to the console.
if os.environ.get("STAFETT_EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ["STAFETT_EMAIL_HOST"],
                "port": int(os.environ.get("STAFETT_EMAIL_PORT", 587)),
                "username": os.environ.get("STAFETT_EMAIL_HOST_USER", ""),
                "password": os.environ.get("STAFETT_EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("STAFETT_EMAIL_USE_TLS", True),
                # Seconds per SMTP step: a hung server must not hold a worker
                # (and its claimed messages) for ever.
                "timeout": int(os.environ.get("STAFETT_EMAIL_TIMEOUT", 30)),
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
# A message a worker claimed but never marked (it died mid-send) is reported
# by `manage.py outbox` as uncertain after this many seconds; never re-sent.
STAFETT_OUTBOX_CLAIM_TIMEOUT = int(os.environ.get("STAFETT_OUTBOX_CLAIM_TIMEOUT", 600))
DEFAULT_FROM_EMAIL = os.environ.get("STAFETT_EMAIL_FROM", "Stafett <ikke-svar@stafett.invalid>")
# Where the links in e-mails point.
STAFETT_BASE_URL = os.environ.get("STAFETT_BASE_URL", "http://127.0.0.1:8000")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("STAFETT_LOG_LEVEL", "WARNING")},
}

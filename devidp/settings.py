"""Settings of the development identity provider (never Stafett's own).

Everything it keeps (its SQLite file, its signing key, the salt of the
pairwise subjects) lives in DEVIDP_VAR_DIR, by default `var/` at the top of the
repository, which git ignores.
"""

import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from devidp import PRODUCTION_MESSAGE

if os.environ.get("STAFETT_PRODUCTION", "").strip().lower() in {"1", "true", "yes", "on"}:
    raise ImproperlyConfigured(PRODUCTION_MESSAGE)

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("DEVIDP_VAR_DIR", BASE_DIR.parent / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _kept(name: str, make) -> str:
    """A value made once and kept in VAR_DIR, so tokens stay valid across restarts."""
    path = VAR_DIR / name
    if not path.exists():
        path.write_text(make())
        path.chmod(0o600)
    return path.read_text()


def _new_rsa_key() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


SECRET_KEY = _kept("devidp-secret-key", lambda: secrets.token_urlsafe(40))
# The salt of the pairwise `sub`: without it, nobody can turn a `sub` back into a number.
DEVIDP_SUB_SALT = _kept("devidp-sub-salt", lambda: secrets.token_urlsafe(32))
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "oauth2_provider",
    "devidp",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
ROOT_URLCONF = "devidp.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(VAR_DIR / "devidp.sqlite3"),
        "OPTIONS": {"timeout": 20},
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "Europe/Oslo"
LANGUAGE_CODE = "nb"
USE_I18N = False
LOGIN_URL = "devidp:login"
# Its own cookie name, so the provider's session never touches the app's on 127.0.0.1.
SESSION_COOKIE_NAME = "devidp_session"
CSRF_COOKIE_NAME = "devidp_csrftoken"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

ISSUER = os.environ.get("DEVIDP_ISSUER", "").rstrip("/")

# Named so migrations can depend on the swappable model.
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"

OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_RSA_PRIVATE_KEY": _kept("devidp-key.pem", _new_rsa_key),
    "OIDC_ISS_ENDPOINT": ISSUER,
    "OIDC_RP_INITIATED_LOGOUT_ENABLED": True,
    "OIDC_RP_INITIATED_LOGOUT_ALWAYS_PROMPT": False,
    "OIDC_RP_INITIATED_LOGOUT_STRICT_REDIRECT_URIS": True,
    "OIDC_SUBJECT_TYPES_SUPPORTED": ["pairwise"],
    "OAUTH2_VALIDATOR_CLASS": "devidp.validators.IdPortenShapedValidator",
    "SCOPES": {"openid": "OpenID Connect", "profile": "Profile", "email": "E-mail address"},
    "DEFAULT_SCOPES": ["openid"],
    # PKCE with S256 only, as ID-porten demands.
    "PKCE_REQUIRED": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["http", "https"],
    # An app on localhost (the test live server) on any port, as on 127.0.0.1 (RFC 8252).
    "ALLOW_LOCALHOST_LOOPBACK": True,
    "ID_TOKEN_EXPIRE_SECONDS": 120,
    "ACCESS_TOKEN_EXPIRE_SECONDS": 120,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DEVIDP_LOG_LEVEL", "WARNING")},
}

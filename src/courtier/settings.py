"""One settings module, read from ``COURTIER_*`` environment variables.

Nothing here opens a connection or touches the disk except the development secret key,
which is kept in the data directory so sessions survive a restart.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured


def _env(name: str, default: str = "") -> str:
    return os.environ.get(f"COURTIER_{name}", default)


def _env_bool(name: str, default: bool) -> bool:
    raw = _env(name, "")
    if raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"COURTIER_{name}={raw!r} is not a boolean (use true or false)")


def _env_int(name: str, default: int) -> int:
    raw = _env(name, "")
    if raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"COURTIER_{name}={raw!r} is not a whole number") from None


BASE_DIR = Path(__file__).resolve().parent
ENVIRONMENT = _env("ENV", "development")
if ENVIRONMENT not in {"development", "production"}:
    raise ImproperlyConfigured(
        f"COURTIER_ENV={ENVIRONMENT!r} must be 'development' or 'production'"
    )
PRODUCTION = ENVIRONMENT == "production"
DEBUG = _env_bool("DEBUG", False)
DATA_DIR = Path(_env("DATA_DIR", str(Path.cwd() / "var"))).resolve()


def _secret_key() -> str:
    key = _env("SECRET_KEY")
    if key:
        if PRODUCTION and len(key) < 32:
            raise ImproperlyConfigured("COURTIER_SECRET_KEY must be at least 32 characters")
        return key
    if PRODUCTION:
        raise ImproperlyConfigured(
            "COURTIER_SECRET_KEY is not set: production mode refuses to run without one"
        )
    # Development keeps a generated key beside its data so sessions survive restarts.
    path = DATA_DIR / "secret_key"
    if path.exists():
        return path.read_text().strip()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    path.write_text(key)
    path.chmod(0o600)
    return key


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = [h for h in _env("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",") if h]
BASE_URL = _env("BASE_URL", "http://localhost:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = [BASE_URL]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "courtier.core",
    "courtier.staff",
    "courtier.customers",
    "courtier.interactions",
    "courtier.audit",
    "courtier.cases",
    "courtier.promises",
    "courtier.messaging",
    "courtier.identity",
    "courtier.journeys",
    "courtier.console",
    "courtier.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # courtier.core.middleware: Django's and django-htmx's browser-only middleware, which
    # API calls with a bearer token skip, and django-csp's with the policy built once.
    "courtier.core.middleware.SessionMiddleware",
    "courtier.core.middleware.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "courtier.core.middleware.CsrfViewMiddleware",
    "courtier.core.middleware.AuthenticationMiddleware",
    "courtier.core.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "courtier.core.middleware.CSPMiddleware",
    "courtier.core.middleware.HtmxMiddleware",
    "courtier.portal.middleware.PortalMiddleware",
]

ROOT_URLCONF = "courtier.urls"
WSGI_APPLICATION = "courtier.wsgi.application"

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
    }
]


def _database(url: str) -> dict[str, Any]:
    if url.startswith("sqlite"):
        config: dict[str, Any] = dict(dj_database_url.parse(url))
        config["OPTIONS"] = {
            # Writers queue for the lock instead of failing with "database is locked".
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL;"
                "PRAGMA synchronous=NORMAL;"
                "PRAGMA foreign_keys=ON;"
                "PRAGMA temp_store=MEMORY;"
                # Each thread's connection keeps its own page cache, and every page read
                # through the memory map counts in the worker's RSS: 32 MB of cache and a
                # 128 MB map keep a server worker under 300 MB at a million customers,
                # while the OS page cache still holds the whole file.
                "PRAGMA cache_size=-32768;"
                "PRAGMA mmap_size=134217728;"
            ),
        }
    elif url.startswith(("postgres", "postgresql")):
        config = dict(dj_database_url.parse(url))
        config.setdefault("OPTIONS", {})
    else:
        raise ImproperlyConfigured(
            f"COURTIER_DATABASE_URL={url!r}: only sqlite:// and postgresql:// are supported"
        )
    # Connections are kept between requests: opening one costs more than serving a card.
    config["CONN_MAX_AGE"] = _env_int("CONN_MAX_AGE", 600)
    config["CONN_HEALTH_CHECKS"] = True
    return config


DATABASE_URL = _env("DATABASE_URL", f"sqlite:///{DATA_DIR / 'courtier.sqlite3'}")
DATABASES = {"default": _database(DATABASE_URL)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "Français")]
TIME_ZONE = _env("TIME_ZONE", "America/Toronto")
USE_I18N = True
USE_TZ = True

PHONE_REGION = _env("PHONE_REGION", "CA").upper()
FACT_STALE_DAYS = _env_int("FACT_STALE_DAYS", 365)
# A rule that would act on more customers than this at once must be confirmed to run.
RULES_CONFIRM_ABOVE = _env_int("RULES_CONFIRM_ABOVE", 500)
# The default business calendar for SLA clocks (an admin-edited calendar replaces it).
BUSINESS_TIME_ZONE = _env("BUSINESS_TIME_ZONE", TIME_ZONE)
BUSINESS_HOURS = _env("BUSINESS_HOURS", "mon-fri 09:00-17:00")
BUSINESS_HOLIDAYS = _env("BUSINESS_HOLIDAYS", "")  # ISO dates, comma-separated
LOGIN_URL = "/console/login/"

# Outgoing mail through Django's SMTP backend; tests point it at aiosmtpd on loopback.
EMAIL_HOST = _env("EMAIL_HOST", "localhost")
EMAIL_PORT = _env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = _env("EMAIL_USER")
EMAIL_HOST_PASSWORD = _env("EMAIL_PASSWORD")
EMAIL_USE_TLS = _env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = _env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = _env("FROM_EMAIL", "Courtier <courtier@localhost>")
# SMS provider adapter and the shared secret that signs inbound webhooks.
SMS_PROVIDER_URL = _env("SMS_PROVIDER_URL")
SMS_PROVIDER_TOKEN = _env("SMS_PROVIDER_TOKEN")
SMS_TIMEOUT = _env_int("SMS_TIMEOUT", 10)
WEBHOOK_SECRET = _env("WEBHOOK_SECRET")
# Staff member who takes portal requests from customers without an account owner.
PORTAL_DESK = _env("PORTAL_DESK")
# The owner's signature under every message (house style).
MESSAGING_SIGNATURE = _env("MESSAGING_SIGNATURE", "The Courtier team")

# Identity matching: link a contact automatically at or above, queue for review at or above.
IDENTITY_LINK_THRESHOLD = float(_env("IDENTITY_LINK_THRESHOLD", "0.99"))
IDENTITY_REVIEW_THRESHOLD = float(_env("IDENTITY_REVIEW_THRESHOLD", "0.5"))
# Batch: pairs at or above this join one cluster (reported, proposed; never merged unseen).
IDENTITY_CLUSTER_THRESHOLD = float(_env("IDENTITY_CLUSTER_THRESHOLD", "0.9"))

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Strict CSP: scripts, styles and requests only from this origin, no inline code anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}
# Console sign-in: failures allowed per username and per address within the window.
CONSOLE_SIGNIN_MAX_PER_USER = _env_int("CONSOLE_SIGNIN_MAX_PER_USER", 5)
CONSOLE_SIGNIN_MAX_PER_IP = _env_int("CONSOLE_SIGNIN_MAX_PER_IP", 20)
CONSOLE_SIGNIN_WINDOW_MINUTES = _env_int("CONSOLE_SIGNIN_WINDOW_MINUTES", 15)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": _env("LOG_LEVEL", "WARNING")},
}

"""Gongzhi settings: one module, configured from the environment.

Local use needs no configuration at all: SQLite in WAL mode and generated keys live under var/.
Production (GONGZHI_ENV=production) requires the keys and hosts to be given explicitly.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from gongzhi.lib.crypto import parse_field_keys
from gongzhi.lib.env import (
    database_from_url,
    env_bool,
    env_choice,
    env_dotted_path,
    env_email,
    env_file,
    env_int,
    env_list,
    env_str,
    env_timezone,
    redis_from_url,
    secret_from_env_or_file,
    sqlite_database,
    writable_dir,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = writable_dir("GONGZHI_VAR_DIR", BASE_DIR / "var")

GONGZHI_ENV = env_choice("GONGZHI_ENV", "development", ("development", "production", "test"))
PRODUCTION = GONGZHI_ENV == "production"
TESTING = GONGZHI_ENV == "test" or "pytest" in sys.modules

DEBUG = env_bool("GONGZHI_DEBUG", default=False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("GONGZHI_DEBUG must not be true when GONGZHI_ENV=production")

SECRET_KEY = secret_from_env_or_file("GONGZHI_SECRET_KEY", VAR_DIR / "secret_key", required=PRODUCTION)
if PRODUCTION and (len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5):
    # Django's own deployment check (security.W009), made a start-up error for production.
    raise ImproperlyConfigured("GONGZHI_SECRET_KEY must be a random value of at least 50 characters in production")
# Field-encryption keys: "id:key" pairs, comma-separated, the first one encrypts; the others still decrypt.
FIELD_KEYS_RAW = secret_from_env_or_file("GONGZHI_FIELD_KEY", VAR_DIR / "field_key", required=PRODUCTION)
parse_field_keys(FIELD_KEYS_RAW)  # fail at start-up, naming the variable, rather than at the first encryption
# The blind-index key (optional): set it before retiring the oldest field key (see gongzhi/lib/crypto.py).
BLIND_INDEX_KEY = env_str("GONGZHI_BLIND_INDEX_KEY")
if BLIND_INDEX_KEY is not None and len(BLIND_INDEX_KEY) < 32:
    raise ImproperlyConfigured("GONGZHI_BLIND_INDEX_KEY must be at least 32 characters long")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]", "testserver"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS is required when GONGZHI_ENV=production")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
for origin in CSRF_TRUSTED_ORIGINS:
    if not origin.startswith(("http://", "https://")):
        raise ImproperlyConfigured(f"CSRF_TRUSTED_ORIGINS entries must start with http:// or https://, got {origin!r}")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "treebeard",
    "huey.contrib.djhuey",
    # foundation
    "gongzhi.web",
    "gongzhi.workdays",
    "gongzhi.units",
    "gongzhi.people",
    "gongzhi.audit",
    "gongzhi.notify",
    # domains
    "gongzhi.appeals",
    "gongzhi.open311",
    "gongzhi.deliberation",
    "gongzhi.elections",
    "gongzhi.services",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "gongzhi.web.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "gongzhi.web.middleware.ApiBodyLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "gongzhi.web.middleware.LanguageMiddleware",
    "gongzhi.web.middleware.PageMessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "gongzhi.web.middleware.RequestContextMiddleware",
]

ROOT_URLCONF = "gongzhi.urls"
WSGI_APPLICATION = "gongzhi.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "gongzhi" / "web" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gongzhi.web.context.layout",
            ],
        },
    },
]

# Database: SQLite (WAL) under var/ by default, PostgreSQL when DATABASE_URL says so.
_database_url = env_str("DATABASE_URL")
if _database_url:
    DATABASES = {"default": database_from_url("DATABASE_URL", _database_url, sqlite_default=VAR_DIR / "gongzhi.db")}
else:
    DATABASES = {"default": sqlite_database(VAR_DIR / "gongzhi.db")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS = redis_from_url("REDIS_URL", env_str("REDIS_URL"))

if TESTING:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
elif REDIS:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS.url}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

AUTH_USER_MODEL = "people.User"
AUTHENTICATION_BACKENDS = ["gongzhi.people.auth.UsernameOrMobileBackend"]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Sign-in throttling: after this many failures for one account or one address, wait.
LOGIN_FAILURE_LIMIT = env_int("GONGZHI_LOGIN_FAILURE_LIMIT", 5, minimum=1, maximum=100)
LOGIN_LOCKOUT_SECONDS = env_int("GONGZHI_LOGIN_LOCKOUT_SECONDS", 900, minimum=10, maximum=86400)

LANGUAGE_CODE = "zh-hans"
LANGUAGE_COOKIE_NAME = "django_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "gongzhi" / "locale"]
TIME_ZONE = env_timezone("GONGZHI_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
_NODE = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    ("vendor/bootstrap", _NODE / "bootstrap" / "dist"),
    ("vendor/htmx", _NODE / "htmx.org" / "dist"),
    ("vendor/echarts", _NODE / "echarts" / "dist"),
]
STATICFILES_DIRS = [(prefix, path) for prefix, path in STATICFILES_DIRS if path.exists()]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if TESTING or DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = TESTING or DEBUG
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = writable_dir("GONGZHI_MEDIA_ROOT", VAR_DIR / "media")

# Request size limits: JSON bodies and form fields; uploads are checked by each app too.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("GONGZHI_MAX_BODY_BYTES", 2 * 1024 * 1024, minimum=1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
GONGZHI_MAX_UPLOAD_BYTES = env_int("GONGZHI_MAX_UPLOAD_BYTES", 10 * 1024 * 1024, minimum=1024)

# Security headers. The Content-Security-Policy forbids inline scripts and event handlers.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "gongzhi.web.views.csrf_failure"
SESSION_COOKIE_AGE = env_int("GONGZHI_SESSION_SECONDS", 8 * 3600, minimum=300)
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("GONGZHI_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env_int("GONGZHI_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # Preloading commits the domain to HTTPS in browsers for good: an operator's explicit choice.
    SECURE_HSTS_PRELOAD = env_bool("GONGZHI_HSTS_PRELOAD", default=False)
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Background tasks: Huey on SQLite under var/ by default, Redis when REDIS_URL is set, immediate in tests.
if REDIS:
    HUEY = {
        "huey_class": "huey.PriorityRedisHuey",
        "name": "gongzhi",
        "url": REDIS.url,
        "immediate": TESTING,
        "consumer": {"workers": env_int("GONGZHI_TASK_WORKERS", 2, minimum=1, maximum=64), "worker_type": "thread"},
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "gongzhi",
        "filename": str(VAR_DIR / "tasks.db"),
        "immediate": TESTING,
        "consumer": {"workers": env_int("GONGZHI_TASK_WORKERS", 2, minimum=1, maximum=64), "worker_type": "thread"},
    }

EMAIL_BACKEND = env_dotted_path("GONGZHI_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
if TESTING:
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
DEFAULT_FROM_EMAIL = env_email("GONGZHI_FROM_EMAIL", "gongzhi@localhost")
EMAIL_HOST = env_str("GONGZHI_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("GONGZHI_EMAIL_PORT", 25, minimum=1, maximum=65535)
# Dotted path of the SMS/WeChat sender; the default keeps messages in the outbox table only.
# It is imported when the notify app starts, so a wrong path stops start-up.
GONGZHI_SMS_SENDER = env_dotted_path("GONGZHI_SMS_SENDER", "gongzhi.notify.senders.OutboxSender")

# Public base URL, used in notifications, QR codes and Open311 discovery.
GONGZHI_BASE_URL = (env_str("GONGZHI_BASE_URL", "http://127.0.0.1:8000") or "").rstrip("/")
if not GONGZHI_BASE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(f"GONGZHI_BASE_URL must start with http:// or https://, got {GONGZHI_BASE_URL!r}")

# Font embedded in generated PDFs (must contain Chinese glyphs); found automatically when unset.
_pdf_font = env_file("GONGZHI_PDF_FONT")
GONGZHI_PDF_FONT = str(_pdf_font) if _pdf_font else None

NINJA_PAGINATION_PER_PAGE = 50

# Elections: an election is valid only when MORE than this share of the registered voters voted
# (village committee elections: more than half); the number of written proxies one voter may hold.
ELECTION_MIN_TURNOUT = env_str("GONGZHI_ELECTION_MIN_TURNOUT", "1/2") or "1/2"
_turnout = ELECTION_MIN_TURNOUT.split("/")
if (
    len(_turnout) != 2
    or not all(p.isdigit() for p in _turnout)
    or not 0 < int(_turnout[1])
    or int(_turnout[0]) >= int(_turnout[1])
):
    raise ImproperlyConfigured(
        f"GONGZHI_ELECTION_MIN_TURNOUT must be a fraction below 1 such as 1/2, got {ELECTION_MIN_TURNOUT!r}"
    )
ELECTION_PROXY_LIMIT = env_int("GONGZHI_ELECTION_PROXY_LIMIT", 3, minimum=0, maximum=10)

# Appeals: how long past its deadline an appeal waits before it escalates to the unit above, and how
# many times an unsatisfied resident may reopen one before it goes to supervisor review.
GONGZHI_APPEAL_ESCALATION_HOURS = env_int("GONGZHI_APPEAL_ESCALATION_HOURS", 24, minimum=1, maximum=24 * 30)
GONGZHI_APPEAL_MAX_REOPENS = env_int("GONGZHI_APPEAL_MAX_REOPENS", 2, minimum=0, maximum=10)

LOG_LEVEL = env_choice("GONGZHI_LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "huey": {"level": "WARNING" if TESTING else "INFO"},
        "fontTools": {"level": "WARNING"},
        "fpdf": {"level": "WARNING"},
    },
}

os.environ.setdefault("JIEBA_CACHE", str(VAR_DIR / "jieba.cache"))

# Open311 GeoReport v2: the jurisdiction_id clients may pass (default: the host of GONGZHI_BASE_URL).
GONGZHI_OPEN311_JURISDICTION = env_str("GONGZHI_OPEN311_JURISDICTION", "") or ""

"""Django settings for safeguard, read from the environment.

Every setting a deployment may change is an environment variable documented in
docs/operations.md. Nothing secret lives in the repository: the secret key comes from
SAFEGUARD_SECRET_KEY or is generated once into the var directory.
"""

import os
import secrets
from pathlib import Path

import dj_database_url


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


# var/ holds the SQLite database, the generated secret key and other local state.
VAR_DIR = Path(os.environ.get("SAFEGUARD_VAR_DIR", Path.cwd() / "var")).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """Return the configured key, or one generated on first run and kept in var/."""
    configured = os.environ.get("SAFEGUARD_SECRET_KEY")
    if configured:
        return configured
    path = VAR_DIR / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(64))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = _flag("SAFEGUARD_DEBUG")
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("SAFEGUARD_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
    if h.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "safeguard.records",
    "safeguard.screening",
    "safeguard.intake",
    "safeguard.safeguarding",
    "safeguard.accounts",
    "safeguard.demo",
    "safeguard.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "safeguard.urls"
WSGI_APPLICATION = "safeguard.wsgi.application"

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

DATABASE_URL = (
    os.environ.get("SAFEGUARD_DATABASE_URL") or f"sqlite:///{VAR_DIR / 'safeguard.sqlite3'}"
)
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while an import writes; IMMEDIATE avoids lock upgrades
    # failing half way through a write transaction.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

LOGIN_URL = "web:sign-in"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:sign-in"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = _flag("SAFEGUARD_SECURE_COOKIES")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

EMAIL_BACKEND = os.environ.get(
    "SAFEGUARD_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("SAFEGUARD_EMAIL_FROM", "safeguard@localhost")
EMAIL_HOST = os.environ.get("SAFEGUARD_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("SAFEGUARD_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("SAFEGUARD_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("SAFEGUARD_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("SAFEGUARD_EMAIL_TLS", "0") == "1"

# The screening catalogue (indicators, weights, windows, thresholds): a force's own file, or
# empty for the default in src/safeguard/screening/cce_county_lines.yaml (docs/rules.md).
SCREENING_CATALOGUE = os.environ.get("SAFEGUARD_SCREENING_CATALOGUE", "")
# The duty rules file a force ships instead of the default (docs/rules.md).
DUTY_RULES = os.environ.get("SAFEGUARD_DUTY_RULES", "")
# The legal tools catalogue a force ships instead of the default (docs/rules.md).
TOOL_CATALOGUE = os.environ.get("SAFEGUARD_TOOL_CATALOGUE", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("SAFEGUARD_LOG_LEVEL", "WARNING")},
}

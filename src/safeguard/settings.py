"""Django settings for safeguard, read from the environment.

Every setting a deployment may change is an environment variable documented in
docs/operations.md. Nothing secret lives in the repository: the secret key comes from
SAFEGUARD_SECRET_KEY or is generated once into the var directory.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured


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
# Other origins (https://host[:port]) allowed to post forms. Only needed when the browser's
# origin is not the host the proxy passes on (a non-default port, a rewritten Host).
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("SAFEGUARD_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    # Django's admin, on a site that asks for the second factor (accounts/admin_site.py).
    "safeguard.accounts.admin_site.SafeguardAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "safeguard.audit",
    "safeguard.records",
    "safeguard.screening",
    "safeguard.intake",
    "safeguard.safeguarding",
    "safeguard.offenders",
    "safeguard.network",
    "safeguard.importers",
    "safeguard.accounts",
    "safeguard.demo",
    "safeguard.web",
    "safeguard.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): has this session passed the second factor?
    "django_otp.middleware.OTPMiddleware",
    # Administrators and analysts reach no page before their second factor.
    "safeguard.accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
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
                "safeguard.accounts.context_processors.sign_in",
            ],
        },
    },
]

DATABASE_URL = (
    os.environ.get("SAFEGUARD_DATABASE_URL") or f"sqlite:///{VAR_DIR / 'safeguard.sqlite3'}"
)
# A connection (one per gunicorn thread) is kept for SAFEGUARD_DATABASE_CONN_MAX_AGE seconds
# and checked before it is reused, so a restarted database server fails no request.
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=int(os.environ.get("SAFEGUARD_DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
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

# Argon2 hashes new passwords; the others still check older hashes, which Django re-hashes
# with Argon2 at the user's next successful sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

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

# Sessions end after SAFEGUARD_SESSION_MINUTES without a request (each request saves the
# session again, moving its expiry on) and when the browser closes.
SESSION_COOKIE_AGE = int(os.environ.get("SAFEGUARD_SESSION_MINUTES", "30")) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = _flag("SAFEGUARD_SECURE_COOKIES")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_COOKIE_HTTPONLY = True  # no script reads it: forms carry the token
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# TLS ends at the force's reverse proxy. Behind it (SAFEGUARD_BEHIND_TLS_PROXY=1) the proxy's
# X-Forwarded-Proto says whether the browser used HTTPS, plain HTTP is redirected, and the
# client's address for the sign-in lockout is the one the proxy appended to X-Forwarded-For.
# The proxy must set both headers itself, never pass on a client's.
BEHIND_TLS_PROXY = _flag("SAFEGUARD_BEHIND_TLS_PROXY")
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
# HSTS: 0 (off) until the site is known to be served over HTTPS only; 31536000 in production.
SECURE_HSTS_SECONDS = int(os.environ.get("SAFEGUARD_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
# Not preloaded: entering a domain in the browsers' preload list is the decision of whoever
# owns the force's registrable domain, not of one application on a host name under it.
SILENCED_SYSTEM_CHECKS = ["security.W021"]

# A strict Content Security Policy: nothing inline (no <script> or <style> blocks, no style=""
# attributes, no event handler attributes), nothing from another origin. A view that needs
# more (the printable referral document's <style> block, if it is ever served) adds a hash or
# nonce for itself with csp.decorators.csp_update, never here (docs/operations.md).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [NONE],
        "object-src": [NONE],
    },
}

# Lockout (django-axes): SAFEGUARD_LOCKOUT_FAILURES failed sign-ins in a row for one username
# from one address lock that username at that address for SAFEGUARD_LOCKOUT_MINUTES. An
# administrator lifts it early with `safeguard axes_reset_username USERNAME`.
AXES_FAILURE_LIMIT = int(os.environ.get("SAFEGUARD_LOCKOUT_FAILURES", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("SAFEGUARD_LOCKOUT_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True  # "in a row": a successful sign-in clears the count
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
if BEHIND_TLS_PROXY:
    AXES_CLIENT_IP_CALLABLE = "safeguard.accounts.lockout.forwarded_client_ip"

# The second factor (django-otp, TOTP): administrators and analysts (and any staff account)
# confirm an authenticator app once, then give a code after their password at each sign-in.
OTP_TOTP_ISSUER = "safeguard"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # the admin never shows a device's secret key

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out sign-in
    "django.contrib.auth.backends.ModelBackend",
]

# Single sign-on with the force's identity provider (OpenID Connect, mozilla-django-oidc):
# on only when SAFEGUARD_OIDC_RP_CLIENT_ID is set, and then every setting below is required.
# Only existing, active users sign in this way (matched on SAFEGUARD_OIDC_USERNAME_CLAIM); the
# identity provider's multi-factor authentication stands in for our second factor.
OIDC_RP_CLIENT_ID = os.environ.get("SAFEGUARD_OIDC_RP_CLIENT_ID", "")
OIDC_ENABLED = bool(OIDC_RP_CLIENT_ID)
if OIDC_ENABLED:
    _oidc = {
        "OIDC_RP_CLIENT_SECRET": os.environ.get("SAFEGUARD_OIDC_RP_CLIENT_SECRET", ""),
        "OIDC_OP_AUTHORIZATION_ENDPOINT": os.environ.get(
            "SAFEGUARD_OIDC_OP_AUTHORIZATION_ENDPOINT", ""
        ),
        "OIDC_OP_TOKEN_ENDPOINT": os.environ.get("SAFEGUARD_OIDC_OP_TOKEN_ENDPOINT", ""),
        "OIDC_OP_USER_ENDPOINT": os.environ.get("SAFEGUARD_OIDC_OP_USER_ENDPOINT", ""),
        "OIDC_OP_JWKS_ENDPOINT": os.environ.get("SAFEGUARD_OIDC_OP_JWKS_ENDPOINT", ""),
        "OIDC_RP_SIGN_ALGO": os.environ.get("SAFEGUARD_OIDC_RP_SIGN_ALGO", "RS256"),
    }
    _missing = sorted("SAFEGUARD_" + name for name, value in _oidc.items() if not value)
    if _missing:
        raise ImproperlyConfigured(
            "SAFEGUARD_OIDC_RP_CLIENT_ID is set, so single sign-on is on, but these are not: "
            + ", ".join(_missing)
        )
    OIDC_RP_CLIENT_SECRET = _oidc["OIDC_RP_CLIENT_SECRET"]
    OIDC_OP_AUTHORIZATION_ENDPOINT = _oidc["OIDC_OP_AUTHORIZATION_ENDPOINT"]
    OIDC_OP_TOKEN_ENDPOINT = _oidc["OIDC_OP_TOKEN_ENDPOINT"]
    OIDC_OP_USER_ENDPOINT = _oidc["OIDC_OP_USER_ENDPOINT"]
    OIDC_OP_JWKS_ENDPOINT = _oidc["OIDC_OP_JWKS_ENDPOINT"]
    OIDC_RP_SIGN_ALGO = _oidc["OIDC_RP_SIGN_ALGO"]
    INSTALLED_APPS.append("mozilla_django_oidc")
    AUTHENTICATION_BACKENDS.append("safeguard.accounts.oidc.ForceOIDCBackend")
OIDC_USERNAME_CLAIM = os.environ.get("SAFEGUARD_OIDC_USERNAME_CLAIM", "preferred_username")
OIDC_RP_SCOPES = "openid email profile"
OIDC_CREATE_USER = False
OIDC_USE_PKCE = True
OIDC_TIMEOUT = 10  # seconds to wait for the identity provider
OIDC_CALLBACK_CLASS = "safeguard.accounts.oidc.ForceCallbackView"

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
# The demo's clock (safeguard.clock): an ISO 8601 moment the clock starts from. Never set in
# a force's service; `safeguard demo` sets it for the server it starts.
CLOCK_START = os.environ.get("SAFEGUARD_CLOCK_START", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # To standard error (standard output carries commands' results, such as --json), one
    # line per record with its time, level and source; tracebacks follow on their own lines.
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("SAFEGUARD_LOG_LEVEL", "WARNING")},
}

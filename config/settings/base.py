"""Settings shared by every environment. Secrets and hosts come from the environment."""

from pathlib import Path
from typing import Any

import dj_database_url

from config.env import env_int, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "govuk_frontend_django",
    "ninja",  # its bundled Swagger UI static files: the docs page needs no CDN
    "safeguard.core",
    "safeguard.accounts",
    "safeguard.people",
    "safeguard.cases",
    "safeguard.supervision",
    "safeguard.notifications",
    "safeguard.partners",
    "safeguard.missing",
    "safeguard.domestic_abuse",
    "safeguard.encompass",
    "safeguard.synthetic",
    "safeguard.demomail",  # no models; its page is mounted only when DEMO_MAILBOX is on
    "safeguard.frontend",
    "safeguard.api",
]

MIDDLEWARE = [
    "safeguard.core.middleware.RequestIdMiddleware",
    "safeguard.api.middleware.ApiJsonErrorsMiddleware",
    # Header-setting middleware sits outside CommonMiddleware so its redirects get them too.
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "safeguard.core.middleware.NoStoreMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "safeguard.accounts.middleware.AccessMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "safeguard.frontend.context_processors.navigation",
            ],
        },
    },
]


def database_from_url(url: str) -> dict[str, Any]:
    """Parse DATABASE_URL and add the options each engine needs to be safe under load."""
    config: dict[str, Any] = dict(
        dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    )
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["CONN_MAX_AGE"] = 0
        # SECURITY.md 5: IMMEDIATE avoids lock upgrades; FULL survives power loss.
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL;PRAGMA synchronous=FULL;PRAGMA foreign_keys=ON;"
            ),
        }
    return config


DATABASES = {
    "default": database_from_url(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'safeguard.sqlite3'}")
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# ASVS 6.2.1/6.2.9: at least 15 characters, no composition rules, long passphrases allowed.
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 15},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
]
LOGIN_URL = "accounts:sign_in"
LOGIN_REDIRECT_URL = "frontend:my_work"
LOGOUT_REDIRECT_URL = "accounts:sign_in"

# CJIS AC-7 / SECURITY.md 5: five failures in 15 minutes lock the username until an admin
# releases it (cool-off None would never unlock; we use the CJIS 5.5.3 automatic unlock of
# 15 minutes so a malicious lock-out expires by itself, documented per ASVS 6.1.1).
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "safeguard.accounts.views.locked_out"
AXES_VERBOSE = False
# Locking by address as well would let one person lock out a whole police station behind one
# NAT address; the username lock-out is the CJIS control. Documented per ASVS 6.1.1.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_SENSITIVE_PARAMETERS = ["password", "token"]

# CJIS AC-11: 30 minutes idle; IA-5 j: re-authenticate every 12 hours.
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_ABSOLUTE_LIMIT_SECONDS = 12 * 60 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "safeguard.frontend.views.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Body limits: a request over these gets 413 (the API) or the "problem with your request" page,
# before any parsing. 10 MB, not Django's 2.5 MB: a form with several long texts (each up to
# 10,000 characters, 40 KB in UTF-8) is far below it, and an officer who pastes a 3 MB text is
# still answered with a field error on the form that keeps what they typed (docs/forms.md),
# never a generic error page. Uploads (files) are streamed and not counted here.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 500

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

FORM_RENDERER = "safeguard.frontend.forms.GovukFormRenderer"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = env_str("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = env_int("EMAIL_PORT", 1025)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "safeguard@localhost")
# The Demo mailbox page (docs/demo.md): off everywhere but the demo settings (local.py).
DEMO_MAILBOX = False
DEMO_MAILBOX_DIR = str(VAR_DIR / "demo-mail")
# The address people reach the service at: emailed links are made whole with it.
PUBLIC_URL = env_str("PUBLIC_URL", "http://127.0.0.1:8000")

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

OTP_TOTP_ISSUER = "Safeguard"
OTP_TOTP_THROTTLE_FACTOR = 1


LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {"axes": {"level": "WARNING"}},
}

# How often live lists (My work's deadlines) fetch themselves again, in seconds.
LIVE_REFRESH_SECONDS = env_int("LIVE_REFRESH_SECONDS", 30)

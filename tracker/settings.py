"""Settings of the CCHC tracker, read from the environment.

Every value has an embedded default (SQLite, django-q2's ORM broker, e-mail to
the console, a secret key generated into DATA_DIR) so that the product runs on
one machine, as in production, with nothing to set. DEBUG=1 is the development
mode. A province's server sets ALLOWED_HOSTS, HTTPS=1 behind its TLS proxy,
DATABASE_URL, REDIS_URL and the e-mail variables; see docs/operations.md.
"""

import datetime as dt
import os
import secrets
from pathlib import Path

import dj_database_url
import django_stubs_ext
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

# Generic classes (ModelAdmin[Unit], QuerySet[Task]) subscriptable at run time, as typed.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("DATA_DIR", BASE_DIR / "var"))
DATA_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    """Read a yes/no variable: 1, true, yes, on (any case) mean yes."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    """Read a comma-separated variable into a list, dropping blanks."""
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    """Read a whole-number variable; a wrong value stops the start with its name."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None


def secret_key(path: Path) -> str:
    """SECRET_KEY from the environment, else the key kept in DATA_DIR, made on first use.

    The file is created once (owner-only, linked into place whole), so that the web
    server, the worker and every manage.py command of one installation share
    it, and it survives restarts (sessions and password-reset links stay valid).
    """
    key = os.environ.get("SECRET_KEY", "")
    if key:
        if len(key) < 32:
            raise ImproperlyConfigured("SECRET_KEY is too weak: use at least 32 random characters.")
        return key
    if not path.exists():
        # Written whole under a private name, then linked into place: a process
        # starting at the same moment finds no file or a whole one, never half.
        draft = path.with_name(f".{path.name}.{os.getpid()}")
        with os.fdopen(os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as out:
            out.write(secrets.token_urlsafe(50))
        try:
            os.link(draft, path)
        except FileExistsError:
            pass  # another process made it first: theirs is the key
        finally:
            draft.unlink()
    key = path.read_text().strip()
    if len(key) < 32:
        raise ImproperlyConfigured(f"{path} holds no usable secret key: delete it to make one.")
    return key


# Production unless DEBUG=1: no debug pages, collected and compressed static files.
DEBUG = env_bool("DEBUG", False)
SECRET_KEY = secret_key(DATA_DIR / "secret_key")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

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
    "django_q",
    "axes",
    "csp",
    "plans",
    "tasks",
    "assessments",
    "tracker",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "tracker.middleware.StaticFiles",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "tracker.middleware.LocaleMiddleware",
    "tracker.middleware.UploadLimitMiddleware",
    "tracker.middleware.ApiBodyMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After the body checks and the session: a retried API POST answered once.
    "tracker.idempotency.IdempotencyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "tracker.errors.ErrorPages",
    # Last: it replaces the answer to a locked-out login with the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tracker.urls"
WSGI_APPLICATION = "tracker.wsgi.application"

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
                "tracker.context_processors.official",
                "tracker.context_processors.assets",
            ],
        },
    },
]

# Database: DATABASE_URL (e.g. postgres://user:pass@host:5432/name), else an
# embedded SQLite file in WAL mode (IMMEDIATE transactions and a busy timeout keep
# the web server and the worker, two processes on one file, from "database is locked").
# Each server thread keeps its connection for CONN_MAX_AGE seconds instead of
# opening one per request (on PostgreSQL that opening cost more than most pages).
SQLITE_PATH = DATA_DIR / "db.sqlite3"
CONN_MAX_AGE = env_int("CONN_MAX_AGE", 60)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{SQLITE_PATH}",
        conn_max_age=CONN_MAX_AGE,
    )
}
# A database that does not answer within this many seconds gives a 503 page,
# not a hung request; persistent connections are checked before reuse. A kept
# connection whose server went silent (a network cut, a failover) is given up
# when what was sent stays unacknowledged for twice that (tcp_user_timeout),
# or when TCP keepalives find no one there while a reply is awaited.
DB_CONNECT_TIMEOUT = env_int("DB_CONNECT_TIMEOUT", 5)
PG_OPTIONS = {
    "connect_timeout": DB_CONNECT_TIMEOUT,
    "tcp_user_timeout": DB_CONNECT_TIMEOUT * 2000,
    "keepalives": 1,
    "keepalives_idle": 30,
    "keepalives_interval": 10,
    "keepalives_count": 3,
}
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {}).update(PG_OPTIONS)
# A read replica for the dashboards (tracker.routers): its reads only, never a write.
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"],
        conn_max_age=CONN_MAX_AGE,
        conn_health_checks=True,
    )
    DATABASES["replica"].setdefault("OPTIONS", {}).update(PG_OPTIONS)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["tracker.routers.DashboardReplicaRouter"]
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;"
        ),
    }
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("SQLITE_TEST_NAME") or None}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "plans.accounts.KnownPasswordValidator"},
]
# Passwords nobody may choose: published ones (the demo's) and any an operator adds
# (KNOWN_PASSWORDS, comma-separated). Blank-after-stripping ones are refused too.
KNOWN_PASSWORDS = ["cchc2026", *env_list("KNOWN_PASSWORDS", [])]
# Sign-in (tracker.security.ThrottleHandler): LOGIN_FAILURE_LIMIT failures of one
# username from one address lock that pair, and LOGIN_ADDRESS_FAILURE_LIMIT failures
# from one address across usernames lock the address, each for LOGIN_LOCKOUT_MINUTES
# (the login page, the admin's and POST /api/v1/auth/token alike). A username is
# never locked from everywhere: nobody can lock someone else out. The admin lifts a
# lock (Khóa đăng nhập), which the security log records.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: it refuses before a password is checked
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "tracker.security.ThrottleHandler"
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("LOGIN_ADDRESS_FAILURE_LIMIT", 50)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_CALLABLE = "tracker.security.lockout_response"
AXES_CLIENT_IP_CALLABLE = "tracker.security.client_ip"
# One security log (plans.SecurityEvent): axes keeps only its counters.
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_RESET_ON_SUCCESS = False  # a valid login must not wipe its address's failures
AXES_VERBOSE = False
AXES_ENABLE_ADMIN = False  # the admin lists them as "Khóa đăng nhập" (plans.admin.LoginLockAdmin)
# Behind a TLS proxy that appends the client's address to X-Forwarded-For:
# how many proxies to skip from the right (0: use the connection's address).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 1 if env_bool("HTTPS", False) else 0)
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # a reset link works for a day

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Vietnamese first; English through the translation catalogue.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_TZ = True
FORMAT_MODULE_PATH = ["tracker.formats"]

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", DATA_DIR / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Production serves the collected, compressed, hashed files (collectstatic, run
# by the start command); development serves the apps' folders as they are.
WHITENOISE_USE_FINDERS = DEBUG
STATICFILES_DIRS = [BASE_DIR / "tracker" / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    # plotly.js from the installed plotly package (tracker.assets).
    "tracker.assets.VendorFinder",
]
STORAGES = {
    # Evidence files: outside the web root, never given a public URL; the
    # permission-checked download view is the only way to read one.
    "default": {
        # Each file written whole under a temporary name, then linked into place.
        "BACKEND": "kit.filestore.AtomicFileSystemStorage",
        "OPTIONS": {"location": Path(os.environ.get("EVIDENCE_ROOT", DATA_DIR / "evidence"))},
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "tracker.assets.StaticStorage"
        )
    },
}
EVIDENCE_MAX_BYTES = int(os.environ.get("EVIDENCE_MAX_MB", "20")) * 1024 * 1024
# Under this much free space in DATA_DIR the administrators are mailed (once a day)
# and the health page says "degraded".
DISK_FREE_FLOOR_BYTES = env_int("DISK_FREE_FLOOR_MB", 1024) * 1024 * 1024

# The API: bearer tokens last this many days; lists page by ?limit=&offset=.
API_TOKEN_DAYS = int(os.environ.get("API_TOKEN_DAYS", "30"))
# The periodic CCHC reports' data windows ((month, day) to (month, day), docs/reports.md):
# a window that starts later in the year than it ends starts in the year before.
CCHC_REPORT_WINDOWS = {
    "q1": ((12, 15), (3, 14)),
    "h1": ((12, 15), (6, 14)),
    "q3": ((6, 15), (9, 14)),
    "year": ((12, 15), (12, 14)),
}

# Officials' task results (Decree 335/2025): how quantity, quality and progress
# combine into the 70-point task part: a weighted mean of the three, scaled to
# 70. The decree's appendix sets the real formula; the plain mean is the default.
TASK_RESULT_FORMULA = {"quantity": 1, "quality": 1, "progress": 1}

NINJA_PAGINATION_PER_PAGE = 100
NINJA_PAGINATION_MAX_LIMIT = 500

# E-mail: the console by default; EMAIL_HOST switches to SMTP.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", EMAIL_PORT == 587)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", EMAIL_PORT == 465)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "20"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "CCHC <cchc@localhost>")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

# django-q2: Redis when REDIS_URL is set, else the database (ORM broker).
# catch_up is off (a cluster that was down must not replay every missed run:
# the jobs catch up by themselves); timeout stays below retry so that a slow
# task is never handed out twice.
REDIS_URL = os.environ.get("REDIS_URL", "")
Q_CLUSTER: dict[str, object] = {
    "name": "cchc",
    "workers": int(os.environ.get("Q_WORKERS", "2")),
    "timeout": 600,
    "retry": 900,
    "catch_up": False,
    "max_attempts": 3,
    "ack_failures": True,
    # The admin section of the jobs, in the reader's language (tracker/wording.py).
    "label": _("Background jobs"),
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"

# HTTPS=1: served behind a TLS proxy that sets X-Forwarded-Proto. Secure cookies,
# HSTS and the redirect to https follow; the embedded plain-HTTP mode leaves them
# off so that signing in works on http:// in an office network.
HTTPS = env_bool("HTTPS", False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 31536000) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp): no inline script but a nonce's (the pages
# carry none today). Inline styles stay allowed: plotly.js writes a style
# element per chart for its toolbar when it draws, and styles run no code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Several web hosts behind a balancer share sessions and the cache in Redis
# (REDIS_URL); one host keeps them in the database and its own memory.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "tracker.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "cchc",
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# Evidence on S3-compatible storage (django-storages, `pip install -e '.[s3]'`):
# EVIDENCE_STORAGE=s3 with AWS_STORAGE_BUCKET_NAME, AWS_S3_ENDPOINT_URL,
# AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY. Files stay private: the
# permission-checked download view streams them.
if os.environ.get("EVIDENCE_STORAGE", "") == "s3":
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ.get("AWS_STORAGE_BUCKET_NAME", ""),
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # WeasyPrint tells each step of every PDF at INFO, and fontTools each subset.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# The API's JSON bodies: larger ones answer 413 unread, deeper ones 400 unparsed.
API_JSON_MAX_BYTES = env_int("API_JSON_MAX_BYTES", 2 * 1024 * 1024)
API_JSON_MAX_DEPTH = 32

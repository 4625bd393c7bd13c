"""Settings for Inscrire — the one module that reads the environment.

Every value has an embedded default that runs the whole product on one
machine (SQLite, SqliteHuey, local files). Scaling out is configuration only:
``DATABASE_URL`` moves to PostgreSQL, ``REDIS_URL`` moves the task queue, the
cache and the locks to Redis, ``AWS_STORAGE_BUCKET_NAME`` moves documents to
S3-compatible storage. With ``DJANGO_ENV=production`` the secrets have no
default: a missing or malformed variable stops start-up with one line.
"""

import base64
import binascii
from datetime import timedelta
from email.utils import parseaddr
from pathlib import Path
from urllib.parse import urlparse

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)


class ConfigurationError(SystemExit):
    """Stops start-up with one readable line instead of a traceback."""

    def __init__(self, variable: str, problem: str) -> None:
        super().__init__(f"Configuration error: {variable} {problem}.")


def _choice(variable: str, default: str, allowed: tuple[str, ...]) -> str:
    value = env.str(variable, default=default).strip().lower()
    if value not in allowed:
        raise ConfigurationError(variable, f"must be one of {', '.join(map(repr, allowed))} (got {value!r})")
    return value


def _bool(variable: str, default: bool) -> bool:
    raw = env.str(variable, default="").strip().lower()
    if raw == "":
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise ConfigurationError(variable, f"must be true or false (got {raw!r})")


def _int(variable: str, default: int) -> int:
    raw = env.str(variable, default="").strip()
    if raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigurationError(variable, f"must be a whole number (got {raw!r})") from None


def _seconds(variable: str, default: float) -> float:
    raw = env.str(variable, default="").strip().replace(",", ".")
    if raw == "":
        return default
    try:
        if (value := float(raw)) > 0:
            return value
    except ValueError:
        pass
    raise ConfigurationError(variable, f"must be a number of seconds above 0 (got {raw!r})")


def _url(variable: str, default: str, schemes: tuple[str, ...]) -> str:
    value = env.str(variable, default=default).strip()
    parsed = urlparse(value)
    if parsed.scheme not in schemes or (parsed.scheme not in {"sqlite"} and not parsed.hostname):
        raise ConfigurationError(
            variable, f"is malformed: expected a URL starting with {' or '.join(s + '://' for s in schemes)}"
        )
    return value


def _required(variable: str) -> str:
    value = env.str(variable, default="").strip()
    if not value:
        raise ConfigurationError(variable, "is required in production and is not set")
    return value


# --- Mode -------------------------------------------------------------------

DJANGO_ENV = _choice("DJANGO_ENV", "development", ("development", "production"))
PRODUCTION = DJANGO_ENV == "production"
DEBUG = _bool("DEBUG", default=not PRODUCTION)

DATA_DIR = Path(env.str("DATA_DIR", default=str(BASE_DIR / "var")))
# SQLite, SqliteHuey and the file cache create their files here on first use.
DATA_DIR.mkdir(parents=True, exist_ok=True)

if PRODUCTION:
    SECRET_KEY = _required("SECRET_KEY")
    if len(SECRET_KEY) < 50:
        raise ConfigurationError("SECRET_KEY", "must be at least 50 random characters")
    ALLOWED_HOSTS = [h.strip() for h in _required("ALLOWED_HOSTS").split(",") if h.strip()]
else:
    SECRET_KEY = env.str("SECRET_KEY", default="django-insecure-development-only-key-never-use-in-production")
    ALLOWED_HOSTS = [
        h.strip() for h in env.str("ALLOWED_HOSTS", default="localhost,127.0.0.1,[::1],testserver").split(",")
    ]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in env.str("CSRF_TRUSTED_ORIGINS", default="").split(",") if o.strip()]
# The public address, in every e-mail link and in card payments' return
# addresses: in production it is required, and HTTPS.
if PRODUCTION:
    SITE_URL = _url("SITE_URL", _required("SITE_URL"), schemes=("https",)).rstrip("/")
else:
    SITE_URL = _url("SITE_URL", "http://127.0.0.1:8000", schemes=("http", "https")).rstrip("/")

# --- Applications -------------------------------------------------------------

INSTALLED_APPS = [
    # Project apps first so that their templates and translations win; the
    # project itself (inscrire) sits above them all.
    "inscrire",
    "cms",
    "accounts",
    "forms.apps.FormsConfig",
    "files",
    "workflows",
    "notifications",
    "privacy",
    # Payments of dossiers; the package is « billing » because django-payments is « payments ».
    "billing",
    "payments",
    # Wagtail
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    # Viewflow
    "viewflow",
    "viewflow.workflow",
    # Tasks
    "huey.contrib.djhuey",
    "django_tasks",
    # Login throttling
    "axes",
    # Content-Security-Policy (its system checks)
    "csp",
    # Two-factor authentication for staff (TOTP)
    "django_otp",
    "django_otp.plugins.otp_totp",
    # Django
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy, the admin's own; then body size limits and
    # private caching, before anything reads the request (inscrire/security.py).
    "inscrire.security.ContentSecurityPolicyMiddleware",
    "inscrire.security.RequestLimitsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Staff give a TOTP code after their password (accounts/twofactor.py).
    "django_otp.middleware.OTPMiddleware",
    "accounts.twofactor.StaffTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # A family whose account a school created must choose its password first.
    "accounts.middleware.ProvisionalPasswordMiddleware",
    # Turns django-axes' lockout into the login page with a French message; last.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "inscrire.urls"
WSGI_APPLICATION = "inscrire.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"
# Staff sign in through the same page as families (Wagtail's own login page
# is not linked anywhere).
WAGTAILADMIN_LOGIN_URL = "/compte/connexion/"
WAGTAIL_FRONTEND_LOGIN_URL = WAGTAILADMIN_LOGIN_URL
# Password resets go through /compte/mot-de-passe/oublie/ (and the outbox).
WAGTAIL_PASSWORD_RESET_ENABLED = False

# Two engines, two folders: templates/jinja2 holds everything the public sees
# (rendered by Jinja2, and searched first so that our 404/500 and
# registration pages win over those Viewflow ships); templates/django holds
# overrides of Wagtail admin and Viewflow templates, which stay Django ones.
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "inscrire.jinja2.environment",
            "autoescape": True,
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.messages.context_processors.messages",
                "inscrire.jinja2.portal",
            ],
        },
    },
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates" / "django"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]
# Django's form widgets render with the Django engine whatever the page engine.
FORM_RENDERER = "django.forms.renderers.DjangoTemplates"

# --- Database -----------------------------------------------------------------

DATABASE_URL = _url(
    "DATABASE_URL",
    default=f"sqlite:///{DATA_DIR / 'db.sqlite3'}",
    schemes=("sqlite", "postgres", "postgresql", "pgsql"),
)
DATABASES = {"default": env.db_url_config(DATABASE_URL)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while one writer writes; IMMEDIATE transactions
    # take the write lock at BEGIN, so concurrent workers queue on the busy
    # timeout instead of failing with "database is locked" on lock upgrade.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
# Persistent connections on SQLite too: reopening the file and running the
# PRAGMAs above took a fifth of every Huey task and of every request
# (py-spy, ``make bench``, issue 8).
DATABASES["default"]["CONN_MAX_AGE"] = _int("DATABASE_CONN_MAX_AGE", 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: queue, cache, locks -------------------------------------------------

REDIS_URL = env.str("REDIS_URL", default="").strip()
if REDIS_URL:
    REDIS_URL = _url("REDIS_URL", REDIS_URL, schemes=("redis", "rediss"))
REDIS_KEY_PREFIX = env.str("REDIS_KEY_PREFIX", default="inscrire")

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": REDIS_KEY_PREFIX,
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
        }
    }

HUEY_IMMEDIATE = _bool("HUEY_IMMEDIATE", default=False)
HUEY = {
    "name": REDIS_KEY_PREFIX,
    # Never let Huey follow DEBUG: tasks run in the consumer unless asked.
    "immediate": HUEY_IMMEDIATE,
    "utc": True,
    "consumer": {
        "workers": _int("HUEY_WORKERS", 2),
        # SqliteHuey is polled, backing off while idle (Redis blocks on the
        # queue instead): Huey's 10 s ceiling would hold the first e-mail
        # after a quiet spell that long. One poll a second per thread is cheap.
        "max_delay": _seconds("HUEY_MAX_DELAY", 1.0),
        "worker_type": "thread",
        "periodic": True,
        "check_worker_health": True,
    },
}
if REDIS_URL:
    HUEY.update({"huey_class": "huey.RedisHuey", "connection": {"url": REDIS_URL}})
else:
    HUEY.update({"huey_class": "huey.SqliteHuey", "filename": str(DATA_DIR / "huey.sqlite3")})

# Wagtail's own background jobs (search and reference index) go through the
# same Huey queue and consumer.
TASKS = {"default": {"BACKEND": "huey.contrib.djhuey.tasks_backend.HueyBackend"}}

# --- Sessions and authentication ------------------------------------------------

SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_AGE = _int("SESSION_COOKIE_AGE", 60 * 60 * 8)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.ScryptPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Login throttling (django-axes): five wrong passwords for one address from
# one machine lock that pair out for 15 minutes, and ten failures from one
# machine, whatever the addresses tried, lock the machine out (password
# spraying; accounts/throttling.py). The first backend only counts and
# refuses; the second one checks the password.
AUTHENTICATION_BACKENDS = [
    "accounts.backends.ThrottledLoginBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_HANDLER = "accounts.throttling.TwoBudgetsHandler"
# Generous enough for a family, or a few families behind one address (a
# school's network, a mobile operator's shared address), small for a script.
LOGIN_IP_FAILURE_LIMIT = 10
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "accounts.ratelimit.login_username"
AXES_CLIENT_IP_CALLABLE = "accounts.ratelimit.axes_client_ip"
AXES_LOCKOUT_CALLABLE = "accounts.views.login_locked_out"
AXES_VERBOSE = False
# Links sent by e-mail.
ACCOUNT_CONFIRMATION_HOURS = 48
ACCOUNT_INVITATION_DAYS = 14
GUARDIAN_INVITATION_DAYS = 7
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24
# Editors, directors, finance agents and administrators give a code from an
# authentication app after their password (TOTP); on by default in production.
STAFF_2FA_REQUIRED = _bool("STAFF_2FA_REQUIRED", default=PRODUCTION)
OTP_TOTP_ISSUER = "Inscrire"

# --- Internationalisation ------------------------------------------------------------

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("Anglais"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "America/Martinique"
USE_I18N = True
USE_TZ = True
WAGTAIL_I18N_ENABLED = False
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES

# --- Files ------------------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "static")))
# Outside production WhiteNoise serves straight from the apps' static folders,
# so no collectstatic is needed to run or test.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(DATA_DIR / "media")))
# Private documents (children's papers) never live under MEDIA_ROOT: they are
# served only by views that check who asks.
PRIVATE_MEDIA_ROOT = Path(env.str("PRIVATE_MEDIA_ROOT", default=str(DATA_DIR / "private")))
FILE_UPLOAD_PERMISSIONS = 0o640
DATA_UPLOAD_MAX_MEMORY_SIZE = _int("DATA_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)
# All the documents of one dossier together (each question has its own limit too).
DOSSIER_MAX_TOTAL_MB = _int("DOSSIER_MAX_TOTAL_MB", 30)
# Antivirus: clamd's address, tcp://host:3310 or unix:///run/clamav/clamd.ctl
# (files/checks.py); set and unreachable, uploads are refused. Production
# requires it, or an explicit CLAMAV_URL=off, which the start-up log and the
# admin dashboard then report (files/apps.py, files/wagtail_hooks.py).
# Development and tests default to no scan at all.
_clamav = env.str("CLAMAV_URL", default="").strip()
ANTIVIRUS_TURNED_OFF = _clamav.lower() == "off"
CLAMAV_URL = "" if ANTIVIRUS_TURNED_OFF else _clamav
if CLAMAV_URL and urlparse(CLAMAV_URL).scheme not in {"tcp", "unix"}:
    raise ConfigurationError("CLAMAV_URL", "is malformed: expected tcp://host:port, unix:///path or off")
if PRODUCTION and not CLAMAV_URL and not ANTIVIRUS_TURNED_OFF:
    raise ConfigurationError(
        "CLAMAV_URL", "is required in production (tcp://host:3310 or unix:///path); set it to off to run without antivirus"
    )

AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="").strip()
if AWS_STORAGE_BUCKET_NAME:
    _s3_options = {
        "bucket_name": AWS_STORAGE_BUCKET_NAME,
        "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
        "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
        "access_key": env.str("AWS_ACCESS_KEY_ID", default="") or None,
        "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default="") or None,
        "default_acl": None,
        "file_overwrite": False,
        "querystring_auth": True,
        "querystring_expire": 300,
        "signature_version": "s3v4",
    }
    STORAGES = {
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {**_s3_options, "location": "media"}},
        "private": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {**_s3_options, "location": "private"}},
    }
else:
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT), "base_url": None},
        },
    }
STORAGES["staticfiles"] = {
    "BACKEND": (
        "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    )
}

# --- E-mail ------------------------------------------------------------------------

EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.smtp.EmailBackend" if PRODUCTION else "django.core.mail.backends.filebased.EmailBackend",
)
EMAIL_FILE_PATH = str(DATA_DIR / "mail")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = _int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = _bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = _bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = _int("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Inscrire <ne-pas-repondre@inscrire.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Push notifications (Web Push) -------------------------------------------------------

# The portal's VAPID key pair, base64url (``manage.py webpush_keys`` makes
# one): the public key is what browsers subscribe with, the private one
# signs every push. Both empty (the default), push notifications are off and
# « Mon compte » does not offer them; e-mails are sent as always.
WEBPUSH_VAPID_PUBLIC_KEY = env.str("WEBPUSH_VAPID_PUBLIC_KEY", default="").strip()
WEBPUSH_VAPID_PRIVATE_KEY = env.str("WEBPUSH_VAPID_PRIVATE_KEY", default="").strip()


def _vapid_key(variable: str, value: str, size: int) -> None:
    try:
        decoded = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        decoded = b""
    if len(decoded) != size:
        raise ConfigurationError(variable, "is malformed: expected the base64url key printed by manage.py webpush_keys")


if WEBPUSH_VAPID_PUBLIC_KEY or WEBPUSH_VAPID_PRIVATE_KEY:
    for _name, _value in (("WEBPUSH_VAPID_PUBLIC_KEY", WEBPUSH_VAPID_PUBLIC_KEY),
                          ("WEBPUSH_VAPID_PRIVATE_KEY", WEBPUSH_VAPID_PRIVATE_KEY)):
        if not _value:
            raise ConfigurationError(_name, "must be set too: the two VAPID keys go together")
    _vapid_key("WEBPUSH_VAPID_PUBLIC_KEY", WEBPUSH_VAPID_PUBLIC_KEY, 65)
    _vapid_key("WEBPUSH_VAPID_PRIVATE_KEY", WEBPUSH_VAPID_PRIVATE_KEY, 32)
# Whom the push services may contact about the portal's messages (VAPID « sub »).
WEBPUSH_CONTACT = env.str("WEBPUSH_CONTACT", default=f"mailto:{parseaddr(DEFAULT_FROM_EMAIL)[1]}").strip()
if not WEBPUSH_CONTACT.startswith(("mailto:", "https://")):
    raise ConfigurationError("WEBPUSH_CONTACT", "must be a mailto: or https:// address")
# The push services browsers subscribe with (and their subdomains): the
# portal sends pushes to no other host, over HTTPS only.
WEBPUSH_ENDPOINT_HOSTS = [
    h.strip().lower()
    for h in env.str(
        "WEBPUSH_ENDPOINT_HOSTS",
        default="fcm.googleapis.com,android.googleapis.com,push.services.mozilla.com,push.apple.com,notify.windows.com",
    ).split(",")
    if h.strip()
]

# --- Card payments (django-payments) ----------------------------------------------------

# The provider used for card payments: "dummy" (django-payments' development
# provider, which asks you to pick the outcome) outside production; in
# production, card payment stays off until a real provider is configured,
# e.g. CARD_PAYMENT_PROVIDER=stripe with STRIPE_SECRET_KEY and
# STRIPE_PUBLIC_KEY (and the `stripe` package).
# The dummy provider lets whoever holds a payment's link pick « paid »: it is
# refused in production.
CARD_PAYMENT_PROVIDER = _choice(
    "CARD_PAYMENT_PROVIDER", "" if PRODUCTION else "dummy", ("", "stripe") if PRODUCTION else ("", "dummy", "stripe")
)
PAYMENT_MODEL = "billing.CardPayment"
PAYMENT_VARIANTS = {}
if CARD_PAYMENT_PROVIDER == "dummy":
    PAYMENT_VARIANTS["dummy"] = ("payments.dummy.DummyProvider", {})
if CARD_PAYMENT_PROVIDER == "stripe":
    PAYMENT_VARIANTS["stripe"] = (
        "payments.stripe.StripeProviderV3",
        {
            "api_key": _required("STRIPE_SECRET_KEY"),
            "use_token": True,
            "endpoint_secret": env.str("STRIPE_ENDPOINT_SECRET", default="") or None,
            "secure_endpoint": True,
        },
    )
CARD_PAYMENT_VARIANT = CARD_PAYMENT_PROVIDER
PAYMENT_HOST = urlparse(SITE_URL).netloc
PAYMENT_USES_SSL = SITE_URL.startswith("https://")

# --- Wagtail --------------------------------------------------------------------------

WAGTAIL_SITE_NAME = "Inscrire"
# Staff avatars: no gravatar (an outside request per page, blocked by the
# content security policy anyway, and a leak of the staff's addresses).
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAILADMIN_BASE_URL = SITE_URL
# Editors' images: refused above this many pixels before being decoded, as
# families' are (files.checks.IMAGE_MAX_PIXELS); Wagtail's default is 128 million.
WAGTAILIMAGES_MAX_IMAGE_PIXELS = 24_000_000
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["pdf", "odt", "docx", "txt"]
WAGTAILDOCS_SERVE_METHOD = "serve_view"

# --- Security ---------------------------------------------------------------------------

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"
# No script reads the CSRF cookie (forms carry the token), so hide it from scripts.
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
# Request bodies: fields kept in memory (files excluded) stay small; the
# whole body, files included, is refused with 413 past REQUEST_MAX_BODY_SIZE
# before being read. The form editor's StreamField posts many fields.
DATA_UPLOAD_MAX_NUMBER_FIELDS = _int("DATA_UPLOAD_MAX_NUMBER_FIELDS", 5000)
DATA_UPLOAD_MAX_NUMBER_FILES = _int("DATA_UPLOAD_MAX_NUMBER_FILES", 30)
REQUEST_MAX_BODY_SIZE = _int("REQUEST_MAX_BODY_SIZE", 60 * 1024 * 1024)

# Content-Security-Policy (django-csp 4). Public pages run only the
# portal's own files: no inline script or style, no other origin, no
# plugin, no framing. Documents served to families and staff set a stricter
# one themselves (sandboxed). The Wagtail admin under /cms/ writes inline
# scripts and styles of its own, so it gets this policy plus
# 'unsafe-inline' for scripts and styles, data:/blob: images (image
# choosers' previews) and same-origin frames (page preview, documents).
_SELF, _NONE = "'self'", "'none'"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [_SELF],
        "script-src": [_SELF],
        "style-src": [_SELF],
        "img-src": [_SELF, "data:"],
        "font-src": [_SELF],
        "connect-src": [_SELF],
        # The service worker (/sw.js) and the web app manifest are the portal's own.
        "worker-src": [_SELF],
        "manifest-src": [_SELF],
        "frame-src": [_NONE],
        "object-src": [_NONE],
        "base-uri": [_NONE],
        "form-action": [_SELF],
        "frame-ancestors": [_NONE],
    }
}
CONTENT_SECURITY_POLICY_ADMIN = {
    "DIRECTIVES": {
        **CONTENT_SECURITY_POLICY["DIRECTIVES"],
        "script-src": [_SELF, "'unsafe-inline'"],
        "style-src": [_SELF, "'unsafe-inline'"],
        "img-src": [_SELF, "data:", "blob:"],
        "font-src": [_SELF, "data:"],
        "frame-src": [_SELF],
        "frame-ancestors": [_SELF],
    }
}
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = _bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = _int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# --- Personal data retention (months) --------------------------------------------------

RETENTION_DOCUMENTS_MONTHS_AFTER_SCHOOL_YEAR = _int("RETENTION_DOCUMENTS_MONTHS_AFTER_SCHOOL_YEAR", 12)
RETENTION_CLOSED_DOSSIERS_MONTHS = _int("RETENTION_CLOSED_DOSSIERS_MONTHS", 6)
RETENTION_ABANDONED_DRAFTS_MONTHS = _int("RETENTION_ABANDONED_DRAFTS_MONTHS", 12)

# --- Logging ----------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"huey": {"level": env.str("LOG_LEVEL", default="INFO"), "propagate": False}},
}

"""Zhanwu settings, read from the environment.

DATABASE_URL  PostgreSQL in production and CI; SQLite (db.sqlite3) when unset.
REDIS_URL     Celery broker and cache; when unset Celery runs tasks in-process.
SECRET_KEY, DEBUG, ALLOWED_HOSTS as usual.
"""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and os.environ.get("ZHANWU_REQUIRE_SECRET"):
        raise RuntimeError("SECRET_KEY must be set in production")
    SECRET_KEY = "dev-only-insecure-key-change-me"  # noqa: S105 - local development default
# Personal data at rest (core/personal/crypto.py): SM4 data keys "id:base64[,id:base64…]" (the first is current)
# and the HMAC-SM3 lookup key. Development and tests fall back to public development keys; production refuses
# to start without them, like it does without SECRET_KEY.
ZHANWU_DATA_KEYS = os.environ.get("ZHANWU_DATA_KEYS", "")
ZHANWU_LOOKUP_KEY = os.environ.get("ZHANWU_LOOKUP_KEY", "")
if os.environ.get("ZHANWU_REQUIRE_SECRET") and not (ZHANWU_DATA_KEYS and ZHANWU_LOOKUP_KEY):
    raise RuntimeError("ZHANWU_DATA_KEYS and ZHANWU_LOOKUP_KEY must be set in production")
TESTING = False  # config/settings_test.py (pytest) sets it
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "accounts.axes_config.AxesConfig",  # django-axes with a Chinese admin section name
    "django_celery_beat",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "core",
    "workdays",
    "accounts",
    "stations",
    "policies",
    "contracts",
    "staffing",
    "services",
    "evaluation",
    "funding",
    "dashboards",
    "obligations",
    "home",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "core.apierrors.ApiJsonErrorsMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "core.middleware.SessionLimitsMiddleware",
    "accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "obligations.context_processors.inbox",
            ],
        },
    },
]

# --- database -------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
# A read replica for dashboards and the indicator API: set REPLICA_DATABASE_URL (a streaming replica of the
# primary) and config.db_router sends the reads of the pre-aggregated tables there; writes stay on the primary.
if os.environ.get("REPLICA_DATABASE_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["REPLICA_DATABASE_URL"], conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60"))
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["config.db_router.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- redis, cache, celery -------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# The daily obligations sweep is a PeriodicTask row (created by obligations/migrations/0002), at this local
# time every day; changing it here and re-running migrate does not move an existing row (edit it in the admin).
OBLIGATIONS_SWEEP_HOUR = int(os.environ.get("OBLIGATIONS_SWEEP_HOUR", "2"))
# An open obligation counts as "due soon" (and raises its first reminder) this many days before its due date.
# A platform convention for reminders, not a policy number: no document sets it.
OBLIGATIONS_DUE_SOON_DAYS = int(os.environ.get("OBLIGATIONS_DUE_SOON_DAYS", "14"))

# --- email (obligation reminders) -----------------------------------------------
# Unset EMAIL_HOST: messages are written to the console (development); tests use Django's locmem backend.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "站务 <noreply@localhost>")
# Links in emails point here (the address people open the platform at).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

# --- auth and security (SECURITY.md) ---------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
# Django's validators with the messages reworded (您, plain words): accounts/passwords.py.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "accounts.passwords.UserAttributeSimilarityValidator"},
    {"NAME": "accounts.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "accounts.passwords.CommonPasswordValidator"},
    {"NAME": "accounts.passwords.NumericPasswordValidator"},
    {"NAME": "accounts.passwords.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
]
# PBKDF2-HMAC-SM3 (accounts/hashers.py) for deployments whose 密评 (GB/T 39786-2021) asks for the national
# algorithms: PASSWORD_HASHER=sm3 puts it first, and Django re-hashes each password at its next login.
# It stays in the list either way, so SM3 hashes keep verifying (and are upgraded back) if the setting is removed.
_DJANGO_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
_SM3_HASHER = "accounts.hashers.PBKDF2SM3PasswordHasher"
_hasher_choice = os.environ.get("PASSWORD_HASHER", "").strip().lower()
if _hasher_choice not in {"", "default", "sm3"}:
    raise RuntimeError("PASSWORD_HASHER must be 'sm3' or unset")
PASSWORD_HASHERS = [_SM3_HASHER, *_DJANGO_HASHERS] if _hasher_choice == "sm3" else [*_DJANGO_HASHERS, _SM3_HASHER]

# TOTP second factor (django-otp) for system administrators and bureau accounts (等保 2.0 level 3,
# SECURITY.md), enforced by accounts.middleware.SecondFactorMiddleware and the token endpoint.
# REQUIRE_SECOND_FACTOR=0 turns it off for local development; `check --deploy` warns while it is off.
REQUIRE_SECOND_FACTOR = env_bool("REQUIRE_SECOND_FACTOR", True)
OTP_TOTP_ISSUER = "站务"
RECOVERY_CODE_COUNT = 10

# Audit rows are kept at least 180 days (网络安全法 art. 21); `manage.py archive_audit` moves older rows
# to a compressed file. The database trigger (core/migrations/0002) holds the 180-day floor on its own.
AUDIT_RETENTION_DAYS = max(180, int(os.environ.get("AUDIT_RETENTION_DAYS", "180")))

PASSWORD_MAX_AGE_DAYS = 90  # bureau and administrator accounts are prompted after this (等保, SECURITY.md)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# 5 failures lock the account for 30 minutes (等保 2.0 level 3, SECURITY.md).
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked.html"
AXES_VERBOSE = False
# Lock the account, not the address: a county bureau's whole office shares one NAT address, and an
# IP lockout would let one mistyped password shut out every colleague (axes.W006 warns about this choice).
# security.W021: HSTS preload is a commitment for the whole domain that only its owner can make (a county
# site usually lives under a provincial government domain), so it is off unless SECURE_HSTS_PRELOAD=1.
SILENCED_SYSTEM_CHECKS = ["axes.W006", "security.W021"]

# Idle sessions end after 30 minutes (the cookie age is renewed on every request),
# absolute limit 12 hours (core.middleware.SessionLimitsMiddleware).
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_ABSOLUTE_SECONDS = 12 * 60 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)  # set in docker-compose behind TLS
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
# A Chinese page in the site's layout instead of Django's English "CSRF verification failed".
CSRF_FAILURE_VIEW = "core.views.csrf_failure"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Behind a TLS-terminating reverse proxy (production): the proxy must set X-Forwarded-Proto and overwrite
# any value a client sent; TRUST_X_FORWARDED_PROTO=1 lets Django believe it (docker-compose sets it).
if env_bool("TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# HTTPS only once cookies are secure (SECURE_COOKIES=1 means "served over TLS"): redirect plain HTTP and send
# HSTS for a year. /healthz stays reachable over plain HTTP for the container health check.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", SESSION_COOKIE_SECURE)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600 if SESSION_COOKIE_SECURE else 0)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)

# Content-Security-Policy (django-csp): scripts only from our own static files, never inline (templates carry
# data- attributes, static/js/ does the work); no framing by anyone. Inline *styles* stay allowed: Swagger UI,
# ECharts tooltips and htmx's indicator rule write style attributes, and a style cannot run code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "worker-src": [SELF, "blob:"],  # ReDoc builds its search worker from a blob
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Request bodies (besides uploaded files) of at most 1 MiB and 1,000 form fields; the API parsers
# (core.parsers) apply the same size cap, which DRF's own parsers skip.
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000

# --- i18n -----------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
# Only Chinese until the templates have an English catalogue: with "en" listed, LocaleMiddleware served
# Django's own strings (form labels, validation messages) in English to browsers asking for English,
# mixed into Chinese pages (issue 13).
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

# --- static ---------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Uploaded documents (contracts' signed scans, task books, annexes): outside the web root and never served by
# the web server; only scoped views read them (contracts.views.ContractDocumentView).
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT") or BASE_DIR / "var" / "private")
CONTRACT_DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
# Evidence photos of service records (services.photos): size of the upload, pixels before decoding (a small
# file may declare a huge image), the longest side kept (larger photos are scaled down), photos per record.
SERVICE_PHOTO_MAX_BYTES = 8 * 1024 * 1024
SERVICE_PHOTO_MAX_PIXELS = 40_000_000
SERVICE_PHOTO_MAX_SIDE = 2560
SERVICE_PHOTO_MAX_PER_RECORD = 6
# Spending receipts (funding.receipts): PDF kept as sent (no scripts), images re-encoded without metadata.
FUNDING_RECEIPT_MAX_BYTES = 10 * 1024 * 1024
STATICFILES_DIRS = [BASE_DIR / "static"]
# Dashboards: a figure computed longer ago than this says it may be out of date (the refresh runs nightly; a
# platform convention, not a policy number).
DASHBOARD_STALE_HOURS = int(os.environ.get("DASHBOARD_STALE_HOURS", "36"))
# The longest a read-only service account's API key may live before the bureau creates a new one (security setting).
SERVICE_KEY_MAX_DAYS = int(os.environ.get("SERVICE_KEY_MAX_DAYS", "366"))

# --- REST API -------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: an API client without valid credentials gets 401 with WWW-Authenticate.
        "accounts.api.auth.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # Body size and JSON depth bounded before parsing; limit/offset validated, at most 500 rows a page.
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.BoundedJSONParser",
        "core.parsers.BoundedFormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.BoundedLimitOffsetPagination",
    "PAGE_SIZE": 50,
    # Per account, for the endpoints that name a throttle scope (machines pulling indicator values nightly).
    "DEFAULT_THROTTLE_RATES": {"indicator_values": os.environ.get("INDICATOR_VALUES_RATE", "2000/hour")},
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "站务 Zhanwu API",
    "DESCRIPTION": "县级社工站管理平台 REST API（v1）",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.schema.document_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "StationStatusEnum": "stations.models.Station.Status",
        "ContractStatusEnum": "contracts.models.Contract.Status",
        "ProcurementMethodEnum": "contracts.models.Method",
        "ProcurementStatusEnum": "contracts.models.Procurement.Status",
        "OrganisationStatusEnum": "accounts.models.Organisation.Status",
        "CertificateLevelEnum": "staffing.models.CertificateLevel",
        # Every other choice set named like another (status, state, level, kind …) gets its model's name.
        "CalendarDayKindEnum": "workdays.models.CalendarDay.Kind",
        "OrganisationKindEnum": "accounts.models.Organisation.Kind",
        "DivisionLevelEnum": "stations.models.Division.Level",
        "StationLevelEnum": "stations.models.Station.Level",
        "ContractDocumentKindEnum": "contracts.models.ContractDocument.Kind",
        "BreachTermPartyEnum": "contracts.models.BreachTerm.Party",
        "SocialWorkerStatusEnum": "staffing.models.SocialWorker.Status",
        "TrainingRecordLevelEnum": "staffing.models.TrainingRecord.Level",
        "TrainingRecordKindEnum": "staffing.models.TrainingRecord.Kind",
        "StationServiceListStatusEnum": "services.models.StationServiceList.Status",
        "ServiceRecordKindEnum": "services.models.ServiceRecord.Kind",
        "EscalationStatusEnum": "services.models.Escalation.Status",
        "EscalationOutcomeEnum": "services.models.Escalation.Outcome",
        "CaseStageEnum": "services.models.Case.Stage",
        "ReferralStatusEnum": "services.models.Referral.Status",
        "EvaluationStateEnum": "evaluation.models.Evaluation.State",
        "EvaluationStageEnum": "evaluation.models.Evaluation.Stage",
        "PartyScorePartyEnum": "evaluation.models.PartyScore.Party",
        "RenewalOutcomeEnum": "evaluation.models.Renewal.Outcome",
        "MonthlyBriefStateEnum": "evaluation.reports.models.MonthlyBrief.State",
        "PeriodicReportStateEnum": "evaluation.reports.models.PeriodicReport.State",
        "PeriodicReportKindEnum": "evaluation.reports.models.PeriodicReport.Kind",
        "ObligationStateEnum": "obligations.models.Obligation.State",
        "BudgetLineKindEnum": "funding.models.LineKind",
        "DisbursementKindEnum": "funding.models.Disbursement.Kind",
    },
}

GUARDIAN_RAISE_403 = False
ANONYMOUS_USER_NAME = None

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

"""Gongjian settings, all taken from the environment (django-environ).

Secrets may also come from files: ``SECRET_KEY_FILE`` wins over ``SECRET_KEY`` (the
healthchecks habit), which suits Docker secrets.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
if (BASE_DIR / ".env").exists():
    env.read_env(str(BASE_DIR / ".env"))


def _secret(name: str, default: str | None = None) -> str | None:
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text().strip()
    return os.environ.get(name, default)


TESTING = env.bool("GONGJIAN_TESTING", default="pytest" in sys.modules)
DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = _secret("SECRET_KEY") or ""
if not SECRET_KEY:
    if DEBUG or TESTING:
        SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"
    else:
        raise RuntimeError("SECRET_KEY (or SECRET_KEY_FILE) must be set when DEBUG is off")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "django_htmx",
    "axes",
    "pgtrigger",
    "pghistory",
    "core",
    "notifications",
    "stakeholders",
    "alliance",
    "feedback",
    "risk",
    "community",
    "webhooks",
    "insight",
    "coordination",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "core.middleware.HistoryMiddleware",
    "core.middleware.SecurityHeadersMiddleware",
    "axes.middleware.AxesMiddleware",
    "core.unavailable.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
AUTH_USER_MODEL = "core.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.platform",
            ],
        },
    },
]

# PostgreSQL only. scripts/devstack.py exports DATABASE_URL for the embedded server.
DATABASES = {"default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/gongjian")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Give up on connecting after this many seconds, so a request fails fast (503) when PostgreSQL does not
# answer, instead of holding a web worker until the client or the proxy gives up.
DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", env.int("DB_CONNECT_TIMEOUT", default=5))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        # Fails open: with Redis down requests go on without throttle counters (core/cache.py).
        "BACKEND": "core.cache.FailOpenRedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="gongjian"),
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}
if TESTING:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
SESSION_ENGINE = "core.sessions"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "core:dashboard"
LOGOUT_REDIRECT_URL = "core:home"
ANONYMOUS_USER_NAME = None  # guardian: anonymous users get no object permissions

# django-axes: lock an account/IP pair after repeated failures.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not (DEBUG or TESTING)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = _secret("EMAIL_HOST_PASSWORD", "") or ""
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Gongjian <noreply@gongjian.local>")
if TESTING:
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "stakeholders.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.StandardPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_SCHEMA_CLASS": "core.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exceptions.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    # feedback-*: submissions from kiosks, mini-programs and library systems, and anonymous ones per client.
    "DEFAULT_THROTTLE_RATES": {
        "anon": "60/min",
        "user": "600/min",
        "feedback-submit": "120/min",
        "feedback-anon": "10/min",
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
if TESTING:
    REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] = []

SPECTACULAR_SETTINGS = {
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api.schema.add_error_responses",
        "core.api.schema.relax_blank_formats",
    ],
    "TITLE": "Gongjian API",
    "DESCRIPTION": "The co-construction platform of a library and its partners. "
    "Authenticate with a session or with `Authorization: Token gj_...`.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "OrganizationKindEnum": "stakeholders.choices.OrganizationKind",
        "MembershipRoleEnum": "stakeholders.choices.MembershipRole",
        "CapabilityCategoryEnum": "stakeholders.choices.CapabilityCategory",
        "AllianceRoleEnum": "alliance.choices.AllianceRole",
        "ParticipantRoleEnum": "alliance.choices.ParticipantRole",
        "SignoffRoleEnum": "alliance.choices.SignoffRole",
        "NeedCategoryEnum": "alliance.choices.NeedCategory",
        "NeedStatusEnum": "alliance.choices.NeedStatus",
        "PartnerInvitationStatusEnum": "alliance.choices.InvitationStatus",
        "ProjectStatusEnum": "alliance.choices.ProjectStatus",
        "TrialStatusEnum": "alliance.choices.TrialStatus",
        "CorrectionStatusEnum": "alliance.choices.CorrectionStatus",
        "EvidenceKindEnum": "alliance.choices.EvidenceKind",
        "GuidanceKindEnum": "alliance.choices.GuidanceKind",
        "ContractStatusEnum": "alliance.models.contracts.ContractStatus",
        "ContractPartyRoleEnum": "alliance.models.contracts.ContractPartyRole",
        "IPKindEnum": "alliance.models.contracts.IPKind",
        "FeedbackKindEnum": "feedback.choices.FeedbackKind",
        "FeedbackStatusEnum": "feedback.choices.FeedbackStatus",
        "FeedbackChannelEnum": "feedback.choices.Channel",
        "FeedbackThemeEnum": "feedback.choices.Theme",
        "SurveyStatusEnum": "feedback.choices.SurveyStatus",
        "QuestionKindEnum": "feedback.choices.QuestionKind",
        "RiskCategoryEnum": "risk.choices.RiskCategory",
        "RiskStatusEnum": "risk.choices.RiskStatus",
        "RiskLevelEnum": "risk.choices.RiskLevel",
        "FundingKindEnum": "alliance.models.funding.FundingKind",
        "TrancheStatusEnum": "alliance.models.funding.TrancheStatus",
        "ExpenditureCategoryEnum": "alliance.models.funding.ExpenditureCategory",
        "MeetingKindEnum": "coordination.choices.MeetingKind",
        "MeetingStatusEnum": "coordination.choices.MeetingStatus",
        "AgendaTargetEnum": "coordination.choices.AgendaTarget",
        "ActionStatusEnum": "coordination.choices.ActionStatus",
        "PlanStatusEnum": "coordination.choices.PlanStatus",
        "OutputKindEnum": "coordination.choices.OutputKind",
        "WebhookDeliveryStatusEnum": "webhooks.models.DeliveryStatus",
        "ReportStatusEnum": "insight.choices.ReportStatus",
    },
}

# Celery: reliable by default (see README "Background work").
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3600,
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
    "retry_on_timeout": False,
    "max_retries": 1,
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_TIME_LIMIT = 600
CELERY_TASK_SOFT_TIME_LIMIT = 540
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "notifications-sweep-outbox": {"task": "notifications.tasks.sweep_outbox", "schedule": 60.0},
    "notifications-send-digests": {"task": "notifications.tasks.send_due_digests", "schedule": 300.0},
    "core-heartbeat": {"task": "core.tasks.heartbeat", "schedule": 30.0},
    "core-sweep-idempotency-keys": {"task": "core.tasks.sweep_idempotency_keys", "schedule": 3600.0},
    "feedback-sweep-service-levels": {"task": "feedback.tasks.sweep_service_levels", "schedule": 300.0},
    "alliance-sweep-reminders": {"task": "alliance.tasks.sweep_reminders", "schedule": 3600.0},
    "alliance-sweep-contract-reminders": {"task": "alliance.tasks.sweep_contract_reminders", "schedule": 3600.0},
    "risk-sweep-reviews": {"task": "risk.tasks.sweep_reviews", "schedule": 3600.0},
    "alliance-sweep-financial-reports": {"task": "alliance.tasks.sweep_financial_reports", "schedule": 3600.0},
    "webhooks-sweep-deliveries": {"task": "webhooks.tasks.sweep_deliveries", "schedule": 60.0},
    "coordination-sweep-action-items": {"task": "coordination.tasks.sweep_action_items", "schedule": 3600.0},
}

# Security. Production (DEBUG off) gets HTTPS-only cookies, HSTS and redirects.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not (DEBUG or TESTING))
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not (DEBUG or TESTING))
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if (DEBUG or TESTING) else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
# Preloading commits a domain and all its subdomains to HTTPS in browsers for good: each library decides
# that for its own domain, so `check --deploy` does not nag about it while it is off.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "core.middleware.RequestIdLogFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["request_id"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

INVITATION_TTL_DAYS = env.int("INVITATION_TTL_DAYS", default=7)
# How long an API client's Idempotency-Key is remembered (core.api.idempotency).
IDEMPOTENCY_KEY_TTL_HOURS = env.int("IDEMPOTENCY_KEY_TTL_HOURS", default=24)

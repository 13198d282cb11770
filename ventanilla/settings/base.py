"""Settings shared by every environment.

The environment is read here and only here: DJANGO_SECRET_KEY, DJANGO_DEBUG,
DJANGO_ALLOWED_HOSTS, DATABASE_URL, CELERY_BROKER_URL, EMAIL_URL-style settings.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url

PACKAGE_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PACKAGE_DIR.parent
VAR_DIR = Path(os.environ.get("VENTANILLA_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# A development key; production settings refuse to start without DJANGO_SECRET_KEY.
SECRET_KEY = os.environ.get(
    "DJANGO_SECRET_KEY", "dev-only-insecure-key-0123456789-abcdefghijklmnopqrstuvwxyz"
)
DEBUG = env_bool("DJANGO_DEBUG", True)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "treebeard",
    "axes",
    "auditlog",
    "ventanilla.core",
    "ventanilla.org",
    "ventanilla.customers",
    "ventanilla.surveys",
    "ventanilla.counters",
    "ventanilla.complaints",
    "ventanilla.rectification",
    "ventanilla.reports",
    "ventanilla.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "ventanilla.core.middleware.LoginRequiredMiddleware",
    "ventanilla.core.middleware.ActivePostMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    # Last, so that a locked-out login answers before any view runs.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ventanilla.urls"
WSGI_APPLICATION = "ventanilla.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ventanilla.core.context_processors.shell",
            ],
        },
    },
]

# SQLite under var/ by default; PostgreSQL (psycopg 3) when DATABASE_URL is set.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'ventanilla.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the web process read while a worker writes; IMMEDIATE avoids
        # "database is locked" on write upgrades inside transactions.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Failed-login lockout: five failures for one username from one address lock it for
# fifteen minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("VENTANILLA_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# Behind nginx every request comes from nginx: the lock counts by the address nginx saw,
# taken from X-Forwarded-For only when the request comes from one of these proxies.
VENTANILLA_TRUSTED_PROXIES = env_list("VENTANILLA_TRUSTED_PROXIES", "")
AXES_CLIENT_IP_CALLABLE = "ventanilla.core.auth.client_ip"

# The language of pages before a user chooses one, and of command output.
LANGUAGE_CODE = os.environ.get("VENTANILLA_LANGUAGE_CODE", "zh-hans")
LANGUAGES = [
    ("zh-hans", "简体中文"),
    ("en", "English"),
    ("es", "Español"),
]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "ventanilla.core.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "ventanilla.core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Ventanilla API",
    "DESCRIPTION": "Customer satisfaction and service quality for a bank's branch network.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1/",
    # Two models have a "source" field with different choices: name each enum.
    "ENUM_NAME_OVERRIDES": {
        "ComplaintSourceEnum": "ventanilla.complaints.models.Source",
        "WaveSourceEnum": "ventanilla.surveys.models.WaveSource",
        "PlanSourceEnum": "ventanilla.rectification.models.PlanSource",
        "PlanStatusEnum": "ventanilla.rectification.models.PlanStatus",
        "MeasureStatusEnum": "ventanilla.rectification.models.MeasureStatus",
        "ComplaintStatusEnum": "ventanilla.complaints.models.Status",
        "SectionKindEnum": "ventanilla.rectification.models.SectionKind",
        "DirectionEnum": "ventanilla.rectification.models.Direction",
        "MajorKindEnum": "ventanilla.complaints.models.MajorKind",
        "CustomerKindEnum": "ventanilla.customers.models.CustomerKind",
    },
}

# Background jobs: Celery. Production points CELERY_BROKER_URL at Redis; the embedded
# default keeps its queue in a SQLite file beside the database, so a laptop needs no
# extra server (see docs/decisions/0002-task-queue.md).
CELERY_BROKER_URL = os.environ.get(
    "CELERY_BROKER_URL", f"sqla+sqlite:///{VAR_DIR / 'broker.sqlite3'}"
)
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# With Redis, a message a worker took but never acknowledged (the worker died) is delivered
# again after the visibility timeout: at-least-once delivery. The SQLAlchemy transport takes
# no such option (its options go to the database engine).
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {"visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "3600"))}
    if CELERY_BROKER_URL.startswith(("redis://", "rediss://"))
    else {}
)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "audit-retention": {
        "task": "ventanilla.core.tasks.purge_expired_audit_entries",
        "schedule": timedelta(hours=24),
    },
    "complaint-escalation": {
        "task": "ventanilla.complaints.tasks.escalate_complaints",
        "schedule": timedelta(minutes=15),
    },
    "complaint-rapid-alerts": {
        "task": "ventanilla.complaints.tasks.alert_backup_contacts",
        "schedule": timedelta(minutes=1),
    },
    "surveys-retrain-theme-model": {
        "task": "ventanilla.surveys.tasks.retrain_theme_model",
        "schedule": timedelta(hours=24),
    },
    "rectification-reminders": {
        "task": "ventanilla.rectification.tasks.remind_measure_owners",
        "schedule": timedelta(hours=6),
    },
}
# Complaint notices by SMS: a console backend by default; production sets the gateway.
COMPLAINTS_SMS_BACKEND = os.environ.get(
    "COMPLAINTS_SMS_BACKEND", "ventanilla.complaints.sms.ConsoleBackend"
)
COMPLAINTS_SMS_GATEWAY_URL = os.environ.get("COMPLAINTS_SMS_GATEWAY_URL", "")
COMPLAINTS_SMS_GATEWAY_TOKEN = os.environ.get("COMPLAINTS_SMS_GATEWAY_TOKEN", "")
COMPLAINTS_SMS_GATEWAY_TIMEOUT = float(os.environ.get("COMPLAINTS_SMS_GATEWAY_TIMEOUT", "10"))
COMPLAINTS_ATTACHMENT_MAX_BYTES = int(
    os.environ.get("COMPLAINTS_ATTACHMENT_MAX_BYTES", str(10 * 1024 * 1024))
)
# Audit entries are kept this many days; banks keep records of service for years.
AUDIT_RETENTION_DAYS = int(os.environ.get("VENTANILLA_AUDIT_RETENTION_DAYS", str(5 * 365)))

AUDITLOG_INCLUDE_ALL_MODELS = False
AUDITLOG_DISABLE_REMOTE_ADDR = False

EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "ventanilla@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("VENTANILLA_LOG_LEVEL", "INFO")},
    # WeasyPrint logs every layout step and fontTools every subset at INFO.
    "loggers": {
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

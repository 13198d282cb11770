"""Tests: fast hashing, jobs run in-process, and SQLite in memory unless DATABASE_URL says."""

import os

from ventanilla.settings.base import *  # noqa: F403
from ventanilla.settings.base import DATABASES

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
if "DATABASE_URL" not in os.environ:
    DATABASES["default"] = {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LANGUAGE_CODE = "en"
COMPLAINTS_SMS_BACKEND = "ventanilla.complaints.sms.LocMemBackend"
# Counters demo: one month at Xiangcheng and none at other outlets, so demo builds in tests
# stay quick (the real demo writes a year at Xiangcheng and a month everywhere else).
COUNTERS_DEMO_DAYS = 30
COUNTERS_DEMO_OTHER_DAYS = 0
# Customers demo: a few thousand at Xiangcheng instead of 50,000, for the same reason.
CUSTOMERS_DEMO_XIANGCHENG = 3_000
CUSTOMERS_DEMO_OTHER = 40

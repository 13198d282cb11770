"""The one task queue for all periodic and deferred work."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ventanilla.settings.base")

app = Celery("ventanilla")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

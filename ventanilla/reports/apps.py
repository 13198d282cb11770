from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "ventanilla.reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from ventanilla.reports import models

        auditlog.register(models.GeneratedReport, exclude_fields=["progress", "content"])

"""Documents generated from the live data and kept with their date and author."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ventanilla.core.audit import AuditedInTree
from ventanilla.core.scoping import ScopedQuerySet
from ventanilla.org.models import OrgUnit


class ReportKind(models.TextChoices):
    RECTIFICATION = "rectification", _("Rectification report")
    QUARTERLY_PACK = "quarterly-pack", _("Quarterly service-quality pack")


class ReportFormat(models.TextChoices):
    DOCX = "docx", "DOCX"
    PDF = "pdf", "PDF"
    HTML = "html", "HTML"


class ReportLanguage(models.TextChoices):
    ZH = "zh-hans", "简体中文"
    EN = "en", "English"
    ES = "es", "Español"


class ReportState(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("report state", "Queued")
    RUNNING = "running", pgettext_lazy("report state", "Generating")
    DONE = "done", pgettext_lazy("report state", "Ready")
    FAILED = "failed", pgettext_lazy("report state", "Failed")


class GeneratedReportQuerySet(ScopedQuerySet["GeneratedReport"]):
    pass


class GeneratedReport(AuditedInTree, models.Model):
    """One generated document: what it covers, its language and format, who asked for it,
    its progress while being generated and, once ready, the file itself."""

    scope_path_field = "unit__path"

    kind = models.CharField(_("kind"), max_length=20, choices=ReportKind.choices)
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    plan = models.ForeignKey(
        "rectification.RectificationPlan",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("plan"),
    )
    quarter = models.CharField(_("quarter"), max_length=6, blank=True)
    language = models.CharField(_("language"), max_length=8, choices=ReportLanguage.choices)
    format = models.CharField(_("format"), max_length=4, choices=ReportFormat.choices)
    state = models.CharField(
        _("state"), max_length=8, choices=ReportState.choices, default=ReportState.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    step = models.CharField(_("step"), max_length=120, blank=True)
    error = models.TextField(_("error"), blank=True)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    content = models.BinaryField(_("content"), null=True, blank=True, editable=False)
    size = models.PositiveIntegerField(_("size"), default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = GeneratedReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("generated report")
        verbose_name_plural = _("generated reports")
        ordering = ["-requested_at"]
        indexes = [models.Index(fields=["unit", "-requested_at"], name="report_unit_requested")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.unit.code} {self.language} {self.format}"

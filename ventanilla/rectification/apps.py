from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RectificationConfig(AppConfig):
    name = "ventanilla.rectification"
    label = "rectification"
    verbose_name = _("Rectification")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from ventanilla.core.views import register_dashboard_panels
        from ventanilla.rectification import models
        from ventanilla.rectification.panels import rectification_panels

        for model in (
            models.RectificationPlan,
            models.PlanGoal,
            models.PlanSection,
            models.Finding,
            models.Measure,
            models.MeasureProgress,
            models.EffectCheck,
        ):
            auditlog.register(model)
        register_dashboard_panels(rectification_panels)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "ventanilla.surveys"
    label = "surveys"
    verbose_name = _("Satisfaction evaluations")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from ventanilla.core.views import register_dashboard_panels
        from ventanilla.surveys import models
        from ventanilla.surveys.panels import standing_panels

        # Scores are audited through their response: one entry per answered questionnaire,
        # not one per question, keeps large imports cheap.
        for model in (
            models.EvaluationWave,
            models.Response,
            models.ResponseMapping,
            models.TargetRank,
            models.ThemeKeyword,
        ):
            auditlog.register(model)
        register_dashboard_panels(standing_panels)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CountersConfig(AppConfig):
    name = "ventanilla.counters"
    label = "counters"
    verbose_name = _("Counters")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from ventanilla.core.views import register_dashboard_panels
        from ventanilla.counters import models
        from ventanilla.counters.panels import counter_panels

        # Queue tickets and rollups are machine logs in bulk: they are not audited row by
        # row; the import itself is what a person does.
        for model in (
            models.BusinessType,
            models.TellerError,
            models.TicketMapping,
            models.LeaguePublication,
            models.VipCandidateScore,
        ):
            auditlog.register(model)
        register_dashboard_panels(counter_panels)

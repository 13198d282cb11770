from typing import Any

from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.utils.translation import gettext_lazy as _


def remember_served_tickets(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """Note in the session whether the user has served tickets, once at login, so that
    the menu offers "My counter figures" without a query on every page."""
    from ventanilla.core.context_processors import HAS_SERVED_TICKETS_SESSION_KEY
    from ventanilla.counters.models import MonthlyTellerFigures

    if request is None or not hasattr(request, "session"):
        return
    request.session[HAS_SERVED_TICKETS_SESSION_KEY] = MonthlyTellerFigures.objects.filter(
        teller__user=user
    ).exists()


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
        user_logged_in.connect(remember_served_tickets, dispatch_uid="counters_served_tickets")

"""The counters panel of the home dashboard: today's tickets in the user's scope."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone

from ventanilla.core.scoping import scope_for
from ventanilla.core.views import Panel
from ventanilla.counters import selectors


def counter_panels(request: HttpRequest) -> list[Panel]:
    """Tickets, service level, mean wait and abandonment today (one query on the rollups)."""
    scope = scope_for(request.user)
    if not scope.is_global and not scope.grants:
        return []
    today = timezone.localdate()
    report = selectors.queue_figures(
        user=request.user, unit=None, start=today, end=today, group_by="vip"
    )
    return [Panel("counters/panels/today.html", {"figures": report.total}, width=12)]

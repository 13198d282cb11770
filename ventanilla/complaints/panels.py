"""The complaints panel of the home dashboard."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Q
from django.http import HttpRequest
from django.utils import timezone

from ventanilla.complaints import selectors
from ventanilla.complaints.models import OPEN_STATUSES, Status
from ventanilla.core.scoping import scope_for
from ventanilla.core.views import Panel

DUE_SOON = timedelta(days=3)


def complaint_panels(request: HttpRequest) -> list[Panel]:
    """Open, overdue and soon-due complaints of the user's units; nothing for outsiders."""
    scope = scope_for(request.user)
    if not scope.is_global and not scope.grants:
        return []
    now = timezone.now()
    running = [s for s in OPEN_STATUSES if s != Status.SUSPENDED]
    figures = (
        selectors.complaint_list(user=request.user)
        .order_by()
        .aggregate(
            open=Count("id", filter=Q(status__in=OPEN_STATUSES)),
            overdue=Count("id", filter=Q(status__in=running, due_at__lt=now)),
            due_soon=Count(
                "id", filter=Q(status__in=running, due_at__gte=now, due_at__lt=now + DUE_SOON)
            ),
            paused=Count("id", filter=Q(status=Status.SUSPENDED)),
        )
    )
    return [Panel("complaints/panels/complaints.html", {"figures": figures}, width=12)]

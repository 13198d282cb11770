"""The rectification panel of the home dashboard: my measures and the plans' progress."""

from __future__ import annotations

from django.db.models import Count, Q
from django.http import HttpRequest
from django.utils import timezone

from ventanilla.core.views import Panel
from ventanilla.rectification import selectors
from ventanilla.rectification.models import OPEN_MEASURE_STATUSES


def rectification_panels(request: HttpRequest) -> list[Panel]:
    user = request.user
    today = timezone.localdate()
    mine = (
        selectors.my_measures(user=user)
        .order_by()
        .aggregate(
            open=Count("id", filter=Q(status__in=OPEN_MEASURE_STATUSES)),
            overdue=Count("id", filter=Q(status__in=OPEN_MEASURE_STATUSES, due_on__lt=today)),
        )
    )
    plans = list(selectors.plan_list(user=user).exclude(status="closed")[:3])
    if not plans and not mine["open"]:
        return []
    progress = []
    for plan in plans:
        measures = list(selectors.measure_list(user=user).filter(section__plan=plan))
        progress.append((plan, selectors.plan_progress(measures, []).overall))
    return [
        Panel(
            "rectification/panels/rectification.html",
            {"mine": mine, "plans": progress},
            width=12,
        )
    ]

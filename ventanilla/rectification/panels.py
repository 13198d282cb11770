"""The rectification panel of the home dashboard: my measures and the plans' progress."""

from __future__ import annotations

from typing import Any

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
    by_plan: dict[int, list[Any]] = {plan.pk: [] for plan in plans}
    for m in selectors.measure_list(user=user).filter(section__plan__in=plans):
        by_plan[m.section.plan_id].append(m)
    progress = [(plan, selectors.plan_progress(by_plan[plan.pk], []).overall) for plan in plans]
    return [
        Panel(
            "rectification/panels/rectification.html",
            {"mine": mine, "plans": progress},
            width=12,
        )
    ]

"""Reads of complaints, every one restricted to what the user may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from ventanilla.complaints.models import (
    Axis,
    ClassificationCode,
    Complaint,
    ComplaintEvent,
    LedgerLevel,
    Notification,
    PreComplaint,
    Status,
)
from ventanilla.org.models import OrgUnit, OrgUnitKind

LIST_RELATED = ("unit", "channel", "business_type", "cause", "handler", "root_cause")


def complaint_list(*, user: Any) -> QuerySet[Complaint]:
    return Complaint.objects.visible_to(user).select_related(*LIST_RELATED)


def complaint_get(*, user: Any, reference: str) -> Complaint:
    return get_object_or_404(
        complaint_list(user=user).select_related(
            "policy", "subject_unit", "subject_employee", "merged_into", "repeat_of"
        ),
        reference=reference,
    )


def complaint_events(*, user: Any, complaint: Complaint) -> QuerySet[ComplaintEvent]:
    return (
        ComplaintEvent.objects.visible_to(user)
        .filter(complaint=complaint)
        .select_related("actor")
        .order_by("at", "id")
    )


def ledger_units(*, user: Any) -> QuerySet[OrgUnit]:
    """Outlets and sub-branches the user may see: the units that keep a ledger."""
    return (
        OrgUnit.objects.visible_to(user)
        .filter(kind__in=[OrgUnitKind.OUTLET, OrgUnitKind.SUB_BRANCH])
        .order_by("path")
    )


def ledger_unit_get(*, user: Any, code: str) -> OrgUnit:
    return get_object_or_404(ledger_units(user=user), code=code)


def ledger_complaints(*, user: Any, unit: OrgUnit) -> QuerySet[Complaint]:
    """An outlet's ledger holds what it took directly; a sub-branch's rolls up its subtree."""
    qs = complaint_list(user=user)
    if unit.kind == OrgUnitKind.OUTLET:
        return qs.filter(unit=unit, ledger_level=LedgerLevel.OUTLET)
    return qs.filter(unit__path__startswith=unit.path)


def late_q(now: datetime) -> Q:
    """Decided after the due time, or still open (clock running) past it."""
    decided_late = Q(decision_sent_at__isnull=False, decision_sent_at__gt=F("due_at"))
    open_late = Q(
        decision_sent_at__isnull=True,
        status__in=[Status.REGISTERED, Status.ACCEPTED, Status.INVESTIGATING, Status.REOPENED],
        due_at__lt=now,
    )
    return decided_late | open_late


def classification_codes(axis: str) -> QuerySet[ClassificationCode]:
    return ClassificationCode.objects.filter(axis=axis, is_active=True).order_by("code")


def root_causes() -> QuerySet[ClassificationCode]:
    return classification_codes(Axis.ROOT_CAUSE)


@dataclass(frozen=True)
class LedgerFigures:
    total: int
    open: int
    late: int
    closed: int


def ledger_figures(queryset: QuerySet[Complaint]) -> LedgerFigures:
    """Counts of a (filtered) ledger, in one query."""
    now = timezone.now()
    row = queryset.order_by().aggregate(
        total=Count("id"),
        open=Count(
            "id",
            filter=Q(
                status__in=[
                    Status.REGISTERED,
                    Status.ACCEPTED,
                    Status.INVESTIGATING,
                    Status.SUSPENDED,
                    Status.REOPENED,
                ]
            ),
        ),
        late=Count("id", filter=late_q(now)),
        closed=Count("id", filter=Q(status=Status.CLOSED)),
    )
    return LedgerFigures(
        total=row["total"] or 0,
        open=row["open"] or 0,
        late=row["late"] or 0,
        closed=row["closed"] or 0,
    )


def notification_list(*, user: Any) -> QuerySet[Notification]:
    """The user's own notifications about complaints they may still see, newest first."""
    visible = Complaint.objects.visible_to(user).values("id")
    return (
        Notification.objects.filter(recipient=user, complaint__in=visible)
        .select_related("complaint")
        .order_by("-created_at", "-id")
    )


def pre_complaint_list(*, user: Any) -> QuerySet[PreComplaint]:
    return (
        PreComplaint.objects.visible_to(user)
        .select_related("unit", "recorded_by", "complaint")
        .order_by("-recorded_at", "-id")
    )


def pre_complaint_get(*, user: Any, pk: int) -> PreComplaint:
    return get_object_or_404(pre_complaint_list(user=user), pk=pk)

"""Reads of complaints, every one restricted to what the user may see."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, F, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from ventanilla.complaints.metrics import Case, Tally, rate
from ventanilla.complaints.models import (
    OPEN_STATUSES,
    ClassificationCode,
    Complaint,
    ComplaintAttachment,
    ComplaintEvent,
    CustomerBase,
    LedgerLevel,
    Notification,
    PreComplaint,
    RapidAlert,
    Status,
)
from ventanilla.core.scoping import own_or_subtree_q, scope_for
from ventanilla.customers.permissions import managed_by_q
from ventanilla.org.models import OrgUnit, OrgUnitKind

LIST_RELATED = (
    "unit",
    "channel",
    "business_type",
    "cause",
    "handler",
    "root_cause",
    "customer__manager",  # whether the reader is the complainant's relationship manager
)


def own_complaints_q(user: Any) -> Q:
    """The object-level rule beside the scope rule: staff see their own complaints only.

    Where a user's post grants the staff role (a teller, a lobby manager), they see the
    complaints they registered, those about them and those they handle; managers see their
    whole subtree, and so do viewers, whose posts are oversight posts (auditors).
    """
    own = Q(registered_by=user) | Q(subject_employee__user=user) | Q(handler__user=user)
    return own_or_subtree_q(user, "unit__path", own)


def customer_complaints_q(user: Any) -> Q:
    """The second object-level rule: a relationship manager sees their customers' complaints.

    It reaches past the post's subtree on purpose: a customer may complain at any outlet,
    and the account or financial manager who looks after them must know. Only the current
    manager (``Customer.manager``) is granted; reading is all it grants.
    """
    return managed_by_q(user, prefix="customer__")


def complaint_list(*, user: Any) -> QuerySet[Complaint]:
    """Complaints in the user's scope (staff: their own), and their customers' complaints."""
    scope = scope_for(user)
    qs = Complaint.objects.select_related(*LIST_RELATED)
    if scope.is_global:
        return qs
    in_scope = scope.q(Complaint.scope_path_field) & own_complaints_q(user)
    return qs.filter(in_scope | customer_complaints_q(user))


def complaint_get(*, user: Any, reference: str) -> Complaint:
    return get_object_or_404(
        complaint_list(user=user).select_related(
            "policy", "subject_unit", "subject_employee", "merged_into", "repeat_of"
        ),
        reference=reference,
    )


def complaint_merged(*, user: Any, complaint: Complaint) -> QuerySet[Complaint]:
    """The repeats merged into ``complaint`` that the user may see, oldest first."""
    return complaint_list(user=user).filter(merged_into=complaint).order_by("received_at", "id")


# The timeline, alerts and files of a complaint come with the complaint: the callers pass
# one that ``complaint_get`` gave them, which applied both rules above.


def complaint_events(*, user: Any, complaint: Complaint) -> QuerySet[ComplaintEvent]:
    return (
        ComplaintEvent.objects.filter(complaint=complaint)
        .select_related("actor")
        .order_by("at", "id")
    )


def complaint_alerts(*, user: Any, complaint: Complaint) -> QuerySet[RapidAlert]:
    return (
        RapidAlert.objects.filter(complaint=complaint)
        .select_related("employee", "acknowledged_by", "contact")
        .order_by("alerted_at", "role")
    )


def complaint_attachments(*, user: Any, complaint: Complaint) -> QuerySet[ComplaintAttachment]:
    return (
        ComplaintAttachment.objects.filter(complaint=complaint)
        .select_related("uploaded_by", "complaint")
        .order_by("uploaded_at", "id")
    )


def attachment_get(*, user: Any, reference: str, pk: int) -> ComplaintAttachment:
    """A file of a complaint the user may see; 404 for anything else."""
    complaint = complaint_get(user=user, reference=reference)
    return get_object_or_404(complaint_attachments(user=user, complaint=complaint), pk=pk)


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
        status__in=[s for s in OPEN_STATUSES if s != Status.SUSPENDED],
        due_at__lt=now,
    )
    return decided_late | open_late


def classification_codes(axis: str) -> QuerySet[ClassificationCode]:
    return ClassificationCode.objects.filter(axis=axis, is_active=True).order_by("code")


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
        open=Count("id", filter=Q(status__in=OPEN_STATUSES)),
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
    visible = complaint_list(user=user).values("id")
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


# --- Figures ----------------------------------------------------------------------------


@dataclass(frozen=True)
class FigureRow:
    """One group of a breakdown: its label, the ledger filter that lists it, its sums."""

    key: str
    label: str
    query: dict[str, str]
    tally: Tally
    customers: int | None = None
    pre_total: int | None = None
    pre_on_spot: int | None = None

    @property
    def per_10k(self) -> float | None:
        return self.tally.per_10k(self.customers)

    @property
    def query_string(self) -> str:
        return urlencode(self.query)

    @property
    def pre_on_spot_rate(self) -> float | None:
        if self.pre_total is None or self.pre_on_spot is None:
            return None
        return rate(self.pre_on_spot, self.pre_total)


@dataclass(frozen=True)
class ComplaintFigures:
    """The figures of a period over the complaints (and pre-complaints) a user may see."""

    received_from: date
    received_to: date
    overall: Tally
    customers: int | None
    pre_total: int
    pre_on_spot: int
    by_unit: list[FigureRow]
    by_channel: list[FigureRow]
    by_business: list[FigureRow]
    by_cause: list[FigureRow]
    by_month: list[FigureRow]

    @property
    def per_10k(self) -> float | None:
        return self.overall.per_10k(self.customers)

    @property
    def pre_on_spot_rate(self) -> float | None:
        return rate(self.pre_on_spot, self.pre_total)


FIGURE_FIELDS = (
    "status",
    "due_at",
    "decision_sent_at",
    "received_at",
    "repeat_of_id",
    "unit_id",
    "channel_id",
    "business_type_id",
    "cause_id",
)


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def months_between(start: date, end: date) -> list[date]:
    """The first day of every month from ``start``'s to ``end``'s, in order."""
    months: list[date] = []
    current = _month_start(start)
    while current <= end:
        months.append(current)
        current = _next_month(current)
    return months


def figure_case(
    *,
    status: str,
    due_at: datetime,
    decision_sent_at: datetime | None,
    received_at: datetime,
    repeat_of_id: int | None,
) -> Case:
    """A complaint as the figures count it, with its local dates."""
    return Case(
        status=status,
        due_at=due_at,
        decision_sent_at=decision_sent_at,
        received_on=timezone.localtime(received_at).date(),
        decided_on=timezone.localtime(decision_sent_at).date() if decision_sent_at else None,
        is_repeat=repeat_of_id is not None or status == Status.MERGED,
    )


def customer_base(*, user: Any, units: QuerySet[OrgUnit], year: int) -> dict[int, int]:
    """Each unit's customers: its latest recorded figure up to ``year``."""
    rows = (
        CustomerBase.objects.visible_to(user)
        .filter(unit__in=units, year__lte=year)
        .order_by("unit_id", "-year")
        .values_list("unit_id", "customers")
    )
    base: dict[int, int] = {}
    for unit_id, customers in rows:
        base.setdefault(unit_id, customers)
    return base


def complaint_figures(
    *,
    user: Any,
    complaints: QuerySet[Complaint],
    received_from: date,
    received_to: date,
    unit: OrgUnit | None = None,
    base_query: dict[str, str] | None = None,
    now: datetime | None = None,
) -> ComplaintFigures:
    """Resolution, timeliness, days to decision, repeats and rates per 10,000 customers.

    ``complaints`` is the already filtered, scoped queryset (the ledger's filters, the
    period included); ``unit`` narrows the customer base and the pre-complaints to a
    subtree. Every group carries the ledger filter (``base_query`` plus its own key) that
    lists exactly its complaints.
    """
    now = now or timezone.now()
    base_query = dict(base_query or {})
    base_query.setdefault("received_from", received_from.isoformat())
    base_query.setdefault("received_to", received_to.isoformat())
    overall = Tally()
    groups: dict[str, dict[Any, Tally]] = {
        "unit": defaultdict(Tally),
        "channel": defaultdict(Tally),
        "business": defaultdict(Tally),
        "cause": defaultdict(Tally),
        "month": defaultdict(Tally),
    }
    for row in complaints.order_by().values(*FIGURE_FIELDS).iterator(chunk_size=2000):
        case = figure_case(
            status=row["status"],
            due_at=row["due_at"],
            decision_sent_at=row["decision_sent_at"],
            received_at=row["received_at"],
            repeat_of_id=row["repeat_of_id"],
        )
        overall.add(case, now)
        groups["unit"][row["unit_id"]].add(case, now)
        groups["channel"][row["channel_id"]].add(case, now)
        groups["business"][row["business_type_id"]].add(case, now)
        groups["cause"][row["cause_id"]].add(case, now)
        groups["month"][_month_start(case.received_on)].add(case, now)

    if unit is not None:
        base_units = OrgUnit.objects.filter(path__startswith=unit.path)
    else:
        base_units = OrgUnit.objects.visible_to(user)
    base = customer_base(user=user, units=base_units, year=received_to.year)
    pre = _pre_complaint_counts(
        user=user, received_from=received_from, received_to=received_to, unit=unit
    )
    units = {u.pk: u for u in OrgUnit.objects.filter(pk__in=groups["unit"].keys())}
    codes = {
        c.pk: c
        for c in ClassificationCode.objects.filter(
            pk__in=[*groups["channel"], *groups["business"], *groups["cause"]]
        )
    }

    def code_rows(name: str, param: str) -> list[FigureRow]:
        ordered = sorted(groups[name].items(), key=lambda item: codes[item[0]].code)
        return [
            FigureRow(
                key=codes[pk].code,
                label=codes[pk].display_name,
                query={**base_query, param: codes[pk].code},
                tally=t,
            )
            for pk, t in ordered
        ]

    by_unit = []
    for pk, t in sorted(groups["unit"].items(), key=lambda item: units[item[0]].path):
        u = units[pk]
        pre_total, pre_spot = pre["by_unit"].get(pk, (0, 0))
        by_unit.append(
            FigureRow(
                key=u.code,
                label=u.display_name,
                query={**base_query, "accepted_by": u.code},
                tally=t,
                customers=base.get(pk),
                pre_total=pre_total,
                pre_on_spot=pre_spot,
            )
        )
    total_customers = sum(base.values()) if base else None
    by_month = []
    for month in months_between(received_from, received_to):
        first = max(month, received_from)
        last = min(_next_month(month) - timedelta(days=1), received_to)
        pre_total, pre_spot = pre["by_month"].get(month, (0, 0))
        by_month.append(
            FigureRow(
                key=month.strftime("%Y-%m"),
                label=month.strftime("%Y-%m"),
                query={
                    **base_query,
                    "received_from": first.isoformat(),
                    "received_to": last.isoformat(),
                },
                tally=groups["month"].get(month, Tally()),
                customers=total_customers,
                pre_total=pre_total,
                pre_on_spot=pre_spot,
            )
        )
    return ComplaintFigures(
        received_from=received_from,
        received_to=received_to,
        overall=overall,
        customers=total_customers,
        pre_total=pre["total"][0],
        pre_on_spot=pre["total"][1],
        by_unit=by_unit,
        by_channel=code_rows("channel", "channel"),
        by_business=code_rows("business", "business_type"),
        by_cause=code_rows("cause", "cause"),
        by_month=by_month,
    )


def _pre_complaint_counts(
    *, user: Any, received_from: date, received_to: date, unit: OrgUnit | None
) -> dict[str, Any]:
    """Pre-complaints recorded in the period: (recorded, resolved on the spot) sums."""
    tz = timezone.get_current_timezone()
    start = datetime.combine(received_from, time.min, tzinfo=tz)
    end = datetime.combine(received_to + timedelta(days=1), time.min, tzinfo=tz)
    qs = PreComplaint.objects.visible_to(user).filter(recorded_at__gte=start, recorded_at__lt=end)
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    by_unit: dict[int, tuple[int, int]] = {}
    by_month: dict[date, tuple[int, int]] = {}
    total = (0, 0)
    for unit_id, recorded_at, on_spot in qs.order_by().values_list(
        "unit_id", "recorded_at", "is_resolved_on_spot"
    ):
        add = (1, 1 if on_spot else 0)
        month = _month_start(timezone.localtime(recorded_at).date())
        by_unit[unit_id] = _plus(by_unit.get(unit_id, (0, 0)), add)
        by_month[month] = _plus(by_month.get(month, (0, 0)), add)
        total = _plus(total, add)
    return {"by_unit": by_unit, "by_month": by_month, "total": total}


def _plus(a: tuple[int, int], b: tuple[int, int]) -> tuple[int, int]:
    return (a[0] + b[0], a[1] + b[1])

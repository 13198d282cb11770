"""One set of filters for complaints, used by the ledger pages, the exports and the API."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import django_filters
from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ventanilla.complaints.models import Axis, ClassificationCode, Complaint, Severity, Status
from ventanilla.complaints.selectors import late_q
from ventanilla.org.models import OrgUnit

ON_TIME_CHOICES = [("on_time", _("On time")), ("late", _("Late"))]


def _local_start(day: object) -> datetime:
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))  # type: ignore[arg-type]


class ComplaintFilter(django_filters.FilterSet):
    received_from = django_filters.DateFilter(
        label=_("Received from"), method="filter_received_from"
    )
    received_to = django_filters.DateFilter(label=_("Received to"), method="filter_received_to")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Status.choices)
    on_time = django_filters.ChoiceFilter(
        label=_("On time"), choices=ON_TIME_CHOICES, method="filter_on_time"
    )
    severity = django_filters.ChoiceFilter(label=_("Severity"), choices=Severity.choices)
    channel = django_filters.ModelChoiceFilter(
        label=_("Channel"),
        queryset=ClassificationCode.objects.filter(axis=Axis.CHANNEL),
        to_field_name="code",
    )
    business_type = django_filters.ModelChoiceFilter(
        label=_("Business type"),
        queryset=ClassificationCode.objects.filter(axis=Axis.BUSINESS),
        to_field_name="code",
    )
    cause = django_filters.ModelChoiceFilter(
        label=_("Cause"),
        queryset=ClassificationCode.objects.filter(axis=Axis.CAUSE),
        to_field_name="code",
    )
    unit = django_filters.CharFilter(label=_("Unit (code, with its subtree)"), method="filter_unit")
    accepted_by = django_filters.CharFilter(
        label=_("Accepting unit (code, without subunits)"), method="filter_accepted_by"
    )
    customer = django_filters.CharFilter(
        label=_("Customer number"), field_name="customer__number", lookup_expr="exact"
    )
    my_customers = django_filters.BooleanFilter(
        label=_("About customers in my care"), method="filter_my_customers"
    )
    q = django_filters.CharFilter(label=_("Reference"), method="filter_q")

    class Meta:
        model = Complaint
        fields = ["status", "severity", "channel", "business_type", "cause"]

    def filter_received_from(self, queryset: QuerySet, name: str, value: object) -> QuerySet:
        return queryset.filter(received_at__gte=_local_start(value))

    def filter_received_to(self, queryset: QuerySet, name: str, value: object) -> QuerySet:
        return queryset.filter(received_at__lt=_local_start(value) + timedelta(days=1))

    def filter_my_customers(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        user = getattr(self.request, "user", None)
        if not value or user is None:
            return queryset
        return queryset.filter(customer__manager__user=user)

    def filter_on_time(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        late = late_q(timezone.now())
        if value == "late":
            return queryset.filter(late)
        return queryset.exclude(late).exclude(status__in=[Status.MERGED, Status.WITHDRAWN])

    def filter_unit(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        unit = OrgUnit.objects.filter(code=value.strip()).only("path").first()
        if unit is None:
            return queryset.none()
        return queryset.filter(unit__path__startswith=unit.path)

    def filter_accepted_by(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(unit__code=value.strip())

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(Q(reference__icontains=value.strip()))

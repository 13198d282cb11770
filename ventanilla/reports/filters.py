"""The one set of filters of the report history."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from ventanilla.reports.models import GeneratedReport, ReportKind, ReportState


class GeneratedReportFilter(django_filters.FilterSet):
    plan = django_filters.CharFilter(
        label=_("Plan reference"), field_name="plan__reference", lookup_expr="iexact"
    )
    unit = django_filters.CharFilter(label=_("Unit code"), method="filter_unit")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=ReportKind.choices)
    state = django_filters.ChoiceFilter(label=_("State"), choices=ReportState.choices)

    class Meta:
        model = GeneratedReport
        fields = ["plan", "unit", "kind", "state"]

    def filter_unit(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        """The unit and every unit below it."""
        from ventanilla.org.models import OrgUnit

        unit = OrgUnit.objects.filter(code__iexact=value.strip()).first()
        if unit is None:
            return queryset.none()
        return queryset.filter(unit__path__startswith=unit.path)

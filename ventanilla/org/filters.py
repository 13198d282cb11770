"""One set of filters for the organisation, used by the pages and by the API."""

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from ventanilla.org.models import (
    EmergencyContact,
    Employee,
    GroupKind,
    OrgGroup,
    OrgUnit,
    OrgUnitKind,
    Post,
)


def _under_unit(queryset: QuerySet, path_field: str, code: str) -> QuerySet:
    """Rows in the subtree of the unit ``code`` (an unknown code gives no rows)."""
    unit = OrgUnit.objects.filter(code=code).only("path").first()
    if unit is None:
        return queryset.none()
    return queryset.filter(**{f"{path_field}__startswith": unit.path})


class OrgUnitFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=OrgUnitKind.choices)
    under = django_filters.CharFilter(label=_("Under unit (code)"), method="filter_under")
    q = django_filters.CharFilter(label=_("Search"), method="filter_q")

    class Meta:
        model = OrgUnit
        fields = ["kind", "is_active"]

    def filter_under(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return _under_unit(queryset, "path", value)

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value))


class EmployeeFilter(django_filters.FilterSet):
    unit = django_filters.CharFilter(label=_("Unit (code, with its subtree)"), method="filter_unit")
    post = django_filters.ModelChoiceFilter(
        label=_("Post"), queryset=Post.objects.all(), to_field_name="code"
    )
    is_active = django_filters.BooleanFilter(label=_("Active"))
    q = django_filters.CharFilter(label=_("Search"), method="filter_q")

    class Meta:
        model = Employee
        fields = ["unit", "post", "is_active"]

    def filter_unit(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return _under_unit(queryset, "unit__path", value)

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(Q(staff_number__icontains=value) | Q(name__icontains=value))


class OrgGroupFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=GroupKind.choices)
    unit = django_filters.CharFilter(label=_("Unit (code, with its subtree)"), method="filter_unit")

    class Meta:
        model = OrgGroup
        fields = ["kind", "unit"]

    def filter_unit(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return _under_unit(queryset, "unit__path", value)


class EmergencyContactFilter(django_filters.FilterSet):
    unit = django_filters.CharFilter(label=_("Unit (code, with its subtree)"), method="filter_unit")
    duty = django_filters.CharFilter(label=_("Duty"), lookup_expr="icontains")

    class Meta:
        model = EmergencyContact
        fields = ["unit", "duty"]

    def filter_unit(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return _under_unit(queryset, "unit__path", value)

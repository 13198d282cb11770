"""One set of filters for customers, used by the pages and by the API."""

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from ventanilla.customers.models import Customer, CustomerKind, Tier
from ventanilla.org.models import OrgUnit


class CustomerFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=CustomerKind.choices)
    tier = django_filters.ChoiceFilter(label=_("Tier"), choices=Tier.choices)
    vip_level = django_filters.NumberFilter(label=_("VIP level at least"), lookup_expr="gte")
    unit = django_filters.CharFilter(label=_("Unit (code, with its subtree)"), method="filter_unit")
    manager = django_filters.CharFilter(
        label=_("Relationship manager (staff number)"), field_name="manager__staff_number"
    )
    mine = django_filters.BooleanFilter(label=_("In my care"), method="filter_mine")
    is_unassigned = django_filters.BooleanFilter(
        label=_("Without a relationship manager"), field_name="manager", lookup_expr="isnull"
    )

    class Meta:
        model = Customer
        fields = ["q", "kind", "tier", "vip_level", "unit", "manager", "mine", "is_unassigned"]

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # The number, or the start of the name: a search on the middle of a name would
        # reveal what the masking hides.
        value = value.strip()
        return queryset.filter(Q(number__icontains=value) | Q(name__startswith=value))

    def filter_unit(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        unit = OrgUnit.objects.filter(code=value.strip()).only("path").first()
        if unit is None:
            return queryset.none()
        return queryset.filter(unit__path__startswith=unit.path)

    def filter_mine(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        user = getattr(self.request, "user", None)
        if value is None or user is None:
            return queryset
        if value:
            return queryset.filter(manager__user=user)
        return queryset.exclude(manager__user=user)

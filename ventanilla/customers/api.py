"""The customers endpoints of the REST API: read-only, addressed by customer number.

Lists and reads go through the selectors (scoped, and for staff posts limited to their own
customers: anything else is 404). Personal data is masked exactly as on the pages.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import mixins, serializers, viewsets
from rest_framework.routers import DefaultRouter

from ventanilla.customers import selectors
from ventanilla.customers.filters import CustomerFilter
from ventanilla.customers.models import Customer, RelationshipAssignment
from ventanilla.customers.permissions import personal_data_for


class CustomerPersonalDataSerializer(serializers.Serializer):
    name = serializers.CharField()
    id_type = serializers.CharField()
    id_number = serializers.CharField()
    phone = serializers.CharField()
    birthday = serializers.CharField()
    is_masked = serializers.BooleanField()


class AssignmentSerializer(serializers.ModelSerializer):
    staff_number = serializers.CharField(source="employee.staff_number")
    name = serializers.CharField(source="employee.name")

    class Meta:
        model = RelationshipAssignment
        fields = ["staff_number", "name", "started_on", "ended_on", "reason"]


class CustomerSerializer(serializers.ModelSerializer):
    unit = serializers.SlugRelatedField(slug_field="code", read_only=True)
    manager = serializers.SlugRelatedField(slug_field="staff_number", read_only=True)
    personal_data = serializers.SerializerMethodField()

    class Meta:
        model = Customer
        fields = [
            "number",
            "kind",
            "tier",
            "vip_level",
            "unit",
            "manager",
            "opened_on",
            "is_active",
            "personal_data",
        ]

    def get_personal_data(self, customer: Customer) -> dict[str, Any]:
        person = personal_data_for(self.context["request"].user, customer)
        return dict(CustomerPersonalDataSerializer(person).data)


class CustomerDetailSerializer(CustomerSerializer):
    assignments = serializers.SerializerMethodField()

    class Meta(CustomerSerializer.Meta):
        fields = [*CustomerSerializer.Meta.fields, "assignments"]

    def get_assignments(self, customer: Customer) -> list[dict[str, Any]]:
        rows = selectors.customer_assignments(customer=customer)
        return [dict(row) for row in AssignmentSerializer(rows, many=True).data]


class CustomerViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Customers the user may see, by number, with their relationship managers."""

    filterset_class = CustomerFilter
    lookup_field = "number"
    lookup_value_regex = "[^/]+"
    queryset = Customer.objects.none()

    def get_queryset(self) -> QuerySet[Customer]:
        return selectors.customer_list(user=self.request.user).order_by("number")

    def get_object(self) -> Customer:
        return selectors.customer_get(user=self.request.user, number=self.kwargs["number"])

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        if self.action == "retrieve":
            return CustomerDetailSerializer
        return CustomerSerializer


def register(router: DefaultRouter) -> None:
    """Add this app's viewsets to the API router."""
    router.register("customers", CustomerViewSet, basename="customer")

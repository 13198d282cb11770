"""The organisation over the REST API: read-only reference data, scoped like every page.

Each viewset lists through the ``*_list`` selector and fetches one row through the
``*_get`` selector, so a row outside the user's subtree is a 404, exactly as on the pages.
Every list runs a fixed number of queries for a page, whatever the size or depth of the tree.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, cast

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from ventanilla.org import selectors
from ventanilla.org.filters import (
    EmergencyContactFilter,
    EmployeeFilter,
    OrgGroupFilter,
    OrgUnitFilter,
)
from ventanilla.org.models import (
    EmergencyContact,
    Employee,
    GroupMembership,
    OrgGroup,
    OrgUnit,
    Post,
)
from ventanilla.org.permissions import phone_as_seen_by

# Digits that fit the database integer; anything else in the URL names no row.
_PK = re.compile(r"[0-9]{1,18}")
_BY_ID = extend_schema_view(
    retrieve=extend_schema(
        parameters=[OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)]
    )
)


def url_pk(value: str) -> int:
    """The primary key named in a URL; a value that cannot be one is a 404, not a 500."""
    if not _PK.fullmatch(value):
        raise Http404
    return int(value)


def ancestor_paths(unit: OrgUnit) -> list[str]:
    """The paths above ``unit``, from the root down to its parent."""
    step = unit.steplen
    return [unit.path[:end] for end in range(step, len(unit.path), step)]


def ancestor_codes(units: Iterable[OrgUnit]) -> dict[str, str]:
    """The code of every unit above any of ``units``, by path: one query for a whole page.

    The chain above a visible unit is named even where it lies outside the user's scope
    (a teller's outlet still names its sub-branch): codes are references, and opening one
    out of scope answers 404 like any other row.
    """
    paths = {path for unit in units for path in ancestor_paths(unit)}
    if not paths:
        return {}
    return dict(OrgUnit.objects.filter(path__in=paths).values_list("path", "code"))


class OrgUnitListSerializer(serializers.ListSerializer):
    """Loads the codes above all units of the page at once, for their ``parent`` and chain."""

    ancestor_codes: dict[str, str] | None = None

    def to_representation(self, data: Any) -> list[Any]:
        units = list(data.all() if isinstance(data, QuerySet) else data)
        self.ancestor_codes = ancestor_codes(units)
        child = cast(serializers.BaseSerializer, self.child)
        return [child.to_representation(unit) for unit in units]


class OrgUnitSerializer(serializers.ModelSerializer):
    display_name = serializers.CharField(
        read_only=True, help_text=_("The name in the reader's language where one is set.")
    )
    # Declared fields are taken off the class by DRF's metaclass, so this one does not hide
    # ``Serializer.parent`` (the list serializer that ``_chain`` reads).
    parent = serializers.SerializerMethodField(  # type: ignore[assignment]
        help_text=_("Code of the unit above, if any.")
    )
    ancestors = serializers.SerializerMethodField(
        help_text=_("Codes of the units above, from the top of the tree down to the parent.")
    )

    class Meta:
        model = OrgUnit
        list_serializer_class = OrgUnitListSerializer
        fields = [
            "code",
            "display_name",
            "name",
            "name_en",
            "name_es",
            "kind",
            "depth",
            "is_active",
            "parent",
            "ancestors",
        ]
        read_only_fields = fields

    def _chain(self, unit: OrgUnit) -> list[str]:
        codes = getattr(self.parent, "ancestor_codes", None)
        if codes is None:
            # A single unit (the detail view): one query, kept for the second field.
            cached = getattr(self, "_single_codes", None)
            if cached is None or cached[0] != unit.path:
                cached = (unit.path, ancestor_codes([unit]))
                self._single_codes = cached
            codes = cached[1]
        return [codes[path] for path in ancestor_paths(unit) if path in codes]

    def get_parent(self, unit: OrgUnit) -> str | None:
        chain = self._chain(unit)
        return chain[-1] if chain else None

    def get_ancestors(self, unit: OrgUnit) -> list[str]:
        return self._chain(unit)


class PostRefSerializer(serializers.ModelSerializer):
    display_name = serializers.CharField(read_only=True)

    class Meta:
        model = Post
        fields = ["code", "display_name"]
        read_only_fields = fields


class EmployeeSerializer(serializers.ModelSerializer):
    unit = serializers.CharField(source="unit.code", read_only=True)
    post = PostRefSerializer(read_only=True)
    phone = serializers.SerializerMethodField(
        help_text=_("In full for a manager of the employee's unit; otherwise masked (138****1234).")
    )

    class Meta:
        model = Employee
        fields = ["staff_number", "name", "unit", "post", "hire_on", "is_active", "phone"]
        read_only_fields = fields

    def get_phone(self, employee: Employee) -> str:
        request = self.context.get("request")
        return phone_as_seen_by(getattr(request, "user", None), employee)


class EmployeeRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Employee
        fields = ["staff_number", "name"]
        read_only_fields = fields


class GroupMemberSerializer(serializers.ModelSerializer):
    staff_number = serializers.CharField(source="employee.staff_number", read_only=True)
    name = serializers.CharField(source="employee.name", read_only=True)

    class Meta:
        model = GroupMembership
        fields = ["staff_number", "name", "role", "responsibilities"]
        read_only_fields = fields


class OrgGroupSerializer(serializers.ModelSerializer):
    unit = serializers.CharField(source="unit.code", read_only=True)
    members = GroupMemberSerializer(source="memberships", many=True, read_only=True)

    class Meta:
        model = OrgGroup
        fields = ["id", "unit", "kind", "name", "duties", "members"]
        read_only_fields = fields


class EmergencyContactSerializer(serializers.ModelSerializer):
    """The A/B contact of a duty. Its phones are duty numbers meant to be called, so unmasked."""

    unit = serializers.CharField(source="unit.code", read_only=True)
    primary = EmployeeRefSerializer(read_only=True)
    backup = EmployeeRefSerializer(read_only=True)

    class Meta:
        model = EmergencyContact
        fields = ["id", "unit", "duty", "primary", "primary_phone", "backup", "backup_phone"]
        read_only_fields = fields


class SelectorViewSet(viewsets.ReadOnlyModelViewSet):
    """Lists through a ``*_list`` selector; ``get_object`` calls its ``*_get`` twin.

    The detail skips the list filters on purpose: a row is found by its identifier alone.
    """

    def checked(self, obj: Any) -> Any:
        self.check_object_permissions(self.request, obj)
        return obj


class OrgUnitViewSet(SelectorViewSet):
    """Org units the user may see, in tree order."""

    serializer_class = OrgUnitSerializer
    filterset_class = OrgUnitFilter
    lookup_field = "code"
    lookup_value_regex = "[^/]+"

    def get_queryset(self) -> QuerySet[OrgUnit]:
        return selectors.org_unit_list(user=self.request.user)

    def get_object(self) -> OrgUnit:
        code = self.kwargs["code"]
        return self.checked(selectors.org_unit_get(user=self.request.user, code=code))


class EmployeeViewSet(SelectorViewSet):
    """Employees of the units the user may see."""

    serializer_class = EmployeeSerializer
    filterset_class = EmployeeFilter
    lookup_field = "staff_number"
    lookup_value_regex = "[^/]+"

    def get_queryset(self) -> QuerySet[Employee]:
        return selectors.employee_list(user=self.request.user)

    def get_object(self) -> Employee:
        number = self.kwargs["staff_number"]
        return self.checked(selectors.employee_get(user=self.request.user, staff_number=number))


@_BY_ID
class OrgGroupViewSet(SelectorViewSet):
    """Standing groups of the units the user may see, with their members."""

    serializer_class = OrgGroupSerializer
    filterset_class = OrgGroupFilter

    def get_queryset(self) -> QuerySet[OrgGroup]:
        return selectors.group_list(user=self.request.user)

    def get_object(self) -> OrgGroup:
        pk = url_pk(self.kwargs["pk"])
        return self.checked(selectors.group_get(user=self.request.user, pk=pk))


@_BY_ID
class EmergencyContactViewSet(SelectorViewSet):
    """The A/B emergency contacts of the units the user may see."""

    serializer_class = EmergencyContactSerializer
    filterset_class = EmergencyContactFilter

    def get_queryset(self) -> QuerySet[EmergencyContact]:
        return selectors.emergency_contact_list(user=self.request.user)

    def get_object(self) -> EmergencyContact:
        pk = url_pk(self.kwargs["pk"])
        return self.checked(selectors.emergency_contact_get(user=self.request.user, pk=pk))

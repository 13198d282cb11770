"""Customers in the admin site, scoped like every list.

Customers arrive by import from the core banking system and change managers through the
customer page (which keeps the history), so the admin edits only the tier, the VIP level
and whether the customer is active; personal data stays out of it.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from ventanilla.core.admin import ScopedAdmin
from ventanilla.customers.models import Customer, CustomerUnmaskEvent, RelationshipAssignment


class AssignmentInline(admin.TabularInline):
    model = RelationshipAssignment
    fk_name = "customer"
    extra = 0
    fields = ["employee", "started_on", "ended_on", "assigned_by", "reason"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Customer)
class CustomerAdmin(ScopedAdmin):
    list_display = ["number", "kind", "tier", "vip_level", "unit", "manager", "is_active"]
    list_filter = ["kind", "tier", "is_active"]
    search_fields = ["number"]
    list_select_related = ["unit", "manager"]
    fields = ["number", "kind", "tier", "vip_level", "unit", "manager", "opened_on", "is_active"]
    readonly_fields = ["number", "kind", "unit", "manager", "opened_on"]
    inlines = [AssignmentInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(CustomerUnmaskEvent)
class CustomerUnmaskEventAdmin(ScopedAdmin):
    list_display = ["customer", "at", "actor", "reason"]
    readonly_fields = ["customer", "at", "actor", "reason"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

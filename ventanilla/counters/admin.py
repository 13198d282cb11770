"""The counters catalogue and records in the admin site, lists restricted to the user's scope."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from ventanilla.core.admin import ScopedAdmin
from ventanilla.counters.models import BusinessType, QueueTicket, TellerError, TicketMapping


class CatalogueAdmin(admin.ModelAdmin):
    """Bank-wide reference data: everyone with admin access reads it, superusers edit it."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser


@admin.register(BusinessType)
class BusinessTypeAdmin(CatalogueAdmin):
    list_display = ["code", "name", "name_en", "name_es", "segment", "standard_seconds"]
    list_filter = ["segment", "is_active"]
    search_fields = ["code", "name", "name_en", "name_es"]


@admin.register(TicketMapping)
class TicketMappingAdmin(CatalogueAdmin):
    list_display = ["name", "vendor", "times_have_dates"]
    search_fields = ["name", "vendor"]


@admin.register(TellerError)
class TellerErrorAdmin(ScopedAdmin):
    list_display = ["occurred_on", "outlet", "teller", "business_type", "kind", "severity"]
    list_filter = ["kind", "severity"]
    date_hierarchy = "occurred_on"
    raw_id_fields = ["teller"]


@admin.register(QueueTicket)
class QueueTicketAdmin(ScopedAdmin):
    """Tickets come from the queue machines: the admin shows them, it does not edit them."""

    list_display = ["service_on", "outlet", "ticket_number", "business_type", "is_vip", "outcome"]
    list_filter = ["outcome", "is_vip"]
    date_hierarchy = "service_on"
    list_select_related = ["outlet", "business_type"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

"""Complaints in the admin site: the code lists and policies, and read-only records.

Complaints change only through the workflow services (which write the timeline), so the
admin shows them, their timeline and their unmaskings without editing them.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from ventanilla.complaints.models import (
    ClassificationCode,
    Complaint,
    ComplaintAttachment,
    ComplaintEvent,
    CustomerBase,
    RapidAlert,
    TimeLimitPolicy,
    UnmaskEvent,
)
from ventanilla.core.admin import ScopedAdmin


@admin.register(ClassificationCode)
class ClassificationCodeAdmin(admin.ModelAdmin):
    """A bank-wide catalogue, kept by superusers."""

    list_display = ["axis", "code", "name", "name_en", "name_es", "is_active"]
    list_filter = ["axis", "is_active"]
    search_fields = ["code", "name", "name_en"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(TimeLimitPolicy)
class TimeLimitPolicyAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "unit",
        "decision_days",
        "day_kind",
        "first_contact_days",
        "emergency_duty",
        "acknowledge_minutes",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser


class _ReadOnly(ScopedAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Complaint)
class ComplaintAdmin(_ReadOnly):
    list_display = ["reference", "received_at", "unit", "status", "due_at"]
    list_filter = ["status", "ledger_level", "severity"]
    search_fields = ["reference"]
    # Personal data stays out of the admin: the pages mask and record it.
    exclude = ["complainant_name", "id_number", "phone", "agent_name"]


@admin.register(ComplaintEvent)
class ComplaintEventAdmin(_ReadOnly):
    list_display = ["complaint", "at", "action", "from_status", "to_status", "actor"]
    list_filter = ["action"]


@admin.register(UnmaskEvent)
class UnmaskEventAdmin(_ReadOnly):
    list_display = ["complaint", "at", "actor", "reason"]


@admin.register(RapidAlert)
class RapidAlertAdmin(_ReadOnly):
    list_display = ["complaint", "role", "employee", "alerted_at", "acknowledged_at"]
    list_filter = ["role"]


@admin.register(ComplaintAttachment)
class ComplaintAttachmentAdmin(_ReadOnly):
    list_display = ["complaint", "kind", "name", "size", "uploaded_by", "uploaded_at"]
    list_filter = ["kind"]
    # Files are fetched through the complaint page, which checks who may see them.
    exclude = ["file"]


@admin.register(CustomerBase)
class CustomerBaseAdmin(ScopedAdmin):
    """Each unit's customers per year: the base of "complaints per 10,000 customers"."""

    list_display = ["unit", "year", "customers"]
    list_filter = ["year"]
    search_fields = ["unit__code", "unit__name"]

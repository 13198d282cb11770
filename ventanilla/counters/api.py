"""The counters endpoints of the REST API.

``POST /api/v1/queue-tickets/``: a queue machine pushes one ticket or a list, as it calls
and closes them. The same checks as a file import; all or none; pushing a ticket again
writes nothing unless it changed.

``GET /api/v1/queue-figures/``, ``GET /api/v1/staffing/`` and ``GET /api/v1/league-tables/``
read the rollups, the staffing plan and the published league tables, with the same filters
(the same forms) as the pages, through the same scoped selectors.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from ventanilla.core.api import Pagination
from ventanilla.core.scoping import Role, require_role
from ventanilla.counters import selectors
from ventanilla.counters.forms import DashboardForm, StaffingForm
from ventanilla.counters.models import LeaguePublication, Outcome
from ventanilla.counters.permissions import may_load_tickets
from ventanilla.counters.services import TICKETS, tickets_push
from ventanilla.org.models import OrgUnitKind


class TicketPushSerializer(serializers.Serializer):
    """One ticket as a queue machine sends it; times are ISO 8601 with their offset."""

    service_on = serializers.DateField()
    ticket_number = serializers.CharField(max_length=32)
    business_type = serializers.CharField(max_length=32, help_text="A business type code.")
    is_vip = serializers.BooleanField(default=False)
    customer_ref = serializers.CharField(max_length=64, required=False, allow_blank=True)
    issued_at = serializers.DateTimeField()
    called_at = serializers.DateTimeField(required=False, allow_null=True)
    started_at = serializers.DateTimeField(required=False, allow_null=True)
    ended_at = serializers.DateTimeField(required=False, allow_null=True)
    window = serializers.CharField(max_length=16, required=False, allow_blank=True)
    teller = serializers.CharField(
        max_length=32, required=False, allow_blank=True, help_text="The teller's staff number."
    )
    outcome = serializers.ChoiceField(choices=Outcome.choices, default=Outcome.SERVED)


class PushSerializer(serializers.Serializer):
    outlet = serializers.CharField(max_length=32, help_text="The outlet's code.")
    tickets = TicketPushSerializer(many=True, allow_empty=False, max_length=10000)


_RESULT = inline_serializer(
    "TicketPushResult",
    {
        "created": serializers.IntegerField(),
        "updated": serializers.IntegerField(),
        "unchanged": serializers.IntegerField(),
    },
)


class QueueTicketPushViewSet(viewsets.ViewSet):
    """Queue tickets pushed by an outlet's queue machine (the staff role over the outlet)."""

    @extend_schema(request=PushSerializer, responses={200: _RESULT})
    def create(self, request: Request) -> Response:
        body: Any = request.data
        # One ticket may come on its own, beside the outlet's code.
        if isinstance(body, dict) and "tickets" not in body and "ticket_number" in body:
            body = {"outlet": body.get("outlet"), "tickets": [body]}
        shape = PushSerializer(data=body)
        shape.is_valid(raise_exception=True)
        outlet = selectors.unit_get(user=request.user, code=shape.validated_data["outlet"])
        if outlet is None:
            raise Http404
        if not may_load_tickets(request.user, outlet):
            raise PermissionDenied
        result = tickets_push(
            actor=request.user, outlet=outlet, tickets=shape.validated_data["tickets"]
        )
        if result.errors:
            return Response(
                {
                    "error": {
                        "code": "invalid_tickets",
                        "message": _("No ticket was saved: %(count)s error(s).")
                        % {"count": len(result.errors)},
                        "fields": {"tickets": [str(issue) for issue in result.errors]},
                    }
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        counts = result.counts[TICKETS]
        return Response(
            {"created": counts.created, "updated": counts.updated, "unchanged": counts.unchanged}
        )


def _valid(form: Any) -> dict[str, Any]:
    if not form.is_valid():
        raise serializers.ValidationError(
            {name: [str(e) for e in errors] for name, errors in form.errors.items()}
        )
    return form.cleaned_data


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def _figures(f: selectors.QueueFigures) -> dict[str, Any]:
    return {
        "key": f.key if isinstance(f.key, (int, bool, str)) or f.key is None else str(f.key),
        "label": f.label,
        "tickets": f.tickets,
        "mean_wait_seconds": _round(f.mean_wait),
        "median_wait_seconds": _round(f.median_wait),
        "p90_wait_seconds": _round(f.p90_wait),
        "service_level": _round(f.service_level, 4),
        "mean_transaction_seconds": _round(f.mean_handle),
        "median_transaction_seconds": _round(f.median_handle),
        "p90_transaction_seconds": _round(f.p90_handle),
        "no_show_rate": _round(f.no_show_rate, 4),
        "abandonment_rate": _round(f.abandon_rate, 4),
    }


class QueueFiguresViewSet(viewsets.ViewSet):
    """Waiting and transaction figures from the rollups, per outlet, day, half hour, business
    type, teller or VIP flag (``group_by``), for ``unit`` and its subunits, ``start`` to
    ``end``, ``vip`` = yes / no / empty; the same filters as the figures page."""

    @extend_schema(responses={200: dict})
    def list(self, request: Request) -> Response:
        data = _valid(DashboardForm(request.query_params))
        report = selectors.queue_figures(
            user=request.user,
            unit=selectors.unit_get(user=request.user, code=data["unit"]),
            start=data["start"],
            end=data["end"],
            group_by=data["group_by"],
            is_vip=data["is_vip"],
        )
        return Response(
            {
                "group_by": data["group_by"],
                "start": data["start"],
                "end": data["end"],
                "rows": [_figures(f) for f in report.rows],
                "total": _figures(report.total),
            }
        )


class StaffingViewSet(viewsets.ViewSet):
    """Windows needed per half hour of ``weekday`` at the outlet ``unit`` (manager role),
    from ``start`` to ``end``; ``model`` = auto (Erlang A where abandonment is measured) or
    erlang_c; with the VIP options of each slot and the week's recommended changes."""

    @extend_schema(responses={200: dict})
    def list(self, request: Request) -> Response:
        data = _valid(StaffingForm(request.query_params))
        outlet = selectors.unit_get(user=request.user, code=data["unit"], kind=OrgUnitKind.OUTLET)
        if outlet is None:
            raise Http404
        require_role(request.user, outlet, Role.MANAGER)
        plan = selectors.staffing_plan(
            user=request.user,
            outlet=outlet,
            weekday=data["weekday"],
            start=data["start"],
            end=data["end"],
            model=data["model"],
        )
        return Response(
            {
                "outlet": outlet.code,
                "weekday": plan.weekday,
                "days": plan.days,
                "target_seconds": plan.target_seconds,
                "service_level": plan.service_level,
                "patience_seconds": _round(plan.patience_seconds),
                "abandoned": plan.abandoned,
                "slots": [
                    {
                        "half_hour": s.label,
                        "arrivals": _round(s.arrivals),
                        "handling_seconds": _round(s.handling_seconds),
                        "model": s.model,
                        "windows_open": _round(s.windows_open),
                        "windows_needed": s.windows_needed,
                        "service_level": _round(s.service_level, 4),
                        "average_wait_seconds": _round(s.average_wait_seconds),
                        "occupancy": _round(s.occupancy, 4),
                        "abandonment": _round(s.abandonment, 4),
                        "vip": None
                        if s.vip is None
                        else {
                            "arrivals": _round(s.vip.vip_arrivals),
                            "windows_calling_vips": _round(s.vip.vip_windows_open),
                            "dedicated_vip_windows": s.vip.dedicated_vip,
                            "dedicated_regular_windows": s.vip.dedicated_regular,
                            "shared_windows": s.vip.shared,
                        },
                    }
                    for s in plan.slots
                ],
                "changes": [
                    {"weekday": c.weekday, "time": c.label, "change": c.change}
                    for c in plan.changes
                ],
            }
        )


class LeaguePublicationSerializer(serializers.Serializer):
    ref = serializers.SerializerMethodField()
    unit = serializers.CharField(source="unit.code")
    month = serializers.SerializerMethodField()
    version = serializers.IntegerField()
    is_current = serializers.BooleanField()
    published_by = serializers.CharField(source="published_by.username")
    published_at = serializers.DateTimeField()

    def get_ref(self, obj: LeaguePublication) -> str:
        return f"{obj.unit.code}-{obj.month:%Y-%m}"

    def get_month(self, obj: LeaguePublication) -> str:
        return f"{obj.month:%Y-%m}"


class LeaguePublicationViewSet(viewsets.ViewSet):
    """Published monthly league tables: the user's scope's, and their sub-branch's.
    ``/league-tables/{unit}-{YYYY-MM}/`` gives one with its rows (``?version=N`` for an
    earlier version)."""

    lookup_value_regex = r"[^/]+-\d{4}-\d{2}"

    @extend_schema(responses={200: LeaguePublicationSerializer(many=True)})
    def list(self, request: Request) -> Response:
        paginator = Pagination()
        page: list[LeaguePublication] | None = paginator.paginate_queryset(
            selectors.league_publication_list(user=request.user), request, view=self
        )
        return paginator.get_paginated_response(LeaguePublicationSerializer(page, many=True).data)

    @extend_schema(responses={200: dict})
    def retrieve(self, request: Request, pk: str) -> Response:
        code, year, month = pk.rsplit("-", 2)
        version_text = request.query_params.get("version", "")
        try:
            first = date(int(year), int(month), 1)
            version = int(version_text) if version_text else None
        except ValueError as exc:
            raise Http404 from exc
        publication = selectors.league_publication_get(
            user=request.user, unit_code=code, month=first, version=version
        )
        rows = selectors.league_publication_rows(publication=publication)
        return Response(
            {
                **LeaguePublicationSerializer(publication).data,
                "rows": [
                    {
                        "rank": r.rank_overall,
                        "rank_in_outlet": r.rank_in_outlet,
                        "staff_number": r.staff_number,
                        "teller": r.teller_name,
                        "outlet": r.outlet_code,
                        "outlet_name": r.outlet_display_name,
                        "served": r.served,
                        "standard_minutes": round(r.weighted_minutes, 1),
                        "errors": r.errors,
                        "errors_per_1000": _round(r.error_rate),
                        "transaction_time_against_standard": _round(r.dwell_ratio, 4),
                    }
                    for r in rows
                ],
            }
        )


def register(router: DefaultRouter) -> None:
    """Add this app's viewsets to the API router."""
    router.register("queue-tickets", QueueTicketPushViewSet, basename="queue-ticket")
    router.register("queue-figures", QueueFiguresViewSet, basename="queue-figures")
    router.register("staffing", StaffingViewSet, basename="staffing")
    router.register("league-tables", LeaguePublicationViewSet, basename="league-table")

"""Counters pages: queue and counter figures (and their export), staffing, league table.

Views stay thin: a form for the filters, a unit fetched through ``visible_to`` (a unit out
of the user's scope is a 404), one selector, a template or a workbook.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from ventanilla.core.errors import DomainError
from ventanilla.core.scoping import Role, has_role_anywhere, require_role
from ventanilla.core.tabular import write_xlsx
from ventanilla.counters import selectors, slowness
from ventanilla.counters.forms import (
    DashboardForm,
    LeagueForm,
    SlowTellerForm,
    StaffingForm,
    TellerErrorForm,
)
from ventanilla.counters.models import TellerError
from ventanilla.counters.services import teller_error_create as teller_error_create_service
from ventanilla.org.models import Employee, OrgUnit, OrgUnitKind


def _unit(user: Any, code: str, *, kind: str | None = None) -> OrgUnit | None:
    """The unit with ``code`` if the user may see it; 404 otherwise (missing looks alike)."""
    if not code:
        return None
    units = OrgUnit.objects.visible_to(user).filter(code=code)
    if kind is not None:
        units = units.filter(kind=kind)
    unit = units.first()
    if unit is None:
        raise Http404
    return unit


def _unit_codes(user: Any, kind: str | None = None) -> Any:
    units = OrgUnit.objects.visible_to(user)
    if kind is not None:
        units = units.filter(kind=kind)
    return units.values_list("code", "name")


def _dashboard_report(request: HttpRequest) -> tuple[DashboardForm, selectors.QueueReport | None]:
    form = DashboardForm(request.GET)  # an empty query means this month, every unit seen
    if not form.is_valid():
        return form, None
    data = form.cleaned_data
    report = selectors.queue_figures(
        user=request.user,
        unit=_unit(request.user, data["unit"]),
        start=data["start"],
        end=data["end"],
        group_by=data["group_by"],
        is_vip=data["is_vip"],
    )
    return form, report


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    form, report = _dashboard_report(request)
    return render(
        request,
        "counters/dashboard.html",
        {
            "form": form,
            "report": report,
            "unit_codes": _unit_codes(request.user),
            "export_query": request.GET.urlencode(),
            "wait_target_minutes": selectors.WAIT_TARGET_SECONDS // 60,
            "vip_target_minutes": selectors.VIP_WAIT_TARGET_SECONDS // 60,
        },
    )


def _number(value: float | None, digits: int = 1) -> Any:
    return "" if value is None else round(value, digits)


@require_GET
def dashboard_export(request: HttpRequest) -> HttpResponse:
    """The table of the figures page as an XLSX workbook, for the same filters."""
    form, report = _dashboard_report(request)
    if report is None:
        return HttpResponse(
            "; ".join(str(e) for errors in form.errors.values() for e in errors),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    header = [
        _("Group"),
        _("Tickets"),
        _("Mean wait (s)"),
        _("Median wait (s)"),
        _("90th percentile wait (s)"),
        _("Service level"),
        _("Mean transaction (s)"),
        _("Median transaction (s)"),
        _("90th percentile transaction (s)"),
        _("No-show rate"),
        _("Abandonment rate"),
    ]
    rows = [
        [
            f.label,
            f.tickets,
            _number(f.mean_wait),
            _number(f.median_wait),
            _number(f.p90_wait),
            _number(f.service_level, 4),
            _number(f.mean_handle),
            _number(f.median_handle),
            _number(f.p90_handle),
            _number(f.no_show_rate, 4),
            _number(f.abandon_rate, 4),
        ]
        for f in [*report.rows, report.total]
    ]
    response = HttpResponse(
        write_xlsx([(_("Queue figures"), header, rows)]),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="queue-figures.xlsx"'
    return response


def _heat(value: float, peak: float) -> str:
    """Bootstrap's background opacity classes, by the share of the day's peak."""
    if peak <= 0 or value <= 0:
        return ""
    share = value / peak
    level = 10 if share < 0.25 else 25 if share < 0.5 else 50 if share < 0.75 else 75
    return f"bg-primary bg-opacity-{level}"


def _gap(difference: float) -> str:
    if difference >= 1:
        return "bg-danger-subtle"
    if difference <= -1:
        return "bg-info-subtle"
    return "bg-success-subtle"


@require_GET
def staffing_page(request: HttpRequest) -> HttpResponse:
    """Windows needed per half hour of a weekday at an outlet, against the windows opened."""
    form = StaffingForm(request.GET or None)
    plan = None
    cells: list[dict[str, Any]] = []
    outlet = None
    if request.GET and form.is_valid():
        data = form.cleaned_data
        outlet = _unit(request.user, data["unit"], kind=OrgUnitKind.OUTLET)
        if outlet is None:
            raise Http404
        require_role(request.user, outlet, Role.MANAGER)
        plan = selectors.staffing_plan(
            user=request.user,
            outlet=outlet,
            weekday=data["weekday"],
            start=data["start"],
            end=data["end"],
        )
        peak = max((s.arrivals for s in plan.slots), default=0.0)
        cells = [
            {"slot": s, "heat": _heat(s.arrivals, peak), "gap": _gap(s.difference)}
            for s in plan.slots
        ]
    return render(
        request,
        "counters/staffing.html",
        {
            "form": form,
            "plan": plan,
            "cells": cells,
            "outlet": outlet,
            "unit_codes": _unit_codes(request.user, OrgUnitKind.OUTLET),
        },
    )


@require_GET
def slow_tellers(request: HttpRequest) -> HttpResponse:
    """Tellers slower than their peers on the same business, for managers."""
    if not has_role_anywhere(request.user, Role.MANAGER):
        raise PermissionDenied
    form = SlowTellerForm(request.GET)
    rows = None
    if form.is_valid():
        data = form.cleaned_data
        unit = _unit(request.user, data["unit"])
        if unit is not None:
            require_role(request.user, unit, Role.MANAGER)
        rows = selectors.slow_teller_list(
            user=request.user, unit=unit, start=data["start"], end=data["end"]
        )
    return render(
        request,
        "counters/slow_tellers.html",
        {
            "form": form,
            "rows": rows,
            "unit_codes": _unit_codes(request.user),
            "min_tickets": slowness.MIN_TICKETS,
            "alpha": slowness.ALPHA,
            "min_excess": round((slowness.MIN_EXCESS - 1) * 100),
        },
    )


@require_GET
def league(request: HttpRequest) -> HttpResponse:
    """Tellers' monthly volume and errors, ranked in their outlet and across outlets."""
    form = LeagueForm(request.GET)
    rows = None
    unit = None
    if form.is_valid():
        code = (form.cleaned_data.get("unit") or "").strip()
        unit = _unit(request.user, code) if code else _home_unit(request.user)
        if unit is not None:
            rows = selectors.league_table(
                user=request.user, unit=unit, month=form.cleaned_data["month"]
            )
    return render(
        request,
        "counters/league.html",
        {
            "form": form,
            "rows": rows,
            "unit": unit,
            "month": form.cleaned_data.get("month") if form.is_valid() else None,
            "unit_codes": _unit_codes(request.user),
        },
    )


def _home_unit(user: Any) -> OrgUnit | None:
    """The highest unit the user sees: where the league table starts by default."""
    return OrgUnit.objects.visible_to(user).order_by("depth", "path").first()


# Teller errors -----------------------------------------------------------------------------


@require_GET
def teller_error_list(request: HttpRequest) -> HttpResponse:
    """Teller errors of the user's units, newest first."""
    errors = TellerError.objects.visible_to(request.user).select_related(
        "teller", "outlet", "business_type"
    )
    page = Paginator(errors, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "counters/error_list.html",
        {"page_obj": page, "can_record": has_role_anywhere(request.user, Role.MANAGER)},
    )


@require_http_methods(["GET", "POST"])
def teller_error_create(request: HttpRequest) -> HttpResponse:
    """Record a teller's error (managers of the teller's outlet)."""
    user = request.user
    if not has_role_anywhere(user, Role.MANAGER):
        raise PermissionDenied
    form = TellerErrorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        teller = (
            Employee.objects.visible_to(user)
            .select_related("unit")
            .filter(staff_number=data["teller"].strip())
            .first()
        )
        if teller is None:
            form.add_error("teller", _("No employee you can see has this staff number."))
        elif teller.unit.kind != OrgUnitKind.OUTLET:
            form.add_error("teller", _("This employee does not work at an outlet."))
        else:
            try:
                teller_error_create_service(
                    actor=user,
                    outlet=teller.unit,
                    teller=teller,
                    business_type=data["business_type"],
                    occurred_on=data["occurred_on"],
                    kind=data["kind"],
                    severity=data["severity"],
                    note=data["note"],
                )
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("The error was recorded."))
                return redirect("counters:errors")
    return render(request, "counters/error_form.html", {"form": form})

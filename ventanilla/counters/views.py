"""Counters pages: queue and counter figures (and their export), staffing, league tables
(live and published, with their PDF and XLSX), VIP window selection, teller page, imports.

Views stay thin: a form for the filters, a unit fetched through ``visible_to`` (a unit out
of the user's scope is a 404), one selector, a template or a workbook.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ventanilla.core.charts import Chart, Series
from ventanilla.core.errors import DomainError
from ventanilla.core.pdf import html_to_pdf
from ventanilla.core.scoping import Role, has_role_anywhere, require_role, role_at
from ventanilla.core.tabular import PERCENT, write_xlsx
from ventanilla.counters import selectors, slowness
from ventanilla.counters.forms import (
    DashboardForm,
    LeagueForm,
    SlowTellerForm,
    StaffingForm,
    TellerErrorForm,
    TellerForm,
    TicketImportForm,
    VipScoreForm,
    VipSelectionForm,
    mapping_label,
)
from ventanilla.counters.importing import TicketImporter, template_columns
from ventanilla.counters.models import (
    LeaguePublication,
    LeaguePublicationRow,
    TicketMapping,
)
from ventanilla.counters.permissions import (
    LOAD_PERMISSION,
    may_load_tickets,
    may_load_tickets_somewhere,
)
from ventanilla.counters.services import VIP_SCORE_FIELDS, vip_score_record
from ventanilla.counters.services import league_publish as league_publish_service
from ventanilla.counters.services import teller_error_create as teller_error_create_service
from ventanilla.counters.services import ticket_import as ticket_import_service
from ventanilla.org.models import Employee, OrgUnit, OrgUnitKind


def _unit_codes(user: Any, kind: str | None = None) -> Any:
    units = OrgUnit.objects.visible_to(user)
    if kind is not None:
        units = units.filter(kind=kind)
    return units.values_list("code", "name")


def _dashboard_report(
    request: HttpRequest, *, half_hours: bool = False
) -> tuple[DashboardForm, selectors.QueueReport | None, bool]:
    """The form, the figures (None for a bad form), and whether they are the user's own
    tickets only (a teller's) rather than every teller's."""
    form = DashboardForm(request.GET)  # an empty query means this month, every unit seen
    if not form.is_valid():
        return form, None, False
    data = form.cleaned_data
    unit = selectors.unit_get(user=request.user, code=data["unit"])
    report = selectors.queue_figures(
        user=request.user,
        unit=unit,
        start=data["start"],
        end=data["end"],
        group_by=data["group_by"],
        is_vip=data["is_vip"],
        half_hours=half_hours,
    )
    return form, report, not selectors.sees_every_teller(request.user, unit)


def _wait_chart(report: selectors.QueueReport) -> Chart | None:
    """Mean and 90th-percentile wait per half hour of the day, for the page's filters."""
    rows = report.by_half_hour
    if not rows:
        return None

    def minutes(value: float | None) -> float | None:
        return None if value is None else round(value / 60, 2)

    return Chart(
        id="dashboard-wait",
        title=_("Waiting by half hour of issue"),
        labels=[f.label for f in rows],
        series=[
            Series(_("Mean wait (min)"), [minutes(f.mean_wait) for f in rows]),
            Series(_("90th percentile wait (min)"), [minutes(f.p90_wait) for f in rows], "line"),
        ],
        value_label=_("Minutes"),
        decimals=1,
    )


def _quick_ranges(
    request: HttpRequest, start: date | None, end: date | None
) -> list[dict[str, Any]]:
    """Links to today, this week (from Monday), this month and last month, keeping the
    page's other filters; the one matching the range shown is marked."""
    today = timezone.localdate()
    month_start = today.replace(day=1)
    last_month_end = month_start - timedelta(days=1)
    ranges = [
        (_("Today"), today, today),
        (_("This week"), today - timedelta(days=today.weekday()), today),
        (_("This month"), month_start, today),
        (_("Last month"), last_month_end.replace(day=1), last_month_end),
    ]
    links = []
    for label, first, last in ranges:
        query = request.GET.copy()
        query.pop("page", None)
        query["start"], query["end"] = first.isoformat(), last.isoformat()
        links.append(
            {
                "label": label,
                "query": query.urlencode(),
                "is_active": (first, last) == (start, end),
            }
        )
    return links


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    form, report, own_only = _dashboard_report(request, half_hours=True)
    start = form.cleaned_data["start"] if report is not None else None
    end = form.cleaned_data["end"] if report is not None else None
    return render(
        request,
        "counters/dashboard.html",
        {
            "form": form,
            "report": report,
            "own_only": own_only,
            "start": start,
            "end": end,
            "quick_ranges": _quick_ranges(request, start, end),
            "unit_codes": _unit_codes(request.user),
            "export_query": request.GET.urlencode(),
            "wait_target_minutes": selectors.WAIT_TARGET_SECONDS // 60,
            "vip_target_minutes": selectors.VIP_WAIT_TARGET_SECONDS // 60,
            "wait_chart": _wait_chart(report) if report is not None else None,
        },
    )


def _number(value: float | None, digits: int = 1) -> Any:
    return "" if value is None else round(value, digits)


@require_GET
def dashboard_export(request: HttpRequest) -> HttpResponse:
    """The table of the figures page as an XLSX workbook, for the same filters."""
    form, report, _own_only = _dashboard_report(request)
    if report is None:
        return HttpResponse(
            "; ".join(str(e) for errors in form.errors.values() for e in errors),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    header = [
        pgettext("what a row of the figures stands for", "Group"),
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
    percent_columns = {5: PERCENT, 9: PERCENT, 10: PERCENT}
    response = HttpResponse(
        write_xlsx([(_("Queue figures"), header, rows)], number_formats=percent_columns),
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
    """Windows needed per weekday and half hour at an outlet, against the windows opened."""
    if not request.GET:
        # The outlet a user manages, when there is one only (an outlet head): shown at once.
        managed = _only_outlet(request.user, Role.MANAGER)
        if managed is not None:
            return redirect(f"{reverse('counters:staffing')}?{urlencode({'unit': managed})}")
    elif "weekday" not in request.GET:
        # Today's weekday, named in the address so that the form shows what is computed.
        query = {**request.GET.dict(), "weekday": timezone.localdate().weekday()}
        return redirect(f"{reverse('counters:staffing')}?{urlencode(query)}")
    form = StaffingForm(request.GET or None)
    plan = None
    cells: list[dict[str, Any]] = []
    heat_rows: list[dict[str, Any]] = []
    chart = None
    outlet = None
    if request.GET and form.is_valid():
        data = form.cleaned_data
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
        peak = max((s.arrivals for s in plan.slots), default=0.0)
        cells = [
            {"slot": s, "heat": _heat(s.arrivals, peak), "gap": _gap(s.difference)}
            for s in plan.slots
        ]
        heat_rows = [
            {
                "label": selectors.half_hour_label(half_hour),
                "cells": [
                    {"slot": slot, "gap": _gap(slot.difference)} if slot else None
                    for slot in (plan.week.get(wd, {}).get(half_hour) for wd in range(7))
                ],
            }
            for half_hour in plan.half_hours
        ]
        if plan.slots:
            chart = Chart(
                id="staffing-day",
                title=_("Windows open and needed"),
                labels=[s.label for s in plan.slots],
                series=[
                    Series(_("Windows open"), [round(s.windows_open, 1) for s in plan.slots]),
                    Series(_("Windows needed"), [float(s.windows_needed) for s in plan.slots]),
                ],
                value_label=_("Windows"),
                decimals=1,
            )
    return render(
        request,
        "counters/staffing.html",
        {
            "form": form,
            "plan": plan,
            "cells": cells,
            "heat_rows": heat_rows,
            "weekday_names": [label for _value, label in StaffingForm.WEEKDAYS],
            "chart": chart,
            "has_vip": plan is not None and any(s.vip for s in plan.slots),
            "outlet": outlet,
            "unit_codes": _unit_codes(request.user, OrgUnitKind.OUTLET),
            # The weeks the plan averages, shown in the date fields even when defaulted.
            "period_start": form.cleaned_data["start"] if plan is not None else None,
            "period_end": form.cleaned_data["end"] if plan is not None else None,
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
        unit = selectors.unit_get(user=request.user, code=data["unit"])
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
    versions: list[LeaguePublication] = []
    can_publish = False
    live = True
    if form.is_valid():
        code = (form.cleaned_data.get("unit") or "").strip()
        unit = selectors.unit_get(user=request.user, code=code) or _home_unit(request.user)
        if unit is not None:
            month = form.cleaned_data["month"]
            live = selectors.sees_every_teller(request.user, unit)
            if live:
                rows = selectors.league_table(user=request.user, unit=unit, month=month)
            versions = list(
                selectors.league_publication_list(user=request.user).filter(unit=unit, month=month)
            )
            held = role_at(request.user, unit.path)
            month_over = month < timezone.localdate().replace(day=1)
            can_publish = held is not None and held >= Role.MANAGER and month_over
    return render(
        request,
        "counters/league.html",
        {
            "form": form,
            "rows": rows,
            "unit": unit,
            "month": form.cleaned_data.get("month") if form.is_valid() else None,
            "unit_codes": _unit_codes(request.user),
            "published": versions[0] if versions else None,
            "can_publish": can_publish,
            "live": live,
        },
    )


@require_POST
def league_publish(request: HttpRequest) -> HttpResponse:
    """Freeze a unit's league table of a month (managers of the unit)."""
    form = LeagueForm(request.POST)
    if not form.is_valid():
        messages.error(request, "; ".join(str(e) for es in form.errors.values() for e in es))
        return redirect("counters:league")
    code = form.cleaned_data["unit"]
    unit = selectors.unit_get(user=request.user, code=code) or _home_unit(request.user)
    if unit is None:
        raise Http404
    require_role(request.user, unit, Role.MANAGER)
    month = form.cleaned_data["month"]
    try:
        publication = league_publish_service(actor=request.user, unit=unit, month=month)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(f"{reverse('counters:league')}?unit={unit.code}&month={month:%Y-%m}")
    messages.success(
        request,
        _("The league table of %(month)s was published (version %(version)s).")
        % {"month": f"{month:%Y-%m}", "version": publication.version},
    )
    return redirect(_publication_url(publication))


def _publication_url(publication: LeaguePublication, suffix: str = "") -> str:
    return reverse(
        f"counters:league_published{suffix}",
        kwargs={
            "unit": publication.unit.code,
            "year": publication.month.year,
            "month": publication.month.month,
        },
    ) + ("" if publication.is_current else f"?version={publication.version}")


def _published(request: HttpRequest, unit: str, year: int, month: int) -> LeaguePublication:
    """The publication named in the address (``?version=N`` for an earlier one), or 404."""
    version_text = request.GET.get("version", "")
    try:
        first = date(year, month, 1)
        version = int(version_text) if version_text else None
    except ValueError as exc:
        raise Http404 from exc
    return selectors.league_publication_get(
        user=request.user, unit_code=unit, month=first, version=version
    )


def _league_sheet(
    rows: list[LeaguePublicationRow], *, as_text: bool = False
) -> tuple[list[str], list[list[Any]]]:
    """The published table's header and rows, figures rounded as the page shows them:
    numbers for the XLSX, text with their decimals (``as_text``) for the PDF."""

    def shown(value: float | None, digits: int) -> Any:
        if value is None:
            return ""
        return number_format(value, digits) if as_text else round(value, digits)

    header = [
        _("Rank"),
        _("Staff number"),
        _("Teller"),
        _("Outlet"),
        _("Rank in outlet"),
        _("Tickets served"),
        _("Standard minutes"),
        _("Errors"),
        _("Errors per 1,000 tickets"),
        _("Transaction time against standard"),
    ]
    data = [
        [
            r.rank_overall,
            r.staff_number,
            r.teller_name,
            f"{r.outlet_code} {r.outlet_display_name}",
            r.rank_in_outlet,
            r.served,
            round(r.weighted_minutes),
            r.errors,
            shown(r.error_rate, 1),
            shown(r.dwell_ratio, 2),
        ]
        for r in rows
    ]
    return header, data


@require_GET
def league_publications(request: HttpRequest) -> HttpResponse:
    """Published league tables the user may read: their scope's, and their sub-branch's."""
    page = Paginator(selectors.league_publication_list(user=request.user), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "counters/league_publications.html", {"page_obj": page})


@require_GET
def league_published(request: HttpRequest, unit: str, year: int, month: int) -> HttpResponse:
    publication = _published(request, unit, year, month)
    rows = selectors.league_publication_rows(publication=publication)
    own = getattr(getattr(request.user, "employee", None), "pk", None)
    return render(
        request,
        "counters/league_published.html",
        {
            "publication": publication,
            "rows": rows,
            "own_teller_id": own,
            "versions": selectors.league_publication_versions(publication=publication),
            "version_query": "" if publication.is_current else f"?version={publication.version}",
        },
    )


def _download_name(publication: LeaguePublication, extension: str) -> str:
    return (
        f"league-{publication.unit.code}-{publication.month:%Y-%m}-v{publication.version}"
        f".{extension}"
    )


@require_GET
def league_published_pdf(request: HttpRequest, unit: str, year: int, month: int) -> HttpResponse:
    publication = _published(request, unit, year, month)
    rows = selectors.league_publication_rows(publication=publication)
    header, data = _league_sheet(rows, as_text=True)
    html = render_to_string(
        "counters/league_print.html",
        {"publication": publication, "header": header, "data": data},
        request=request,
    )
    try:
        pdf = html_to_pdf(html)
    except DomainError as error:
        return HttpResponse(error.message, status=503, content_type="text/plain; charset=utf-8")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_download_name(publication, "pdf")}"'
    return response


@require_GET
def league_published_xlsx(request: HttpRequest, unit: str, year: int, month: int) -> HttpResponse:
    publication = _published(request, unit, year, month)
    header, data = _league_sheet(selectors.league_publication_rows(publication=publication))
    response = HttpResponse(
        write_xlsx([(f"{publication.month:%Y-%m}", header, data)]),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{_download_name(publication, "xlsx")}"'
    )
    return response


def _only_outlet(user: Any, role: Role) -> str | None:
    """The code of the one outlet ``user`` holds ``role`` over, if there is one only: the
    pages of an outlet head open on their outlet."""
    codes = list(
        OrgUnit.objects.visible_to(user, role)
        .filter(kind=OrgUnitKind.OUTLET)
        .values_list("code", flat=True)[:2]
    )
    return codes[0] if len(codes) == 1 else None


def _home_unit(user: Any) -> OrgUnit | None:
    """The highest unit the user sees: where the league table starts by default."""
    return OrgUnit.objects.visible_to(user).order_by("depth", "path").first()


# Teller errors -----------------------------------------------------------------------------


@require_GET
def teller_error_list(request: HttpRequest) -> HttpResponse:
    """Teller errors of the user's units, newest first."""
    page = Paginator(selectors.teller_error_list(user=request.user), 50).get_page(
        request.GET.get("page")
    )
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


# VIP window selection ----------------------------------------------------------------------


@require_GET
def vip_selection(request: HttpRequest) -> HttpResponse:
    """Candidates for the VIP windows ranked on the weighted criteria (managers)."""
    if not has_role_anywhere(request.user, Role.MANAGER):
        raise PermissionDenied
    form = VipSelectionForm(request.GET or None)
    candidates = None
    chart = None
    unit = None
    if request.GET and form.is_valid():
        data = form.cleaned_data
        unit = selectors.unit_get(user=request.user, code=data["unit"])
        if unit is None:
            raise Http404
        require_role(request.user, unit, Role.MANAGER)
        candidates = selectors.vip_candidate_ranking(
            user=request.user,
            unit=unit,
            start=data["start"],
            end=data["end"],
            weights=data["weights"],
        )
        ranked = [c for c in candidates if c.total is not None]
        if ranked:
            chart = Chart(
                id="vip-ranking",
                title=_("Weighted score"),
                labels=[f"{c.teller.staff_number} {c.teller.name}" for c in ranked],
                series=[Series(_("Weighted score"), [round(c.total or 0, 1) for c in ranked])],
                kind="horizontalBar",
                value_label=_("Score (0–100)"),
                decimals=1,
                suggested_min=0,
                suggested_max=100,
            )
    return render(
        request,
        "counters/vip_selection.html",
        {
            "form": form,
            "candidates": candidates,
            "chart": chart,
            "unit": unit,
            "weights": form.cleaned_data.get("weights")
            if form.is_bound and form.is_valid()
            else None,
            "unit_codes": _unit_codes(request.user),
            "min_tickets": slowness.MIN_TICKETS,
        },
    )


@require_http_methods(["GET", "POST"])
def vip_score_create(request: HttpRequest) -> HttpResponse:
    """A manager scores a teller standing for a VIP window."""
    user = request.user
    if not has_role_anywhere(user, Role.MANAGER):
        raise PermissionDenied
    form = VipScoreForm(request.POST or None)
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
        else:
            try:
                vip_score_record(
                    actor=user,
                    teller=teller,
                    scored_on=data["scored_on"],
                    scores={name: data[name] for name in VIP_SCORE_FIELDS},
                    note=data["note"],
                )
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("The scores were recorded."))
                return redirect(f"{reverse('counters:vip_selection')}?unit={teller.unit.code}")
    return render(request, "counters/vip_score_form.html", {"form": form})


# Teller page -------------------------------------------------------------------------------


@require_GET
def teller_me(request: HttpRequest) -> HttpResponse:
    """The signed-in teller's own page."""
    employee = getattr(request.user, "employee", None)
    if employee is None:
        raise Http404
    return redirect("counters:teller", staff_number=employee.staff_number)


@require_GET
def teller_page(request: HttpRequest, staff_number: str) -> HttpResponse:
    """A teller's volume, transaction time against standard by type, errors and trend."""
    teller = selectors.teller_get(user=request.user, staff_number=staff_number)
    form = TellerForm(request.GET)
    report = None
    charts: dict[str, Chart] = {}
    if form.is_valid():
        data = form.cleaned_data
        report = selectors.teller_report(
            user=request.user, teller=teller, start=data["start"], end=data["end"]
        )
        if report.months:
            labels = [f"{m.month:%Y-%m}" for m in report.months]
            charts["volume"] = Chart(
                id="teller-volume",
                title=_("Tickets served and errors by month"),
                labels=labels,
                series=[
                    Series(_("Tickets served"), [float(m.served) for m in report.months]),
                    # a handful of errors against hundreds of tickets: their own axis
                    Series(
                        _("Errors"),
                        [float(m.errors) for m in report.months],
                        "line",
                        is_secondary=True,
                    ),
                ],
                value_label=_("Tickets served"),
                secondary_label=_("Errors"),
                decimals=0,
            )
            charts["dwell"] = Chart(
                id="teller-dwell",
                title=_("Transaction time against standard by month"),
                labels=labels,
                series=[
                    Series(
                        _("Transaction time against standard"),
                        [_number(m.dwell_ratio, 3) or None for m in report.months],
                    )
                ],
                kind="line",
                value_label=_("1 = standard time"),
                decimals=2,
                suggested_min=0,
            )
    return render(
        request,
        "counters/teller.html",
        {"teller": teller, "form": form, "report": report, "charts": charts},
    )


# Imports -----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def ticket_imports(request: HttpRequest) -> HttpResponse:
    """Import a queue machine's file for an outlet; the history of the imports seen."""
    user = request.user
    can_import = may_load_tickets_somewhere(user)
    if request.method == "POST" and not can_import:
        raise PermissionDenied
    if request.method == "GET" and request.GET.get("template"):
        response = HttpResponse(
            TicketImporter().template(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = 'attachment; filename="ventanilla-tickets.xlsx"'
        return response
    loader = Role.STAFF if user.has_perm(LOAD_PERMISSION) else Role.MANAGER
    form = TicketImportForm(
        request.POST or None,
        request.FILES or None,
        initial={"outlet": _only_outlet(user, loader) if can_import else None},
    )
    result = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        outlet = selectors.unit_get(user=user, code=data["outlet"].strip())
        if outlet is None:
            raise Http404
        if not may_load_tickets(user, outlet):
            raise PermissionDenied
        upload = data["file"]
        try:
            result = ticket_import_service(
                actor=user,
                outlet=outlet,
                data=upload.read(),
                filename=upload.name,
                mapping=data["mapping"],
                dry_run=data["dry_run"],
                file_date=data["file_date"],
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            if result.is_applied:
                messages.success(request, "; ".join(result.summary_lines()))
                return redirect("counters:imports")
    history = Paginator(selectors.ticket_import_list(user=user), 50).get_page(
        request.GET.get("page")
    )
    labels = {m.name: mapping_label(m) for m in TicketMapping.objects.all()}
    for item in history.object_list:
        item.mapping_label = labels.get(item.mapping, item.mapping)
    return render(
        request,
        "counters/imports.html",
        {
            "form": form,
            "result": result,
            "errors": result.errors[:200] if result else [],
            "page_obj": history,
            "can_import": can_import,
            "template_columns": template_columns() if can_import else [],
            "unit_codes": _unit_codes(user, OrgUnitKind.OUTLET),
        },
    )

"""Complaint pages: the ledgers, their exports, registering, the complaint and its steps.

Views stay thin: they read through the selectors (always scoped to the user), check the
role, validate a form and call one service. Out of scope is 404, in scope without the
role is 403 (``require_role``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ventanilla.complaints import selectors, services
from ventanilla.complaints.exporting import figures_workbook, ledger_workbook
from ventanilla.complaints.filters import ComplaintFilter
from ventanilla.complaints.forms import (
    AcceptForm,
    AttachmentForm,
    CloseForm,
    ComplaintRegisterForm,
    DecisionForm,
    MajorForm,
    MergeForm,
    NoteForm,
    PreComplaintForm,
    ReasonForm,
    registering_units,
)
from ventanilla.complaints.models import (
    FINAL_STATUSES,
    OPEN_STATUSES,
    Complaint,
    Severity,
    Status,
)
from ventanilla.complaints.permissions import (
    may_unmask,
    personal_data,
    personal_data_for,
    sees_personal_data,
)
from ventanilla.core.charts import Chart, Series
from ventanilla.core.errors import DomainError
from ventanilla.core.masking import mask_name, mask_phone
from ventanilla.core.scoping import Role, has_role_anywhere, require_role, role_at
from ventanilla.customers.selectors import customer_list, customers_managed_by
from ventanilla.org.models import OrgUnit, OrgUnitKind

PAGE_SIZE = 50


# --- Ledgers ----------------------------------------------------------------------------


def _filtered(
    request: HttpRequest, queryset: QuerySet[Complaint], data: Any = None
) -> ComplaintFilter:
    filterset = ComplaintFilter(data or request.GET or None, queryset=queryset, request=request)
    fields = filterset.form.fields
    for name in ("received_from", "received_to"):
        fields[name].widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    fields["status"].choices = [("", _("All statuses")), *Status.choices]
    fields["on_time"].choices = [("", _("All")), *fields["on_time"].choices[1:]]
    for name in ("channel", "business_type", "cause"):
        fields[name].empty_label = _("All")
        fields[name].label_from_instance = lambda code: f"{code.code} · {code.display_name}"
    return filterset


@dataclass
class Row:
    """A complaint as a ledger row, with the complainant as the reader may see them."""

    complaint: Complaint
    complainant: str


def _rows(user: Any, complaints: list[Complaint]) -> list[Row]:
    return [Row(c, personal_data_for(user, c).name) for c in complaints]


def _ledger_page(
    request: HttpRequest, queryset: QuerySet[Complaint], unit: OrgUnit | None
) -> HttpResponse:
    filterset = _filtered(request, queryset)
    page = Paginator(filterset.qs.order_by("-received_at", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "complaints/ledger.html",
        {
            "unit": unit,
            "filter": filterset,
            "page_obj": page,
            "rows": _rows(request.user, list(page.object_list)),
            "figures": selectors.ledger_figures(filterset.qs),
            "ledger_units": selectors.ledger_units(user=request.user).values_list(
                "code", "name", "kind"
            ),
            "export_query": request.GET.urlencode(),
            "can_register": registering_units(request.user).exists(),
            "has_customers": customers_managed_by(user=request.user).exists(),
            "now": timezone.now(),
        },
    )


@require_GET
def complaint_list(request: HttpRequest) -> HttpResponse:
    """Every complaint the user may see, with the ledger's filters."""
    return _ledger_page(request, selectors.complaint_list(user=request.user), None)


@require_GET
def ledger(request: HttpRequest, code: str) -> HttpResponse:
    """The ledger of an outlet (what it took) or of a sub-branch (its whole subtree)."""
    unit = selectors.ledger_unit_get(user=request.user, code=code)
    return _ledger_page(request, selectors.ledger_complaints(user=request.user, unit=unit), unit)


def _export(request: HttpRequest, queryset: QuerySet[Complaint], name: str) -> HttpResponse:
    filterset = _filtered(request, queryset)
    complaints = filterset.qs.order_by("received_at", "id")
    workbook = ledger_workbook(request.user, complaints, now=timezone.now())
    response = HttpResponse(
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    stamp = timezone.localdate().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="complaints-{name}-{stamp}.xlsx"'
    workbook.save(response)
    return response


@require_GET
def complaint_export(request: HttpRequest) -> HttpResponse:
    return _export(request, selectors.complaint_list(user=request.user), "all")


@require_GET
def ledger_export(request: HttpRequest, code: str) -> HttpResponse:
    unit = selectors.ledger_unit_get(user=request.user, code=code)
    return _export(request, selectors.ledger_complaints(user=request.user, unit=unit), unit.code)


# --- Register ---------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def complaint_register(request: HttpRequest) -> HttpResponse:
    """Register a complaint; with ``?pre=<id>``, from a pre-complaint (prefilled, linked)."""
    user = request.user
    if not registering_units(user).exists():
        raise PermissionDenied
    initial: dict[str, Any] = {}
    pre = None
    pre_id = request.GET.get("pre", "").strip()
    if pre_id:
        if not pre_id.isdigit():
            raise Http404
        pre = selectors.pre_complaint_get(user=user, pk=int(pre_id))
        require_role(user, pre, Role.STAFF)
        initial.update(
            unit=pre.unit,
            received_at=timezone.localtime(pre.recorded_at).replace(second=0, microsecond=0),
            complainant_name=pre.customer_name,
            phone=pre.customer_phone,
            facts=pre.what,
        )
    unit_code = request.GET.get("unit", "").strip()
    if unit_code:
        initial["unit"] = registering_units(user).filter(code=unit_code).first()
    form = ComplaintRegisterForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if pre is not None:
                complaint = services.pre_complaint_convert(
                    actor=user, pre_complaint=pre, **form.cleaned_data
                )
            else:
                complaint = services.complaint_register(actor=user, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request, _("Complaint %(ref)s registered.") % {"ref": complaint.reference}
            )
            return redirect("complaints:detail", reference=complaint.reference)
    return render(request, "complaints/register.html", {"form": form, "pre": pre})


# --- Pre-complaints ---------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def pre_complaint_list(request: HttpRequest) -> HttpResponse:
    """Pre-complaints of the user's units, with the quick entry form on top."""
    user = request.user
    can_record = registering_units(user).exists()
    form = PreComplaintForm(request.POST or None, user=user) if can_record else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.pre_complaint_record(actor=user, **form.cleaned_data)
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Pre-complaint recorded."))
                return redirect("complaints:pre_complaints")
    queryset = selectors.pre_complaint_list(user=user)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    for pre in page.object_list:
        full = _manages(user, pre.unit)
        name = pre.customer_name if full else mask_name(pre.customer_name)
        phone = pre.customer_phone if full else mask_phone(pre.customer_phone)
        rows.append((pre, name, phone))
    return render(
        request,
        "complaints/pre_complaints.html",
        {"form": form, "page_obj": page, "rows": rows},
        status=400 if form is not None and form.errors else 200,
    )


def _manages(user: Any, unit: OrgUnit) -> bool:
    held = role_at(user, unit.path)
    return held is not None and held >= Role.MANAGER


# --- Detail and workflow steps ----------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """A workflow button: who may press it, from which statuses, its form and its service."""

    name: str
    label: Any
    icon: str
    role: Role
    statuses: tuple[str, ...]
    form: Callable[..., forms.Form]
    run: Callable[..., Any]
    style: str = "btn-outline-primary"


def _accept_form(data: Any, complaint: Complaint, user: Any) -> forms.Form:
    return AcceptForm(data, complaint=complaint, user=user)


def _merge_form(data: Any, complaint: Complaint, user: Any) -> forms.Form:
    return MergeForm(data, user=user)


def _plain(form_class: type[forms.Form]) -> Callable[..., forms.Form]:
    return lambda data, complaint, user: form_class(data)


STEPS: dict[str, Step] = {
    step.name: step
    for step in (
        Step(
            "accept",
            gettext_lazy("Accept"),
            "check2-circle",
            Role.MANAGER,
            services.ACCEPT_FROM,
            _accept_form,
            lambda actor, complaint, data: services.complaint_accept(
                actor=actor, complaint=complaint, handler=data["handler"], note=data["note"]
            ),
            "btn-primary",
        ),
        Step(
            "investigate",
            gettext_lazy("Start investigating"),
            "search",
            Role.STAFF,
            services.INVESTIGATE_FROM,
            _plain(NoteForm),
            lambda actor, complaint, data: services.complaint_investigate(
                actor=actor, complaint=complaint, note=data["note"]
            ),
        ),
        Step(
            "pause",
            gettext_lazy("Pause for external appraisal"),
            "pause-circle",
            Role.STAFF,
            services.PAUSE_FROM,
            _plain(ReasonForm),
            lambda actor, complaint, data: services.complaint_pause(
                actor=actor, complaint=complaint, reason=data["reason"]
            ),
            "btn-outline-secondary",
        ),
        Step(
            "resume",
            gettext_lazy("Resume the clock"),
            "play-circle",
            Role.STAFF,
            (Status.SUSPENDED,),
            _plain(NoteForm),
            lambda actor, complaint, data: services.complaint_resume(
                actor=actor, complaint=complaint, note=data["note"]
            ),
        ),
        Step(
            "decide",
            gettext_lazy("Send the decision"),
            "send",
            Role.MANAGER,
            services.DECIDE_FROM,
            _plain(DecisionForm),
            lambda actor, complaint, data: services.complaint_send_decision(
                actor=actor, complaint=complaint, decision=data["decision"]
            ),
            "btn-primary",
        ),
        Step(
            "close",
            gettext_lazy("Close"),
            "archive",
            Role.MANAGER,
            services.CLOSE_FROM,
            _plain(CloseForm),
            lambda actor, complaint, data: services.complaint_close(
                actor=actor, complaint=complaint, **data
            ),
            "btn-primary",
        ),
        Step(
            "extend",
            gettext_lazy("Extend the time limit"),
            "hourglass-split",
            Role.MANAGER,
            OPEN_STATUSES,
            _plain(ReasonForm),
            lambda actor, complaint, data: services.complaint_extend(
                actor=actor, complaint=complaint, reason=data["reason"]
            ),
            "btn-outline-secondary",
        ),
        Step(
            "merge",
            gettext_lazy("Merge into the original"),
            "union",
            Role.MANAGER,
            OPEN_STATUSES,
            _merge_form,
            lambda actor, complaint, data: services.complaint_merge(
                actor=actor, complaint=complaint, original=data["original"], note=data["note"]
            ),
            "btn-outline-secondary",
        ),
        Step(
            "withdraw",
            gettext_lazy("Withdrawn by the complainant"),
            "x-circle",
            Role.MANAGER,
            OPEN_STATUSES,
            _plain(ReasonForm),
            lambda actor, complaint, data: services.complaint_withdraw(
                actor=actor, complaint=complaint, reason=data["reason"]
            ),
            "btn-outline-danger",
        ),
        Step(
            "mark_major",
            gettext_lazy("Mark major (rapid handling)"),
            "megaphone",
            Role.STAFF,
            OPEN_STATUSES,
            _plain(MajorForm),
            lambda actor, complaint, data: services.complaint_mark_major(
                actor=actor, complaint=complaint, kind=data["kind"], note=data["note"]
            ),
            "btn-outline-danger",
        ),
        Step(
            "reopen",
            gettext_lazy("Reopen"),
            "arrow-counterclockwise",
            Role.MANAGER,
            services.REOPEN_FROM,
            _plain(ReasonForm),
            lambda actor, complaint, data: services.complaint_reopen(
                actor=actor, complaint=complaint, reason=data["reason"]
            ),
            "btn-outline-secondary",
        ),
    )
}


def clock_state(complaint: Complaint, now: Any) -> dict[str, Any]:
    """What the page says about the clock: stopped, running, overdue or finished."""
    if complaint.status == Status.SUSPENDED:
        return {"state": "paused", "label": _("Clock stopped (external appraisal)")}
    if complaint.status in (Status.MERGED, Status.WITHDRAWN):
        return {"state": "none", "label": _("No time limit")}
    if complaint.decision_sent_at is not None and complaint.status != Status.REOPENED:
        late = complaint.decision_sent_at > complaint.due_at
        return {
            "state": "late" if late else "done",
            "label": _("Decided late") if late else _("Decided on time"),
        }
    left = complaint.due_at - now
    if left < timedelta(0):
        return {"state": "overdue", "label": _("Overdue by %(t)s") % {"t": _duration(-left)}}
    return {"state": "running", "label": _("%(t)s left") % {"t": _duration(left)}}


def _duration(value: timedelta) -> str:
    days, seconds = value.days, value.seconds
    hours = seconds // 3600
    if days:
        return _("%(d)d d %(h)d h") % {"d": days, "h": hours}
    return _("%(h)d h %(m)d min") % {"h": hours, "m": (seconds % 3600) // 60}


def _available_steps(user: Any, complaint: Complaint) -> list[Step]:
    held = role_at(user, complaint.unit.path)
    if held is None:
        return []
    return [
        s
        for s in STEPS.values()
        if held >= s.role
        and complaint.status in s.statuses
        and not (s.name == "mark_major" and complaint.severity == Severity.MAJOR)
    ]


def _detail(
    request: HttpRequest,
    complaint: Complaint,
    *,
    unmasked: bool = False,
    failed: tuple[str, forms.Form] | None = None,
    unmask_form: forms.Form | None = None,
    attachment_form: forms.Form | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    steps = _available_steps(user, complaint)
    step_forms = [
        (step, failed[1] if failed and failed[0] == step.name else step.form(None, complaint, user))
        for step in steps
    ]
    shown_in_full = unmasked or sees_personal_data(user, complaint)
    alerts = list(selectors.complaint_alerts(user=user, complaint=complaint))
    return render(
        request,
        "complaints/detail.html",
        {
            "complaint": complaint,
            "person": personal_data(complaint, masked=not shown_in_full),
            "unmasked": unmasked,
            "can_unmask": not shown_in_full and may_unmask(user, complaint),
            "customer_visible": complaint.customer_id is not None
            and customer_list(user=user).filter(pk=complaint.customer_id).exists(),
            "unmask_form": unmask_form or ReasonForm(),
            "events": list(selectors.complaint_events(user=user, complaint=complaint)),
            "step_forms": step_forms,
            "open_step": failed[0] if failed else "",
            "clock": clock_state(complaint, timezone.now()),
            "merged": list(selectors.complaint_merged(user=user, complaint=complaint)),
            "alerts": alerts,
            "can_acknowledge": _may_acknowledge(user, alerts),
            "ack_form": NoteForm(),
            "attachments": list(selectors.complaint_attachments(user=user, complaint=complaint)),
            "can_attach": _may_attach(user, complaint),
            "attachment_form": attachment_form or AttachmentForm(),
            "max_attachment_size": services.attachment_max_bytes(),
            "ledger_unit": _ledger_unit(complaint),
        },
        status=status,
    )


def _ledger_unit(complaint: Complaint) -> OrgUnit:
    if complaint.unit.kind == OrgUnitKind.OUTLET and complaint.ledger_level == "outlet":
        return complaint.unit
    return services.sub_branch_of(complaint.unit)


@require_GET
def complaint_detail(request: HttpRequest, reference: str) -> HttpResponse:
    complaint = selectors.complaint_get(user=request.user, reference=reference)
    return _detail(request, complaint)


@require_POST
def complaint_step(request: HttpRequest, reference: str, step: str) -> HttpResponse:
    user = request.user
    complaint = selectors.complaint_get(user=user, reference=reference)
    chosen = STEPS.get(step)
    if chosen is None:
        raise PermissionDenied
    require_role(user, complaint, chosen.role)
    form = chosen.form(request.POST, complaint, user)
    if form.is_valid():
        try:
            chosen.run(user, complaint, form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("%(ref)s: %(step)s done.") % {"ref": complaint.reference, "step": chosen.label},
            )
            return redirect("complaints:detail", reference=complaint.reference)
    complaint = selectors.complaint_get(user=user, reference=reference)
    return _detail(request, complaint, failed=(step, form), status=400)


@require_POST
def complaint_unmask(request: HttpRequest, reference: str) -> HttpResponse:
    """Show the complainant in full, once, after recording who asked and why."""
    user = request.user
    complaint = selectors.complaint_get(user=user, reference=reference)
    if not may_unmask(user, complaint):
        raise PermissionDenied
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            services.complaint_unmask(
                actor=user, complaint=complaint, reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            form.add_error("reason", error.message)
        else:
            return _detail(request, complaint, unmasked=True)
    return _detail(request, complaint, unmask_form=form, status=400)


def _may_acknowledge(user: Any, alerts: list[Any]) -> bool:
    if any(a.acknowledged_at for a in alerts):
        return False
    return any(a.employee.user_id == user.pk for a in alerts)


@require_POST
def complaint_acknowledge(request: HttpRequest, reference: str) -> HttpResponse:
    """The alerted emergency contact confirms the major complaint is in hand."""
    user = request.user
    complaint = selectors.complaint_get(user=user, reference=reference)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.complaint_acknowledge(
                actor=user, complaint=complaint, note=form.cleaned_data["note"]
            )
        except DomainError as error:
            if error.code == "forbidden":
                raise PermissionDenied(error.message) from error
            messages.error(request, error.message)
            return _detail(request, complaint, status=400)
        messages.success(request, _("%(ref)s: alert acknowledged.") % {"ref": reference})
        return redirect("complaints:detail", reference=complaint.reference)
    return _detail(request, complaint, status=400)


def _may_attach(user: Any, complaint: Complaint) -> bool:
    held = role_at(user, complaint.unit.path)
    return held is not None and held >= Role.STAFF and complaint.status not in FINAL_STATUSES


@require_POST
def attachment_add(request: HttpRequest, reference: str) -> HttpResponse:
    """Attach a file (staff and above); refused files are named with the reason."""
    user = request.user
    complaint = selectors.complaint_get(user=user, reference=reference)
    require_role(user, complaint, Role.STAFF)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.attachment_add(
                actor=user,
                complaint=complaint,
                upload=form.cleaned_data["file"],
                kind=form.cleaned_data["kind"],
            )
        except DomainError as error:
            form.add_error("file", error.message)
        else:
            messages.success(request, _("%(ref)s: file attached.") % {"ref": reference})
            return redirect("complaints:detail", reference=complaint.reference)
    complaint = selectors.complaint_get(user=user, reference=reference)
    return _detail(request, complaint, attachment_form=form, status=400)


@require_GET
def attachment_download(request: HttpRequest, reference: str, pk: int) -> FileResponse:
    """The file, for anyone who may see the complaint (404 for everyone else)."""
    attachment = selectors.attachment_get(user=request.user, reference=reference, pk=pk)
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type,
    )


# --- Notifications ----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def notification_list(request: HttpRequest) -> HttpResponse:
    """The user's own complaint notifications; POST marks them all read."""
    if request.method == "POST":
        services.notifications_mark_read(actor=request.user)
        return redirect("complaints:notifications")
    page = Paginator(selectors.notification_list(user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "complaints/notifications.html", {"page_obj": page})


# --- Figures ----------------------------------------------------------------------------

FIGURE_MONTHS = 12
MAX_FIGURE_DAYS = 5 * 366


@dataclass
class FiguresRequest:
    """What the figures page was asked for, once the query string is checked."""

    filterset: ComplaintFilter | None
    received_from: date
    received_to: date
    unit: OrgUnit | None
    errors: list[str]
    query: dict[str, str]


def _figures_request(request: HttpRequest) -> FiguresRequest:
    """The ledger's filters with a period: by default the last twelve calendar months."""
    user = request.user
    data = request.GET.copy()
    data.pop("page", None)
    today = timezone.localdate()
    errors: list[str] = []
    if not data.get("received_to"):
        data["received_to"] = today.isoformat()
    if not data.get("received_from"):
        to_day = _parse_day(data["received_to"]) or today
        start = to_day.replace(day=1)
        for _i in range(FIGURE_MONTHS - 1):
            start = (start - timedelta(days=1)).replace(day=1)
        data["received_from"] = start.isoformat()
    filterset = _filtered(request, selectors.complaint_list(user=user), data)
    received_from = _parse_day(data["received_from"])
    received_to = _parse_day(data["received_to"])
    if not filterset.is_valid() or received_from is None or received_to is None:
        for name, field_errors in filterset.form.errors.items():
            label = filterset.form.fields[name].label if name in filterset.form.fields else name
            errors += [f"{label}: {e}" for e in field_errors]
        if not errors:
            errors.append(_("Enter the period as two dates (YYYY-MM-DD)."))
        return FiguresRequest(None, today, today, None, errors, {})
    if received_from > received_to:
        errors.append(_("The period starts after it ends."))
    elif (received_to - received_from).days > MAX_FIGURE_DAYS:
        errors.append(_("Choose a period of at most five years."))
    unit = None
    unit_code = str(data.get("unit") or "").strip()
    if unit_code:
        unit = OrgUnit.objects.visible_to(user).filter(code=unit_code).first()
        if unit is None:
            errors.append(
                _("Unit %(code)s is not one of the units you can see.") % {"code": unit_code}
            )
    query = {k: str(v) for k, v in data.items() if v}
    return FiguresRequest(filterset, received_from, received_to, unit, errors, query)


def _parse_day(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        return None


def _figures(request: HttpRequest) -> tuple[FiguresRequest, selectors.ComplaintFigures | None]:
    if not has_role_anywhere(request.user, Role.VIEWER):
        raise PermissionDenied
    asked = _figures_request(request)
    if asked.errors or asked.filterset is None:
        return asked, None
    figures = selectors.complaint_figures(
        user=request.user,
        complaints=asked.filterset.qs,
        received_from=asked.received_from,
        received_to=asked.received_to,
        unit=asked.unit,
        base_query=asked.query,
    )
    return asked, figures


def _rate_series(rows: list[selectors.FigureRow]) -> list[Series]:
    return [
        Series(
            str(_("Resolution rate (%)")),
            [_rounded(r.tally.resolution_rate) for r in rows],
        ),
        Series(str(_("On-time rate (%)")), [_rounded(r.tally.on_time_rate) for r in rows]),
    ]


def _rounded(value: float | None) -> float | None:
    return round(value, 1) if value is not None else None


def figure_charts(figures: selectors.ComplaintFigures) -> dict[str, Chart]:
    """The charts of the figures page, from the same rows as its tables."""
    months = figures.by_month
    counts = str(_("Complaints"))

    def counts_chart(chart_id: str, title: Any, rows: list[selectors.FigureRow]) -> Chart:
        return Chart(
            id=chart_id,
            title=str(title),
            labels=[f"{r.key} {r.label}" if r.key != r.label else r.key for r in rows],
            series=[
                Series(counts, [float(r.tally.total) for r in rows]),
                Series(str(_("Late")), [float(r.tally.late) for r in rows]),
            ],
            kind="horizontalBar",
            value_label=counts,
            decimals=0,
        )

    return {
        "month_counts": Chart(
            id="complaints-by-month",
            title=str(_("Complaints by month")),
            labels=[r.label for r in months],
            series=[
                Series(counts, [float(r.tally.total) for r in months]),
                Series(str(_("Late")), [float(r.tally.late) for r in months]),
                Series(
                    str(_("Pre-complaints")),
                    [float(r.pre_total or 0) for r in months],
                    kind="line",
                ),
            ],
            value_label=counts,
            decimals=0,
        ),
        "month_rates": Chart(
            id="complaint-rates-by-month",
            title=str(_("Resolution and on-time rates by month")),
            labels=[r.label for r in months],
            series=_rate_series(months),
            kind="line",
            value_label="%",
            decimals=1,
            suggested_min=0,
            suggested_max=100,
        ),
        "unit": counts_chart("complaints-by-unit", _("Complaints by unit"), figures.by_unit),
        "channel": counts_chart(
            "complaints-by-channel", _("Complaints by channel"), figures.by_channel
        ),
        "business": counts_chart(
            "complaints-by-business", _("Complaints by business type"), figures.by_business
        ),
        "cause": counts_chart("complaints-by-cause", _("Complaints by cause"), figures.by_cause),
    }


@require_GET
def complaint_figures(request: HttpRequest) -> HttpResponse:
    """Resolution, timeliness, repeats and rates, by unit, channel, business, cause, month."""
    asked, figures = _figures(request)
    context: dict[str, Any] = {
        "asked": asked,
        "figures": figures,
        "filter": asked.filterset,
        "export_query": urlencode(asked.query),
        "ledger_units": selectors.ledger_units(user=request.user).values_list("code", "name"),
    }
    if figures is not None:
        context["charts"] = figure_charts(figures)
        context["breakdowns"] = [
            (_("By unit"), _("Unit"), figures.by_unit, True),
            (_("By channel"), _("Channel"), figures.by_channel, False),
            (_("By business type"), _("Business type"), figures.by_business, False),
            (_("By cause"), _("Cause"), figures.by_cause, False),
            (_("By month"), _("Month"), figures.by_month, True),
        ]
    return render(
        request,
        "complaints/figures.html",
        context,
        status=400 if asked.errors else 200,
    )


@require_GET
def complaint_figures_export(request: HttpRequest) -> HttpResponse:
    asked, figures = _figures(request)
    if figures is None:
        return HttpResponse(
            "\n".join(asked.errors), status=400, content_type="text/plain; charset=utf-8"
        )
    workbook = figures_workbook(figures)
    response = HttpResponse(
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    stamp = f"{figures.received_from:%Y%m%d}-{figures.received_to:%Y%m%d}"
    response["Content-Disposition"] = f'attachment; filename="complaint-figures-{stamp}.xlsx"'
    workbook.save(response)
    return response

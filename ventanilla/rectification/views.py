"""Rectification pages: the plan board, a plan with its sections, a measure, my measures.

Views stay thin: read through the selectors (scoped: out of scope is 404), check the role
(in scope without it is 403), validate a form, call one service.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ventanilla.core.charts import Chart, Series
from ventanilla.core.errors import DomainError
from ventanilla.core.scoping import Role, require_role
from ventanilla.rectification import indicators, selectors, services
from ventanilla.rectification.dates import quarter_bounds
from ventanilla.rectification.forms import (
    CloseEffectiveForm,
    EffectCheckForm,
    EvidenceForm,
    FindingForm,
    GoalForm,
    MeasureForm,
    PlanEditForm,
    PlanForm,
    ProgressForm,
    ReasonForm,
    SectionForm,
    SuggestionAcceptForm,
    managed_units,
)
from ventanilla.rectification.models import (
    OPEN_MEASURE_STATUSES,
    Measure,
    MeasureEvidence,
    MeasureStatus,
    PlanStatus,
    RectificationPlan,
)
from ventanilla.rectification.permissions import manages_plan, may_update_measure


def _fail(request: HttpRequest, error: DomainError) -> None:
    if error.code == "forbidden":
        raise PermissionDenied(error.message)
    messages.error(request, error.message)


# --- Board ------------------------------------------------------------------------------


@require_GET
def plan_board(request: HttpRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    plans = list(
        selectors.plan_list(user=user).annotate(
            measures_total=Count("sections__measures", distinct=True),
            measures_open=Count(
                "sections__measures",
                filter=Q(sections__measures__status__in=OPEN_MEASURE_STATUSES),
                distinct=True,
            ),
            measures_overdue=Count(
                "sections__measures",
                filter=Q(
                    sections__measures__status__in=OPEN_MEASURE_STATUSES,
                    sections__measures__due_on__lt=today,
                ),
                distinct=True,
            ),
        )
    )
    by_unit = selectors.progress_by_unit(user=user)
    overdue = list(
        selectors.measure_list(user=user)
        .filter(status__in=OPEN_MEASURE_STATUSES, due_on__lt=today)
        .order_by("due_on")[:50]
    )
    return render(
        request,
        "rectification/board.html",
        {
            "plans": plans,
            "by_unit": by_unit,
            "overdue": overdue,
            "today": today,
            "can_create": managed_units(user).exists(),
        },
    )


@require_http_methods(["GET", "POST"])
def plan_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not managed_units(user).exists():
        raise PermissionDenied
    initial: dict[str, Any] = {}
    wave_id = request.GET.get("wave")
    if wave_id and wave_id.isdigit():
        from ventanilla.surveys.selectors import wave_list

        wave = wave_list(user=user).filter(pk=int(wave_id)).first()
        if wave is not None:
            # Written after the wave's quarter, for the half year that follows.
            start = quarter_bounds(wave.year, wave.quarter)[1]
            initial.update(
                source_wave=wave.pk,
                period_start=start,
                period_end=start.replace(month=start.month + 5, day=1)
                if start.month <= 7
                else start.replace(year=start.year + 1, month=start.month - 7, day=1),
            )
        units = managed_units(user)
        if units.count() == 1:
            initial["unit"] = units.first()
    form = PlanForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            plan = services.plan_create(actor=user, with_goals=True, **data)
            if plan.source_wave is not None:
                services.plan_suggest_findings(actor=user, plan=plan)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Plan %(ref)s created.") % {"ref": plan.reference})
            return redirect("rectification:plan_detail", reference=plan.reference)
    return render(request, "rectification/plan_form.html", {"form": form})


# --- Plan -------------------------------------------------------------------------------


def _timeline(measures: list[Measure], plan: RectificationPlan) -> dict[str, Any]:
    """Bars from start to due over the plan's period, in percent of its width."""
    start = min([plan.period_start, *(m.start_on for m in measures)])
    end = max([plan.period_end, *(m.due_on for m in measures)])
    span = max((end - start).days, 1)
    today = timezone.localdate()
    rows = []
    for m in measures:
        left = (m.start_on - start).days / span * 100
        width = max((m.due_on - m.start_on).days, 1) / span * 100
        rows.append(
            {
                "measure": m,
                "left": round(left, 2),
                "width": round(width, 2),
                "overdue": selectors.is_overdue(m, today),
            }
        )
    months = []
    cursor = start.replace(day=1)
    while cursor <= end:
        months.append(
            {
                "label": cursor.strftime("%Y-%m"),
                "left": round(max((cursor - start).days, 0) / span * 100, 2),
            }
        )
        cursor = cursor.replace(
            year=cursor.year + (cursor.month == 12), month=cursor.month % 12 + 1
        )
    today_left = (today - start).days / span * 100 if start <= today <= end else None
    return {"rows": rows, "months": months, "today": today_left}


@require_GET
def plan_detail(request: HttpRequest, reference: str) -> HttpResponse:
    user = request.user
    plan = selectors.plan_get(user=user, reference=reference)
    full = selectors.plan_structure(plan)
    sections = list(full.sections.all())
    measures = [m for s in sections for m in s.measures.all()]
    progress = selectors.plan_progress(measures, sections)
    manager = manages_plan(user, plan)
    chart = Chart(
        id="plan-progress",
        title=_("Measures by section"),
        labels=[r.label for r in progress.by_section],
        series=[
            Series(_("Done"), [float(r.done) for r in progress.by_section]),
            Series(_("Open"), [float(r.total - r.done - r.overdue) for r in progress.by_section]),
            Series(_("Overdue"), [float(r.overdue) for r in progress.by_section]),
        ],
        kind="horizontalBar",
        value_label=_("Measures"),
        decimals=0,
    )
    goals = []
    for g in full.goals.all():
        goals.append({"goal": g, "label": indicators.label(g.indicator)})
    return render(
        request,
        "rectification/plan_detail.html",
        {
            "plan": full,
            "sections": sections,
            "goals": goals,
            "progress": progress,
            "chart": chart,
            "timeline": _timeline(measures, full) if measures else None,
            "is_manager": manager,
            "suggestions": list(selectors.suggestion_list(user=user, plan=plan)) if manager else [],
            "today": timezone.localdate(),
            "PlanStatus": PlanStatus,
            "report_url": reverse("reports:request") + "?" + urlencode({"plan": plan.reference}),
        },
    )


def _plan_for_manager(request: HttpRequest, reference: str) -> RectificationPlan:
    plan = selectors.plan_get(user=request.user, reference=reference)
    if not manages_plan(request.user, plan):
        raise PermissionDenied  # seen (in scope, or as an owner), but not theirs to change
    return plan


@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, reference: str) -> HttpResponse:
    plan = _plan_for_manager(request, reference)
    form = PlanEditForm(request.POST or None, instance=plan)
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_update(
                actor=request.user,
                plan=RectificationPlan.objects.get(pk=plan.pk),
                **{k: form.cleaned_data[k] for k in form.changed_data},
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Plan saved."))
            return redirect("rectification:plan_detail", reference=plan.reference)
    return render(request, "rectification/plan_edit.html", {"form": form, "plan": plan})


_PLAN_STEPS: dict[str, Callable[..., Any]] = {
    "submit": services.plan_submit,
    "approve": services.plan_approve,
    "close": services.plan_close,
    "suggest": services.plan_suggest_findings,
    "accept-all": services.suggestions_accept_all,
}


@require_POST
def plan_step(request: HttpRequest, reference: str, step: str) -> HttpResponse:
    plan = _plan_for_manager(request, reference)
    service = _PLAN_STEPS.get(step)
    if service is None:
        raise Http404
    try:
        result = service(actor=request.user, plan=plan)
    except DomainError as error:
        _fail(request, error)
    else:
        if step == "suggest":
            messages.success(
                request, _("%(n)d new suggestions from the data.") % {"n": len(result)}
            )
        elif step == "accept-all":
            messages.success(request, _("%(n)d findings added.") % {"n": len(result)})
        else:
            messages.success(request, _("Plan %(ref)s: done.") % {"ref": plan.reference})
    return redirect("rectification:plan_detail", reference=plan.reference)


def _plan_form_view(
    request: HttpRequest,
    reference: str,
    form_class: Any,
    template_title: str,
    call: Callable[[Any, RectificationPlan, dict[str, Any]], Any],
    *,
    with_plan: bool = False,
) -> HttpResponse:
    plan = _plan_for_manager(request, reference)
    kwargs = {"plan": plan} if with_plan else {}
    initial = {k: v for k, v in request.GET.items() if k in form_class.base_fields}
    form = form_class(request.POST or None, initial=initial, **kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            call(request.user, plan, form.cleaned_data)
        except DomainError as error:
            if error.code == "forbidden":
                raise PermissionDenied(error.message) from error
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Saved."))
            return redirect("rectification:plan_detail", reference=plan.reference)
    return render(
        request,
        "rectification/plan_part_form.html",
        {"form": form, "plan": plan, "form_title": template_title},
    )


@require_http_methods(["GET", "POST"])
def goal_add(request: HttpRequest, reference: str) -> HttpResponse:
    return _plan_form_view(
        request,
        reference,
        GoalForm,
        _("Add a goal"),
        lambda actor, plan, d: services.goal_add(actor=actor, plan=plan, **d),
    )


@require_http_methods(["GET", "POST"])
def section_add(request: HttpRequest, reference: str) -> HttpResponse:
    return _plan_form_view(
        request,
        reference,
        SectionForm,
        _("Add a section"),
        lambda actor, plan, d: services.section_add(actor=actor, plan=plan, **d),
    )


@require_http_methods(["GET", "POST"])
def finding_add(request: HttpRequest, reference: str) -> HttpResponse:
    return _plan_form_view(
        request,
        reference,
        FindingForm,
        _("Add a finding"),
        lambda actor, plan, d: services.finding_add(actor=actor, **d),
        with_plan=True,
    )


@require_http_methods(["GET", "POST"])
def measure_add(request: HttpRequest, reference: str) -> HttpResponse:
    return _plan_form_view(
        request,
        reference,
        MeasureForm,
        _("Add a measure"),
        lambda actor, plan, d: services.measure_add(actor=actor, **d),
        with_plan=True,
    )


@require_http_methods(["GET", "POST"])
def measure_edit(request: HttpRequest, reference: str) -> HttpResponse:
    measure = selectors.measure_get(user=request.user, reference=reference)
    plan = measure.section.plan
    if not manages_plan(request.user, plan):
        raise PermissionDenied
    initial = {name: getattr(measure, name) for name in services.MEASURE_FIELDS}
    form = MeasureForm(request.POST or None, plan=plan, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.measure_update(
                actor=request.user,
                measure=Measure.objects.get(pk=measure.pk),
                **{k: form.cleaned_data[k] for k in form.changed_data},
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Saved."))
            return redirect("rectification:measure_detail", reference=measure.reference)
    return render(
        request,
        "rectification/plan_part_form.html",
        {"form": form, "plan": plan, "form_title": _("Edit the measure")},
    )


@require_http_methods(["GET", "POST"])
def suggestion_accept(request: HttpRequest, pk: int) -> HttpResponse:
    suggestion = selectors.suggestion_get(user=request.user, pk=pk)
    require_role(request.user, suggestion, Role.MANAGER)
    form = SuggestionAcceptForm(
        request.POST or None,
        initial={"statement": suggestion.statement, "evidence": suggestion.evidence},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.suggestion_accept(
                actor=request.user, suggestion=suggestion, **form.cleaned_data
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Finding added."))
            return redirect("rectification:plan_detail", reference=suggestion.plan.reference)
    return render(
        request,
        "rectification/suggestion_form.html",
        {"form": form, "suggestion": suggestion, "plan": suggestion.plan},
    )


@require_POST
def suggestion_discard(request: HttpRequest, pk: int) -> HttpResponse:
    suggestion = selectors.suggestion_get(user=request.user, pk=pk)
    require_role(request.user, suggestion, Role.MANAGER)
    try:
        services.suggestion_discard(actor=request.user, suggestion=suggestion)
    except DomainError as error:
        _fail(request, error)
    return redirect("rectification:plan_detail", reference=suggestion.plan.reference)


# --- Measures ---------------------------------------------------------------------------


@require_GET
def my_measures(request: HttpRequest) -> HttpResponse:
    measures = list(selectors.my_measures(user=request.user))
    today = timezone.localdate()
    return render(
        request,
        "rectification/my_measures.html",
        {
            "open": [m for m in measures if m.is_open],
            "finished": [m for m in measures if not m.is_open],
            "today": today,
        },
    )


@require_GET
def measure_detail(request: HttpRequest, reference: str) -> HttpResponse:
    user = request.user
    measure = selectors.measure_get(user=user, reference=reference)
    may_update = may_update_measure(user, measure)
    manager = manages_plan(user, measure.section.plan)
    today = timezone.localdate()
    return render(
        request,
        "rectification/measure_detail.html",
        {
            "measure": measure,
            "plan": measure.section.plan,
            "indicator_label": indicators.label(measure.indicator),
            "indicator_unit_label": indicators.unit_label(measure.indicator),
            "progress": measure.progress.select_related("author").order_by("-noted_on", "-id"),
            "evidence": measure.evidence.select_related("uploaded_by"),
            "checks": measure.effect_checks.select_related("checked_by"),
            "may_update": may_update,
            "is_manager": manager,
            "is_overdue": selectors.is_overdue(measure, today),
            "progress_form": ProgressForm(
                initial={"noted_on": today, "percent_done": measure.percent_done}
            ),
            "evidence_form": EvidenceForm(),
            "check_form": EffectCheckForm(),
            "close_form": CloseEffectiveForm(),
            "cancel_form": ReasonForm(),
            "MeasureStatus": MeasureStatus,
        },
    )


def _measure_for_update(request: HttpRequest, reference: str) -> Measure:
    measure = selectors.measure_get(user=request.user, reference=reference)
    if not may_update_measure(request.user, measure):
        raise PermissionDenied
    return measure


@require_POST
def measure_action(request: HttpRequest, reference: str, action: str) -> HttpResponse:
    measure = _measure_for_update(request, reference)
    user = request.user
    forms_by_action: dict[str, Any] = {
        "progress": ProgressForm,
        "evidence": EvidenceForm,
        "check": EffectCheckForm,
        "close": CloseEffectiveForm,
        "cancel": ReasonForm,
    }
    form_class = forms_by_action.get(action)
    if form_class is None:
        raise Http404
    form = form_class(request.POST, request.FILES)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}: {' '.join(errors)}" if label else " ".join(errors))
        return redirect("rectification:measure_detail", reference=measure.reference)
    data = form.cleaned_data
    try:
        if action == "progress":
            services.measure_progress_add(actor=user, measure=measure, **data)
        elif action == "evidence":
            services.measure_evidence_add(actor=user, measure=measure, upload=data["upload"])
        elif action == "check":
            check = services.measure_check_effect(
                actor=user, measure=measure, window_days=data.get("window_days")
            )
            messages.info(
                request,
                _("Effect check: %(verdict)s.") % {"verdict": check.get_verdict_display()},
            )
        elif action == "close":
            services.measure_close_effective(actor=user, measure=measure, reason=data["reason"])
        else:
            services.measure_cancel(actor=user, measure=measure, reason=data["reason"])
    except DomainError as error:
        _fail(request, error)
    else:
        if action != "check":
            messages.success(request, _("Saved."))
    return redirect("rectification:measure_detail", reference=measure.reference)


@require_GET
def evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    measures = selectors.measure_list(user=request.user).values("pk")
    try:
        evidence = MeasureEvidence.objects.filter(measure__in=measures).get(pk=pk)
    except MeasureEvidence.DoesNotExist:
        raise Http404 from None
    return FileResponse(evidence.file.open("rb"), as_attachment=True, filename=evidence.name)

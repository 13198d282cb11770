"""Reads: plans, measures, progress roll-ups, and the report data, all within the user's scope.

Every read starts from ``Model.objects.visible_to(user)``; a plan or measure outside the
user's scope is 404, exactly as if it did not exist.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.org.models import OrgUnit
from ventanilla.rectification import indicators
from ventanilla.rectification.models import (
    EffectCheck,
    Finding,
    Measure,
    MeasureProgress,
    MeasureStatus,
    PlanGoal,
    PlanSection,
    RectificationPlan,
    SuggestedFinding,
    SuggestionStatus,
    Verdict,
)


def _owned(user: Any) -> Q:
    """Owners of a measure see it (and its plan) even when the plan's unit is above their
    own: an outlet head owns measures of the sub-branch's plan."""
    return Q(owner__user=user) if getattr(user, "pk", None) else Q(pk__in=[])


def plan_list(*, user: Any) -> QuerySet[RectificationPlan]:
    owned = Measure.objects.filter(_owned(user)).values("section__plan_id")
    visible = RectificationPlan.objects.visible_to(user).values("pk")
    return RectificationPlan.objects.filter(Q(pk__in=visible) | Q(pk__in=owned)).select_related(
        "unit", "source_wave"
    )


def plan_get(*, user: Any, reference: str) -> RectificationPlan:
    try:
        return plan_list(user=user).get(reference=reference)
    except RectificationPlan.DoesNotExist:
        raise Http404 from None


def latest_plan_for_unit(*, user: Any, unit: OrgUnit) -> RectificationPlan:
    plan = plan_list(user=user).filter(unit=unit).order_by("-period_start", "-id").first()
    if plan is None:
        raise Http404
    return plan


def measure_list(*, user: Any) -> QuerySet[Measure]:
    visible = Measure.objects.visible_to(user).values("pk")
    return Measure.objects.filter(Q(pk__in=visible) | _owned(user)).select_related(
        "section__plan__unit", "owner", "owner_department", "finding", "indicator_unit"
    )


def measure_get(*, user: Any, reference: str) -> Measure:
    try:
        return measure_list(user=user).get(reference=reference)
    except Measure.DoesNotExist:
        raise Http404 from None


def my_measures(*, user: Any) -> QuerySet[Measure]:
    """The measures the user owns (through their employee record), open ones first."""
    return measure_list(user=user).filter(owner__user=user).order_by("status", "due_on")


def is_overdue(measure: Measure, today: date | None = None) -> bool:
    return measure.is_open and measure.due_on < (today or timezone.localdate())


def suggestion_list(*, user: Any, plan: RectificationPlan) -> QuerySet[SuggestedFinding]:
    return (
        SuggestedFinding.objects.visible_to(user)
        .filter(plan=plan, status=SuggestionStatus.PENDING)
        .select_related("segment")
    )


def suggestion_get(*, user: Any, pk: int) -> SuggestedFinding:
    try:
        return SuggestedFinding.objects.visible_to(user).select_related("plan__unit").get(pk=pk)
    except SuggestedFinding.DoesNotExist:
        raise Http404 from None


# --- Progress roll-ups -------------------------------------------------------------------


@dataclass
class Rollup:
    """Measures grouped by a key: counts by state and the mean percent done."""

    label: str
    total: int = 0
    done: int = 0
    overdue: int = 0
    percent_sum: int = 0

    def add(self, measure: Measure, today: date) -> None:
        if measure.status == MeasureStatus.CANCELLED:
            return
        self.total += 1
        if not measure.is_open:
            self.done += 1
        if is_overdue(measure, today):
            self.overdue += 1
        self.percent_sum += 100 if not measure.is_open else measure.percent_done

    @property
    def percent(self) -> float:
        return self.percent_sum / self.total if self.total else 0.0


@dataclass
class PlanProgress:
    overall: Rollup
    by_section: list[Rollup]
    by_department: list[Rollup]
    by_owner: list[Rollup]


def plan_progress(measures: list[Measure], sections: list[PlanSection]) -> PlanProgress:
    today = timezone.localdate()
    overall = Rollup(_("All measures"))
    section_rollups = {s.pk: Rollup(s.title) for s in sections}
    departments: dict[str, Rollup] = {}
    owners: dict[str, Rollup] = {}
    no_dept = _("No department")
    no_owner = _("No owner")
    for m in measures:
        overall.add(m, today)
        section_rollups.setdefault(m.section_id, Rollup(str(m.section_id))).add(m, today)
        dept = m.owner_department.display_name if m.owner_department else no_dept
        departments.setdefault(dept, Rollup(dept)).add(m, today)
        owner = m.owner.name if m.owner else no_owner
        owners.setdefault(owner, Rollup(owner)).add(m, today)
    return PlanProgress(
        overall,
        list(section_rollups.values()),
        sorted(departments.values(), key=lambda r: r.label),
        sorted(owners.values(), key=lambda r: (-r.overdue, r.label)),
    )


def progress_by_unit(*, user: Any) -> list[tuple[OrgUnit, Rollup]]:
    """Every visible plan's unit with the roll-up of its open plans' measures."""
    today = timezone.localdate()
    rollups: dict[int, tuple[OrgUnit, Rollup]] = {}
    for m in measure_list(user=user).exclude(section__plan__status="closed"):
        unit = m.section.plan.unit
        rollups.setdefault(unit.pk, (unit, Rollup(unit.display_name)))[1].add(m, today)
    return sorted(rollups.values(), key=lambda pair: pair[0].path)


# --- The plan as one structure (page and report) -----------------------------------------


def _goals() -> QuerySet[Any]:
    return PlanGoal.objects.select_related("segment")


def plan_structure(plan: RectificationPlan) -> RectificationPlan:
    """The plan with its goals, sections, findings, measures, progress and checks loaded
    in a fixed number of queries."""
    checks: QuerySet[Any] = EffectCheck.objects.order_by("-checked_at", "-id")
    progress: QuerySet[Any] = MeasureProgress.objects.order_by("noted_on", "id")
    measures: QuerySet[Any] = Measure.objects.select_related(
        "owner", "owner_department", "indicator_unit", "finding"
    ).prefetch_related(
        Prefetch("effect_checks", queryset=checks),
        Prefetch("progress", queryset=progress),
        "evidence",
    )
    sections: QuerySet[Any] = PlanSection.objects.select_related("segment").prefetch_related(
        Prefetch("findings", queryset=Finding.objects.order_by("position", "id")),
        Prefetch("measures", queryset=measures.order_by("position", "id")),
    )
    return (
        RectificationPlan.objects.select_related("unit", "source_wave", "approved_by", "created_by")
        .prefetch_related(
            Prefetch("sections", queryset=sections.order_by("position", "id")),
            Prefetch("goals", queryset=_goals()),
        )
        .get(pk=plan.pk)
    )


# --- Report data -------------------------------------------------------------------------


@dataclass
class ReportEffect:
    verdict: str  # improved / no_change / worse / no_data
    verdict_label: str
    indicator_label: str
    unit_label: str  # min, %, points...
    decimals: int
    before: float | None
    after: float | None
    before_n: int
    after_n: int
    change: float | None
    peer_before: float | None
    peer_after: float | None
    did: float | None
    peers: list[str]
    window_days: int
    checked_on: date


@dataclass
class ReportMeasure:
    reference: str
    title: str
    description: str
    owner: str
    department: str
    start_on: date
    due_on: date
    completed_on: date | None
    status: str
    status_label: str
    percent_done: int
    is_overdue: bool
    indicator_label: str
    effect: ReportEffect | None
    notes: list[tuple[date, str]] = field(default_factory=list)


@dataclass
class ReportFinding:
    statement: str
    evidence: str
    examples: list[str]
    measures: list[ReportMeasure]


@dataclass
class ReportSection:
    title: str
    kind: str
    findings: list[ReportFinding]
    other_measures: list[ReportMeasure]  # measures not tied to one finding

    @property
    def measures(self) -> list[ReportMeasure]:
        return [m for f in self.findings for m in f.measures] + self.other_measures


@dataclass
class ReportGoal:
    title: str
    indicator_label: str
    baseline: float | None
    target: float
    deadline: date
    higher_is_better: bool


@dataclass
class ReportRank:
    segment: str
    segment_code: str
    rank: int | None
    peers: int
    score: float | None
    target_rank: int | None
    gap: float | None


@dataclass
class RectificationReport:
    """Everything the rectification report shows, in the active language."""

    reference: str
    title: str
    unit: str
    addressee: str
    period_start: date
    period_end: date
    source_label: str
    wave: str
    status_label: str
    approved_by: str
    approved_on: date | None
    introduction: str
    commitment: str
    ranks: list[ReportRank]
    goals: list[ReportGoal]
    sections: list[ReportSection]
    totals: Rollup
    generated_on: date
    verdicts: dict[str, int]

    @property
    def measures(self) -> list[ReportMeasure]:
        return [m for s in self.sections for m in s.measures]


def _effect(check: EffectCheck) -> ReportEffect:
    ind, _segment = indicators.parse(check.indicator)
    return ReportEffect(
        verdict=check.verdict,
        verdict_label=str(Verdict(check.verdict).label),
        indicator_label=indicators.label(check.indicator),
        unit_label=str(ind.unit_label),
        decimals=ind.decimals,
        before=check.before_value,
        after=check.after_value,
        before_n=check.before_n,
        after_n=check.after_n,
        change=check.change,
        peer_before=check.peer_before,
        peer_after=check.peer_after,
        did=check.did,
        peers=list(check.peer_units),
        window_days=(check.split_on - check.before_start).days,
        checked_on=timezone.localtime(check.checked_at).date(),
    )


def _measure(m: Measure, today: date) -> ReportMeasure:
    checks = list(m.effect_checks.all())
    return ReportMeasure(
        reference=m.reference,
        title=m.title,
        description=m.description,
        owner=m.owner.name if m.owner else "",
        department=m.owner_department.display_name if m.owner_department else "",
        start_on=m.start_on,
        due_on=m.due_on,
        completed_on=m.completed_on,
        status=m.status,
        status_label=str(MeasureStatus(m.status).label),
        percent_done=100
        if not m.is_open and m.status != MeasureStatus.CANCELLED
        else m.percent_done,
        is_overdue=is_overdue(m, today),
        indicator_label=indicators.label(m.indicator),
        effect=_effect(checks[0]) if checks else None,
        notes=[(p.noted_on, p.note) for p in m.progress.all()],
    )


def plan_ranks(user: Any, plan: RectificationPlan) -> list[ReportRank]:
    """The plan unit's rank per segment in its source wave, as the user may see it."""
    if plan.source_wave is None:
        return []
    from ventanilla.surveys import selectors as survey_selectors

    wave = plan.source_wave
    parent = None
    if plan.unit.depth > 1:
        parent = OrgUnit.objects.filter(path=plan.unit.parent_path).first()
    try:
        report = survey_selectors.wave_ranking(user=user, wave=wave, parent=parent)
    except Http404:
        return []
    out = []
    for seg in report.segments:
        own = next((line for line in seg.lines if line.unit and line.unit.pk == plan.unit.pk), None)
        out.append(
            ReportRank(
                segment=seg.segment.display_name,
                segment_code=seg.segment.code,
                rank=own.rank if own else None,
                peers=len(seg.lines),
                score=own.shrunk if own else None,
                target_rank=own.target if own else None,
                gap=own.gap if own else None,
            )
        )
    return out


def rectification_report(*, user: Any, plan: RectificationPlan) -> RectificationReport:
    """The report's data, read in the active language; ``plan`` must come from the user's
    scope (``plan_get``)."""
    full = plan_structure(plan)
    today = timezone.localdate()
    sections = []
    totals = Rollup(_("All measures"))
    verdicts: dict[str, int] = defaultdict(int)
    for s in full.sections.all():
        measures = list(s.measures.all())
        for m in measures:
            totals.add(m, today)
        by_finding: dict[int | None, list[ReportMeasure]] = defaultdict(list)
        for m in measures:
            rm = _measure(m, today)
            if rm.effect:
                verdicts[rm.effect.verdict] += 1
            by_finding[m.finding_id].append(rm)
        findings = [
            ReportFinding(f.statement, f.evidence, list(f.examples), by_finding.pop(f.pk, []))
            for f in s.findings.all()
        ]
        rest = [rm for ms in by_finding.values() for rm in ms]
        sections.append(ReportSection(s.title, s.kind, findings, rest))
    goals = []
    for g in full.goals.all():
        ind, _segment = indicators.parse(g.indicator)
        goals.append(
            ReportGoal(
                title=g.title,
                indicator_label=indicators.label(g.indicator),
                baseline=g.baseline,
                target=g.target,
                deadline=g.deadline,
                higher_is_better=g.direction != "down",
            )
        )
    return RectificationReport(
        reference=full.reference,
        title=full.title,
        unit=full.unit.display_name,
        addressee=full.addressee,
        period_start=full.period_start,
        period_end=full.period_end,
        source_label=str(full.get_source_display()),
        wave=str(full.source_wave.name) if full.source_wave else "",
        status_label=str(full.get_status_display()),
        approved_by=(full.approved_by.get_full_name() or full.approved_by.username)
        if full.approved_by
        else "",
        approved_on=timezone.localtime(full.approved_at).date() if full.approved_at else None,
        introduction=full.introduction,
        commitment=full.commitment,
        ranks=plan_ranks(user, full),
        goals=goals,
        sections=sections,
        totals=totals,
        generated_on=today,
        verdicts=dict(verdicts),
    )

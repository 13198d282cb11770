"""Every change to a rectification plan: one function each, atomic, with its actor."""

from __future__ import annotations

import mimetypes
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.core.errors import DomainError
from ventanilla.core.scoping import Role
from ventanilla.org.models import Employee, OrgUnit, OrgUnitKind
from ventanilla.rectification import indicators
from ventanilla.rectification.dates import quarter_bounds
from ventanilla.rectification.effect import effect
from ventanilla.rectification.models import (
    OPEN_MEASURE_STATUSES,
    Direction,
    EffectCheck,
    Finding,
    FindingOrigin,
    Measure,
    MeasureEvidence,
    MeasureProgress,
    MeasureStatus,
    PlanCounter,
    PlanGoal,
    PlanSection,
    PlanSource,
    PlanStatus,
    RectificationPlan,
    SectionKind,
    SuggestedFinding,
    SuggestionStatus,
    Verdict,
)
from ventanilla.rectification.permissions import manages_plan, may_update_measure

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
EVIDENCE_TYPES = {
    "application/pdf",
    "image/jpeg",
    "image/png",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/msword",
    "application/vnd.ms-excel",
    "text/plain",
}
# Windows compared by an effect check: a quarter for survey figures (evaluations are
# quarterly), a month for the counters and complaints.
DEFAULT_WINDOW_DAYS = {"survey_overall": 90, "survey_satisfied": 90}
DEFAULT_WINDOW = 30


def _today() -> date:
    return timezone.localdate()


def _require_manager(actor: Any, plan: RectificationPlan) -> None:
    if not manages_plan(actor, plan):
        raise DomainError(
            _("Only a manager of %(unit)s may change this plan.")
            % {"unit": plan.unit.display_name},
            code="forbidden",
        )


def _require_editable(plan: RectificationPlan) -> None:
    if not plan.is_editable:
        raise DomainError(
            _("Plan %(ref)s is closed and can no longer be changed.") % {"ref": plan.reference},
            code="bad_status",
        )


def _require_text(value: str, label: str) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(_("%(field)s is required.") % {"field": label}, code="required")
    return value


def _next_number(year: int, field: str) -> int:
    try:
        with transaction.atomic():
            PlanCounter.objects.get_or_create(year=year)
    except IntegrityError:
        pass  # created meanwhile by another transaction
    PlanCounter.objects.select_for_update().filter(year=year).update(**{field: F(field) + 1})
    return int(PlanCounter.objects.values_list(field, flat=True).get(year=year))


def _check_indicator(code: str) -> str:
    code = (code or "").strip()
    if code:
        indicators.parse(code)
    return code


# --- Plans ------------------------------------------------------------------------------


@transaction.atomic
def plan_create(
    *,
    actor: Any,
    unit: OrgUnit,
    title: str,
    period_start: date,
    period_end: date,
    source: str = PlanSource.SURVEY,
    source_wave: Any = None,
    addressee: str = "",
    introduction: str = "",
    commitment: str = "",
    with_goals: bool = False,
) -> RectificationPlan:
    if not (title or "").strip() and source_wave is not None:
        title = _("%(unit)s customer satisfaction rectification plan") % {"unit": unit.display_name}
    title = _require_text(title, _("Title"))
    if period_end < period_start:
        raise DomainError(_("The period must end on or after its start."), code="invalid")
    if source not in PlanSource.values:
        raise DomainError(_("Unknown source %(s)s.") % {"s": source})
    plan = RectificationPlan(
        unit=unit,
        title=title,
        period_start=period_start,
        period_end=period_end,
        source=source,
        source_wave=source_wave,
        addressee=addressee.strip(),
        introduction=introduction.strip(),
        commitment=commitment.strip(),
        created_by=actor,
    )
    _require_manager(actor, plan)
    year = period_start.year
    plan.reference = f"RP-{year}-{_next_number(year, 'last_plan'):04d}"
    ranks = []
    if source_wave is not None:
        from ventanilla.rectification.selectors import plan_ranks

        ranks = plan_ranks(actor, plan)  # the ranking reads the whole wave: once
        _fill_from_wave(plan, ranks)
    plan.save()
    if source_wave is not None and with_goals:
        _goals_from_wave(actor, plan, ranks)
    return plan


def _fill_from_wave(plan: RectificationPlan, ranks: list[Any]) -> None:
    """What a plan answering a wave says when nobody has written it yet: the addressee (the
    unit that evaluated), an opening with the ranks the wave gave, and the commitment."""
    wave = plan.source_wave
    if wave is None:
        return
    if not plan.addressee:
        plan.addressee = _("%(unit)s:") % {"unit": wave.unit.display_name}
    if not plan.introduction:
        ranked = [
            _("%(rank)d of %(peers)d among %(segment)s customers")
            % {"rank": r.rank, "peers": r.peers, "segment": r.segment}
            for r in ranks
            if r.rank is not None
        ]
        lines = []
        if ranked:
            lines.append(
                _("According to the results of %(wave)s, %(unit)s ranked %(ranks)s.")
                % {"wave": wave.name, "unit": plan.unit.display_name, "ranks": _("; ").join(ranked)}
            )
        lines.append(
            _(
                "To raise customer satisfaction and reach the goals below, we have drawn up this "
                "rectification plan from the evaluation, the customers' comments and the "
                "complaints."
            )
        )
        plan.introduction = " ".join(lines)
    if not plan.commitment:
        plan.commitment = _(
            "We will follow every measure monthly and review the plan every quarter, so that "
            "each is carried out on time, and we will report our progress to the superior "
            "branch."
        )


def _goals_from_wave(actor: Any, plan: RectificationPlan, ranks: list[Any]) -> None:
    """A goal per segment where the unit is below its target rank: reach the score of the
    unit now at that place (the gap of the ranking, on the 0-100 scale of the indicator)."""
    from ventanilla.surveys.models import Segment

    wave = plan.source_wave
    if wave is None:
        return
    low, high = wave.bounds
    start, end = quarter_bounds(wave.year, wave.quarter)
    for r in ranks:
        if r.rank is None or r.target_rank is None or r.gap is None or r.rank <= r.target_rank:
            continue
        code = f"survey_overall.{r.segment_code}"
        baseline = indicators.observe(code, plan.unit, start, end).value
        if baseline is None:
            continue
        goal_add(
            actor=actor,
            plan=plan,
            title=_("Enter the top %(n)d for %(segment)s customers")
            % {"n": r.target_rank, "segment": r.segment},
            indicator=code,
            baseline=round(baseline, 1),
            target=round(min(baseline + r.gap / (high - low) * 100, 100.0), 1),
            deadline=plan.period_end,
            segment=Segment.objects.filter(code=r.segment_code).first(),
        )


@transaction.atomic
def plan_update(*, actor: Any, plan: RectificationPlan, **fields: Any) -> RectificationPlan:
    _require_manager(actor, plan)
    _require_editable(plan)
    allowed = {"title", "period_start", "period_end", "addressee", "introduction", "commitment"}
    unknown = set(fields) - allowed
    if unknown:
        raise DomainError(_("These fields cannot be changed: %(f)s") % {"f": ", ".join(unknown)})
    for name, value in fields.items():
        setattr(plan, name, value.strip() if isinstance(value, str) else value)
    _require_text(plan.title, _("Title"))
    if plan.period_end < plan.period_start:
        raise DomainError(_("The period must end on or after its start."), code="invalid")
    plan.save()
    return plan


@transaction.atomic
def plan_submit(*, actor: Any, plan: RectificationPlan) -> RectificationPlan:
    _require_manager(actor, plan)
    if plan.status != PlanStatus.DRAFT:
        raise DomainError(_("Only a draft plan can be submitted."), code="bad_status")
    if not plan.goals.exists() or not Measure.objects.filter(section__plan=plan).exists():
        raise DomainError(
            _("A plan needs at least one goal and one measure before it is submitted."),
            code="incomplete",
        )
    plan.status = PlanStatus.SUBMITTED
    plan.save(update_fields=["status"])
    return plan


@transaction.atomic
def plan_approve(*, actor: Any, plan: RectificationPlan) -> RectificationPlan:
    _require_manager(actor, plan)
    if plan.status != PlanStatus.SUBMITTED:
        raise DomainError(_("Only a submitted plan can be approved."), code="bad_status")
    plan.status = PlanStatus.APPROVED
    plan.approved_by = actor
    plan.approved_at = timezone.now()
    plan.save(update_fields=["status", "approved_by", "approved_at"])
    return plan


@transaction.atomic
def plan_close(*, actor: Any, plan: RectificationPlan) -> RectificationPlan:
    _require_manager(actor, plan)
    if plan.status != PlanStatus.APPROVED:
        raise DomainError(_("Only an approved plan can be closed."), code="bad_status")
    still_open = Measure.objects.filter(section__plan=plan, status__in=OPEN_MEASURE_STATUSES)
    if still_open.exists():
        raise DomainError(
            _("%(n)d measures are still open: finish or cancel them first.")
            % {"n": still_open.count()},
            code="incomplete",
        )
    plan.status = PlanStatus.CLOSED
    plan.save(update_fields=["status"])
    return plan


# --- Goals, sections, findings ----------------------------------------------------------


@transaction.atomic
def goal_add(
    *,
    actor: Any,
    plan: RectificationPlan,
    title: str,
    indicator: str,
    target: float,
    deadline: date,
    baseline: float | None = None,
    direction: str = "",
    segment: Any = None,
) -> PlanGoal:
    _require_manager(actor, plan)
    _require_editable(plan)
    code = _check_indicator(indicator)
    if not code:
        raise DomainError(_("A goal needs an indicator the system computes."), code="required")
    ind, _segment = indicators.parse(code)
    if not direction:
        direction = Direction.UP if ind.higher_is_better else Direction.DOWN
    return PlanGoal.objects.create(
        plan=plan,
        title=_require_text(title, _("Goal")),
        indicator=code,
        target=target,
        deadline=deadline,
        baseline=baseline,
        direction=direction,
        segment=segment,
        position=plan.goals.count(),
    )


@transaction.atomic
def section_add(
    *, actor: Any, plan: RectificationPlan, kind: str, title: str, segment: Any = None
) -> PlanSection:
    _require_manager(actor, plan)
    _require_editable(plan)
    if kind not in SectionKind.values:
        raise DomainError(_("Unknown section kind %(k)s.") % {"k": kind})
    return PlanSection.objects.create(
        plan=plan,
        kind=kind,
        title=_require_text(title, _("Title")),
        segment=segment,
        position=plan.sections.count(),
    )


@transaction.atomic
def finding_add(
    *,
    actor: Any,
    section: PlanSection,
    statement: str,
    evidence: str = "",
    examples: list[str] | None = None,
    origin: str = FindingOrigin.MANUAL,
) -> Finding:
    _require_manager(actor, section.plan)
    _require_editable(section.plan)
    return Finding.objects.create(
        section=section,
        statement=_require_text(statement, _("Problem")),
        evidence=evidence.strip(),
        examples=list(examples or []),
        origin=origin,
        position=section.findings.count(),
    )


# --- Measures ---------------------------------------------------------------------------


def _check_owner(plan: RectificationPlan, owner: Employee | None, dept: OrgUnit | None) -> None:
    if owner is not None and not owner.unit.path.startswith(plan.unit.path):
        raise DomainError(
            _("%(name)s does not work in %(unit)s.")
            % {"name": owner.name, "unit": plan.unit.display_name},
            code="invalid",
        )
    if dept is not None and not dept.path.startswith(plan.unit.path):
        raise DomainError(
            _("%(dept)s is not part of %(unit)s.")
            % {"dept": dept.display_name, "unit": plan.unit.display_name},
            code="invalid",
        )


@transaction.atomic
def measure_add(
    *,
    actor: Any,
    section: PlanSection,
    title: str,
    start_on: date,
    due_on: date,
    owner: Employee | None = None,
    owner_department: OrgUnit | None = None,
    finding: Finding | None = None,
    description: str = "",
    indicator: str = "",
    indicator_unit: OrgUnit | None = None,
    expected_direction: str = "",
) -> Measure:
    plan = section.plan
    _require_manager(actor, plan)
    _require_editable(plan)
    if due_on < start_on:
        raise DomainError(_("The due date must be on or after the start."), code="invalid")
    if finding is not None and finding.section_id != section.pk:
        raise DomainError(_("The finding belongs to another section."), code="invalid")
    _check_owner(plan, owner, owner_department)
    code = _check_indicator(indicator)
    if code and not expected_direction:
        ind, _segment = indicators.parse(code)
        expected_direction = Direction.UP if ind.higher_is_better else Direction.DOWN
    if indicator_unit is not None and not indicator_unit.path.startswith(plan.unit.path):
        raise DomainError(
            _("The unit measured must be %(unit)s or one of its units.")
            % {"unit": plan.unit.display_name},
            code="invalid",
        )
    measure = Measure(
        section=section,
        finding=finding,
        title=_require_text(title, _("Measure")),
        description=description.strip(),
        owner=owner,
        owner_department=owner_department,
        start_on=start_on,
        due_on=due_on,
        indicator=code,
        indicator_unit=indicator_unit or (plan.unit if code else None),
        expected_direction=expected_direction if code else "",
        position=section.measures.count(),
    )
    year = plan.period_start.year
    measure.reference = f"{plan.reference}-M{_next_number(year, 'last_measure'):03d}"
    measure.save()
    return measure


MEASURE_FIELDS = {
    "title",
    "description",
    "owner",
    "owner_department",
    "start_on",
    "due_on",
    "finding",
    "section",
    "indicator",
    "indicator_unit",
    "expected_direction",
}


@transaction.atomic
def measure_update(*, actor: Any, measure: Measure, **fields: Any) -> Measure:
    """A manager changes what a measure is, who owns it or when it is due; the audit trail
    keeps the previous values (a moved due date also restarts its reminders)."""
    plan = measure.section.plan
    _require_manager(actor, plan)
    _require_editable(plan)
    _require_open(measure)
    unknown = set(fields) - MEASURE_FIELDS
    if unknown:
        raise DomainError(_("These fields cannot be changed: %(f)s") % {"f": ", ".join(unknown)})
    for name, value in fields.items():
        setattr(measure, name, value.strip() if isinstance(value, str) else value)
    _require_text(measure.title, _("Measure"))
    if measure.due_on < measure.start_on:
        raise DomainError(_("The due date must be on or after the start."), code="invalid")
    if measure.section.plan_id != plan.pk:
        raise DomainError(_("The section belongs to another plan."), code="invalid")
    if measure.finding is not None and measure.finding.section_id != measure.section_id:
        raise DomainError(_("The finding belongs to another section."), code="invalid")
    _check_owner(plan, measure.owner, measure.owner_department)
    measure.indicator = _check_indicator(measure.indicator)
    if measure.indicator:
        ind, _segment = indicators.parse(measure.indicator)
        if not measure.expected_direction:
            measure.expected_direction = Direction.UP if ind.higher_is_better else Direction.DOWN
        if measure.indicator_unit is None:
            measure.indicator_unit = plan.unit
        elif not measure.indicator_unit.path.startswith(plan.unit.path):
            raise DomainError(
                _("The unit measured must be %(unit)s or one of its units.")
                % {"unit": plan.unit.display_name},
                code="invalid",
            )
    else:
        measure.indicator_unit = None
        measure.expected_direction = ""
    measure.save()
    return measure


def _require_updater(actor: Any, measure: Measure) -> None:
    if not may_update_measure(actor, measure):
        raise DomainError(
            _("Only the owner of %(ref)s or a manager of the plan's unit may update it.")
            % {"ref": measure.reference},
            code="forbidden",
        )


def _require_open(measure: Measure) -> None:
    if not measure.is_open:
        raise DomainError(
            _("Measure %(ref)s is %(status)s and can no longer be updated.")
            % {"ref": measure.reference, "status": measure.get_status_display().lower()},
            code="bad_status",
        )


@transaction.atomic
def measure_progress_add(
    *, actor: Any, measure: Measure, note: str, percent_done: int, noted_on: date | None = None
) -> MeasureProgress:
    """A dated note; 100% completes the measure on that date."""
    _require_updater(actor, measure)
    _require_open(measure)
    if not 0 <= percent_done <= 100:
        raise DomainError(_("Percent done must lie between 0 and 100."), code="invalid")
    noted_on = noted_on or _today()
    if noted_on > _today():
        raise DomainError(_("A progress note cannot be dated in the future."), code="invalid")
    if noted_on < measure.start_on - timedelta(days=365):
        raise DomainError(_("That date is long before the measure started."), code="invalid")
    entry = MeasureProgress.objects.create(
        measure=measure,
        noted_on=noted_on,
        note=_require_text(note, _("Note")),
        percent_done=percent_done,
        author=actor,
    )
    measure.percent_done = percent_done
    if percent_done >= 100:
        measure.status = MeasureStatus.DONE
        measure.completed_on = noted_on
    elif percent_done > 0:
        measure.status = MeasureStatus.IN_PROGRESS
    measure.save(update_fields=["percent_done", "status", "completed_on"])
    return entry


@transaction.atomic
def measure_cancel(*, actor: Any, measure: Measure, reason: str) -> Measure:
    _require_manager(actor, measure.section.plan)
    _require_open(measure)
    measure.status = MeasureStatus.CANCELLED
    measure.closing_reason = _require_text(reason, _("Reason"))
    measure.closed_by = actor
    measure.save(update_fields=["status", "closing_reason", "closed_by"])
    return measure


@transaction.atomic
def measure_evidence_add(*, actor: Any, measure: Measure, upload: UploadedFile) -> MeasureEvidence:
    _require_updater(actor, measure)
    name = (upload.name or "").rsplit("/", 1)[-1]
    if not name:
        raise DomainError(_("The file has no name."), code="invalid")
    size = upload.size or 0
    if size == 0:
        raise DomainError(_("%(name)s is empty.") % {"name": name}, code="invalid")
    if size > MAX_EVIDENCE_BYTES:
        raise DomainError(
            _("%(name)s is %(mb).1f MB; the limit is %(limit)d MB.")
            % {"name": name, "mb": size / 1024 / 1024, "limit": MAX_EVIDENCE_BYTES // 1024 // 1024},
            code="too_large",
        )
    kind = mimetypes.guess_type(name)[0]
    if kind not in EVIDENCE_TYPES:
        raise DomainError(
            _("%(name)s: only PDF, images, Word, Excel and text files are accepted.")
            % {"name": name},
            code="bad_type",
        )
    return MeasureEvidence.objects.create(
        measure=measure, file=upload, name=name[:200], size=size, uploaded_by=actor
    )


# --- Effect check and closing -------------------------------------------------------------


def peer_units(unit: OrgUnit) -> list[OrgUnit]:
    """Units of the same kind under the same parent: the comparison group."""
    parent_path = unit.path[: -OrgUnit.steplen] if unit.depth > 1 else None
    if parent_path is None:
        return []
    kinds = [unit.kind]
    if unit.kind in (OrgUnitKind.OUTLET, OrgUnitKind.SUB_BRANCH):
        kinds = [OrgUnitKind.OUTLET, OrgUnitKind.SUB_BRANCH]
    return list(
        OrgUnit.objects.filter(
            path__startswith=parent_path, depth=unit.depth, kind__in=kinds, is_active=True
        )
        .exclude(pk=unit.pk)
        .order_by("path")
    )


def treated_units(measure: Measure) -> set[int]:
    """Units that ran a measure on the same indicator in an open or finished plan: these
    cannot serve as peers, since they were treated too."""
    return set(
        Measure.objects.filter(indicator=measure.indicator, indicator_unit__isnull=False)
        .exclude(status=MeasureStatus.CANCELLED)
        .values_list("indicator_unit_id", flat=True)
    )


@transaction.atomic
def measure_check_effect(
    *, actor: Any, measure: Measure, window_days: int | None = None, today: date | None = None
) -> EffectCheck:
    """Compare the indicator over equal windows before and after completion, against peers
    that did not run the measure; keep every number behind the verdict."""
    _require_updater(actor, measure)
    if not measure.indicator or measure.indicator_unit is None:
        raise DomainError(
            _("Measure %(ref)s has no indicator to check.") % {"ref": measure.reference},
            code="no_indicator",
        )
    if measure.completed_on is None:
        raise DomainError(
            _("Measure %(ref)s is not completed yet: its effect can be checked once it is done.")
            % {"ref": measure.reference},
            code="bad_status",
        )
    ind, _segment = indicators.parse(measure.indicator)
    days = window_days or DEFAULT_WINDOW_DAYS.get(ind.code, DEFAULT_WINDOW)
    if days < 7:
        raise DomainError(_("The window must be at least 7 days."), code="invalid")
    split = measure.completed_on
    b_start, b_end = indicators.window_before(split, days)
    a_start, a_end = indicators.window_after(split, days)
    today = today or _today()
    if a_end > today:
        raise DomainError(
            _("The %(days)d days after completion run until %(end)s; check the effect then.")
            % {"days": days, "end": a_end.isoformat()},
            code="too_early",
        )
    unit = measure.indicator_unit
    before = indicators.observe(measure.indicator, unit, b_start, b_end)
    after = indicators.observe(measure.indicator, unit, a_start, a_end)
    treated = treated_units(measure)
    peers = [p for p in peer_units(unit) if p.pk not in treated]
    peer_obs = [
        (
            p,
            indicators.observe(measure.indicator, p, b_start, b_end),
            indicators.observe(measure.indicator, p, a_start, a_end),
        )
        for p in peers
    ]
    used = [(p, b, a) for p, b, a in peer_obs if not b.is_empty and not a.is_empty]
    result = effect(
        before,
        after,
        higher_is_better=measure.expected_direction != Direction.DOWN,
        peers=[(b, a) for _p, b, a in used],
    )
    return EffectCheck.objects.create(
        measure=measure,
        indicator=measure.indicator,
        before_start=b_start,
        split_on=split,
        after_end=a_end,
        before_value=before.value,
        after_value=after.value,
        before_n=before.n,
        after_n=after.n,
        peer_before=result.peer_before,
        peer_after=result.peer_after,
        peer_units=[p.code for p, _b, _a in used],
        change=result.change,
        did=result.did,
        standard_error=result.se,
        verdict=result.verdict,
        checked_by=actor,
    )


@transaction.atomic
def measure_close_effective(*, actor: Any, measure: Measure, reason: str = "") -> Measure:
    """Close a done measure as effective: after an "improved" effect check, or with a
    manager's written reason."""
    if measure.status != MeasureStatus.DONE:
        raise DomainError(
            _("Measure %(ref)s must be done before it is closed as effective.")
            % {"ref": measure.reference},
            code="bad_status",
        )
    latest = measure.effect_checks.order_by("-checked_at", "-id").first()
    improved = latest is not None and latest.verdict == Verdict.IMPROVED
    reason = (reason or "").strip()
    if not improved:
        if not manages_plan(actor, measure.section.plan):
            raise DomainError(
                _(
                    "Without an effect check showing improvement, only a manager may close "
                    "%(ref)s as effective, with a written reason."
                )
                % {"ref": measure.reference},
                code="forbidden",
            )
        if not reason:
            raise DomainError(
                _(
                    "No effect check shows an improvement: write the reason for closing "
                    "%(ref)s as effective."
                )
                % {"ref": measure.reference},
                code="reason_required",
            )
    else:
        _require_updater(actor, measure)
    measure.status = MeasureStatus.EFFECTIVE
    measure.closing_reason = reason
    measure.closed_by = actor
    measure.save(update_fields=["status", "closing_reason", "closed_by"])
    return measure


# --- Suggested findings -----------------------------------------------------------------


@transaction.atomic
def suggestion_accept(
    *, actor: Any, suggestion: SuggestedFinding, statement: str = "", evidence: str | None = None
) -> Finding:
    """Turn a suggestion into a finding, as suggested or as edited."""
    if suggestion.status != SuggestionStatus.PENDING:
        raise DomainError(_("This suggestion has already been handled."), code="bad_status")
    _require_manager(actor, suggestion.plan)
    finding = finding_add(
        actor=actor,
        section=section_for_segment(suggestion.plan, suggestion.segment),
        statement=statement.strip() or suggestion.statement,
        evidence=suggestion.evidence if evidence is None else evidence,
        examples=suggestion.examples,
        origin=FindingOrigin.SUGGESTED,
    )
    suggestion.status = SuggestionStatus.ACCEPTED
    suggestion.finding = finding
    suggestion.save(update_fields=["status", "finding"])
    return finding


@transaction.atomic
def suggestions_accept_all(*, actor: Any, plan: RectificationPlan) -> list[Finding]:
    """Accept every pending suggestion of the plan as written, in their order."""
    _require_manager(actor, plan)
    pending = plan.suggestions.filter(status=SuggestionStatus.PENDING).order_by("position", "id")
    return [suggestion_accept(actor=actor, suggestion=s) for s in pending]


@transaction.atomic
def suggestion_discard(*, actor: Any, suggestion: SuggestedFinding) -> SuggestedFinding:
    _require_manager(actor, suggestion.plan)
    if suggestion.status != SuggestionStatus.PENDING:
        raise DomainError(_("This suggestion has already been handled."), code="bad_status")
    suggestion.status = SuggestionStatus.DISCARDED
    suggestion.save(update_fields=["status"])
    return suggestion


def section_for_segment(plan: RectificationPlan, segment: Any) -> PlanSection:
    """The plan's section for a segment (or, with none, the service-mechanism section),
    made with a default title when the plan has none yet."""
    if segment is None:
        section = plan.sections.filter(kind=SectionKind.SERVICE_MECHANISM).first()
        if section is None:
            section = PlanSection.objects.create(
                plan=plan,
                kind=SectionKind.SERVICE_MECHANISM,
                title=_("Service mechanism"),
                position=plan.sections.count(),
            )
        return section
    section = plan.sections.filter(kind=SectionKind.SEGMENT, segment=segment).first()
    if section is None:
        section = PlanSection.objects.create(
            plan=plan,
            kind=SectionKind.SEGMENT,
            segment=segment,
            title=_("%(segment)s customers") % {"segment": segment.display_name},
            position=plan.sections.count(),
        )
    return section


@transaction.atomic
def plan_suggest_findings(*, actor: Any, plan: RectificationPlan) -> list[SuggestedFinding]:
    """Propose findings from the plan's source wave; running it again adds only what is
    new and never revives a suggestion already accepted or discarded."""
    from ventanilla.rectification.suggestions import suggest

    _require_manager(actor, plan)
    _require_editable(plan)
    if plan.source_wave is None:
        raise DomainError(
            _("Plan %(ref)s has no evaluation wave to suggest findings from.")
            % {"ref": plan.reference},
            code="no_wave",
        )
    from ventanilla.surveys.models import Segment

    segments = {seg.code: seg for seg in Segment.objects.all()}
    created = []
    for position, s in enumerate(suggest(plan.source_wave, plan.unit)):
        row, is_new = SuggestedFinding.objects.get_or_create(
            plan=plan,
            segment=segments.get(s.segment_code or ""),
            kind=s.kind,
            key=s.key,
            defaults={
                "statement": s.statement,
                "evidence": s.evidence,
                "examples": s.examples,
                "position": position,
            },
        )
        if is_new:
            created.append(row)
    return created


# --- Reminders ----------------------------------------------------------------------------

DUE_SOON_DAYS = 7
ESCALATE_AFTER_DAYS = 7


def _reminder_recipients(
    measure: Measure, kind: str, heads: dict[int, Employee | None] | None = None
) -> list[str]:
    """The owner, and for an escalation the head of the plan's unit too (by e-mail)."""
    from ventanilla.rectification.models import ReminderKind

    emails = []
    if measure.owner is not None and measure.owner.email:
        emails.append(measure.owner.email)
    if kind == ReminderKind.ESCALATED:
        unit = measure.section.plan.unit
        heads = {} if heads is None else heads
        if unit.pk not in heads:  # one lookup per unit for the whole run
            heads[unit.pk] = (
                Employee.objects.filter(
                    unit=unit, is_active=True, post__default_role__gte=Role.MANAGER
                )
                .exclude(email="")
                .order_by("-post__default_role", "staff_number")
                .first()
            )
        head = heads[unit.pk]
        if head is not None and head.email not in emails:
            emails.append(head.email)
    return emails


def _mailer(subject: str, body: str, recipients: list[str]) -> Callable[[], None]:
    def send() -> None:
        from django.core.mail import send_mail

        send_mail(subject, body, None, recipients, fail_silently=False)

    return send


def measure_reminders_run(*, today: date | None = None) -> int:
    """Remind owners of measures due within a week and overdue, and escalate measures a
    week overdue to the head of the plan's unit: each at most once per measure, kind and
    due date (a moved due date starts over). Returns how many reminders were sent."""
    from ventanilla.rectification.models import MeasureReminder, ReminderKind

    today = today or _today()
    open_measures = Measure.objects.filter(status__in=OPEN_MEASURE_STATUSES).select_related(
        "owner", "section__plan__unit"
    )
    sent = 0
    heads: dict[int, Employee | None] = {}
    for measure in open_measures.filter(due_on__lte=today + timedelta(days=DUE_SOON_DAYS)):
        if measure.due_on < today - timedelta(days=ESCALATE_AFTER_DAYS):
            kind = ReminderKind.ESCALATED
        elif measure.due_on < today:
            kind = ReminderKind.OVERDUE
        else:
            kind = ReminderKind.DUE_SOON
        recipients = _reminder_recipients(measure, kind, heads)
        with transaction.atomic():
            try:
                with transaction.atomic():
                    MeasureReminder.objects.create(
                        measure=measure, kind=kind, due_on=measure.due_on, recipients=recipients
                    )
            except IntegrityError:
                continue  # sent before: once per level
            subject = _("[Rectification] %(kind)s: %(ref)s %(title)s") % {
                "kind": ReminderKind(kind).label,
                "ref": measure.reference,
                "title": measure.title,
            }
            body = _(
                "Measure %(ref)s of plan %(plan)s (%(unit)s) is due on %(due)s and is "
                "%(percent)d%% done.\n\n%(title)s"
            ) % {
                "ref": measure.reference,
                "plan": measure.section.plan.reference,
                "unit": measure.section.plan.unit.display_name,
                "due": measure.due_on.isoformat(),
                "percent": measure.percent_done,
                "title": measure.title,
            }
            if recipients:
                transaction.on_commit(_mailer(subject, body, recipients))
            sent += 1
    return sent

"""Reads: generated reports in the user's scope, and the data of the quarterly pack.

The quarterly service-quality pack (the leadership group's quarterly meeting) gathers, for
one unit and one calendar quarter, what the other apps already compute, each read through
their own scoped selectors: satisfaction and ranks (surveys), complaint figures
(complaints), teller errors (counters) and the rectification measures due in the quarter
with their effect checks (rectification).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.core.errors import DomainError
from ventanilla.core.scoping import own_or_subtree_q
from ventanilla.org.models import OrgUnit, OrgUnitKind
from ventanilla.reports.models import GeneratedReport, ReportKind

QUARTER_RE = re.compile(r"^(\d{4})Q([1-4])$")


def _visible(user: Any) -> QuerySet[GeneratedReport]:
    """A rectification report is seen by whoever sees its plan (``plan_list``: the plan's
    scope and the owners of its measures, who may also request it); a quarterly pack by the
    managers of its unit, who alone may produce it, and by oversight (viewer) posts such as
    head-office auditors, who see those figures anyway: not by staff posts, since it gathers
    figures (everyone's complaints, teller errors) that staff posts do not see."""
    from ventanilla.rectification.selectors import plan_list

    plans = plan_list(user=user).values("pk")
    packs = GeneratedReport.objects.visible_to(user).filter(
        own_or_subtree_q(user, "unit__path", Q(pk__in=[]))
    )
    return GeneratedReport.objects.filter(
        Q(kind=ReportKind.RECTIFICATION, plan__in=plans)
        | Q(kind=ReportKind.QUARTERLY_PACK, pk__in=packs.values("pk"))
    )


def report_list(*, user: Any) -> QuerySet[GeneratedReport]:
    return _visible(user).select_related("unit", "plan", "requested_by").defer("content")


def report_get(*, user: Any, pk: int) -> GeneratedReport:
    """The status page polls this: the file itself is read only when it is downloaded."""
    try:
        return _visible(user).select_related("unit", "plan").defer("content").get(pk=pk)
    except GeneratedReport.DoesNotExist:
        raise Http404 from None


def unit_get(*, user: Any, code: str) -> OrgUnit:
    unit = OrgUnit.objects.visible_to(user).filter(code=code).first()
    if unit is None:
        raise Http404
    return unit


# --- Quarters ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Quarter:
    year: int
    number: int

    @property
    def code(self) -> str:
        return f"{self.year}Q{self.number}"

    @property
    def start(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> date:
        """The last day of the quarter."""
        if self.number == 4:
            return date(self.year, 12, 31)
        return date(self.year, 3 * self.number + 1, 1) - timedelta(days=1)


def parse_quarter(text: str) -> Quarter:
    """``2026Q3`` → the third quarter of 2026; anything else is refused with the format."""
    match = QUARTER_RE.match((text or "").strip().upper())
    if match is None or not 2000 <= int(match.group(1)) <= 2100:
        raise DomainError(
            _("%(value)s is not a quarter; write it as YEARQn, e.g. 2026Q3.")
            % {"value": text or "''"},
            code="invalid",
        )
    return Quarter(int(match.group(1)), int(match.group(2)))


# --- The quarterly pack ------------------------------------------------------------------


@dataclass
class PackSatisfaction:
    wave: str
    segment: str
    n: int
    mean: float | None
    satisfied: float | None  # percent in the top two boxes
    rank: int | None
    peers: int
    target_rank: int | None


@dataclass
class PackComplaintRow:
    label: str
    total: int
    resolved: int
    on_time_rate: float | None
    resolution_rate: float | None


@dataclass
class PackComplaints:
    total: int
    open: int
    resolved: int
    on_time: int
    late: int
    on_time_rate: float | None
    resolution_rate: float | None
    average_days: float | None
    pre_total: int
    by_cause: list[PackComplaintRow]
    by_unit: list[PackComplaintRow]


@dataclass
class PackErrorRow:
    outlet: str
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class PackErrors:
    kinds: list[tuple[str, str]]  # code, label, only kinds that occurred
    rows: list[PackErrorRow]

    @property
    def totals(self) -> dict[str, int]:
        out: dict[str, int] = defaultdict(int)
        for row in self.rows:
            for kind, n in row.counts.items():
                out[kind] += n
        return dict(out)

    @property
    def total(self) -> int:
        return sum(row.total for row in self.rows)


@dataclass
class PackMeasure:
    reference: str
    plan: str
    title: str
    owner: str
    department: str
    due_on: date
    completed_on: date | None
    status_label: str
    percent_done: int
    is_overdue: bool
    verdict: str
    verdict_label: str
    indicator_label: str
    unit_label: str
    decimals: int
    before: float | None
    after: float | None
    did: float | None


@dataclass
class QuarterlyPack:
    """Everything the quarterly service-quality pack shows, in the active language."""

    unit: str
    unit_code: str
    quarter: Quarter
    satisfaction: list[PackSatisfaction]
    complaints: PackComplaints
    errors: PackErrors
    measures: list[PackMeasure]
    generated_on: date
    waves: list[str] = field(default_factory=list)


def _satisfaction(user: Any, unit: OrgUnit, quarter: Quarter) -> tuple[list[str], list[Any]]:
    from ventanilla.surveys import selectors as surveys
    from ventanilla.surveys.models import Dimension

    waves = [
        w
        for w in surveys.wave_list(user=user).filter(year=quarter.year, quarter=quarter.number)
        if unit.path.startswith(w.unit.path)
    ]
    level = surveys.LEVEL_SUB_BRANCH if unit.kind == OrgUnitKind.SUB_BRANCH else surveys.LEVEL_UNIT
    parent = OrgUnit.objects.filter(path=unit.parent_path).first() if unit.depth > 1 else None
    lines: list[PackSatisfaction] = []
    for wave in waves:
        indices = surveys.wave_indices(user=user, wave=wave, level=level)
        ranks: dict[int, tuple[int | None, int, int | None]] = {}
        if parent is not None:
            try:
                ranking = surveys.wave_ranking(user=user, wave=wave, parent=parent)
            except Http404:
                ranking = None
            for seg in ranking.segments if ranking else []:
                own = next((x for x in seg.lines if x.unit and x.unit.pk == unit.pk), None)
                if own is not None:
                    ranks[seg.segment.pk] = (own.rank, len(seg.lines), own.target)
        for line in indices.lines:
            if line.unit.pk != unit.pk or line.dimension.code != Dimension.OVERALL:
                continue
            rank, peers, target = ranks.get(line.segment.pk, (None, 0, None))
            satisfied = line.satisfied.value
            lines.append(
                PackSatisfaction(
                    wave=wave.name,
                    segment=line.segment.display_name,
                    n=line.mean.n,
                    mean=line.mean.value,
                    satisfied=satisfied * 100 if satisfied is not None else None,
                    rank=rank,
                    peers=peers,
                    target_rank=target,
                )
            )
    return [w.name for w in waves], lines


def _complaints(user: Any, unit: OrgUnit, quarter: Quarter) -> PackComplaints:
    from ventanilla.complaints import selectors as complaints

    tz = timezone.get_current_timezone()
    start = datetime.combine(quarter.start, time.min, tzinfo=tz)
    end = datetime.combine(quarter.end + timedelta(days=1), time.min, tzinfo=tz)
    qs = complaints.complaint_list(user=user).filter(
        unit__path__startswith=unit.path, received_at__gte=start, received_at__lt=end
    )
    figures = complaints.complaint_figures(
        user=user, complaints=qs, received_from=quarter.start, received_to=quarter.end, unit=unit
    )

    def rows(source: list[Any]) -> list[PackComplaintRow]:
        return [
            PackComplaintRow(
                r.label,
                r.tally.total,
                r.tally.resolved,
                r.tally.on_time_rate,
                r.tally.resolution_rate,
            )
            for r in sorted(source, key=lambda r: (-r.tally.total, r.label))
        ]

    t = figures.overall
    return PackComplaints(
        total=t.total,
        open=t.open,
        resolved=t.resolved,
        on_time=t.on_time,
        late=t.late,
        on_time_rate=t.on_time_rate,
        resolution_rate=t.resolution_rate,
        average_days=t.average_days,
        pre_total=figures.pre_total,
        by_cause=rows(figures.by_cause),
        by_unit=rows(figures.by_unit),
    )


def _errors(user: Any, unit: OrgUnit, quarter: Quarter) -> PackErrors:
    from ventanilla.counters.models import ErrorKind, TellerError

    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    rows = (
        TellerError.objects.visible_to(user)
        .filter(
            outlet__path__startswith=unit.path,
            occurred_on__gte=quarter.start,
            occurred_on__lte=quarter.end,
        )
        .order_by()
        .values_list("outlet_id", "kind")
    )
    for outlet_id, kind in rows:
        counts[outlet_id][kind] += 1
    outlets = OrgUnit.objects.filter(pk__in=counts).order_by("path")
    seen = {kind for c in counts.values() for kind in c}
    return PackErrors(
        kinds=[(k.value, str(k.label)) for k in ErrorKind if k.value in seen],
        rows=[PackErrorRow(o.display_name, dict(counts[o.pk])) for o in outlets],
    )


def _measures(user: Any, unit: OrgUnit, quarter: Quarter) -> list[PackMeasure]:
    from ventanilla.rectification import indicators
    from ventanilla.rectification import selectors as rectification
    from ventanilla.rectification.models import EffectCheck, MeasureStatus, Verdict

    measures = (
        rectification.measure_list(user=user)
        .filter(
            section__plan__unit__path__startswith=unit.path,
            due_on__gte=quarter.start,
            due_on__lte=quarter.end,
        )
        .exclude(status=MeasureStatus.CANCELLED)
        .prefetch_related(
            Prefetch("effect_checks", queryset=EffectCheck.objects.order_by("-checked_at", "-id"))
        )
        .order_by("due_on", "reference")
    )
    today = timezone.localdate()
    labels: dict[str, str] = {}  # a segment's name is one query: once per indicator code
    out = []
    for m in measures:
        check = next(iter(m.effect_checks.all()), None)
        code = check.indicator if check else m.indicator
        if code not in labels:
            labels[code] = indicators.label(code)
        decimals, unit_label = 1, ""
        if check is not None:
            try:
                ind, _segment = indicators.parse(check.indicator)
                decimals, unit_label = ind.decimals, str(ind.unit_label)
            except DomainError:
                pass
        out.append(
            PackMeasure(
                reference=m.reference,
                plan=m.section.plan.reference,
                title=m.title,
                owner=m.owner.name if m.owner else "",
                department=m.owner_department.display_name if m.owner_department else "",
                due_on=m.due_on,
                completed_on=m.completed_on,
                status_label=str(MeasureStatus(m.status).label),
                percent_done=100 if not m.is_open else m.percent_done,
                is_overdue=rectification.is_overdue(m, today),
                verdict=check.verdict if check else "",
                verdict_label=str(Verdict(check.verdict).label) if check else "",
                indicator_label=labels[code],
                unit_label=unit_label,
                decimals=decimals,
                before=check.before_value if check else None,
                after=check.after_value if check else None,
                did=check.did if check else None,
            )
        )
    return out


def quarterly_pack(*, user: Any, unit: OrgUnit, quarter: Quarter) -> QuarterlyPack:
    """The pack's data for ``unit`` (from the user's scope, ``unit_get``) and ``quarter``."""
    waves, satisfaction = _satisfaction(user, unit, quarter)
    return QuarterlyPack(
        unit=unit.display_name,
        unit_code=unit.code,
        quarter=quarter,
        satisfaction=satisfaction,
        complaints=_complaints(user, unit, quarter),
        errors=_errors(user, unit, quarter),
        measures=_measures(user, unit, quarter),
        generated_on=timezone.localdate(),
        waves=waves,
    )

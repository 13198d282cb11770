"""Reads of the counters app: queue and counter figures, staffing, league tables.

Every figure comes from the rollups (``QueueRollup``), never from the raw tickets, through
``visible_to(user)``; a page runs a fixed number of queries whatever the range.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from ventanilla.counters import histogram, slowness, staffing
from ventanilla.counters.models import BusinessType, QueueRollup, TellerError
from ventanilla.org.models import Employee, OrgUnit

# Service-level targets: the share of customers called within these waits.
WAIT_TARGET_SECONDS: int = getattr(settings, "COUNTERS_WAIT_TARGET_SECONDS", 15 * 60)
VIP_WAIT_TARGET_SECONDS: int = getattr(settings, "COUNTERS_VIP_WAIT_TARGET_SECONDS", 5 * 60)
# The staffing page sizes windows so that this share waits at most the standard target.
STAFFING_SERVICE_LEVEL: float = getattr(settings, "COUNTERS_STAFFING_SERVICE_LEVEL", 0.8)

GROUPINGS = ("outlet", "day", "half_hour", "business_type", "teller", "vip")
_KEY_FIELD = {
    "outlet": "outlet_id",
    "day": "service_on",
    "half_hour": "half_hour",
    "business_type": "business_type_id",
    "teller": "teller_id",
    "vip": "is_vip",
}
_READ = (
    "is_vip",
    "tickets",
    "no_show",
    "abandoned",
    "wait_count",
    "wait_seconds",
    "wait_histogram",
    "handle_count",
    "handle_seconds",
    "handle_histogram",
)


def half_hour_label(index: int) -> str:
    start = index * 30
    end = start + 30
    return f"{start // 60:02d}:{start % 60:02d}–{end // 60:02d}:{end % 60:02d}"


@dataclass
class QueueFigures:
    """Tickets of one group (an outlet, a day, a teller...) and what they waited and took."""

    key: Any
    label: str
    tickets: int = 0
    no_show: int = 0
    abandoned: int = 0
    wait_count: int = 0
    wait_seconds: float = 0.0
    within_target: int = 0
    handle_count: int = 0
    handle_seconds: float = 0.0
    wait_histogram: dict[int, int] = field(default_factory=dict, repr=False)
    handle_histogram: dict[int, int] = field(default_factory=dict, repr=False)

    def add(self, row: dict[str, Any]) -> None:
        self.tickets += row["tickets"]
        self.no_show += row["no_show"]
        self.abandoned += row["abandoned"]
        self.wait_count += row["wait_count"]
        self.wait_seconds += row["wait_seconds"]
        self.handle_count += row["handle_count"]
        self.handle_seconds += row["handle_seconds"]
        target = VIP_WAIT_TARGET_SECONDS if row["is_vip"] else WAIT_TARGET_SECONDS
        limit = target // histogram.BUCKET_SECONDS
        for key, count in row["wait_histogram"].items():
            index = int(key)
            self.wait_histogram[index] = self.wait_histogram.get(index, 0) + count
            if index < limit:
                self.within_target += count
        histogram.add_into(self.handle_histogram, row["handle_histogram"])

    @property
    def mean_wait(self) -> float | None:
        return histogram.mean(self.wait_seconds, self.wait_count)

    @property
    def median_wait(self) -> float | None:
        return histogram.percentile(self.wait_histogram, 0.5)

    @property
    def p90_wait(self) -> float | None:
        return histogram.percentile(self.wait_histogram, 0.9)

    @property
    def service_level(self) -> float | None:
        """Share of called tickets called within the target (5 min for VIPs, else 15)."""
        return histogram.rate(self.within_target, self.wait_count)

    @property
    def mean_handle(self) -> float | None:
        return histogram.mean(self.handle_seconds, self.handle_count)

    @property
    def median_handle(self) -> float | None:
        return histogram.percentile(self.handle_histogram, 0.5)

    @property
    def p90_handle(self) -> float | None:
        return histogram.percentile(self.handle_histogram, 0.9)

    @property
    def no_show_rate(self) -> float | None:
        return histogram.rate(self.no_show, self.tickets)

    @property
    def abandon_rate(self) -> float | None:
        return histogram.rate(self.abandoned, self.tickets)


@dataclass
class QueueReport:
    rows: list[QueueFigures]
    total: QueueFigures


def _rollups(user: Any, unit: OrgUnit | None, start: date, end: date, is_vip: bool | None) -> Any:
    qs = QueueRollup.objects.visible_to(user).filter(service_on__range=(start, end))
    if unit is not None:
        qs = qs.filter(outlet__path__startswith=unit.path)
    if is_vip is not None:
        qs = qs.filter(is_vip=is_vip)
    return qs.order_by()


def queue_figures(
    *,
    user: Any,
    unit: OrgUnit | None,
    start: date,
    end: date,
    group_by: str,
    is_vip: bool | None = None,
) -> QueueReport:
    """Figures per ``group_by`` (one of ``GROUPINGS``) and in total; two queries."""
    if group_by not in GROUPINGS:
        raise ValueError(f"group_by must be one of {GROUPINGS}, got {group_by!r}")
    key_field = _KEY_FIELD[group_by]
    groups: dict[Any, QueueFigures] = {}
    total = QueueFigures(key=None, label=_("Total"))
    for row in _rollups(user, unit, start, end, is_vip).values(key_field, *_READ):
        key = row[key_field]
        figures = groups.get(key)
        if figures is None:
            figures = groups[key] = QueueFigures(key=key, label="")
        figures.add(row)
        total.add(row)
    labels = _labels(group_by, groups.keys())
    rows = sorted(groups.values(), key=lambda f: _sort_key(group_by, f.key, labels))
    for figures in rows:
        figures.label = labels.get(figures.key, str(figures.key))
    return QueueReport(rows=rows, total=total)


def _sort_key(group_by: str, key: Any, labels: dict[Any, str]) -> Any:
    if group_by in ("day", "half_hour", "vip"):
        return (0, key)
    if key is None:
        return (1, "")
    return (0, labels.get(key, ""))


def _labels(group_by: str, keys: Iterable[Any]) -> dict[Any, str]:
    keys = list(keys)
    if group_by == "outlet":
        return {u.pk: f"{u.code} {u.display_name}" for u in OrgUnit.objects.filter(pk__in=keys)}
    if group_by == "business_type":
        return {
            t.pk: f"{t.code} {t.display_name}" for t in BusinessType.objects.filter(pk__in=keys)
        }
    if group_by == "teller":
        labels: dict[Any, str] = {
            e.pk: f"{e.staff_number} {e.name}"
            for e in Employee.objects.filter(pk__in=[k for k in keys if k is not None])
        }
        labels[None] = _("(no teller)")
        return labels
    if group_by == "day":
        return {k: k.isoformat() for k in keys}
    if group_by == "half_hour":
        return {k: half_hour_label(k) for k in keys}
    return {True: _("VIP"), False: _("Regular")}


# Staffing ----------------------------------------------------------------------------------


@dataclass
class StaffingSlot:
    half_hour: int
    label: str
    arrivals: float
    handling_seconds: float
    windows_open: float
    windows_needed: int
    service_level: float
    average_wait_seconds: float
    occupancy: float

    @property
    def difference(self) -> float:
        return self.windows_needed - self.windows_open


@dataclass
class StaffingPlan:
    weekday: int
    days: int
    target_seconds: int
    service_level: float
    slots: list[StaffingSlot]


def weekdays_between(start: date, end: date, weekday: int) -> list[date]:
    first = start + timedelta(days=(weekday - start.weekday()) % 7)
    return [first + timedelta(days=7 * n) for n in range(max(0, (end - first).days // 7 + 1))]


def staffing_plan(
    *, user: Any, outlet: OrgUnit, weekday: int, start: date, end: date
) -> StaffingPlan:
    """Windows needed per half hour of ``weekday`` (0 = Monday) at ``outlet``, from history.

    Arrivals per half hour are the tickets issued in it, averaged over the weekdays of the
    range; handling time is the mean transaction time; the windows open are the distinct
    windows that called a ticket in it, averaged the same way. Sized by Erlang C for the
    standard wait target.
    """
    days = weekdays_between(start, end, weekday)
    rows = (
        _rollups(user, outlet, start, end, None)
        .filter(outlet=outlet, service_on__in=days)
        .values_list("service_on", "half_hour", "tickets", "handle_count", "handle_seconds",
                     "windows")
    )  # fmt: skip
    arrivals: dict[int, int] = {}
    handled: dict[int, list[float]] = {}
    windows: dict[tuple[int, date], set[str]] = {}
    for service_on, half_hour, tickets, handle_count, handle_seconds, open_windows in rows:
        arrivals[half_hour] = arrivals.get(half_hour, 0) + tickets
        sums = handled.setdefault(half_hour, [0.0, 0])
        sums[0] += handle_seconds
        sums[1] += handle_count
        windows.setdefault((half_hour, service_on), set()).update(open_windows)
    target = staffing.ServiceTarget(
        target_seconds=WAIT_TARGET_SECONDS, service_level=STAFFING_SERVICE_LEVEL
    )
    count = max(len(days), 1)
    demands = []
    for half_hour in sorted(arrivals):
        total, handle_count = handled[half_hour]
        if not handle_count:
            continue
        demands.append(
            staffing.SlotDemand(
                weekday=weekday,
                start_minute=half_hour * 30,
                arrivals=arrivals[half_hour] / count,
                handling_seconds=total / handle_count,
            )
        )
    open_per_slot: dict[int, int] = {}
    for (half_hour, _day), names in windows.items():
        open_per_slot[half_hour] = open_per_slot.get(half_hour, 0) + len(names)
    slots = [
        StaffingSlot(
            half_hour=r.start_minute // 30,
            label=half_hour_label(r.start_minute // 30),
            arrivals=next(d.arrivals for d in demands if d.start_minute == r.start_minute),
            handling_seconds=r.metrics.handling_seconds,
            windows_open=open_per_slot.get(r.start_minute // 30, 0) / count,
            windows_needed=r.windows,
            service_level=r.metrics.service_level,
            average_wait_seconds=r.metrics.average_wait_seconds,
            occupancy=r.metrics.occupancy,
        )
        for r in staffing.recommend_windows(demands, target=target)
    ]
    return StaffingPlan(
        weekday=weekday,
        days=len(days),
        target_seconds=WAIT_TARGET_SECONDS,
        service_level=STAFFING_SERVICE_LEVEL,
        slots=slots,
    )


# League table ------------------------------------------------------------------------------


@dataclass
class LeagueRow:
    teller: Employee
    outlet: OrgUnit
    served: int
    weighted_minutes: float
    errors: int
    rank_in_outlet: int = 0
    rank_overall: int = 0

    @property
    def error_rate(self) -> float | None:
        """Errors per thousand tickets served."""
        return 1000 * self.errors / self.served if self.served else None


def league_table(*, user: Any, unit: OrgUnit, month: date) -> list[LeagueRow]:
    """Tellers of ``unit``'s outlets in ``month``: tickets served (also weighted by each
    type's standard time) and errors, ranked by tickets served within their outlet and
    across all the outlets shown. Five queries."""
    first = month.replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    served = (
        _rollups(user, unit, first, last, None)
        .filter(teller__isnull=False)
        .values_list("outlet_id", "teller_id", "business_type_id", "served")
    )
    # Errors of tellers who served nobody that month are not ranked: there is no volume.
    standard = dict(BusinessType.objects.values_list("pk", "standard_seconds"))
    totals: dict[tuple[int, int], list[float]] = {}
    for outlet_id, teller_id, type_id, count in served:
        sums = totals.setdefault((outlet_id, teller_id), [0, 0.0])
        sums[0] += count
        sums[1] += count * standard.get(type_id, 0) / 60
    errors = dict(
        TellerError.objects.visible_to(user)
        .filter(outlet__path__startswith=unit.path, occurred_on__range=(first, last))
        .values_list("teller_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    tellers = {e.pk: e for e in Employee.objects.filter(pk__in=[t for _o, t in totals])}
    outlets = {u.pk: u for u in OrgUnit.objects.filter(pk__in=[o for o, _t in totals])}
    rows = [
        LeagueRow(
            teller=tellers[teller_id],
            outlet=outlets[outlet_id],
            served=int(count),
            weighted_minutes=weighted,
            errors=errors.get(teller_id, 0),
        )
        for (outlet_id, teller_id), (count, weighted) in totals.items()
    ]
    _rank(rows, "rank_overall")
    by_outlet: dict[int, list[LeagueRow]] = {}
    for row in rows:
        by_outlet.setdefault(row.outlet.pk, []).append(row)
    for group in by_outlet.values():
        _rank(group, "rank_in_outlet")
    rows.sort(key=lambda r: (r.rank_overall, r.teller.staff_number))
    return rows


def _rank(rows: list[LeagueRow], attribute: str) -> None:
    """Competition ranking (1, 2, 2, 4) by tickets served, fewer errors first on ties."""
    ordered = sorted(rows, key=lambda r: (-r.served, r.errors))
    previous: tuple[int, int] | None = None
    rank = 0
    for position, row in enumerate(ordered, start=1):
        key = (row.served, row.errors)
        if key != previous:
            rank = position
            previous = key
        setattr(row, attribute, rank)


# Slow tellers ------------------------------------------------------------------------------


@dataclass
class SlowTellerRow:
    teller: Employee
    result: slowness.TellerSlowness


def slow_teller_list(
    *, user: Any, unit: OrgUnit | None, start: date, end: date
) -> list[SlowTellerRow]:
    """Tellers of ``unit`` (or of the user's whole scope) against their peers there, by
    business type and adjusted for mix; slowest first. Three queries."""
    sums = (
        _rollups(user, unit, start, end, None)
        .filter(teller__isnull=False, handle_count__gt=0)
        .values("teller_id", "business_type_id")
        .annotate(n=Sum("handle_count"), total=Sum("handle_seconds"), squares=Sum("handle_squares"))
    )
    cells = [
        slowness.Cell(s["teller_id"], s["business_type_id"], s["n"], s["total"], s["squares"])
        for s in sums
    ]
    if not cells:
        return []
    standards: dict[Any, float] = {
        pk: float(seconds)
        for pk, seconds in BusinessType.objects.values_list("pk", "standard_seconds")
    }
    results = slowness.slow_tellers(cells, standards=standards)
    tellers = Employee.objects.select_related("unit").in_bulk([r.teller for r in results])
    return [SlowTellerRow(teller=tellers[r.teller], result=r) for r in results]

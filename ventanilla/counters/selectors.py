"""Reads of the counters app: queue and counter figures, staffing, league tables.

Every figure comes from the rollups (the cells of ``QueueDayRollup``, read by ``_cells``),
never from the raw tickets, through ``visible_to(user)``; a page runs a fixed number of
queries whatever the range. Whole calendar months per outlet, business type or VIP flag,
and the league table, read the monthly tables summed from the rollups
(``MonthlyQueueFigures``, ``MonthlyTellerFigures``): the same figures from a few rows per
outlet, unit or teller.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, NamedTuple

import numpy as np
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ventanilla.core.scoping import Role, own_or_subtree_q, scope_for
from ventanilla.counters import histogram, monthly, rollups, slowness, staffing, vipselection
from ventanilla.counters.models import (
    BusinessType,
    ErrorKind,
    LeaguePublication,
    LeaguePublicationRow,
    MonthlyHalfHourFigures,
    MonthlyQueueFigures,
    MonthlyTellerFigures,
    MonthlyTellerQueueFigures,
    QueueDayRollup,
    TellerError,
    TicketImport,
    VipCandidateScore,
)
from ventanilla.org.models import Employee, OrgUnit, OrgUnitKind, localized

# Service-level targets: the share of customers called within these waits.
WAIT_TARGET_SECONDS: int = getattr(settings, "COUNTERS_WAIT_TARGET_SECONDS", 15 * 60)
VIP_WAIT_TARGET_SECONDS: int = getattr(settings, "COUNTERS_VIP_WAIT_TARGET_SECONDS", 5 * 60)
# The staffing page sizes windows so that this share waits at most the standard target.
STAFFING_SERVICE_LEVEL: float = getattr(settings, "COUNTERS_STAFFING_SERVICE_LEVEL", 0.8)

GROUPINGS = ("outlet", "day", "half_hour", "business_type", "teller", "vip")
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


def unit_get(*, user: Any, code: str, kind: str | None = None) -> OrgUnit | None:
    """The unit with ``code`` if the user may see it (None for no code); 404 otherwise, so
    a unit out of scope and a missing one look alike."""
    if not code:
        return None
    units = OrgUnit.objects.visible_to(user).filter(code=code)
    if kind is not None:
        units = units.filter(kind=kind)
    unit = units.first()
    if unit is None:
        raise Http404
    return unit


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
    # Summed by ``add`` from the rollups; whole months give ``monthly.Buckets`` instead.
    wait_histogram: Mapping[int, int] = field(default_factory=dict, repr=False)
    handle_histogram: Mapping[int, int] = field(default_factory=dict, repr=False)

    def add(self, row: dict[str, Any]) -> None:
        waits, handles = self.wait_histogram, self.handle_histogram
        if not isinstance(waits, dict) or not isinstance(handles, dict):
            raise TypeError("only figures summed from rollups take more rows")
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
            waits[index] = waits.get(index, 0) + count
            if index < limit:
                self.within_target += count
        histogram.add_into(handles, row["handle_histogram"])

    @property
    def mean_wait(self) -> float | None:
        return histogram.mean(self.wait_seconds, self.wait_count)

    @property
    def median_wait(self) -> float | None:
        return _percentile(self.wait_histogram, 0.5)

    @property
    def p90_wait(self) -> float | None:
        return _percentile(self.wait_histogram, 0.9)

    @property
    def service_level(self) -> float | None:
        """Share of called tickets called within the target (5 min for VIPs, else 15)."""
        return histogram.rate(self.within_target, self.wait_count)

    @property
    def mean_handle(self) -> float | None:
        return histogram.mean(self.handle_seconds, self.handle_count)

    @property
    def median_handle(self) -> float | None:
        return _percentile(self.handle_histogram, 0.5)

    @property
    def p90_handle(self) -> float | None:
        return _percentile(self.handle_histogram, 0.9)

    @property
    def no_show_rate(self) -> float | None:
        return histogram.rate(self.no_show, self.tickets)

    @property
    def abandon_rate(self) -> float | None:
        return histogram.rate(self.abandoned, self.tickets)


def _percentile(buckets: Mapping[int, int], fraction: float) -> float | None:
    if isinstance(buckets, monthly.Buckets):
        return buckets.percentile(fraction)
    return histogram.percentile(buckets, fraction)


class Named(NamedTuple):
    """A unit or business type as a table names it, read without its model instance;
    ``display_name`` is the model's (``org.models.localized``)."""

    pk: int
    code: str
    name: str
    name_en: str
    name_es: str

    @property
    def display_name(self) -> str:
        return localized(self)

    def label(self, language: str | None) -> str:
        """Code and name, the name in ``language`` (read once for a whole table)."""
        return f"{self.code} {localized(self, language=language)}"


_NAME_FIELDS = ("code", "name", "name_en", "name_es")


@dataclass
class QueueReport:
    rows: list[QueueFigures]
    total: QueueFigures
    by_half_hour: list[QueueFigures] = field(default_factory=list)  # with ``half_hours``


def own_teller_q(user: Any) -> Q:
    """Rows about tellers (ticket rollups, errors) a user may read, beside the scope: where
    a post grants the staff role (a teller) only their own, so that a teller sees their own
    figures and the published league table, never a colleague's; managers and viewers
    (auditors) the whole subtree."""
    return own_or_subtree_q(user, "outlet__path", Q(teller__user=user))


def sees_every_teller(user: Any, unit: OrgUnit | None) -> bool:
    """Whether ``user`` reads the figures of every teller of ``unit`` (of their whole scope
    without a unit): their role there is above staff, or a viewer's."""
    scope = scope_for(user)
    if unit is None:
        return scope.is_global or all(grant.role != Role.STAFF for grant in scope.grants)
    held = scope.role_at(unit.path)
    return held is not None and held != Role.STAFF


def _cells(
    user: Any,
    unit: OrgUnit | None,
    start: date,
    end: date,
    is_vip: bool | None,
    min_role: Role = Role.VIEWER,
    teller: Employee | None = None,
) -> rollups.Cells:
    """The cells of ``start`` to ``end`` at the outlets of ``unit`` (of the whole scope
    without one) that ``user`` sees: the one place the daily rollups are read. Where the
    user's post grants the staff role (a teller), only the cells of the tickets they served,
    as ``own_teller_q`` rules; with ``is_vip``, the cells of that flag only, and with
    ``teller`` those of that teller only."""
    qs = QueueDayRollup.objects.visible_to(user, min_role).filter(service_on__range=(start, end))
    if unit is not None:
        qs = qs.filter(outlet__path__startswith=unit.path)
    if teller is not None:
        # Only the outlets where the teller served in those months (a subquery).
        qs = qs.filter(
            outlet_id__in=MonthlyTellerFigures.objects.filter(
                teller=teller, month__range=(monthly.month_of(start), end)
            ).values("outlet_id")
        )
    rows = list(qs.order_by().values_list("outlet__path", *rollups.READ_FIELDS))
    cells = rollups.cells_of(row[1:] for row in rows)
    keep = np.ones(len(cells), dtype=bool)
    scope = scope_for(user)
    if not scope.is_global and any(grant.role == Role.STAFF for grant in scope.grants):
        whole = [grant.path for grant in scope.grants if grant.role != Role.STAFF]
        row_whole = [any(row[0].startswith(path) for path in whole) for row in rows]
        sizes = [rollups.cell_count(row[3], row[-1]) for row in rows]
        if teller is not None:
            own = [teller.pk] if teller.user_id == getattr(user, "pk", None) else []
        else:
            own = list(Employee.objects.filter(user=user).values_list("pk", flat=True))
        keep = np.repeat(np.array(row_whole, dtype=bool), sizes) | np.isin(cells.teller_id, own)
    if teller is not None:
        keep &= cells.teller_id == teller.pk
    if is_vip is not None:
        keep &= cells.is_vip == is_vip
    return cells if keep.all() else cells.take(keep)


def queue_figures(
    *,
    user: Any,
    unit: OrgUnit | None,
    start: date,
    end: date,
    group_by: str,
    is_vip: bool | None = None,
    half_hours: bool = False,
) -> QueueReport:
    """Figures per ``group_by`` (one of ``GROUPINGS``) and in total, and with ``half_hours``
    also per half hour of the day from the same rows.

    Per outlet, business type, VIP flag or half hour, the whole calendar months of the range
    are read from the monthly tables (their half hours from the monthly half-hour table) and
    only the days before and after them from the daily rollups, when the user sees every
    teller of ``unit``: the same figures from a few rows a month instead of about one rollup
    a ticket, so that a year reads as fast as a month.
    """
    if group_by not in GROUPINGS:
        raise ValueError(f"group_by must be one of {GROUPINGS}, got {group_by!r}")
    head, months, tail = monthly.split_range(start, end)
    if (
        months
        and group_by in (*_MONTHLY_GROUPINGS, *_MONTHLY_TOTAL)
        and sees_every_teller(user, unit)
    ):
        by_half_hour = (
            _monthly_half_hours(user, unit, months, is_vip)
            if half_hours or group_by == "half_hour"
            else {}
        )
        # Per half hour or teller, the months' total is that of the VIP flags' rows.
        report = _monthly_figures(
            user, unit, months, _MONTHLY_TOTAL.get(group_by, group_by), is_vip
        )
        if head is None and tail is None and not half_hours and group_by not in _MONTHLY_TOTAL:
            return report
        if group_by == "half_hour":
            groups = by_half_hour
        elif group_by == "teller":
            groups = _monthly_tellers(user, unit, months, is_vip)
        else:
            groups = {figures.key: figures for figures in report.rows}
        total = report.total
        for figures in (*report.rows, total):  # sparse, to take the days around the months
            figures.wait_histogram = dict(figures.wait_histogram)
            figures.handle_histogram = dict(figures.handle_histogram)
        halves: dict[Any, QueueFigures] = {} if groups is by_half_hour else by_half_hour
        for days in (head, tail):
            if days is not None:
                _add_daily(user, unit, days, is_vip, group_by, groups, total, halves)
    else:
        groups, by_half_hour = {}, {}
        total = QueueFigures(key=None, label=_("Total"))
        _add_daily(user, unit, (start, end), is_vip, group_by, groups, total, by_half_hour)
    return QueueReport(
        rows=_labelled(group_by, groups),
        total=total,
        by_half_hour=_labelled("half_hour", by_half_hour) if half_hours else [],
    )


def _add_daily(
    user: Any,
    unit: OrgUnit | None,
    days: tuple[date, date],
    is_vip: bool | None,
    group_by: str,
    groups: dict[Any, QueueFigures],
    total: QueueFigures,
    by_half_hour: dict[Any, QueueFigures],
) -> None:
    """Add the cells of ``days`` (first, last) to the figures per ``group_by``, the total,
    and per half hour (always: the caller drops them if unwanted); one query, summed a
    column at a time with numpy."""
    cells = _cells(user, unit, days[0], days[1], is_vip)
    if not len(cells):
        return
    values, codes = np.unique(_group_values(group_by, cells), return_inverse=True)
    codes = codes.reshape(-1)
    keys = [_daily_key(group_by, value) for value in values.tolist()]
    for grouped, code, names in (
        (groups, codes, keys),
        (by_half_hour, cells.half_hour, list(range(_HALF_HOURS))),
    ):
        sums = _daily_sums(cells, code, len(names))
        for index in np.unique(code).tolist():
            key = names[index]
            figures = grouped.get(key)
            if figures is None:
                figures = grouped[key] = QueueFigures(key=key, label="")
            _add_sums(figures, sums, index)
    _add_sums(total, _daily_sums(cells, np.zeros(len(cells), np.int64), 1), 0)


_HALF_HOURS = 48


def _group_values(group_by: str, cells: rollups.Cells) -> np.ndarray:
    return {
        "outlet": cells.outlet_id,
        "day": cells.day,
        "half_hour": cells.half_hour,
        "business_type": cells.type_id,
        "teller": cells.teller_id,
        "vip": cells.is_vip,
    }[group_by]


def _daily_key(group_by: str, value: Any) -> Any:
    """A grouping value as the pages name it: a date, a flag, None for no teller."""
    if group_by == "day":
        return date.fromordinal(value)
    if group_by == "vip":
        return bool(value)
    if group_by == "teller" and value < 0:
        return None
    return value


def _daily_sums(cells: rollups.Cells, code: np.ndarray, groups: int) -> dict[str, Any]:
    """Per group ``code``: the summed fields, the dense histograms, and the tickets called
    within the target wait (5 minutes for VIPs, 15 for the others)."""
    counts, seconds = cells.sums(code, groups)
    sums: dict[str, Any] = {
        name: counts[:, monthly.COUNT_FIELDS.index(name)]
        for name in ("tickets", "no_show", "abandoned", "wait_count", "handle_count")
    }
    for name in ("wait_seconds", "handle_seconds"):
        sums[name] = seconds[:, monthly.SECOND_FIELDS.index(name)]
    wait = cells.histograms("wait", code * 2 + cells.is_vip, groups * 2)
    regular = WAIT_TARGET_SECONDS // histogram.BUCKET_SECONDS
    vip = VIP_WAIT_TARGET_SECONDS // histogram.BUCKET_SECONDS
    sums["within_target"] = wait[0::2, :regular].sum(axis=1) + wait[1::2, :vip].sum(axis=1)
    sums["wait_histogram"] = wait[0::2] + wait[1::2]
    sums["handle_histogram"] = cells.histograms("handle", code, groups)
    return sums


def _add_sums(figures: QueueFigures, sums: dict[str, Any], index: int) -> None:
    figures.tickets += round(sums["tickets"][index])
    figures.no_show += round(sums["no_show"][index])
    figures.abandoned += round(sums["abandoned"][index])
    figures.wait_count += round(sums["wait_count"][index])
    figures.wait_seconds += float(sums["wait_seconds"][index])
    figures.handle_count += round(sums["handle_count"][index])
    figures.handle_seconds += float(sums["handle_seconds"][index])
    figures.within_target += int(sums["within_target"][index])
    waits, handles = figures.wait_histogram, figures.handle_histogram
    if not isinstance(waits, dict) or not isinstance(handles, dict):
        raise TypeError("only sparse histograms take more rows")
    histogram.add_into(waits, monthly.as_histogram(sums["wait_histogram"][index]))
    histogram.add_into(handles, monthly.as_histogram(sums["handle_histogram"][index]))


def _monthly_half_hours(
    user: Any, unit: OrgUnit | None, months: list[date], is_vip: bool | None
) -> dict[Any, QueueFigures]:
    """The figures per half hour of issue of whole ``months``, from the outlets' monthly
    half-hour rows (a few dozen an outlet and month); one query."""
    return _monthly_outlet_rows(MonthlyHalfHourFigures, "half_hour", user, unit, months, is_vip)


def _monthly_tellers(
    user: Any, unit: OrgUnit | None, months: list[date], is_vip: bool | None
) -> dict[Any, QueueFigures]:
    """The figures per teller (None: tickets no teller called) of whole ``months``, from
    the outlets' monthly teller rows; one query."""
    return _monthly_outlet_rows(MonthlyTellerQueueFigures, "teller_id", user, unit, months, is_vip)


def _monthly_outlet_rows(
    model: Any,
    key_field: str,
    user: Any,
    unit: OrgUnit | None,
    months: list[date],
    is_vip: bool | None,
) -> dict[Any, QueueFigures]:
    """Monthly rows kept per outlet (``MonthlySums``), summed per ``key_field``."""
    qs = model.objects.visible_to(user).filter(month__in=months).order_by()
    if unit is not None:
        qs = qs.filter(outlet__path__startswith=unit.path)
    if is_vip is not None:
        qs = qs.filter(is_vip=is_vip)
    grouped: dict[Any, QueueFigures] = {}
    for row in qs.values(key_field, *_READ):
        key = row[key_field]
        figures = grouped.get(key)
        if figures is None:
            figures = grouped[key] = QueueFigures(key=key, label="")
        row["wait_histogram"] = monthly.as_histogram(monthly.decode(row["wait_histogram"]))
        row["handle_histogram"] = monthly.as_histogram(monthly.decode(row["handle_histogram"]))
        figures.add(row)
    return grouped


_MONTHLY_GROUPINGS = ("outlet", "business_type", "vip")
_MONTHLY_TOTAL = {"half_hour": "vip", "teller": "vip"}
_MONTHLY_READ = (
    "unit_id",
    "month",
    "is_subtree",
    "business_type_id",
    "is_vip",
    "tickets",
    "no_show",
    "abandoned",
    "wait_count",
    "handle_count",
    "wait_seconds",
    "handle_seconds",
    "wait_histogram",
    "handle_histogram",
)
# Positions in ``_MONTHLY_READ``.
_UNIT, _MONTH, _IS_SUBTREE, _IS_VIP, _WAITS, _HANDLES = map(
    _MONTHLY_READ.index,
    ("unit_id", "month", "is_subtree", "is_vip", "wait_histogram", "handle_histogram"),
)
_MONTHLY_COUNTS = slice(_MONTHLY_READ.index("tickets"), _MONTHLY_READ.index("handle_count") + 1)
_MONTHLY_SECONDS = slice(_MONTHLY_COUNTS.stop, _WAITS)
_MONTHLY_NAMES = {"outlet": "unit", "business_type": "business_type"}
_PERCENTILES = (0.5, 0.9)


def _monthly_figures(
    user: Any, unit: OrgUnit | None, months: list[date], group_by: str, is_vip: bool | None
) -> QueueReport:
    """``queue_figures`` from the monthly tables, in one query (labels read along). Per
    outlet: each outlet's own rows for all business types; per business type or VIP flag:
    the rows of ``unit`` (without a unit, of the roots of the user's scope), its subtree rows
    where it has them, else its own. Rows are summed per group with numpy, and percentiles
    read from the summed bucket counts of all groups at once."""
    where: dict[str, Any] = {"month__in": months}
    if is_vip is not None:
        where["is_vip"] = is_vip
    if group_by == "outlet":
        where.update(is_subtree=False, business_type__isnull=True)
        if unit is not None:
            where["unit__path__startswith"] = unit.path
    else:
        where["business_type__isnull"] = group_by == "vip"
        if unit is not None:
            where["unit"] = unit
        else:
            scope = scope_for(user)
            if scope.is_global:
                where["unit__depth"] = 1
            else:
                where["unit__path__in"] = scope.paths()
    named = _MONTHLY_NAMES.get(group_by)
    names = [f"{named}__{name}" for name in _NAME_FIELDS] if named else []
    fetched = list(
        MonthlyQueueFigures.objects.visible_to(user)
        .filter(**where)
        .order_by()
        .values_list(*_MONTHLY_READ, *names)
    )
    # A unit's month: its subtree rows where it has them, else its own; units in the order
    # they come, so that sums of seconds add up in the same order whatever the grouping.
    subtrees = {(row[_UNIT], row[_MONTH]) for row in fetched if row[_IS_SUBTREE]}
    units: dict[tuple[int, date], int] = {}
    for row in fetched:
        units.setdefault((row[_UNIT], row[_MONTH]), len(units))
    rows = [row for row in fetched if row[_IS_SUBTREE] or (row[_UNIT], row[_MONTH]) not in subtrees]
    rows.sort(key=lambda row: units[(row[_UNIT], row[_MONTH])])
    key_at = _MONTHLY_READ.index(
        {"outlet": "unit_id", "business_type": "business_type_id", "vip": "is_vip"}[group_by]
    )
    keys: dict[Any, int] = {}
    labels: dict[Any, str] = {}
    language = get_language()
    for row in rows:
        if row[key_at] not in keys:
            keys[row[key_at]] = len(keys)
            if named:
                labels[row[key_at]] = Named(row[key_at], *row[len(_MONTHLY_READ) :]).label(language)
    if not named:
        labels = _labels(group_by, keys)
    # Each group, then the total, ordered as the rows of the groups one after another.
    group = np.array([keys[row[key_at]] for row in rows], dtype=np.int64)
    every = np.concatenate([group, np.full(len(rows), len(keys))])
    order = np.concatenate([np.arange(len(rows)), np.argsort(group, kind="stable")])
    lines = len(keys) + 1

    def sums(at: slice) -> list[list[Any]]:
        columns = np.array([row[at] for row in rows], dtype=np.float64)
        columns = columns.reshape(len(rows), at.stop - at.start)
        return [
            np.bincount(every, weights=column[order], minlength=lines).tolist()
            for column in columns.T
        ]

    tickets, no_show, abandoned, wait_count, handle_count = (
        [round(value) for value in line] for line in sums(_MONTHLY_COUNTS)
    )
    wait_seconds, handle_seconds = sums(_MONTHLY_SECONDS)
    targets = [
        (VIP_WAIT_TARGET_SECONDS if row[_IS_VIP] else WAIT_TARGET_SECONDS)
        // histogram.BUCKET_SECONDS
        for row in rows
    ]
    waits, within = monthly.stored_sums(
        [row[_WAITS] for row in rows], group, len(keys), np.array(targets, dtype=np.int64)
    )
    handles, _none = monthly.stored_sums([row[_HANDLES] for row in rows], group, len(keys))
    within_all = [*within.tolist(), int(within.sum())]
    wait_lines = monthly.bucket_lines(np.vstack([waits, waits.sum(axis=0)]), _PERCENTILES)
    handle_lines = monthly.bucket_lines(np.vstack([handles, handles.sum(axis=0)]), _PERCENTILES)
    figures = [
        QueueFigures(
            key=key,
            label=labels.get(key, str(key)),
            tickets=tickets[at],
            no_show=no_show[at],
            abandoned=abandoned[at],
            wait_count=wait_count[at],
            wait_seconds=wait_seconds[at],
            within_target=within_all[at],
            handle_count=handle_count[at],
            handle_seconds=handle_seconds[at],
            wait_histogram=wait_lines[at],
            handle_histogram=handle_lines[at],
        )
        for at, key in enumerate([*keys, None])
    ]
    total = figures.pop()
    total.label = _("Total")
    rows_shown = sorted(figures, key=lambda f: _sort_key(group_by, f.key, labels))
    return QueueReport(rows=rows_shown, total=total)


def _labelled(group_by: str, groups: dict[Any, QueueFigures]) -> list[QueueFigures]:
    labels = _labels(group_by, groups.keys())
    rows = sorted(groups.values(), key=lambda f: _sort_key(group_by, f.key, labels))
    for figures in rows:
        figures.label = labels.get(figures.key, str(figures.key))
    return rows


def _sort_key(group_by: str, key: Any, labels: dict[Any, str]) -> Any:
    if group_by in ("day", "half_hour", "vip"):
        return (0, key)
    if key is None:
        return (1, "")
    return (0, labels.get(key, ""))


def _labels(group_by: str, keys: Iterable[Any]) -> dict[Any, str]:
    keys = list(keys)
    if group_by in ("outlet", "business_type"):
        model = OrgUnit if group_by == "outlet" else BusinessType
        found = model.objects.filter(pk__in=keys).values_list("pk", *_NAME_FIELDS)
        language = get_language()
        return {pk: Named(pk, *names).label(language) for pk, *names in found}
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

# Abandoned tickets needed before the staffing page trusts a patience estimate (Erlang A).
MIN_ABANDONED: int = getattr(settings, "COUNTERS_STAFFING_MIN_ABANDONED", 20)
AUTO = "auto"  # Erlang A where abandonment is measured, Erlang C elsewhere


@dataclass
class VipOption:
    """A slot's VIP demand served on dedicated windows or first in a shared pool."""

    vip_arrivals: float
    vip_windows_open: float  # distinct windows that called a VIP ticket, averaged
    dedicated_vip: int
    dedicated_regular: int
    shared: int
    shared_vip_service_level: float
    shared_regular_service_level: float

    @property
    def dedicated(self) -> int:
        return self.dedicated_vip + self.dedicated_regular

    @property
    def saved_by_sharing(self) -> int:
        return self.dedicated - self.shared


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
    weekday: int = 0
    model: str = staffing.ERLANG_C
    abandonment: float | None = None  # predicted share who give up, Erlang A only
    vip: VipOption | None = None

    @property
    def difference(self) -> float:
        return self.windows_needed - self.windows_open


@dataclass
class StaffingChange:
    """Consecutive half hours of a weekday that need the same change of windows."""

    weekday: int
    first_half_hour: int
    last_half_hour: int
    windows_open: float
    windows_needed: int

    @property
    def label(self) -> str:
        start = half_hour_label(self.first_half_hour).split("–")[0]
        end = half_hour_label(self.last_half_hour).split("–")[1]
        return f"{start}–{end}"

    @property
    def change(self) -> int:
        return round(self.windows_needed - self.windows_open)


@dataclass
class StaffingPlan:
    weekday: int
    days: int
    target_seconds: int
    service_level: float
    slots: list[StaffingSlot]
    week: dict[int, dict[int, StaffingSlot]] = field(default_factory=dict)
    half_hours: list[int] = field(default_factory=list)
    changes: list[StaffingChange] = field(default_factory=list)
    model: str = AUTO
    patience_seconds: float | None = None
    abandoned: int = 0
    vip_target_seconds: int = VIP_WAIT_TARGET_SECONDS


def weekdays_between(start: date, end: date, weekday: int) -> list[date]:
    first = start + timedelta(days=(weekday - start.weekday()) % 7)
    return [first + timedelta(days=7 * n) for n in range(max(0, (end - first).days // 7 + 1))]


@dataclass
class _SlotSums:
    tickets: int = 0
    vip_tickets: int = 0
    handle_count: int = 0
    handle_seconds: float = 0.0
    windows_open: int = 0  # distinct windows that called, summed over the days
    vip_windows_open: int = 0


def staffing_plan(
    *,
    user: Any,
    outlet: OrgUnit,
    weekday: int,
    start: date,
    end: date,
    model: str = AUTO,
) -> StaffingPlan:
    """Windows needed per weekday and half hour at ``outlet``, from its history; one query.

    Arrivals per half hour are the tickets issued in it, averaged over that weekday's days
    in the range; handling time is the mean transaction time; the windows open are the
    distinct windows that called a ticket in it, averaged the same way. Sized for the
    standard wait target by Erlang A with the patience estimated from the outlet's abandoned
    tickets in the range (``model="auto"``, when at least ``MIN_ABANDONED`` were abandoned),
    by Erlang C otherwise or with ``model="erlang_c"``. For ``weekday`` each slot also
    compares VIP demand on dedicated windows with VIPs first in a shared pool.
    """
    cells = _cells(user, outlet, start, end, None)
    cells = cells.take(cells.outlet_id == outlet.pk)
    # Per weekday and half hour of issue (proleptic ordinal 1 is a Monday).
    slot = (cells.day - 1) % 7 * _HALF_HOURS + cells.half_hour
    slot_count = 7 * _HALF_HOURS
    counts, seconds = cells.sums(slot, slot_count)
    vip_counts, _vip_seconds = cells.sums(
        slot * cells.is_vip + slot_count * ~cells.is_vip, slot_count + 1
    )
    # Windows open: the distinct windows that called a ticket, per day and half hour.
    calls = np.stack(
        [cells.day[cells.window_cell], cells.half_hour[cells.window_cell], cells.window], axis=1
    )
    called = np.unique(calls, axis=0)
    vip_called = np.unique(calls[cells.is_vip[cells.window_cell]], axis=0)
    open_windows = np.bincount(
        (called[:, 0] - 1) % 7 * _HALF_HOURS + called[:, 1], minlength=slot_count
    )
    vip_open = np.bincount(
        (vip_called[:, 0] - 1) % 7 * _HALF_HOURS + vip_called[:, 1], minlength=slot_count
    )
    tickets_at = monthly.COUNT_FIELDS.index("tickets")
    timed_at = monthly.COUNT_FIELDS.index("handle_count")
    handled_at = monthly.SECOND_FIELDS.index("handle_seconds")
    sums: dict[tuple[int, int], _SlotSums] = {
        divmod(index, _HALF_HOURS): _SlotSums(
            tickets=int(counts[index, tickets_at]),
            vip_tickets=int(vip_counts[index, tickets_at]),
            handle_count=int(counts[index, timed_at]),
            handle_seconds=float(seconds[index, handled_at]),
            windows_open=int(open_windows[index]),
            vip_windows_open=int(vip_open[index]),
        )
        for index in np.flatnonzero(counts[:, tickets_at]).tolist()
    }
    abandoned = int(cells.count("abandoned").sum())
    waited = float(cells.second("wait_seconds").sum())
    patience = (
        staffing.estimate_patience(
            abandoned=abandoned, waited_seconds=waited, min_abandoned=MIN_ABANDONED
        )
        if model == AUTO
        else None
    )
    target = staffing.ServiceTarget(
        target_seconds=WAIT_TARGET_SECONDS, service_level=STAFFING_SERVICE_LEVEL
    )
    vip_target = staffing.ServiceTarget(
        target_seconds=VIP_WAIT_TARGET_SECONDS, service_level=STAFFING_SERVICE_LEVEL
    )
    days_of = {wd: len(weekdays_between(start, end, wd)) for wd in range(7)}
    week: dict[int, dict[int, StaffingSlot]] = {}
    for (wd, half_hour), slot in sums.items():
        if not slot.handle_count:
            continue
        count = max(days_of[wd], 1)
        demand = staffing.SlotDemand(
            weekday=wd,
            start_minute=half_hour * 30,
            arrivals=slot.tickets / count,
            handling_seconds=slot.handle_seconds / slot.handle_count,
            patience_seconds=patience,
        )
        [result] = staffing.recommend_windows([demand], target=target)
        week.setdefault(wd, {})[half_hour] = StaffingSlot(
            half_hour=half_hour,
            label=half_hour_label(half_hour),
            arrivals=demand.arrivals,
            handling_seconds=result.metrics.handling_seconds,
            windows_open=slot.windows_open / count,
            windows_needed=result.windows,
            service_level=result.metrics.service_level,
            average_wait_seconds=result.metrics.average_wait_seconds,
            occupancy=result.metrics.occupancy,
            weekday=wd,
            model=result.metrics.model,
            abandonment=result.metrics.abandonment,
            vip=_vip_option(slot, count, demand.handling_seconds, target, vip_target)
            if wd == weekday
            else None,
        )
    slots = [week.get(weekday, {})[h] for h in sorted(week.get(weekday, {}))]
    return StaffingPlan(
        weekday=weekday,
        days=days_of[weekday],
        target_seconds=WAIT_TARGET_SECONDS,
        service_level=STAFFING_SERVICE_LEVEL,
        slots=slots,
        week=week,
        half_hours=sorted({h for day in week.values() for h in day}),
        changes=_changes(week),
        model=model,
        patience_seconds=patience,
        abandoned=abandoned,
    )


def _vip_option(
    slot: _SlotSums,
    count: int,
    handling_seconds: float,
    target: staffing.ServiceTarget,
    vip_target: staffing.ServiceTarget,
) -> VipOption:
    interval = 30 * 60.0
    vip_rate = slot.vip_tickets / count / interval
    regular_rate = (slot.tickets - slot.vip_tickets) / count / interval
    comparison = staffing.compare_vip_options(
        vip_arrival_rate=vip_rate,
        regular_arrival_rate=regular_rate,
        handling_seconds=handling_seconds,
        vip_target=vip_target,
        regular_target=target,
    )
    return VipOption(
        vip_arrivals=slot.vip_tickets / count,
        vip_windows_open=slot.vip_windows_open / count,
        dedicated_vip=comparison.dedicated_vip.servers,
        dedicated_regular=comparison.dedicated_regular.servers,
        shared=comparison.shared_windows,
        shared_vip_service_level=comparison.shared.vip.service_level,
        shared_regular_service_level=comparison.shared.regular.service_level,
    )


def _changes(week: dict[int, dict[int, StaffingSlot]]) -> list[StaffingChange]:
    """Half hours where the windows open differ from those needed by a window or more,
    consecutive ones with the same change merged."""
    changes: list[StaffingChange] = []
    for wd in sorted(week):
        current: StaffingChange | None = None
        for half_hour in sorted(week[wd]):
            slot = week[wd][half_hour]
            if abs(slot.difference) < 1:
                current = None
                continue
            step = round(slot.difference)
            if (
                current is not None
                and current.last_half_hour == half_hour - 1
                and current.change == step
            ):
                current.last_half_hour = half_hour
                continue
            current = StaffingChange(
                weekday=wd,
                first_half_hour=half_hour,
                last_half_hour=half_hour,
                windows_open=slot.windows_open,
                windows_needed=slot.windows_needed,
            )
            changes.append(current)
    return changes


# League table ------------------------------------------------------------------------------


class LeagueTeller(NamedTuple):
    """A teller as a league row names them."""

    pk: int
    staff_number: str
    name: str


@dataclass
class LeagueRow:
    teller: LeagueTeller
    outlet: Named
    served: int
    weighted_minutes: float
    errors: int
    handle_count: int = 0
    handle_seconds: float = 0.0
    standard_handle_seconds: float = 0.0
    rank_in_outlet: int = 0
    rank_overall: int = 0

    @property
    def error_rate(self) -> float | None:
        """Errors per thousand tickets served."""
        return 1000 * self.errors / self.served if self.served else None

    @property
    def dwell_ratio(self) -> float | None:
        """Transaction time against the standard time of the same transactions (1 = par)."""
        if not self.standard_handle_seconds:
            return None
        return self.handle_seconds / self.standard_handle_seconds


def league_table(*, user: Any, unit: OrgUnit, month: date) -> list[LeagueRow]:
    """Tellers of ``unit``'s outlets in ``month``: tickets served (also weighted by each
    type's standard time), errors, and transaction time against the standard time of the
    same transactions, ranked by tickets served within their outlet and across all the
    outlets shown. From the monthly teller table; three queries. The live table is for
    those who see every teller of ``unit`` (``sees_every_teller``); tellers read the
    published one.
    """
    if not sees_every_teller(user, unit):
        raise PermissionDenied
    first = month.replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    shown = (
        MonthlyTellerFigures.objects.visible_to(user)
        .filter(month=first, outlet__path__startswith=unit.path)
        .order_by()
    )
    # The tellers' and outlets' names come along: no model instances, two queries fewer.
    months = list(
        shown.values_list("outlet_id", "teller_id", "served", "handle_count", "handle_seconds",
                          "by_type", "teller__staff_number", "teller__name",
                          *(f"outlet__{name}" for name in _NAME_FIELDS))
    )  # fmt: skip
    # Errors of tellers who served nobody that month are not ranked: there is no volume.
    standard = dict(BusinessType.objects.values_list("pk", "standard_seconds"))
    served_standard, timed_standard = monthly.standard_seconds([m[5] for m in months], standard)
    errors = dict(
        TellerError.objects.visible_to(user)
        .filter(outlet__path__startswith=unit.path, occurred_on__range=(first, last))
        .values_list("teller_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    served = [m[2] for m in months]
    errored = [errors.get(m[1], 0) for m in months]
    overall = _ranks(served, errored, [0] * len(months))
    in_outlet = _ranks(served, errored, [m[0] for m in months])
    outlets: dict[int, Named] = {}
    for month_row in months:
        if month_row[0] not in outlets:
            outlets[month_row[0]] = Named(month_row[0], *month_row[8:])
    # By position, in the order of the fields: several times faster than by keyword.
    rows = [
        LeagueRow(
            LeagueTeller(teller_id, staff_number, name),
            outlets[outlet_id],
            served_count,
            served_seconds / 60,
            error_count,
            handle_count,
            handle_seconds,
            float(timed_seconds),
            rank_in_outlet,
            rank_overall,
        )
        for (outlet_id, teller_id, _served, handle_count, handle_seconds, _types, staff_number,
             name, *_names), served_count, served_seconds, error_count, timed_seconds,
            rank_in_outlet, rank_overall
        in zip(months, served, served_standard, errored, timed_standard, in_outlet, overall,
               strict=True)
    ]  # fmt: skip
    rows.sort(key=lambda r: (r.rank_overall, r.teller.staff_number))
    return rows


def _ranks(served: list[int], errors: list[int], groups: list[int]) -> list[int]:
    """Competition ranks (1, 2, 2, 4) within each group by tickets served, fewer errors
    first on ties."""
    served_by, errors_by, group_by = np.array(served), np.array(errors), np.array(groups)
    order = np.lexsort((errors_by, -served_by, group_by))
    group_by, served_by, errors_by = group_by[order], served_by[order], errors_by[order]
    positions = np.arange(len(order))
    starts_group = np.ones(len(order), dtype=np.bool_)
    starts_group[1:] = group_by[1:] != group_by[:-1]
    starts_tie = starts_group.copy()
    starts_tie[1:] |= (served_by[1:] != served_by[:-1]) | (errors_by[1:] != errors_by[:-1])
    group_start = np.maximum.accumulate(np.where(starts_group, positions, 0))
    tie_start = np.maximum.accumulate(np.where(starts_tie, positions, 0))
    ranks = np.empty(len(order), dtype=np.int64)
    ranks[order] = tie_start - group_start + 1
    return ranks.tolist()


# Teller errors and imports -----------------------------------------------------------------


def teller_error_list(*, user: Any) -> Any:
    """Teller errors of the user's units, newest first; a teller (a staff post) sees their
    own errors, not their colleagues' (the published league table gives everyone's counts)."""
    return (
        TellerError.objects.visible_to(user)
        .filter(own_teller_q(user))
        .select_related("teller", "outlet", "business_type")
    )


def ticket_import_list(*, user: Any) -> Any:
    """The import history of the user's outlets, newest first."""
    return TicketImport.objects.visible_to(user).select_related("outlet", "imported_by")


# Published league tables -------------------------------------------------------------------


def _publications(user: Any) -> Any:
    """Publications of the user's scope, and those of the outlet and sub-branch above the
    user's own units: a teller sees the published table of their sub-branch."""
    scope = scope_for(user)
    seen = Q(scope.q("unit__path"))
    if not scope.is_global:
        above = {
            grant.path[:end]
            for grant in scope.grants
            for end in range(OrgUnit.steplen, len(grant.path), OrgUnit.steplen)
        }
        seen |= Q(
            unit__path__in=above,
            unit__kind__in=[OrgUnitKind.SUB_BRANCH, OrgUnitKind.OUTLET],
        )
    return LeaguePublication.objects.filter(seen).select_related("unit", "published_by")


def league_publication_list(*, user: Any) -> Any:
    """Current versions of the published league tables the user may read, newest first."""
    return _publications(user).filter(is_current=True).order_by("-month", "unit__path")


def league_publication_get(
    *, user: Any, unit_code: str, month: date, version: int | None = None
) -> LeaguePublication:
    """One published table (the current version unless ``version``); 404 when not readable."""
    qs = _publications(user).filter(unit__code=unit_code, month=month.replace(day=1))
    qs = qs.filter(version=version) if version is not None else qs.filter(is_current=True)
    publication = qs.first()
    if publication is None:
        raise Http404
    return publication


def league_publication_versions(*, publication: LeaguePublication) -> list[LeaguePublication]:
    """Every version of the same unit and month, newest first (call after a scoped get)."""
    return list(
        LeaguePublication.objects.filter(unit=publication.unit, month=publication.month)
        .select_related("published_by")
        .order_by("-version")
    )


def league_publication_rows(*, publication: LeaguePublication) -> list[LeaguePublicationRow]:
    return list(publication.rows.order_by("rank_overall", "staff_number"))


# Teller page -------------------------------------------------------------------------------


@dataclass
class TellerTypeRow:
    business_type: BusinessType
    served: int = 0
    handle_count: int = 0
    handle_seconds: float = 0.0

    @property
    def mean_handle(self) -> float | None:
        return histogram.mean(self.handle_seconds, self.handle_count)

    @property
    def dwell_ratio(self) -> float | None:
        """Mean transaction time against the type's standard time (1 = par)."""
        mean = self.mean_handle
        standard = self.business_type.standard_seconds
        return mean / standard if mean is not None and standard else None


@dataclass
class TellerMonth:
    month: date
    served: int = 0
    weighted_minutes: float = 0.0
    handle_count: int = 0
    handle_seconds: float = 0.0
    standard_handle_seconds: float = 0.0
    errors: int = 0

    @property
    def dwell_ratio(self) -> float | None:
        if not self.standard_handle_seconds:
            return None
        return self.handle_seconds / self.standard_handle_seconds

    @property
    def error_rate(self) -> float | None:
        return 1000 * self.errors / self.served if self.served else None


@dataclass
class TellerReport:
    teller: Employee
    start: date
    end: date
    types: list[TellerTypeRow]
    months: list[TellerMonth]
    total: TellerMonth
    errors_by_kind: list[tuple[str, int]]


def teller_get(*, user: Any, staff_number: str) -> Employee:
    """A teller whose figures the user may read: themselves, or a teller of a unit where
    the user is a manager. Out of scope is 404; in scope without the role is 403."""
    teller = (
        Employee.objects.visible_to(user)
        .select_related("unit")
        .filter(staff_number=staff_number)
        .first()
    )
    if teller is None:
        raise Http404
    if teller.user_id is not None and teller.user_id == getattr(user, "pk", None):
        return teller
    held = scope_for(user).role_at(teller.unit.path)
    if held is None or held < Role.MANAGER:
        raise PermissionDenied
    return teller


def teller_report(*, user: Any, teller: Employee, start: date, end: date) -> TellerReport:
    """A teller's volume, transaction time against standard by business type, errors, and
    their trend by month, from the rollups; four queries."""
    cells = _cells(user, None, start, end, None, teller=teller)
    months_of = np.array(
        [date.fromordinal(d).replace(day=1).toordinal() for d in cells.day.tolist()],
        dtype=np.int64,
    )
    keys, group = np.unique(
        np.stack([months_of, cells.type_id], axis=1).reshape(-1, 2), axis=0, return_inverse=True
    )
    counts, seconds = cells.sums(group.reshape(-1), len(keys))
    types = BusinessType.objects.in_bulk()
    by_type: dict[int, TellerTypeRow] = {}
    months: dict[date, TellerMonth] = {}
    total = TellerMonth(month=start)
    served_at = monthly.COUNT_FIELDS.index("served")
    timed_at = monthly.COUNT_FIELDS.index("handle_count")
    handled_at = monthly.SECOND_FIELDS.index("handle_seconds")
    for (ordinal, type_id), line, spent in zip(
        keys.tolist(), counts.tolist(), seconds[:, handled_at].tolist(), strict=True
    ):
        kind = types[type_id]
        month = date.fromordinal(ordinal)
        served, timed = line[served_at], line[timed_at]
        row = by_type.setdefault(kind.pk, TellerTypeRow(business_type=kind))
        row.served += served
        row.handle_count += timed
        row.handle_seconds += spent
        for target in (months.setdefault(month, TellerMonth(month=month)), total):
            target.served += served
            target.weighted_minutes += served * kind.standard_seconds / 60
            target.handle_count += timed
            target.handle_seconds += spent
            target.standard_handle_seconds += timed * kind.standard_seconds
    errors = (
        TellerError.objects.visible_to(user)
        .filter(teller=teller, occurred_on__range=(start, end))
        .values_list("occurred_on", "kind")
    )
    kinds: dict[str, int] = {}
    for occurred_on, kind_code in errors:
        first = occurred_on.replace(day=1)
        months.setdefault(first, TellerMonth(month=first)).errors += 1
        total.errors += 1
        kinds[kind_code] = kinds.get(kind_code, 0) + 1
    labels = dict(ErrorKind.choices)
    return TellerReport(
        teller=teller,
        start=start,
        end=end,
        types=sorted(by_type.values(), key=lambda r: (-r.served, r.business_type.code)),
        months=[months[m] for m in sorted(months)],
        total=total,
        errors_by_kind=sorted(
            ((str(labels.get(k, k)), n) for k, n in kinds.items()), key=lambda item: -item[1]
        ),
    )


# VIP window selection ----------------------------------------------------------------------


@dataclass
class VipCandidate:
    teller: Employee
    score: VipCandidateScore
    timed: int  # transactions with a measured time in the range
    dwell_ratio: float | None
    speed: float | None
    total: float | None = None
    rank: int | None = None

    def scores(self) -> dict[str, float | None]:
        return {
            "business_skill": self.score.business_skill,
            "speed": self.speed,
            "marketing": self.score.marketing,
            "service": self.score.service,
            "image": self.score.image,
        }


def vip_candidate_ranking(
    *, user: Any, unit: OrgUnit, start: date, end: date, weights: vipselection.Weights
) -> list[VipCandidate]:
    """Tellers of ``unit`` with a manager's scores (the latest of each), ranked on the
    weighted scores; speed from their transaction times in the range against the standard
    times of the same transactions, with at least ``slowness.MIN_TICKETS`` of them.
    Four queries."""
    latest: dict[int, VipCandidateScore] = {}
    scored = (
        VipCandidateScore.objects.visible_to(user, Role.MANAGER)
        .filter(teller__unit__path__startswith=unit.path, teller__is_active=True)
        .select_related("teller", "teller__unit")
        .order_by("teller_id", "-scored_on", "-pk")
    )
    for score in scored:
        latest.setdefault(score.teller_id, score)
    if not latest:
        return []
    standard = dict(BusinessType.objects.values_list("pk", "standard_seconds"))
    cells = _cells(user, unit, start, end, None)
    cells = cells.take(np.isin(cells.teller_id, list(latest)))
    standard_each = np.array([standard.get(t, 0) for t in cells.type_id.tolist()], dtype=np.float64)
    tellers, group = np.unique(cells.teller_id, return_inverse=True)
    group = group.reshape(-1)
    timed_each = cells.count("handle_count")
    sums: dict[int, list[float]] = {
        teller_id: [int(timed), spent, standard_total]
        for teller_id, timed, spent, standard_total in zip(
            tellers.tolist(),
            np.bincount(group, weights=timed_each, minlength=tellers.size).tolist(),
            np.bincount(
                group, weights=cells.second("handle_seconds"), minlength=tellers.size
            ).tolist(),
            np.bincount(group, weights=timed_each * standard_each, minlength=tellers.size).tolist(),
            strict=True,
        )
    }
    candidates = []
    for teller_id, score in latest.items():
        timed, spent, par = sums.get(teller_id, [0, 0.0, 0.0])
        ratio = spent / par if par and timed >= slowness.MIN_TICKETS else None
        candidates.append(
            VipCandidate(
                teller=score.teller,
                score=score,
                timed=int(timed),
                dwell_ratio=ratio,
                speed=vipselection.speed_score(ratio),
            )
        )
    for candidate in candidates:
        candidate.total = vipselection.weighted_score(candidate.scores(), weights)
    ranks = vipselection.competition_ranks([c.total for c in candidates])
    for candidate, rank in zip(candidates, ranks, strict=True):
        candidate.rank = rank
    candidates.sort(key=lambda c: (c.rank is None, c.rank or 0, c.teller.staff_number))
    return candidates


# Slow tellers ------------------------------------------------------------------------------


@dataclass
class SlowTellerRow:
    teller: Employee
    result: slowness.TellerSlowness


def slow_teller_list(
    *, user: Any, unit: OrgUnit | None, start: date, end: date
) -> list[SlowTellerRow]:
    """Tellers of ``unit`` (or of every unit the user manages) against their peers there,
    by business type and adjusted for mix; slowest first. Three queries."""
    found = _cells(user, unit, start, end, None, Role.MANAGER)
    found = found.take((found.teller_id >= 0) & (found.count("handle_count") > 0))
    pairs, group = np.unique(
        np.stack([found.teller_id, found.type_id], axis=1).reshape(-1, 2),
        axis=0,
        return_inverse=True,
    )
    counts, seconds = found.sums(group.reshape(-1), len(pairs))
    timed_at = monthly.COUNT_FIELDS.index("handle_count")
    cells = [
        slowness.Cell(teller_id, type_id, line[timed_at], spent, squares)
        for (teller_id, type_id), line, (_wait, spent, squares) in zip(
            pairs.tolist(), counts.tolist(), seconds.tolist(), strict=True
        )
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

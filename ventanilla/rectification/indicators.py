"""The figures a goal or a measure can aim at, computed from the data the other apps hold.

An indicator code is a name, optionally with a segment after a dot
(``survey_overall.corporate``). Each indicator computes an :class:`Observation` for a unit's
subtree over a half-open date window ``[start, end)``: the value, the number of
observations behind it and its standard error, which is what the effect check needs.
Windows are dates in the bank's calendar; the figures are read without any user scope
because the check runs for a measure the user may already see, on its own unit and its
peers, and only the numbers (never the records) leave this module.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ventanilla.core.errors import DomainError
from ventanilla.org.models import OrgUnit
from ventanilla.rectification.effect import (
    Observation,
    mean_from_sums,
    mean_observation,
    rate_observation,
    share_observation,
)

Compute = Callable[[OrgUnit, date, date, str | None], Observation]


@dataclass(frozen=True)
class Indicator:
    code: str
    label: Promise
    unit_label: Promise
    higher_is_better: bool
    compute: Compute
    needs_segment: bool = False
    decimals: int = 1


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return (
        datetime.combine(start, time.min, tzinfo=tz),
        datetime.combine(end, time.min, tzinfo=tz),
    )


def _survey_scores(unit: OrgUnit, start: date, end: date, segment: str | None) -> list[float]:
    """Overall scores answered in the window, on a 0-100 scale whatever the wave's scale."""
    from ventanilla.surveys.models import SCALE_BOUNDS, Dimension, ResponseScore

    rows = ResponseScore.objects.filter(
        dimension__code=Dimension.OVERALL,
        score__isnull=False,
        response__unit__path__startswith=unit.path,
        response__answered_on__gte=start,
        response__answered_on__lt=end,
    )
    if segment:
        rows = rows.filter(response__segment__code=segment)
    scores = []
    for score, scale in rows.values_list("score", "response__wave__scale"):
        if score is None:
            continue
        low, high = SCALE_BOUNDS[scale]
        scores.append((score - low) / (high - low) * 100)
    return scores


def survey_overall(unit: OrgUnit, start: date, end: date, segment: str | None) -> Observation:
    return mean_observation(_survey_scores(unit, start, end, segment))


def survey_satisfied(unit: OrgUnit, start: date, end: date, segment: str | None) -> Observation:
    """Share of answers in the top two boxes (4-5 of 5; 9-10 of 10), in percent."""
    scores = _survey_scores(unit, start, end, segment)
    hits = sum(1 for s in scores if s >= 75)
    return share_observation(hits, len(scores), scale=100)


def _cells(unit: OrgUnit, start: date, end: date) -> Any:
    """The counter rollups' cells of ``unit``'s outlets, ``start`` inclusive to ``end``
    exclusive."""
    from ventanilla.counters.models import QueueDayRollup
    from ventanilla.counters.rollups import read_cells

    return read_cells(
        QueueDayRollup.objects.filter(
            outlet__path__startswith=unit.path, service_on__gte=start, service_on__lt=end
        )
    )


def counter_mean_wait(unit: OrgUnit, start: date, end: date, segment: str | None) -> Observation:
    """Mean waiting time in minutes; its error from the waiting-time histograms."""
    from ventanilla.counters.histogram import BUCKET_SECONDS

    cells = _cells(unit, start, end)
    middles = (cells.wait_bucket + 0.5) * BUCKET_SECONDS
    squares = float((cells.wait_count * middles * middles).sum())
    obs = mean_from_sums(
        int(cells.count("wait_count").sum()), float(cells.second("wait_seconds").sum()), squares
    )
    if obs.value is None:
        return obs
    return Observation(obs.value / 60, obs.n, obs.se / 60 if obs.se is not None else None)


def counter_service_level(
    unit: OrgUnit, start: date, end: date, segment: str | None
) -> Observation:
    """Share of customers called within 15 minutes, in percent."""
    from ventanilla.counters.histogram import BUCKET_SECONDS

    cells = _cells(unit, start, end)
    limit = 15 * 60 // BUCKET_SECONDS
    hits = int(cells.wait_count[cells.wait_bucket < limit].sum())
    return share_observation(hits, int(cells.wait_count.sum()), scale=100)


def counter_mean_handling(
    unit: OrgUnit, start: date, end: date, segment: str | None
) -> Observation:
    """Mean transaction time at the counter in minutes."""
    cells = _cells(unit, start, end)
    obs = mean_from_sums(
        int(cells.count("handle_count").sum()),
        float(cells.second("handle_seconds").sum()),
        float(cells.second("handle_squares").sum()),
    )
    if obs.value is None:
        return obs
    return Observation(obs.value / 60, obs.n, obs.se / 60 if obs.se is not None else None)


def teller_error_rate(unit: OrgUnit, start: date, end: date, segment: str | None) -> Observation:
    """Teller errors per 1,000 tickets served."""
    from ventanilla.counters.models import TellerError

    served = int(_cells(unit, start, end).count("served").sum())
    errors = TellerError.objects.filter(
        outlet__path__startswith=unit.path, occurred_on__gte=start, occurred_on__lt=end
    ).count()
    return rate_observation(errors, served, per=1000) if served else Observation(None, 0, None)


def complaint_on_time(unit: OrgUnit, start: date, end: date, segment: str | None) -> Observation:
    """Share of decisions sent within the time limit, among those due in the window."""
    from ventanilla.complaints.models import Complaint

    lo, hi = _bounds(start, end)
    agg = Complaint.objects.filter(
        unit__path__startswith=unit.path,
        due_at__gte=lo,
        due_at__lt=hi,
        decision_sent_at__isnull=False,
    ).aggregate(
        n=Count("id"),
        on_time=Count("id", filter=Q(decision_sent_at__lte=F("due_at"))),
    )
    return share_observation(agg["on_time"] or 0, agg["n"] or 0, scale=100)


def complaint_rate(unit: OrgUnit, start: date, end: date, segment: str | None) -> Observation:
    """Complaints received per 30 days."""
    from ventanilla.complaints.models import Complaint

    lo, hi = _bounds(start, end)
    n = Complaint.objects.filter(
        unit__path__startswith=unit.path, received_at__gte=lo, received_at__lt=hi
    ).count()
    return rate_observation(n, (end - start).days, per=30)


INDICATORS: dict[str, Indicator] = {
    i.code: i
    for i in (
        Indicator(
            "survey_overall",
            _("Overall satisfaction score (0-100)"),
            _("points"),
            True,
            survey_overall,
            needs_segment=True,
        ),
        Indicator(
            "survey_satisfied",
            _("Share of satisfied customers"),
            _("%"),
            True,
            survey_satisfied,
            needs_segment=True,
        ),
        Indicator(
            "counter_mean_wait",
            _("Average wait at the counters"),
            _("min"),
            False,
            counter_mean_wait,
            decimals=2,
        ),
        Indicator(
            "counter_service_level",
            _("Customers called within 15 minutes"),
            _("%"),
            True,
            counter_service_level,
        ),
        Indicator(
            "counter_mean_handling",
            _("Average transaction time"),
            _("min"),
            False,
            counter_mean_handling,
            decimals=2,
        ),
        Indicator(
            "teller_error_rate",
            _("Teller errors per 1,000 tickets"),
            _("‰"),
            False,
            teller_error_rate,
            decimals=2,
        ),
        Indicator(
            "complaint_on_time", _("Complaint decisions on time"), _("%"), True, complaint_on_time
        ),
        Indicator(
            "complaint_rate",
            _("Complaints per 30 days"),
            _("complaints"),
            False,
            complaint_rate,
            decimals=2,
        ),
    )
}


def parse(code: str) -> tuple[Indicator, str | None]:
    """The indicator and segment of a code such as ``survey_overall.corporate``."""
    name, _dot, segment = code.partition(".")
    indicator = INDICATORS.get(name)
    if indicator is None:
        raise DomainError(
            _("Unknown indicator %(code)s. Known: %(known)s.")
            % {"code": code, "known": ", ".join(INDICATORS)}
        )
    if indicator.needs_segment and not segment:
        raise DomainError(
            _("The indicator %(code)s needs a customer segment, e.g. %(code)s.corporate.")
            % {"code": name}
        )
    return indicator, segment or None


def label(code: str) -> str:
    """The indicator's name with its segment, for pages and reports."""
    if not code:
        return ""
    try:
        indicator, segment = parse(code)
    except DomainError:
        return code
    if segment:
        from ventanilla.surveys.models import Segment

        seg = Segment.objects.filter(code=segment).first()
        return f"{indicator.label} · {seg.display_name if seg else segment}"
    return str(indicator.label)


def unit_label(code: str) -> str:
    """What the indicator is counted in (min, %, points...), or nothing for a bad code."""
    try:
        return str(parse(code)[0].unit_label) if code else ""
    except DomainError:
        return ""


def choices() -> list[tuple[str, str]]:
    """Every indicator code a form can offer, segments spelled out."""
    from ventanilla.surveys.models import Segment

    out: list[tuple[str, str]] = []
    segments = list(Segment.objects.all())
    for indicator in INDICATORS.values():
        if indicator.needs_segment:
            out.extend(
                (f"{indicator.code}.{s.code}", f"{indicator.label} · {s.display_name}")
                for s in segments
            )
        else:
            out.append((indicator.code, str(indicator.label)))
    return out


def observe(code: str, unit: OrgUnit, start: date, end: date) -> Observation:
    indicator, segment = parse(code)
    if end <= start:
        raise DomainError(str(_("The window must end after it starts.")))
    return indicator.compute(unit, start, end, segment)


def window_before(split: date, days: int) -> tuple[date, date]:
    return split - timedelta(days=days), split


def window_after(split: date, days: int) -> tuple[date, date]:
    return split, split + timedelta(days=days)

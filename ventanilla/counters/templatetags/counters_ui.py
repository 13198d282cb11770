"""Formatting of counters figures in templates."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext, ngettext

register = template.Library()


@register.filter
def mmss(seconds: Any) -> str:
    """Seconds as minutes:seconds (``4:05``), or a dash when there is no figure."""
    if seconds is None or seconds == "":
        return "–"
    total = round(float(seconds))
    return f"{total // 60}:{total % 60:02d}"


@register.filter
def duration(seconds: Any) -> str:
    """Seconds as a duration to read in a sentence (``15 minutes``, ``1 h 52 min``).

    ``mmss`` suits a column headed "(min:s)"; inside prose "15:00" reads as a time of day.
    """
    if seconds is None or seconds == "":
        return "–"
    total = round(float(seconds))
    if total < 60:
        return ngettext("%(n)s second", "%(n)s seconds", total) % {"n": total}
    minutes = round(total / 60)
    if minutes < 60:
        return ngettext("%(n)s minute", "%(n)s minutes", minutes) % {"n": minutes}
    return gettext("%(hours)s h %(minutes)s min") % {
        "hours": minutes // 60,
        "minutes": minutes % 60,
    }


@register.filter
def percent(share: Any) -> str:
    """A share as a percentage with one decimal, or a dash."""
    if share is None:
        return "–"
    return f"{number_format(100 * float(share), 1)}%"


@register.filter
def weekday_name(index: Any) -> str:
    """0 → Monday ... 6 → Sunday, in the language of the request."""
    from django.utils.dates import WEEKDAYS

    return str(WEEKDAYS[int(index)])


@register.filter
def absolute(value: Any) -> Any:
    return abs(value)


P_FLOOR = 0.0001


@register.filter
def p_value(p: Any) -> str:
    """A test's p-value with four decimals, "< 0.0001" below that (a z of 26 gives 1e-150,
    which no reader needs spelled out), or a dash."""
    if p is None or p == "":
        return "–"
    if float(p) < P_FLOOR:
        return f"< {number_format(P_FLOOR, 4)}"
    return number_format(float(p), 4)


@register.filter
def percentile_mmss(seconds: Any) -> str:
    """A percentile read from the 30-second histogram buckets, as minutes:seconds; one in
    the first bucket is only known to be under 30 seconds, and says so ("< 0:30") rather
    than showing the bucket's middle beside a mean of a few seconds."""
    from ventanilla.counters.histogram import BUCKET_SECONDS

    if seconds is None or seconds == "":
        return "–"
    if float(seconds) < BUCKET_SECONDS:
        return f"< {mmss(BUCKET_SECONDS)}"
    return mmss(seconds)

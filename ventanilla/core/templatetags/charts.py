"""``{% chart c %}``: a canvas drawn by Chart.js and the table of the same numbers."""

from __future__ import annotations

from django import template
from django.template.loader import render_to_string

from ventanilla.core.charts import Chart

register = template.Library()


@register.simple_tag
def chart(c: Chart, height: int = 280) -> str:
    header, rows = c.table()
    return render_to_string(
        "includes/chart.html",
        {"c": c, "spec": c.spec(), "header": header, "rows": rows, "height": height},
    )


@register.inclusion_tag("includes/chart_script.html")
def chart_script() -> dict[str, object]:
    """The script tags; put once in a page's ``scripts`` block."""
    return {}

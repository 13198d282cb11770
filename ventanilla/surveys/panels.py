"""The home page panel: where the user's unit stands in the latest evaluation (rank, gap to
the target, fix-first dimensions) and the top three themes of its customers' comments with
examples, so that a manager sees it all without a click."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from ventanilla.core.views import Panel
from ventanilla.surveys import selectors


def standing_panels(request: HttpRequest) -> list[Panel]:
    wave = selectors.wave_list(user=request.user).first()
    if wave is None:
        return []
    report = selectors.wave_ranking(user=request.user, wave=wave)
    rows: list[dict[str, Any]] = [
        {"segment": s.segment, "line": line, "peers": len(s.lines)}
        for s in report.segments
        for line in s.lines
        if line.is_own
    ]
    if not rows:
        return []
    fix_first = {
        d.segment.pk: d.fix_first[:3] for d in selectors.wave_drivers(user=request.user, wave=wave)
    }
    for row in rows:
        row["fix_first"] = fix_first.get(row["segment"].pk, [])
    themes = selectors.wave_themes(user=request.user, wave=wave, with_trend=False)
    return [
        Panel(
            "surveys/panel_standing.html",
            {"wave": wave, "rows": rows, "themes": themes.top},
            width=12,
        )
    ]

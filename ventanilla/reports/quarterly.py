"""The quarterly service-quality pack for the leadership group's meeting, as blocks.

Satisfaction and ranks, complaints and their figures, service errors per outlet, and the
rectification measures due in the quarter with their effect. Data in (``QuarterlyPack``),
blocks out; call inside ``translation.override(language)``.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from ventanilla.reports import charts
from ventanilla.reports.document import (
    Column,
    Document,
    Heading,
    Image,
    Paragraph,
    Progress,
    Table,
    day,
    long_day,
    num,
    numbered,
    signed,
)
from ventanilla.reports.selectors import PackComplaintRow, QuarterlyPack

TEMPLATE = "reports/quarterly_pack.html"


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{num(value, 1)}%"


def _satisfaction(doc: Document, pack: QuarterlyPack, chapter: int) -> None:
    doc.add(Heading(1, numbered(doc.language, 1, chapter, _("Customer satisfaction and ranks"))))
    if not pack.satisfaction:
        doc.add(
            Paragraph(
                _("No evaluation wave covering %(unit)s ran in this quarter.")
                % {"unit": pack.unit},
                "muted",
            )
        )
        return
    doc.add(Paragraph(_("Evaluation waves: %(waves)s.") % {"waves": ", ".join(pack.waves)}))
    doc.add(
        Table(
            [
                Column(_("Wave"), width=6),
                Column(_("Customer segment"), width=5),
                Column(_("Answers"), True, 2),
                Column(_("Overall score"), True, 3),
                Column(_("Satisfied"), True, 3),
                Column(_("Rank"), True, 2),
                Column(_("Target rank"), True, 3),
            ],
            [
                [
                    s.wave,
                    s.segment,
                    str(s.n),
                    num(s.mean, 2),
                    _pct(s.satisfied),
                    f"{s.rank}/{s.peers}" if s.rank is not None else "—",
                    str(s.target_rank) if s.target_rank else "—",
                ]
                for s in pack.satisfaction
            ],
        )
    )
    png = charts.rank_chart(
        [charts.RankBar(f"{s.segment}", s.rank, s.target_rank, s.peers) for s in pack.satisfaction],
        title=_("Rank per customer segment (1 = best)"),
        rank_label=_("Rank"),
        target_label=_("Target rank"),
    )
    if png:
        doc.add(Image(png, _("Rank per customer segment against the target rank")))


def _complaint_table(first: str, rows: list[PackComplaintRow]) -> Table:
    return Table(
        [
            Column(first, width=8),
            Column(_("Complaints"), True, 3),
            Column(_("Resolved"), True, 3),
            Column(_("On-time rate"), True, 3),
            Column(_("Resolution rate"), True, 3),
        ],
        [
            [r.label, str(r.total), str(r.resolved), _pct(r.on_time_rate), _pct(r.resolution_rate)]
            for r in rows
        ],
    )


def _complaints(doc: Document, pack: QuarterlyPack, chapter: int) -> None:
    doc.add(Heading(1, numbered(doc.language, 1, chapter, _("Complaints"))))
    c = pack.complaints
    if not c.total:
        doc.add(Paragraph(_("No complaints were received in this quarter."), "muted"))
        return
    doc.add(
        Paragraph(
            _(
                "%(total)d complaints received (%(open)d still open); decisions on time "
                "%(on_time)s, resolution rate %(resolved)s, %(days)s days to a decision on "
                "average; %(pre)d pre-complaints caught in the lobby."
            )
            % {
                "total": c.total,
                "open": c.open,
                "on_time": _pct(c.on_time_rate),
                "resolved": _pct(c.resolution_rate),
                "days": num(c.average_days, 1),
                "pre": c.pre_total,
            }
        )
    )
    doc.add(Heading(3, _("By cause")))
    doc.add(_complaint_table(_("Cause"), c.by_cause))
    png = charts.bar_chart(
        [charts.CountBar(r.label, r.total) for r in c.by_cause],
        title=_("Complaints by cause"),
        axis_label=_("Complaints"),
    )
    if png:
        doc.add(Image(png, _("Complaints by cause")))
    if len(c.by_unit) > 1:
        doc.add(Heading(3, _("By unit")))
        doc.add(_complaint_table(_("Unit"), c.by_unit))


def _errors(doc: Document, pack: QuarterlyPack, chapter: int) -> None:
    doc.add(Heading(1, numbered(doc.language, 1, chapter, _("Service errors"))))
    e = pack.errors
    if not e.rows:
        doc.add(Paragraph(_("No teller errors were recorded in this quarter."), "muted"))
        return
    totals = e.totals
    rows = [
        [r.outlet, *(str(r.counts.get(k, 0)) for k, _l in e.kinds), str(r.total)] for r in e.rows
    ]
    rows.append([_("Total"), *(str(totals.get(k, 0)) for k, _l in e.kinds), str(e.total)])
    doc.add(
        Table(
            [
                Column(_("Outlet"), width=6),
                *(Column(label, True, 3) for _k, label in e.kinds),
                Column(_("Total"), True, 2),
            ],
            rows,
            has_total=True,
        )
    )
    png = charts.bar_chart(
        [charts.CountBar(r.outlet, r.total) for r in e.rows],
        title=_("Teller errors per outlet"),
        axis_label=_("Errors"),
    )
    if png:
        doc.add(Image(png, _("Teller errors per outlet")))


def _measures(doc: Document, pack: QuarterlyPack, chapter: int) -> None:
    doc.add(
        Heading(1, numbered(doc.language, 1, chapter, _("Rectification measures due this quarter")))
    )
    if not pack.measures:
        doc.add(Paragraph(_("No rectification measure falls due in this quarter."), "muted"))
        return
    done = sum(1 for m in pack.measures if m.completed_on)
    late = sum(1 for m in pack.measures if m.is_overdue)
    doc.add(
        Paragraph(
            _("%(total)d measures fall due: %(done)d completed, %(late)d overdue.")
            % {"total": len(pack.measures), "done": done, "late": late}
        )
    )
    rows = []
    for m in pack.measures:
        effect = "—"
        if m.verdict:
            effect = m.verdict_label
            if m.before is not None or m.after is not None:
                effect += (
                    f"\n{num(m.before, m.decimals)} → {num(m.after, m.decimals)} {m.unit_label}"
                )
            if m.did is not None:
                effect += "\n" + _("DiD %(did)s") % {"did": signed(m.did, m.decimals)}
        rows.append(
            [
                f"{m.title}\n{m.reference}",
                " / ".join(x for x in (m.owner, m.department) if x) or "—",
                day(m.due_on),
                m.status_label + (" ({})".format(_("overdue")) if m.is_overdue else ""),
                f"{m.percent_done}%",
                effect,
            ]
        )
    doc.add(
        Table(
            [
                Column(_("Measure"), width=8),
                Column(_("Owner / department"), width=5),
                Column(_("Due"), width=3),
                Column(_("Status"), width=3),
                Column(_("Percent done"), True, 2),
                Column(_("Effect"), width=5),
            ],
            rows,
        )
    )


def build(pack: QuarterlyPack, language: str, on_step: Progress | None = None) -> Document:
    step = on_step or (lambda _pct, _text: None)
    doc = Document(
        language=language,
        title=_("%(unit)s service-quality analysis, %(quarter)s")
        % {"unit": pack.unit, "quarter": pack.quarter.code},
    )
    doc.meta = [
        _("Quarterly service-quality meeting · %(start)s – %(end)s")
        % {"start": day(pack.quarter.start), "end": day(pack.quarter.end)}
    ]
    step(25, _("Drawing the charts"))
    _satisfaction(doc, pack, 0)
    _complaints(doc, pack, 1)
    _errors(doc, pack, 2)
    _measures(doc, pack, 3)
    doc.signature = [pack.unit, long_day(pack.generated_on)]
    return doc

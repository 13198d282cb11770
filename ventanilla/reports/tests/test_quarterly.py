"""The quarterly service-quality pack: the quarter's figures of one unit, in scope."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta

import pytest
from django.utils import translation
from docx import Document as open_docx

from ventanilla.complaints.tests.factories import code, register
from ventanilla.core.errors import DomainError
from ventanilla.counters.models import TellerError
from ventanilla.counters.tests.factories import BusinessTypeFactory
from ventanilla.reports import quarterly
from ventanilla.reports.document import render
from ventanilla.reports.selectors import parse_quarter, quarterly_pack
from ventanilla.reports.tests.conftest import TZ
from ventanilla.surveys.tests.factories import add_response, make_wave

pytestmark = pytest.mark.django_db
Q3 = parse_quarter("2026Q3")


@pytest.fixture
def quarter_data(network, xc_plan):
    wave = make_wave(network.branch, name="2026Q3 分行测评", quarter=3)
    for i, (unit, overall) in enumerate(
        [
            (network.outlet_a, 5),
            (network.outlet_a, 4),
            (network.outlet_b, 4),
            (network.other_outlet, 2),
            (network.other_outlet, 3),
        ],
        start=1,
    ):
        add_response(wave, f"R{i:03d}", unit, {"overall": overall})
    july = datetime(2026, 7, 10, 10, 0, tzinfo=TZ)
    register(network, received_at=july)
    register(network, received_at=july + timedelta(days=20), cause=code("cause", "CA01"))
    register(network, received_at=datetime(2026, 6, 20, 10, 0, tzinfo=TZ))  # Q2: not counted
    business = BusinessTypeFactory()
    for outlet, kind, day in [
        (network.outlet_a, "wrong_amount", date(2026, 7, 2)),
        (network.outlet_a, "wrong_amount", date(2026, 8, 2)),
        (network.outlet_b, "procedure", date(2026, 9, 1)),
        (network.outlet_b, "procedure", date(2026, 6, 30)),  # Q2
        (network.other_outlet, "procedure", date(2026, 8, 1)),  # another sub-branch
    ]:
        TellerError.objects.create(
            outlet=outlet,
            occurred_on=day,
            teller=network.teller_a.employee,
            business_type=business,
            kind=kind,
            severity="minor",
        )
    return wave


def test_pack_gathers_the_quarter_for_the_unit(network, quarter_data):
    with translation.override("en"):
        pack = quarterly_pack(user=network.subbranch_manager, unit=network.subbranch, quarter=Q3)
    assert pack.waves == ["2026Q3 分行测评"]
    [line] = pack.satisfaction
    assert (line.n, line.mean, line.rank, line.peers) == (3, pytest.approx(13 / 3), 1, 2)
    assert pack.complaints.total == 2
    assert sorted((r.label, r.total) for r in pack.complaints.by_cause)[0][1] == 1
    assert [(r.outlet, r.counts) for r in pack.errors.rows] == [
        ("相城营业部", {"wrong_amount": 2}),
        ("元和网点", {"procedure": 1}),
    ]
    assert pack.errors.total == 3
    # Due in Q3: the finished measure with its effect check, and the overdue one.
    assert [(m.title, m.is_overdue, m.verdict) for m in pack.measures] == [
        ("建立投诉快速处理机制", False, "no_data"),
        ("午间增开弹性窗口", True, ""),
    ]


def test_pack_reads_only_what_the_user_may_see(network, quarter_data):
    with translation.override("en"):
        pack = quarterly_pack(user=network.manager_a, unit=network.outlet_a, quarter=Q3)
    assert pack.complaints.total == 2  # both taken at outlet A
    assert [r.outlet for r in pack.errors.rows] == ["相城营业部"]
    assert pack.measures == []  # Xiangcheng's plan is above the outlet


@pytest.mark.parametrize("fmt", ["docx", "pdf", "html"])
def test_pack_renders_in_every_format(network, quarter_data, fmt):
    with translation.override("zh-hans"):
        pack = quarterly_pack(user=network.subbranch_manager, unit=network.subbranch, quarter=Q3)
        content = render(quarterly.build(pack, "zh-hans"), fmt, quarterly.TEMPLATE)
    if fmt == "docx":
        text = "\n".join(p.text for p in open_docx(io.BytesIO(content)).paragraphs)
        assert "相城支行" in text and "2026Q3" in text
    elif fmt == "pdf":
        assert content.startswith(b"%PDF")
    else:
        html = content.decode()
        assert "午间增开弹性窗口" in html and "相城营业部" in html and "2026Q3 分行测评" in html


@pytest.mark.parametrize("text", ["2026Q5", "26Q1", "2026-Q1", "", "Q3"])
def test_parse_quarter_refuses_what_is_not_a_quarter(text):
    with pytest.raises(DomainError, match="write it as YEARQn"):
        parse_quarter(text)


def test_parse_quarter_bounds():
    q = parse_quarter("2026q4")
    assert (q.code, q.start, q.end) == ("2026Q4", date(2026, 10, 1), date(2026, 12, 31))
    assert parse_quarter("2026Q1").end == date(2026, 3, 31)


def test_pack_measures_read_each_segment_label_once(network, quarter_data):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ventanilla.rectification.models import Measure

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx, translation.override("en"):
            pack = quarterly_pack(
                user=network.subbranch_manager, unit=network.subbranch, quarter=Q3
            )
        assert {m.indicator_label for m in pack.measures if not m.verdict} == {
            "Overall satisfaction score (0-100) · Corporate"
        }
        return len(ctx.captured_queries)

    [m1, m2] = Measure.objects.filter(title__in=["建立投诉快速处理机制", "午间增开弹性窗口"])
    Measure.objects.filter(pk=m2.pk).update(indicator="survey_overall.corporate")
    one = queries()
    # A third measure due in the quarter on the same indicator: no further query for it.
    m3 = Measure.objects.get(title="大堂经理引导分流")
    Measure.objects.filter(pk=m3.pk).update(
        indicator="survey_overall.corporate", due_on=date(2026, 9, 20)
    )
    assert queries() == one

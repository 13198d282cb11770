"""The figures page: hand-worked figures of a month, drill-down, XLSX, scope and bad input.

March 2026 at Xiangcheng, seen on 30 March:

====  ========  =====  ===========================================  ==============
 c    received  unit   what happened                                counts as
====  ========  =====  ===========================================  ==============
 c1   03-02     XC01   decided 03-05, closed 03-06                  on time, 3 d
 c2   03-03     XC01   decided 03-20 (due 03-18)                    late, 17 d
 c3   03-04     XC01   accepted, still open (due 03-19)             late (open)
 c4   03-25     XC01   registered (due 04-09)                       open, on time
 c5   03-06     XC02   withdrawn 03-07                              not counted
 c6   03-08     XC01   merged into c1 03-09                         repeat
 c7   03-10     XC     repeat of c2 with new facts, decided 03-12   on time, 2 d
 c0   02-20     XC01   February: outside the month
====  ========  =====  ===========================================  ==============

Totals: 7 complaints, 2 open, 1 closed, 2 late; resolved c1, c2, c7 = 3 of 5 (60%);
on time 2 of 4 (50%); days 3, 17, 2: average 7.33, 90th percentile 17; repeats c6, c7:
2 of 7; 6 (less the merged) per 30,000 customers = 2.00 per 10,000; pre-complaints 2 of
3 resolved on the spot.
"""

from __future__ import annotations

import io
from contextlib import contextmanager
from datetime import datetime
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.urls import reverse
from openpyxl import load_workbook

from ventanilla.complaints import services
from ventanilla.complaints.metrics import percentile
from ventanilla.complaints.models import Axis, CustomerBase, PreComplaint
from ventanilla.complaints.tests.factories import code, register

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 30, 12, 0, tzinfo=TZ)
MARCH = {"received_from": "2026-03-01", "received_to": "2026-03-31"}


@contextmanager
def at(month: int, day: int, hour: int = 10):
    with time_machine.travel(datetime(2026, month, day, hour, 0, tzinfo=TZ), tick=False):
        yield datetime(2026, month, day, hour, 0, tzinfo=TZ)


def _decide(network, complaint, actor=None):
    actor = actor or network.manager_a
    services.complaint_accept(actor=actor, complaint=complaint, handler=actor.employee)
    services.complaint_send_decision(actor=actor, complaint=complaint, decision="已解释并致歉")


@pytest.fixture
def march(network):
    m = network.manager_a
    s = {}
    with at(2, 20) as t:
        s["c0"] = register(network, received_at=t)
    with at(2, 25):
        _decide(network, s["c0"])
    with at(3, 2) as t:
        s["c1"] = register(network, received_at=t)
    with at(3, 5):
        _decide(network, s["c1"])
    with at(3, 6):
        services.complaint_close(
            actor=m,
            complaint=s["c1"],
            is_accepted_by_customer=True,
            root_cause=code(Axis.ROOT_CAUSE),
            corrective_action="增开窗口",
        )
    with at(3, 3) as t:
        s["c2"] = register(network, received_at=t)
    with at(3, 4) as t:
        s["c3"] = register(network, received_at=t)
        services.complaint_accept(actor=m, complaint=s["c3"], handler=m.employee)
    with at(3, 6) as t:
        s["c5"] = register(
            network, received_at=t, unit=network.outlet_b, actor=network.subbranch_manager
        )
    with at(3, 7):
        services.complaint_withdraw(
            actor=network.subbranch_manager, complaint=s["c5"], reason="客户撤回"
        )
    with at(3, 8) as t:
        s["c6"] = register(network, received_at=t)
    with at(3, 9):
        services.complaint_merge(actor=m, complaint=s["c6"], original=s["c1"])
    with at(3, 10) as t:
        s["c7"] = register(
            network,
            received_at=t,
            unit=network.subbranch,
            actor=network.subbranch_manager,
            repeat_of=s["c2"],
        )
    with at(3, 12):
        _decide(network, s["c7"], network.subbranch_manager)
    with at(3, 20):
        _decide(network, s["c2"])
    with at(3, 25) as t:
        s["c4"] = register(network, received_at=t)
    CustomerBase.objects.create(unit=network.outlet_a, year=2025, customers=18_000)
    CustomerBase.objects.create(unit=network.outlet_a, year=2026, customers=20_000)
    CustomerBase.objects.create(unit=network.outlet_b, year=2025, customers=10_000)
    CustomerBase.objects.create(unit=network.other_outlet, year=2026, customers=99_000)
    for day, on_spot in ((3, True), (11, True), (17, False)):
        with at(3, day):
            services.pre_complaint_record(
                actor=network.teller_a,
                unit=network.outlet_a,
                what="排队时间长",
                is_resolved_on_spot=on_spot,
            )
    with at(2, 11):
        services.pre_complaint_record(
            actor=network.teller_a, unit=network.outlet_a, what="叫号慢", is_resolved_on_spot=True
        )
    return s


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _get(client, user, name, query, **kwargs):
    client.force_login(user)
    return client.get(f"{reverse(name, **kwargs)}?{urlencode(query)}")


def test_percentile_is_the_nearest_rank():
    assert percentile([3, 17, 2], 90) == 17
    assert percentile(range(1, 11), 90) == 9
    assert percentile(range(1, 11), 50) == 5
    assert percentile([], 90) is None
    with pytest.raises(ValueError, match="percentile"):
        percentile([1], 0)


def test_figures_of_a_month_match_the_hand_worked_case(client, network, march):
    response = _get(client, network.subbranch_manager, "complaints:figures", MARCH)
    assert response.status_code == 200
    f = response.context["figures"]
    t = f.overall
    assert (t.total, t.open, t.closed, t.late) == (7, 2, 1, 2)
    assert (t.withdrawn, t.merged, t.resolved, t.countable) == (1, 1, 3, 5)
    assert t.resolution_rate == pytest.approx(60.0)
    assert (t.on_time, t.on_time_rate) == (2, pytest.approx(50.0))
    assert sorted(t.days) == [2, 3, 17]
    assert t.average_days == pytest.approx(22 / 3)
    assert t.p90_days == 17
    assert t.repeats == 2 and t.repeat_rate == pytest.approx(200 / 7)
    assert f.customers == 30_000 and f.per_10k == pytest.approx(2.0)
    assert (f.pre_total, f.pre_on_spot) == (3, 2)
    assert [(r.key, r.tally.total) for r in f.by_unit] == [("XC", 1), ("XC01", 5), ("XC02", 1)]
    xc01 = f.by_unit[1]
    assert xc01.customers == 20_000 and xc01.per_10k == pytest.approx(2.0)  # 5 less c6
    assert (xc01.pre_total, xc01.pre_on_spot) == (3, 2)
    assert [(r.key, r.tally.total) for r in f.by_month] == [("2026-03", 7)]
    assert [(r.key, r.tally.total) for r in f.by_cause] == [("CA09", 7)]
    html = response.content.decode()
    assert 'data-figure="resolution_rate">60.0%' in html
    assert 'id="chart-complaints-by-month"' in html and "chart-spec-complaints-by-unit" in html


def test_default_period_is_the_last_twelve_months(client, network, march):
    response = _get(client, network.subbranch_manager, "complaints:figures", {})
    f = response.context["figures"]
    assert (f.received_from.isoformat(), f.received_to.isoformat()) == (
        "2025-04-01",
        "2026-03-30",
    )
    assert len(f.by_month) == 12
    assert f.overall.total == 8
    assert [r.tally.total for r in f.by_month[-2:]] == [1, 7]


def test_ledger_xlsx_of_a_month_has_the_totals_of_the_figures_page(client, network, march):
    page = _get(client, network.subbranch_manager, "complaints:figures", MARCH)
    t = page.context["figures"].overall
    export = _get(client, network.subbranch_manager, "complaints:ledger_export", MARCH, args=["XC"])
    assert export.status_code == 200
    book = load_workbook(io.BytesIO(export.content))
    rows = list(book["Ledger"].iter_rows(values_only=True))
    header, data = rows[0], rows[1:]
    assert len(data) == t.total == 7
    on_time = [r[header.index("On time")] for r in data]
    status = [r[header.index("Status")] for r in data]
    days = [r[header.index("Days taken")] for r in data]
    assert on_time.count("Late") == t.late
    assert status.count("Closed") == t.closed
    assert sorted(d for d, s in zip(days, status, strict=True) if d is not None) == sorted(t.days)
    summary = dict(book["Summary"].iter_rows(values_only=True))
    assert summary["Complaints"] == t.total
    assert summary["Open"] == t.open
    assert summary["Late"] == t.late
    assert summary["Closed"] == t.closed
    assert summary["Resolved (decision sent)"] == t.resolved
    assert summary["Resolution rate (%)"] == round(t.resolution_rate, 1)
    assert summary["On-time rate (%)"] == round(t.on_time_rate, 1)
    assert summary["Average days to decision"] == round(t.average_days, 1)
    assert summary["90th percentile days to decision"] == t.p90_days
    assert summary["Repeat complaints"] == t.repeats


def test_drill_down_links_list_exactly_the_complaints_of_each_group(client, network, march):
    page = _get(client, network.subbranch_manager, "complaints:figures", MARCH)
    f = page.context["figures"]
    groups = [*f.by_unit, *f.by_channel, *f.by_business, *f.by_cause, *f.by_month]
    assert len(groups) >= 6
    for row in groups:
        listing = client.get(f"{reverse('complaints:list')}?{row.query_string}")
        assert listing.status_code == 200, row.query
        assert listing.context["figures"].total == row.tally.total, row.key
        assert listing.context["figures"].late == row.tally.late, row.key
        assert f"?{row.query_string}".replace("&", "&amp;") in page.content.decode()


def test_figures_xlsx_holds_the_page_figures(client, network, march):
    page = _get(client, network.subbranch_manager, "complaints:figures", MARCH)
    f = page.context["figures"]
    export = _get(client, network.subbranch_manager, "complaints:figures_export", MARCH)
    assert export.status_code == 200
    book = load_workbook(io.BytesIO(export.content))
    totals = list(book["Totals"].iter_rows(values_only=True))
    header = totals[0]
    row = dict(zip(header, totals[1], strict=True))
    assert row["Complaints"] == 7 and row["Late"] == 2 and row["Resolution rate (%)"] == 60.0
    assert row["Complaints per 10,000 customers"] == 2.0
    assert row["Resolved on the spot"] == 2 and row["Pre-complaints"] == 3
    units = [r[:3] for r in book["By unit"].iter_rows(min_row=2, values_only=True)]
    assert [(code_, n) for code_, _name, n in units] == [(r.key, r.tally.total) for r in f.by_unit]
    months = list(book["By month"].iter_rows(min_row=2, values_only=True))
    assert months[0][0] == "2026-03" and months[0][2] == 7


def test_other_teller_sees_no_xiangcheng_figures(client, network, march):
    page = _get(client, network.other_teller, "complaints:figures", MARCH)
    assert page.status_code == 200
    f = page.context["figures"]
    assert f.overall.total == 0 and f.by_unit == [] and f.pre_total == 0
    assert f.customers == 99_000  # their own outlet's base only
    refused = _get(client, network.other_teller, "complaints:figures", {**MARCH, "unit": "XC"})
    assert refused.status_code == 400
    assert "XC is not one of the units you can see" in refused.content.decode()
    export = _get(
        client, network.other_teller, "complaints:figures_export", {**MARCH, "unit": "XC"}
    )
    assert export.status_code == 400


def test_outlet_teller_sees_their_outlet_only(client, network, march):
    f = _get(client, network.teller_a, "complaints:figures", MARCH).context["figures"]
    assert [r.key for r in f.by_unit] == ["XC01"]
    assert f.overall.total == 5 and f.customers == 20_000


def test_unit_filter_narrows_figures_and_customer_base(client, network, march):
    query = {**MARCH, "unit": "XC02"}
    f = _get(client, network.subbranch_manager, "complaints:figures", query).context["figures"]
    assert f.overall.total == 1 and f.customers == 10_000 and f.pre_total == 0


def test_user_without_a_post_gets_403(client, network):
    nobody = get_user_model().objects.create_user("nobody", password="pw")
    assert _get(client, nobody, "complaints:figures", MARCH).status_code == 403
    assert _get(client, nobody, "complaints:figures_export", MARCH).status_code == 403


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"received_from": "2026-13-01"}, "Received from"),
        ({"received_from": "2026-04-01", "received_to": "2026-03-01"}, "starts after it ends"),
        ({"received_from": "2016-01-01", "received_to": "2026-03-01"}, "at most five years"),
        ({**MARCH, "cause": "NOPE"}, "Cause"),
    ],
)
def test_bad_figure_queries_are_refused_with_a_reason(client, network, query, message):
    response = _get(client, network.subbranch_manager, "complaints:figures", query)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert response.context["figures"] is None


def test_figures_page_query_count_does_not_grow_with_complaints(
    client, network, march, django_assert_max_num_queries
):
    client.force_login(network.subbranch_manager)
    url = f"{reverse('complaints:figures')}?{urlencode(MARCH)}"
    client.get(url)
    with django_assert_max_num_queries(16):
        client.get(url)
    for _i in range(5):
        register(network, received_at=NOW)
    with django_assert_max_num_queries(16):
        response = client.get(url)
    assert response.context["figures"].overall.total == 12
    assert PreComplaint.objects.count() == 4

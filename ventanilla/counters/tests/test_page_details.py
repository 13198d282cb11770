"""What the counters pages say around their figures: the period shown and its shortcuts,
durations in sentences, the staffing tables, the teller chart's axes, the menu entry of a
teller's own figures, the import instructions and template, and the error form's dates."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from ventanilla.core.charts import Chart, Series
from ventanilla.core.tabular import PERCENT, write_xlsx
from ventanilla.counters import selectors
from ventanilla.counters.forms import TellerErrorForm, earliest_error_date
from ventanilla.counters.models import BusinessType, Severity
from ventanilla.counters.templatetags.counters_ui import duration
from ventanilla.counters.tests.test_selectors import MONDAY, make_paced_tickets, make_tickets
from ventanilla.counters.tests.test_views import client_for

pytestmark = pytest.mark.django_db
RANGE = {"start": MONDAY.isoformat(), "end": (MONDAY + timedelta(days=20)).isoformat()}
MENU_ENTRY = reverse("counters:teller_me")


class TestFiguresPeriod:
    @time_machine.travel("2026-03-20 10:00 +0800", tick=False)
    def test_empty_query_states_month_to_date_and_fills_the_dates(self, network):
        response = client_for(network.manager_a).get(reverse("counters:dashboard"))
        text = response.content.decode()
        assert 'value="2026-03-01"' in text and 'value="2026-03-20"' in text
        assert "March 1, 2026 to March 20, 2026" in text
        links = {link["label"]: link for link in response.context["quick_ranges"]}
        assert links["This month"]["is_active"]
        assert not links["Today"]["is_active"]
        assert "start=2026-02-01&end=2026-02-28" in links["Last month"]["query"]
        # from Monday 16 March, the week's first day
        assert "start=2026-03-16&end=2026-03-20" in links["This week"]["query"]

    @time_machine.travel("2026-03-20 10:00 +0800", tick=False)
    def test_shortcuts_keep_the_other_filters(self, network):
        response = client_for(network.manager_a).get(
            reverse("counters:dashboard"), {"unit": "XC01", "group_by": "teller", "page": "2"}
        )
        today = response.context["quick_ranges"][0]
        assert today["query"] == "unit=XC01&group_by=teller&start=2026-03-20&end=2026-03-20"

    @time_machine.travel("2026-03-20 10:00 +0800", tick=False)
    def test_chinese_heading_names_the_dates(self, network):
        client = client_for(network.manager_a)
        response = client.get(
            reverse("counters:dashboard"), {"start": "2026-03-02", "end": "2026-03-08"},
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )  # fmt: skip
        text = response.content.decode()
        assert "2026年3月2日 至 2026年3月8日" in text
        assert "统计期间" in text and "上月" in text

    def test_invalid_range_shows_no_period(self, network):
        response = client_for(network.manager_a).get(
            reverse("counters:dashboard"), {"start": "2026-03-10", "end": "2026-03-01"}
        )
        assert response.context["start"] is None
        assert 'id="figures-period"' not in response.content.decode()


class TestFiguresExport:
    def test_shares_are_formatted_as_percentages(self, network):
        make_tickets(network, days=1, per_day=20)
        response = client_for(network.subbranch_manager).get(
            reverse("counters:dashboard_export"), {**RANGE, "unit": "XC"}
        )
        sheet = load_workbook(io.BytesIO(response.content)).active
        header = [c.value for c in sheet[1]]
        for name in ("Service level", "No-show rate", "Abandonment rate"):
            column = header.index(name) + 1
            cells = [sheet.cell(row=r, column=column) for r in range(2, sheet.max_row + 1)]
            assert {c.number_format for c in cells} == {PERCENT}
            assert all(c.value is None or 0 <= c.value <= 1 for c in cells)
        assert sheet.cell(row=2, column=header.index("Tickets") + 1).number_format == "General"

    def test_first_header_is_not_the_org_group_word_in_chinese(self, network):
        make_tickets(network, days=1, per_day=5)
        response = client_for(network.manager_a).get(
            reverse("counters:dashboard_export"), RANGE, HTTP_ACCEPT_LANGUAGE="zh-hans"
        )
        sheet = load_workbook(io.BytesIO(response.content)).active
        assert sheet.cell(row=1, column=1).value == "分组"
        with translation.override("zh-hans"):
            assert translation.gettext("Group") == "小组"  # org groups keep their word

    def test_number_formats_leave_other_columns_and_the_header_alone(self):
        data = write_xlsx([("s", ["a", "b"], [[1, 0.5], [2, None]])], number_formats={1: PERCENT})
        sheet = load_workbook(io.BytesIO(data)).active
        assert sheet["B1"].number_format == "General"
        assert sheet["B2"].number_format == PERCENT and sheet["A2"].number_format == "General"


class TestDurations:
    @pytest.mark.parametrize(
        ("seconds", "text"),
        [
            (900, "15 minutes"),
            (60, "1 minute"),
            (45, "45 seconds"),
            (6694, "1 h 52 min"),
            (None, "–"),
        ],
    )
    def test_reads_as_a_duration(self, seconds, text):
        with translation.override("en"):
            assert duration(seconds) == text

    def test_chinese(self):
        with translation.override("zh-hans"):
            assert duration(900) == "15 分钟"
            assert duration(6694) == "1 小时 52 分钟"


class TestStaffingPage:
    def params(self):
        end = MONDAY + timedelta(days=20)
        return {"unit": "XC01", "weekday": "0", "start": MONDAY.isoformat(),
                "end": end.isoformat()}  # fmt: skip

    def test_vip_options_have_their_own_table_and_target_reads_as_minutes(self, network):
        make_tickets(network, days=3, per_day=120)
        response = client_for(network.manager_a).get(reverse("counters:staffing"), self.params())
        text = response.content.decode()
        day_table = text.split('id="staffing-day"', 1)[1].split("</table>", 1)[0]
        assert "Windows calling VIPs" not in day_table
        assert 'id="staffing-vip"' in text and "Windows calling VIPs" in text
        with translation.override("en"):
            target = duration(selectors.WAIT_TARGET_SECONDS)
        assert target.endswith("minutes")
        assert f"called within {target}." in text
        assert f"within {selectors.WAIT_TARGET_SECONDS // 60}:00" not in text

    def test_chinese_wording(self, network):
        make_tickets(network, days=3, per_day=120)
        response = client_for(network.manager_a).get(
            reverse("counters:staffing"), self.params(), HTTP_ACCEPT_LANGUAGE="zh-hans"
        )
        text = response.content.decode()
        assert "的客户在 15 分钟内叫号" in text
        assert "切换" not in text.split("<main", 1)[-1].split("</main>", 1)[0]
        assert ">调整<" in text
        assert "本周" not in text


class TestTellerPage:
    def test_errors_are_drawn_on_their_own_axis_and_listed_in_a_table(self, network):
        teller = network.teller_a.employee
        make_paced_tickets(network, {teller: 1.0})
        from ventanilla.counters.models import ErrorKind, TellerError

        TellerError.objects.create(
            outlet=network.outlet_a, occurred_on=MONDAY, teller=teller,
            business_type=BusinessType.objects.get(code="P03"), kind=ErrorKind.WRONG_AMOUNT,
            severity=Severity.MINOR,
        )  # fmt: skip
        response = client_for(network.teller_a).get(
            reverse("counters:teller", args=[teller.staff_number]),
            {"start": "2026-01-01", "end": "2026-04-30"},
        )
        spec = response.context["charts"]["volume"].spec()
        assert [s["isSecondary"] for s in spec["series"]] == [False, True]
        assert spec["secondaryLabel"] == "Errors"
        text = response.content.decode()
        table = text.split('id="teller-errors-by-kind"', 1)[1].split("</table>", 1)[0]
        assert "Wrong amount" in table and ">1<" in table

    def test_chinese_says_chacuo_for_teller_errors(self, network):
        teller = network.teller_a.employee
        make_paced_tickets(network, {teller: 1.0})
        response = client_for(network.teller_a).get(
            reverse("counters:teller", args=[teller.staff_number]),
            {"start": "2026-01-01", "end": "2026-04-30"},
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )
        assert str(response.context["charts"]["volume"].series[1].label) == "差错数"
        assert "错误" not in response.content.decode()

    def test_chart_without_secondary_series_has_no_second_axis(self):
        chart = Chart(id="c", title="t", labels=["a"], series=[Series("x", [1.0])])
        assert chart.spec()["series"][0]["isSecondary"] is False


class TestMyFiguresMenuEntry:
    def test_teller_sees_it(self, network):
        response = client_for(network.teller_a).get(reverse("home"))
        assert MENU_ENTRY in response.content.decode()

    @pytest.mark.parametrize("who", ["manager_a", "subbranch_manager", "auditor"])
    def test_others_without_tickets_do_not(self, network, who):
        response = client_for(getattr(network, who)).get(reverse("home"))
        assert MENU_ENTRY not in response.content.decode()

    def test_someone_who_served_tickets_in_another_post_sees_it(self, network):
        make_paced_tickets(network, {network.manager_a.employee: 1.0}, per_teller=5)
        response = client_for(network.manager_a).get(reverse("home"))
        assert MENU_ENTRY in response.content.decode()

    def test_costs_no_query_after_login(self, network, django_assert_num_queries):
        client = client_for(network.teller_a)
        client.get(reverse("counters:errors"))
        # session, user, grants, count, page of errors (the teller's posts ride with the
        # unit switcher's): nothing for the menu entry
        with django_assert_num_queries(5):
            client.get(reverse("counters:errors"))


class TestImportsPage:
    def test_lists_the_template_columns_and_mappings_by_name(self, network):
        response = client_for(network.manager_a).get(reverse("counters:imports"))
        text = response.content.decode()
        assert 'id="import-columns"' in text
        assert "<code>ticket_number</code>" in text and "<code>票号</code>" in text
        assert "Ventanilla template (ventanilla)" in text
        assert "Technion service-engineering lab (call-centre log) (technion-anonymous-bank)" in (
            text
        )

    def test_template_has_the_header_row_the_mapping_reads(self, network):
        client = client_for(network.manager_a)
        english = client.get(reverse("counters:imports"), {"template": "1"})
        assert english["Content-Disposition"] == 'attachment; filename="ventanilla-tickets.xlsx"'
        header = [c.value for c in load_workbook(io.BytesIO(english.content)).active[1]]
        assert header[:3] == ["service_on", "ticket_number", "business_type"]
        chinese = client.get(
            reverse("counters:imports"), {"template": "1"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
        )
        header_zh = [c.value for c in load_workbook(io.BytesIO(chinese.content)).active[1]]
        assert header_zh[:3] == ["日期", "票号", "业务类型"]

    def test_the_chinese_template_imports_as_it_is(self, network):
        from ventanilla.counters.models import QueueTicket

        client = client_for(network.manager_a)
        blank = client.get(
            reverse("counters:imports"), {"template": "1"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
        )
        workbook = load_workbook(io.BytesIO(blank.content))
        sheet = workbook.active
        sheet.append(
            ["2026-03-02", "A001", "P03", "0", "", "2026-03-02 09:00:00", "2026-03-02 09:03:00",
             "2026-03-02 09:03:10", "2026-03-02 09:08:00", "3",
             network.teller_a.employee.staff_number, "完成"]
        )  # fmt: skip
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = client.post(
            reverse("counters:imports"),
            {
                "outlet": "XC01",
                "mapping": "ventanilla",
                "file": SimpleUploadedFile("t.xlsx", buffer.getvalue()),
            },
        )
        assert response.status_code == 302
        assert QueueTicket.objects.get().ticket_number == "A001"

    def test_history_names_the_importer(self, network):
        user = network.manager_a
        user.first_name, user.last_name = "Hua", "Li"
        user.save()
        client = client_for(user)
        data = b"service_on,ticket_number,business_type,issued_at\n2026-03-02,A1,P03,x\n"
        client.post(
            reverse("counters:imports"),
            {"outlet": "XC01", "mapping": "ventanilla", "file": SimpleUploadedFile("t.csv", data)},
        )
        history = client.get(reverse("counters:imports")).content.decode()
        row = history.split('id="import-history"', 1)[1]
        assert "Hua Li" in row and ">manager_a<" not in row
        assert "Ventanilla template (ventanilla)" in row


class TestErrorDates:
    def form(self, occurred_on: str) -> TellerErrorForm:
        return TellerErrorForm(
            {
                "teller": "E1",
                "business_type": BusinessType.objects.get(code="P07").pk,
                "occurred_on": occurred_on,
                "kind": "wrong_amount",
                "severity": "minor",
            }
        )

    @time_machine.travel("2026-11-29 10:00 +0800", tick=False)
    def test_refuses_dates_older_than_thirteen_months(self):
        assert earliest_error_date(date(2026, 11, 29)) == date(2025, 10, 1)
        assert self.form("2025-10-01").is_valid()
        old = self.form("2025-09-30")
        assert not old.is_valid()
        assert "more than 13 months ago" in old.errors["occurred_on"][0]
        assert not self.form("2019-01-01").is_valid()

    @time_machine.travel("2026-11-29 10:00 +0800", tick=False)
    def test_still_refuses_the_future(self):
        future = self.form("2026-11-30")
        assert not future.is_valid()
        assert "future" in future.errors["occurred_on"][0]

    def test_january_reaches_back_into_the_year_before_last(self):
        assert earliest_error_date(date(2027, 1, 15)) == date(2025, 12, 1)

    def test_the_two_top_severities_differ_in_chinese(self):
        with translation.override("zh-hans"):
            labels = [str(label) for _value, label in Severity.choices]
        assert labels == ["轻微", "较重", "重大"]
        assert len(set(labels)) == 3
        with translation.override("zh-hans"):
            assert translation.gettext("Major") == "重大"  # a major complaint stays 重大

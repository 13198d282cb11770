"""The column-wise read of clean text files (pyarrow): each file gives, field by field, what the
row-by-row path reads from it, and any file that path must judge is refused as unclean."""

from __future__ import annotations

import sys
from datetime import date

import pytest

from ventanilla.counters import services
from ventanilla.counters.models import BusinessType, QueueTicket, TicketMapping
from ventanilla.counters.rollups import OUTCOME_CODES
from ventanilla.counters.services import ticket_import
from ventanilla.org.models import Employee

HEADER = (
    "service_on,ticket_number,business_type,is_vip,customer_ref,issued_at,called_at,"
    "started_at,ended_at,window,teller,outcome"
)


def rows_read_by_rows(data: bytes, filename: str, mapping: TicketMapping, file_date=None):
    """The drafts of the row-by-row path, which every clean read must equal."""
    sheet, header, rows = services._read_rows(data, filename)
    issues = services._Issues(sheet)
    columns = services._Columns(mapping, header, issues)
    drafts = [services._draft_from_cells(columns, row, file_date, issues) for row in rows]
    assert issues.items == []
    return drafts


def assert_read_as_by_rows(outlet, data: bytes, filename: str, mapping_name: str = "ventanilla",
                           file_date=None):  # fmt: skip
    mapping = TicketMapping.objects.get(name=mapping_name)
    drafts = rows_read_by_rows(data, filename, mapping, file_date)
    clean = services._read_clean(outlet, data, filename, mapping, file_date, None)
    assert clean.rows == len(drafts)
    assert [date.fromordinal(d) for d in clean.day.tolist()] == [d.service_on for d in drafts]
    assert clean.number == [d.ticket_number for d in drafts]
    codes = dict(BusinessType.objects.values_list("pk", "code"))
    assert [codes[t] for t in clean.type_id.tolist()] == [d.business_type_code for d in drafts]
    assert clean.is_vip.tolist() == [d.is_vip for d in drafts]
    assert clean.customer_ref == [d.customer_ref[:64] for d in drafts]
    assert [clean.window_labels[w] for w in clean.window.tolist()] == [
        d.window[:16] for d in drafts
    ]
    assert clean.window_labels[0] == ""
    staff = dict(Employee.objects.values_list("pk", "staff_number"))
    assert [staff.get(t, "") for t in clean.teller_id.tolist()] == [d.teller_number for d in drafts]
    assert [str(OUTCOME_CODES[o]) for o in clean.outcome.tolist()] == [d.outcome for d in drafts]
    for name in services._TIME_FIELDS:
        given = [d.times[name] is not None for d in drafts]
        assert clean.present[name].tolist() == given, name
        seconds = [int(d.times[name].timestamp()) for d in drafts if d.times[name] is not None]
        assert clean.utc[name][clean.present[name]].tolist() == seconds, name
    return clean


@pytest.fixture
def staff_number(network):
    return network.teller_a.employee.staff_number


@pytest.mark.django_db
def test_quoted_cells_with_commas_quotes_and_line_breaks_read_as_by_rows(network, staff_number):
    data = (
        f"{HEADER}\n"
        f'2026-03-02,A001,P03,1,"Wang, Li",2026-03-02 09:00:00,2026-03-02 09:05:00,,'
        f"2026-03-02 09:10:00,3,{staff_number},完成\n"
        f'2026-03-02,"A002",P07,,"line one\nline two",2026-03-02 09:01:00,,,,,,弃号\n'
        f'2026-03-02, A003 ,P03,是,"say ""hi""",2026-03-02T09:02:00,2026-03-02 09:06:00,'
        f'2026-03-02 09:06:30,2026-03-02 09:20:00," 2 ",,"过号"\r\n'
    ).encode()
    clean = assert_read_as_by_rows(network.outlet_a, data, "q.csv")
    assert clean.customer_ref == ["Wang, Li", "line one\nline two", 'say "hi"']
    assert clean.number == ["A001", "A002", "A003"]


@pytest.mark.django_db
def test_bom_blank_lines_and_blank_rows_before_and_among_the_rows(network, staff_number):
    data = (
        "\ufeff\n , ,\n"
        f"{HEADER}\n\n"
        "2026-03-02,A001,P03,,,2026-03-02 09:00:00,,,,,,\n"
        ",,,,,,,,,,,\n"
        "   \n"
        "\t,  ,\n"
        "2026-03-02,A002,P03,,,2026-03-02 09:01:00,,,,,,\n\n"
    ).encode()
    clean = assert_read_as_by_rows(network.outlet_a, data, "q.csv")
    assert clean.number == ["A001", "A002"]


@pytest.mark.django_db
def test_rows_longer_than_the_first_are_read_in_their_place(network, staff_number):
    data = (
        f"{HEADER}\n"
        "2026-03-02,A001,P03,,,2026-03-02 09:00:00,,,,,,\n"
        "2026-03-02,A002,P03,,,2026-03-02 09:01:00,,,,,,,extra,\n"
        "  ,\n"
        '2026-03-02,A003,P07,,"a\nb",2026-03-02 09:02:00,,,,,,,"more"\n'
        "2026-03-02,A004,P03,,,2026-03-02 09:03:00,,,,,,\n"
    ).encode()
    clean = assert_read_as_by_rows(network.outlet_a, data, "q.csv")
    assert clean.number == ["A001", "A002", "A003", "A004"]


@pytest.mark.django_db
def test_empty_value_markers_read_as_empty_cells(network, staff_number):
    mapping = TicketMapping.objects.get(name="ventanilla")
    mapping.empty_values = "NULL,-,0000-00-00 00:00:00"
    mapping.save()
    data = (
        f"{HEADER}\n"
        "2026-03-02,A001,P03,null,NULL,2026-03-02 09:00:00,null,-,0000-00-00 00:00:00,-,-,\n"
        f"2026-03-02,A002,P03,-,C1,2026-03-02 09:01:00,2026-03-02 09:02:00,,,NULL,"
        f"{staff_number},-\n"
    ).encode()
    clean = assert_read_as_by_rows(network.outlet_a, data, "q.csv")
    assert clean.present["called_at"].tolist() == [False, True]
    assert not clean.present["ended_at"].any()


@pytest.mark.django_db
def test_tab_separated_times_of_day_in_any_form_read_as_by_rows(network, staff_number):
    TicketMapping.objects.create(
        name="timeonly",
        ticket_number_column="no",
        business_type_column="type",
        issued_at_column="in",
        called_at_column="call",
        ended_at_column="out",
        empty_values="0:00:00",
        times_have_dates=False,
        times_roll_over_midnight=True,
        clock_skew_seconds=2,
    )
    data = (
        b"no\ttype\tin\tcall\tout\n"
        b"1\tP03\t23:50:00\t23:59:00\t00:10:00\n"
        b"2\tP03\t9:00:00\t0:00:00\t 09:30 \n"
        b"3\tP03\t09:00:05\t09:00:03\t09:00:04.000\n"
    )
    assert_read_as_by_rows(network.outlet_a, data, "q.txt", "timeonly", date(2026, 3, 2))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        # a row too short for its fields
        "2026-03-02,A001,P03,,,2026-03-02 09:00:00,,,,,,\n2026-03-02,A002,P03\n",
        # a ticket number twice on one day
        "2026-03-02,A001,P03,,,2026-03-02 09:00:00,,,,,,\n"
        "2026-03-02,A001,P03,,,2026-03-02 09:01:00,,,,,,\n",
        # an unknown business type
        "2026-03-02,A001,XX9,,,2026-03-02 09:00:00,,,,,,\n",
        # called before it was issued
        "2026-03-02,A001,P03,,,2026-03-02 09:00:00,2026-03-02 08:59:00,,,,,\n",
        # a time that is no date and time
        "2026-03-02,A001,P03,,,2026-03-02 09:00:00,2026-02-30 09:01:00,,,,,\n",
        # a row with cells but no ticket number
        "2026-03-02,,P03,,,2026-03-02 09:00:00,,,,,,\n",
        # an unknown teller
        "2026-03-02,A001,P03,,,2026-03-02 09:00:00,,,,,X0000,\n",
    ],
)
def test_files_the_row_checks_must_judge_are_not_clean(network, body):
    data = f"{HEADER}\n{body}".encode()
    mapping = TicketMapping.objects.get(name="ventanilla")
    with pytest.raises(services._NotClean):
        services._read_clean(network.outlet_a, data, "q.csv", mapping, None, None)


@pytest.mark.django_db
def test_a_gbk_file_goes_to_the_row_by_row_path_and_is_imported(network, monkeypatch):
    data = (f"{HEADER}\n2026-03-02,A001,P03,,王先生,2026-03-02 09:00:00,,,,,,完成\n").encode("gbk")
    mapping = TicketMapping.objects.get(name="ventanilla")
    with pytest.raises(services._NotClean):
        services._read_clean(network.outlet_a, data, "q.csv", mapping, None, None)
    result = ticket_import(
        actor=None, outlet=network.outlet_a, data=data, filename="q.csv", mapping=mapping
    )
    assert result.errors == []
    assert QueueTicket.objects.get().customer_ref == "王先生"


@pytest.mark.django_db
def test_progress_counts_the_rows_read_up_to_all_of_them(network):
    body = "".join(f"2026-03-02,A{i:05d},P03,,,2026-03-02 09:00:00,,,,,,\n" for i in range(150_000))
    data = f"{HEADER}\n{body}".encode()
    mapping = TicketMapping.objects.get(name="ventanilla")
    calls = []
    clean = services._read_clean(
        network.outlet_a, data, "q.csv", mapping, None, lambda *call: calls.append(call)
    )
    assert clean.rows == 150_000
    assert len(calls) >= 2
    assert calls[-1][1:] == (150_000, 150_000)
    assert all(done <= total for _label, done, total in calls)


def test_whitespace_is_what_str_strip_removes():
    every = {chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()}
    assert set(services._WHITESPACE) == every

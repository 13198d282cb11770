"""Importing queue tickets: every row checked, all or nothing, idempotent, rollups kept."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ventanilla.core.errors import DomainError
from ventanilla.core.tabular import importer_for, write_xlsx
from ventanilla.counters.models import Outcome, QueueDayRollup, QueueTicket, TicketMapping
from ventanilla.counters.rollups import cell_rows
from ventanilla.counters.services import ticket_import, tickets_insert, tickets_push
from ventanilla.counters.tests.factories import at, may_load_tickets

DAY = date(2026, 3, 2)
HEADER = [
    "service_on",
    "ticket_number",
    "business_type",
    "is_vip",
    "issued_at",
    "called_at",
    "started_at",
    "ended_at",
    "window",
    "teller",
    "outcome",
]


def row(number: str, **changes: str) -> dict[str, str]:
    values = {
        "service_on": "2026-03-02",
        "ticket_number": number,
        "business_type": "P03",
        "is_vip": "",
        "issued_at": "2026-03-02 09:00:00",
        "called_at": "2026-03-02 09:05:00",
        "started_at": "2026-03-02 09:05:20",
        "ended_at": "2026-03-02 09:08:20",
        "window": "3",
        "teller": "",
        "outcome": "完成",
    }
    values.update(changes)
    return values


def csv_bytes(rows: list[dict[str, str]], header: list[str] = HEADER) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def mapping(name: str = "ventanilla") -> TicketMapping:
    return TicketMapping.objects.get(name=name)


def run(network, rows, *, actor=None, dry_run=False, filename="q.csv", **kwargs):
    return ticket_import(
        actor=actor or network.manager_a,
        outlet=network.outlet_a,
        data=csv_bytes(rows) if isinstance(rows, list) else rows,
        filename=filename,
        mapping=kwargs.pop("mapping_obj", None) or mapping(),
        dry_run=dry_run,
        **kwargs,
    )


def messages(result) -> list[str]:
    return [str(issue) for issue in result.errors]


@pytest.mark.django_db
class TestImport:
    def test_imports_rows_and_builds_rollups(self, network):
        teller = network.teller_a.employee
        rows = [
            row("A001", teller=teller.staff_number),
            row("A002", outcome="过号", called_at="", started_at="", ended_at=""),
            row("A003", outcome="弃号", is_vip="是", called_at="", started_at="", ended_at=""),
        ]
        result = run(network, rows)
        assert result.errors == []
        assert result.is_applied
        assert result.counts["tickets"].created == 3
        first = QueueTicket.objects.get(ticket_number="A001")
        assert first.teller == teller
        assert first.waiting_seconds == 300
        assert first.transaction_seconds == 180
        assert first.issued_at == at(DAY, 9, 0)
        assert QueueTicket.objects.get(ticket_number="A002").outcome == Outcome.NO_SHOW
        vip = QueueTicket.objects.get(ticket_number="A003")
        assert vip.outcome == Outcome.ABANDONED
        assert vip.is_vip
        rollups = cell_rows()
        assert sum(r.tickets for r in rollups) == 3
        served = next(r for r in rollups if r.teller_id == teller.pk)
        assert (served.half_hour, served.wait_count, served.wait_seconds) == (18, 1, 300)
        assert served.handle_histogram == {"6": 1}
        assert served.windows == ["3"]
        assert sum(r.abandoned for r in rollups) == 1
        assert sum(r.no_show for r in rollups) == 1

    def test_same_file_twice_writes_nothing(self, network):
        rows = [row(f"A{i:03d}") for i in range(20)]
        run(network, rows)
        rollup_ids = set(QueueDayRollup.objects.values_list("pk", "cells"))
        with CaptureQueriesContext(connection) as queries:
            result = run(network, rows)
        writes = [
            q["sql"]
            for q in queries.captured_queries
            if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
        ]
        # Only the line of the import history is written: no ticket, no rollup.
        assert len(writes) == 1 and "counters_ticketimport" in writes[0]
        assert result.counts["tickets"].unchanged == 20
        assert result.counts["tickets"].created == 0
        assert QueueTicket.objects.count() == 20
        assert set(QueueDayRollup.objects.values_list("pk", "cells")) == rollup_ids

    def test_changed_row_updates_its_ticket_and_rollups(self, network):
        run(network, [row("A001", called_at="", started_at="", ended_at="", outcome="")])
        [cell] = cell_rows()
        assert cell.wait_count == 0
        result = run(network, [row("A001")])
        assert result.counts["tickets"].updated == 1
        assert QueueTicket.objects.get().called_at == at(DAY, 9, 5)
        [cell] = cell_rows()
        assert cell.wait_count == 1

    def test_dry_run_counts_and_writes_nothing(self, network):
        result = run(network, [row("A001"), row("A002")], dry_run=True)
        assert result.counts["tickets"].created == 2
        assert not result.is_applied
        assert not QueueTicket.objects.exists()
        assert not QueueDayRollup.objects.exists()

    @pytest.mark.parametrize(
        ("changes", "expected"),
        [
            ({"ended_at": "2026-03-02 09:05:00"}, "line 3: Service ends before it starts."),
            (
                {"called_at": "2026-03-02 08:59:00"},
                "line 3: The ticket is called before it is issued.",
            ),
            ({"teller": "NOBODY"}, "line 3: NOBODY is not a known staff number."),
            ({"business_type": "ZZZ"}, "line 3: ZZZ is not a known business type code."),
            ({"ticket_number": "A001"}, "line 3: Ticket A001 of 2026-03-02 appears twice"),
            ({"outcome": "lost"}, "line 3: lost is not a known outcome"),
            ({"service_on": "2 March"}, "line 3: 2 March is not a date in the form %Y-%m-%d."),
            ({"issued_at": "nine"}, "line 3: nine is not a time."),
            ({"ticket_number": ""}, "line 3: The ticket number is missing."),
        ],
    )
    def test_bad_row_is_named_and_nothing_written(self, network, changes, expected):
        result = run(network, [row("A001"), row("A002", **changes), row("A003")])
        assert not result.is_applied
        assert any(message.startswith(expected) for message in messages(result)), messages(result)
        assert not QueueTicket.objects.exists()
        assert not QueueDayRollup.objects.exists()

    def test_one_bad_row_among_thousands_writes_nothing(self, network):
        rows = [row(f"A{i:05d}") for i in range(3000)]
        rows[1733]["business_type"] = "NOPE"
        result = run(network, rows)
        assert messages(result) == ["line 1735: NOPE is not a known business type code."]
        assert not QueueTicket.objects.exists()
        rows[1733]["business_type"] = "P03"
        assert run(network, rows).counts["tickets"].created == 3000
        assert run(network, rows).counts["tickets"].unchanged == 3000
        assert QueueTicket.objects.count() == 3000

    def test_missing_column_is_named(self, network):
        data = csv_bytes([{"ticket_number": "A1"}], header=["ticket_number"])
        result = run(network, data)
        assert any("no column business_type" in m for m in messages(result))

    def test_chinese_headers_and_xlsx(self, network):
        header = ["日期", "票号", "业务类型", "取号时间", "叫号时间", "结束时间", "结果"]
        body = [["2026-03-02", "B001", "P07", "2026-03-02 10:00:00", "", "", "弃号"]]
        data = write_xlsx([("tickets", header, body)])
        result = run(network, data, filename="q.xlsx")
        assert result.errors == []
        assert QueueTicket.objects.get().outcome == Outcome.ABANDONED

    def test_times_without_dates_take_the_file_date(self, network):
        timeonly = TicketMapping.objects.create(
            name="timeonly",
            ticket_number_column="no",
            business_type_column="type",
            issued_at_column="in",
            ended_at_column="out",
            times_have_dates=False,
            times_roll_over_midnight=True,
        )
        data = b"no,type,in,out\n1,P03,23:50:00,00:10:00\n"
        result = run(network, data, mapping_obj=timeonly, file_date=DAY)
        assert result.errors == []
        ticket = QueueTicket.objects.get()
        assert ticket.issued_at == at(DAY, 23, 50)
        assert ticket.ended_at == at(DAY + timedelta(days=1), 0, 10)
        without = run(network, data, mapping_obj=timeonly)
        assert messages(without) == ["line 2: The date is missing."]

    def test_unreadable_file_is_reported(self, network):
        result = run(network, b"x", filename="q.pdf")
        assert "Unsupported file type .pdf" in messages(result)[0]


@pytest.mark.django_db
class TestScope:
    def test_a_teller_may_not_import_without_the_permission(self, network):
        """Tickets feed the teller's own league figures: a teller's post does not write them."""
        with pytest.raises(DomainError, match="may not import tickets for outlet XC01"):
            run(network, [row("A001")], actor=network.teller_a)
        assert not QueueTicket.objects.exists()
        result = run(network, [row("A001")], actor=may_load_tickets(network.teller_a))
        assert result.is_applied

    def test_manager_of_the_outlet_may_import(self, network):
        assert run(network, [row("A001")], actor=network.manager_a).is_applied

    @pytest.mark.parametrize("persona", ["other_teller", "auditor"])
    def test_outsiders_and_viewers_may_not_import(self, network, persona):
        with pytest.raises(DomainError, match="may not import tickets for outlet XC01"):
            run(network, [row("A001")], actor=getattr(network, persona))
        assert not QueueTicket.objects.exists()

    def test_tickets_belong_to_outlets_only(self, network):
        with pytest.raises(DomainError, match="XC is not an outlet"):
            ticket_import(
                actor=None,
                outlet=network.subbranch,
                data=csv_bytes([row("A001")]),
                filename="q.csv",
                mapping=mapping(),
            )


@pytest.mark.django_db
def test_bulk_insert_takes_the_fast_path_of_the_database(network):
    """COPY on PostgreSQL (the CI run with DATABASE_URL), batched INSERTs on SQLite."""
    from ventanilla.counters.models import BusinessType

    kind = BusinessType.objects.get(code="P03")
    tickets = [
        QueueTicket(
            outlet=network.outlet_a,
            service_on=DAY,
            ticket_number=f"C{i:05d}",
            business_type=kind,
            is_vip=i % 10 == 0,
            issued_at=at(DAY, 9, 0) + timedelta(seconds=i),
            called_at=at(DAY, 9, 5) + timedelta(seconds=i) if i % 3 else None,
            teller=network.teller_a.employee if i % 2 else None,
            outcome=Outcome.SERVED,
        )
        for i in range(2500)
    ]
    path = tickets_insert(tickets, batch_size=1000)
    assert path == ("copy" if connection.vendor == "postgresql" else "batched")
    stored = QueueTicket.objects.order_by("ticket_number")
    assert stored.count() == 2500
    assert stored.filter(is_vip=True).count() == 250
    assert stored.filter(called_at__isnull=True).count() == 834
    assert stored.filter(teller=network.teller_a.employee).count() == 1250
    last = stored.last()
    assert last.issued_at == at(DAY, 9, 0) + timedelta(seconds=2499)


@pytest.mark.django_db
class TestPush:
    def item(self, number: str, **changes):
        values = {
            "service_on": DAY,
            "ticket_number": number,
            "business_type": "P03",
            "issued_at": at(DAY, 9, 0),
            "called_at": at(DAY, 9, 2),
        }
        values.update(changes)
        return values

    def test_push_creates_then_updates(self, network):
        result = tickets_push(
            actor=network.manager_a,
            outlet=network.outlet_a,
            tickets=[self.item("1"), self.item("2", outcome="no_show", called_at=None)],
        )
        assert result.counts["tickets"].created == 2
        again = tickets_push(
            actor=network.manager_a,
            outlet=network.outlet_a,
            tickets=[self.item("1", ended_at=at(DAY, 9, 6))],
        )
        assert again.counts["tickets"].updated == 1
        [cell] = cell_rows()
        assert cell.handle_count == 1

    def test_push_names_the_bad_item(self, network):
        result = tickets_push(
            actor=network.manager_a,
            outlet=network.outlet_a,
            tickets=[self.item("1"), self.item("2", called_at=at(DAY, 8, 0))],
        )
        assert messages(result) == ["line 2: The ticket is called before it is issued."]
        assert not QueueTicket.objects.exists()


@pytest.mark.django_db
def test_registered_importer_needs_mapping_and_outlet(network):
    importer = importer_for("tickets")
    assert importer is not None
    missing = importer.run(actor=None, data=b"", filename="q.csv", dry_run=False)
    assert [str(i) for i in missing.errors] == [
        "Name the column mapping of the file (--mapping NAME).",
        "Name the outlet the file comes from (--outlet CODE).",
    ]
    unknown = importer.run(
        actor=None, data=b"", filename="q.csv", dry_run=False, mapping="x", outlet="NOPE"
    )
    assert "No column mapping is named x" in str(unknown.errors[0])
    assert str(unknown.errors[1]) == "No unit has the code NOPE."
    done = importer.run(
        actor=None,
        data=csv_bytes([row("A001")]),
        filename="q.csv",
        dry_run=False,
        mapping="ventanilla",
        outlet="XC01",
    )
    assert done.is_applied


@pytest.mark.django_db
def test_importer_reports_a_refused_outlet_as_an_error(network):
    importer = importer_for("tickets")
    refused = importer.run(
        actor=network.other_teller,
        data=csv_bytes([row("A001")]),
        filename="q.csv",
        dry_run=False,
        mapping="ventanilla",
        outlet="XC01",
    )
    assert [str(i) for i in refused.errors] == ["You may not import tickets for outlet XC01."]

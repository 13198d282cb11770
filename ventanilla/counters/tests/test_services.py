"""Teller errors, and importing tickets with the `import` command."""

from __future__ import annotations

import importlib
from datetime import date
from io import StringIO

import pytest
import time_machine
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from ventanilla.core.errors import DomainError
from ventanilla.counters.models import BusinessType, QueueTicket, TellerError, TicketMapping
from ventanilla.counters.services import teller_error_create
from ventanilla.counters.tests.test_importing import csv_bytes, row

pytestmark = pytest.mark.django_db


def record(network, actor, **changes):
    values = {
        "actor": actor,
        "outlet": network.outlet_a,
        "teller": network.teller_a.employee,
        "business_type": BusinessType.objects.get(code="P07"),
        "occurred_on": date(2026, 3, 2),
        "kind": "wrong_account",
        "severity": "major",
    }
    values.update(changes)
    return teller_error_create(**values)


@pytest.fixture(autouse=False)
def march_tenth():
    with time_machine.travel("2026-03-10 10:00 +0800", tick=False):
        yield


@pytest.mark.usefixtures("march_tenth")
class TestTellerError:
    def test_manager_records_an_error(self, network):
        error = record(network, network.manager_a, note="账号录错")
        assert TellerError.objects.get() == error
        assert error.get_additional_data() == {"unit_path": network.outlet_a.path}
        assert LogEntry.objects.get_for_object(error).get().actor == network.manager_a

    @pytest.mark.parametrize("persona", ["teller_a", "other_teller", "auditor"])
    def test_others_may_not_record(self, network, persona):
        with pytest.raises(DomainError, match="may not record errors"):
            record(network, getattr(network, persona))
        assert not TellerError.objects.exists()

    def test_a_teller_sees_their_own_errors_managers_and_auditors_all(self, network):
        from ventanilla.counters.selectors import teller_error_list
        from ventanilla.org.tests.factories import person

        colleague = person("teller_a2", network.outlet_a, "teller")
        own = record(network, network.manager_a)
        theirs = record(network, network.manager_a, teller=colleague.employee)
        assert list(teller_error_list(user=network.teller_a)) == [own]
        for user in (network.manager_a, network.subbranch_manager, network.auditor):
            assert set(teller_error_list(user=user)) == {own, theirs}
        assert not teller_error_list(user=network.other_teller).exists()

    def test_teller_must_work_at_the_outlet(self, network):
        with pytest.raises(DomainError, match="does not work at XC02"):
            record(network, network.subbranch_manager, outlet=network.outlet_b)

    def test_future_date_is_refused(self, network):
        with pytest.raises(DomainError, match="future date"):
            record(network, network.manager_a, occurred_on=date(2026, 3, 11))

    def test_unknown_kind_is_refused(self, network):
        with pytest.raises(ValidationError, match="kind"):
            record(network, network.manager_a, kind="typo")


class TestImportCommand:
    """``ventanilla import tickets FILE --mapping NAME --outlet CODE`` (the core command)."""

    def run(self, *args, **streams):
        call_command("import", "tickets", *args, **streams)

    def test_imports_a_file_and_reports_counts(self, network, tmp_path):
        path = tmp_path / "tickets.csv"
        path.write_bytes(csv_bytes([row("A001"), row("A002")]))
        out = StringIO()
        self.run(str(path), "--mapping", "ventanilla", "--outlet", "XC01", stdout=out)
        assert "Queue tickets: 2 created, 0 updated, 0 unchanged" in out.getvalue()
        assert QueueTicket.objects.count() == 2

    def test_progress_is_written_for_a_file_that_takes_a_while(
        self, network, tmp_path, monkeypatch
    ):
        command = importlib.import_module("ventanilla.core.management.commands.import")

        class Eager(command.ProgressLines):
            def __init__(self, stream):
                super().__init__(stream, every=0)

        monkeypatch.setattr(command, "ProgressLines", Eager)
        path = tmp_path / "tickets.csv"
        path.write_bytes(csv_bytes([row(f"A{i:03d}") for i in range(1, 4)]))
        err = StringIO()
        self.run(
            str(path), "--mapping", "ventanilla", "--outlet", "XC01", stdout=StringIO(), stderr=err
        )
        lines = err.getvalue().splitlines()
        assert "read: 3 of 3 (100%)" in lines
        assert "inserted: 3 of 3 (100%)" in lines

    def test_progress_lines_come_once_a_second_and_at_each_steps_end(self, monkeypatch):
        command = importlib.import_module("ventanilla.core.management.commands.import")
        clock = [100.0]
        monkeypatch.setattr(command.time, "monotonic", lambda: clock[0])
        out = StringIO()
        progress = command.ProgressLines(out)
        for seconds, done in [(0.5, 10), (1.2, 20), (1.7, 30), (2.3, 40_000)]:
            clock[0] = 100 + seconds
            progress("read", done, 40_000)
        progress("inserted", 40_000, 40_000)
        assert out.getvalue().splitlines() == [
            "read: 20 of 40,000 (0%)",
            "read: 40,000 of 40,000 (100%)",
            "inserted: 40,000 of 40,000 (100%)",
        ]
        # A step that ends within the first second writes nothing.
        quiet = StringIO()
        clock[0] = 200.0
        command.ProgressLines(quiet)("read", 5, 5)
        assert quiet.getvalue() == ""

    def test_tab_separated_text_file_is_accepted(self, network, tmp_path):
        path = tmp_path / "log.txt"
        path.write_bytes(b"no\ttype\tday\tin\n1\tP03\t260302\t9:00:00\n")
        TicketMapping.objects.create(
            name="tabs",
            ticket_number_column="no",
            business_type_column="type",
            service_on_column="day",
            date_format="%y%m%d",
            issued_at_column="in",
            times_have_dates=False,
        )
        self.run(str(path), "--mapping", "tabs", "--outlet", "XC01", stdout=StringIO())
        assert QueueTicket.objects.get().service_on == date(2026, 3, 2)

    def test_bad_row_fails_and_names_it(self, network, tmp_path):
        path = tmp_path / "tickets.csv"
        path.write_bytes(csv_bytes([row("A001"), row("A002", teller="X9")]))
        err = StringIO()
        with pytest.raises(CommandError, match="1 error"):
            self.run(str(path), "--mapping", "ventanilla", "--outlet", "XC01", stderr=err)
        assert "line 3: X9 is not a known staff number." in err.getvalue()
        assert not QueueTicket.objects.exists()

    def test_scope_of_the_named_user_applies(self, network, tmp_path):
        path = tmp_path / "tickets.csv"
        path.write_bytes(csv_bytes([row("A001")]))
        err = StringIO()
        with pytest.raises(CommandError, match="nothing was imported"):
            self.run(
                str(path),
                "--mapping",
                "ventanilla",
                "--outlet",
                "XC01",
                "--as",
                "other_teller",
                stderr=err,
            )
        assert "You may not import tickets for outlet XC01." in err.getvalue()
        assert not QueueTicket.objects.exists()

    def test_missing_mapping_is_named(self, network, tmp_path):
        path = tmp_path / "tickets.csv"
        path.write_bytes(csv_bytes([row("A001")]))
        err = StringIO()
        with pytest.raises(CommandError, match="nothing was imported"):
            self.run(str(path), "--outlet", "XC01", stderr=err)
        assert "Name the column mapping of the file (--mapping NAME)." in err.getvalue()

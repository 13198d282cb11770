"""Importing the business type catalogue and teller errors: every row checked, all or
nothing, the same file twice writes nothing, headers in English or Chinese."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
import time_machine

from ventanilla.core.tabular import importer_for
from ventanilla.counters.models import BusinessType, ErrorKind, Severity, TellerError

pytestmark = pytest.mark.django_db


def csv_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


def run(kind: str, data: bytes, *, actor=None, dry_run=False):
    importer = importer_for(kind)
    assert importer is not None
    return importer.run(actor=actor, data=data, filename="f.csv", dry_run=dry_run)


def messages(result) -> list[str]:
    return [str(issue) for issue in result.errors]


TYPE_HEADER = ["code", "name", "name_en", "name_es", "segment", "standard_seconds"]


class TestBusinessTypes:
    def test_creates_updates_and_leaves_the_same_rows(self, network):
        before = BusinessType.objects.count()
        data = csv_bytes(TYPE_HEADER, [
            ["Z01", "外汇兑换", "Currency exchange", "Cambio de divisas", "personal", "240"],
            ["P03", "活期存款", "Current account deposit", "", "个人", "150"],
        ])  # fmt: skip
        result = run("business-types", data)
        assert result.errors == [] and result.is_applied
        counts = result.counts["business_types"]
        assert (counts.created, counts.updated) == (1, 1)
        assert BusinessType.objects.count() == before + 1
        exchange = BusinessType.objects.get(code="Z01")
        assert (exchange.name_en, exchange.segment, exchange.standard_seconds) == (
            "Currency exchange", "personal", 240,
        )  # fmt: skip
        assert BusinessType.objects.get(code="P03").standard_seconds == 150
        again = run("business-types", data)
        assert again.counts["business_types"].unchanged == 2

    def test_a_bad_row_writes_nothing_and_names_its_line(self, network):
        data = csv_bytes(["业务代码", "业务名称", "客群", "标准办理时长（秒）"], [
            ["Z01", "外汇兑换", "personal", "240"],
            ["Z02", "", "planet", "-3"],
            ["Z01", "重复", "vip", "60"],
        ])  # fmt: skip
        result = run("business-types", data)
        assert not result.is_applied
        lines = messages(result)
        assert any(m.startswith("line 3: name") for m in lines)
        assert any(m.startswith("line 3: segment") for m in lines)
        assert any(m.startswith("line 3: standard_seconds") for m in lines)
        assert any(m.startswith("line 4: code: repeats line 2") for m in lines)
        assert not BusinessType.objects.filter(code__startswith="Z").exists()

    def test_only_an_administrator_loads_the_catalogue(self, network):
        data = csv_bytes(TYPE_HEADER, [["Z01", "外汇兑换", "", "", "personal", "240"]])
        result = run("business-types", data, actor=network.manager_a)
        assert "Only an administrator" in messages(result)[0]
        assert run("business-types", data, actor=network.admin).is_applied


ERROR_HEADER = ["date", "outlet", "teller", "business_type", "kind", "severity", "note"]


class TestTellerErrors:
    @pytest.fixture(autouse=True)
    def _march(self):
        with time_machine.travel("2026-03-20 10:00 +0800", tick=False):
            yield

    def rows(self, network) -> list[list[str]]:
        staff = network.teller_a.employee.staff_number
        return [
            ["2026-03-02", "XC01", staff, "P03", "wrong_amount", "minor", "少收 10 元"],
            ["2026-03-03", "XC01", staff, "P07", "差错类型不存在", "major", ""],
        ]

    def test_records_errors_named_in_any_language_and_twice_adds_nothing(self, network):
        staff = network.teller_a.employee.staff_number
        data = csv_bytes(ERROR_HEADER, [
            ["2026-03-02", "XC01", staff, "P03", "wrong_amount", "minor", "少收 10 元"],
            ["2026-03-03", "XC01", staff, "P07", "Missing signature or seal", "serious", ""],
        ])  # fmt: skip
        result = run("teller-errors", data, actor=network.manager_a)
        assert result.errors == [] and result.is_applied
        stored = list(TellerError.objects.order_by("occurred_on"))
        assert [(e.occurred_on, e.kind, e.severity) for e in stored] == [
            (date(2026, 3, 2), ErrorKind.WRONG_AMOUNT, Severity.MINOR),
            (date(2026, 3, 3), ErrorKind.MISSING_SIGNATURE, Severity.SERIOUS),
        ]
        assert stored[0].note == "少收 10 元"
        again = run("teller-errors", data, actor=network.manager_a)
        assert again.counts["teller_errors"].unchanged == 2
        assert TellerError.objects.count() == 2

    def test_a_bad_row_writes_nothing_and_names_its_line(self, network):
        staff = network.teller_a.employee.staff_number
        data = csv_bytes(ERROR_HEADER, [
            *self.rows(network),
            ["2026-04-01", "XC02", staff, "ZZ", "other", "huge", ""],
        ])  # fmt: skip
        result = run("teller-errors", data, actor=network.manager_a)
        lines = messages(result)
        assert any(m.startswith("line 3: kind") for m in lines)
        assert any(m.startswith("line 4: date: is in the future") for m in lines)
        assert any(m.startswith("line 4: outlet: you do not manage") for m in lines)
        assert any(m.startswith("line 4: teller: does not work at this outlet") for m in lines)
        assert any(m.startswith("line 4: business_type") for m in lines)
        assert any(m.startswith("line 4: severity") for m in lines)
        assert not TellerError.objects.exists()

    def test_a_teller_may_not_load_errors(self, network):
        data = csv_bytes(ERROR_HEADER, self.rows(network)[:1])
        result = run("teller-errors", data, actor=network.teller_a)
        assert any("you do not manage this outlet" in m for m in messages(result))
        assert not TellerError.objects.exists()


@pytest.mark.parametrize("kind", ["business-types", "teller-errors"])
def test_templates_name_every_column_in_both_languages(kind):
    from openpyxl import load_workbook

    importer = importer_for(kind)
    assert importer is not None
    book = load_workbook(io.BytesIO(importer.template()))
    header = [cell.value for cell in next(book.worksheets[0].iter_rows(max_row=1))]
    notes = list(book.worksheets[1].iter_rows(min_row=2, values_only=True))
    assert header == [row[0] for row in notes] and all(row[1] for row in notes)

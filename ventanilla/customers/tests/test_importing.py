"""The customer import: every row checked, nothing written on a bad row, idempotent, and a
changed manager kept in the history."""

from __future__ import annotations

import json

import pytest
from auditlog.models import LogEntry

from ventanilla.customers.importing import customer_import, customer_import_template
from ventanilla.customers.models import Customer, RelationshipAssignment
from ventanilla.customers.tests.factories import account_manager

pytestmark = pytest.mark.django_db
HEADER = "number,kind,name,tier,unit,phone,vip_level,manager,birthday\n"


def run(actor, text, *, dry_run=False):
    return customer_import(
        actor=actor, data=text.encode("utf-8"), filename="customers.csv", dry_run=dry_run
    )


@pytest.fixture
def am(network):
    return account_manager(network)


def rows(am, manager=None):
    staff = (manager or am).employee.staff_number
    return (
        HEADER
        + f"C1,individual,王小明,key,XC01,13912345678,3,{staff},1988-05-06\n"
        + "C2,对公,苏州瑞丰纺织有限公司,sme,XC02,051266661234,1,,\n"
    )


def test_import_creates_then_changes_nothing_the_second_time(network, am):
    result = run(network.subbranch_manager, rows(am))
    assert result.is_valid and result.is_applied
    assert result.counts["customers"].created == 2
    stored = Customer.objects.get(number="C1")
    assert stored.manager == am.employee and stored.vip_level == 3
    assert RelationshipAssignment.objects.filter(customer=stored).count() == 1
    again = run(network.subbranch_manager, rows(am))
    assert again.counts["customers"].unchanged == 2
    assert Customer.objects.count() == 2
    assert RelationshipAssignment.objects.count() == 1


def test_outlet_head_cannot_import_into_another_outlet(network, am):
    result = run(network.manager_a, rows(am))
    assert not result.is_valid
    assert "line 3" in str(result.errors[0]) and "XC02" in str(result.errors[0])
    assert not Customer.objects.exists()


def test_a_changed_manager_opens_a_new_period(network, am):
    run(network.subbranch_manager, rows(am))
    successor = account_manager(network, "am_b")
    result = run(network.subbranch_manager, rows(am, successor))
    assert result.counts["customers"].updated == 1
    periods = RelationshipAssignment.objects.filter(customer__number="C1").order_by("id")
    assert [p.employee_id for p in periods] == [am.employee.pk, successor.employee.pk]
    assert periods[0].ended_on is not None and periods[1].ended_on is None


def test_one_bad_row_writes_nothing_and_each_is_named(network, am):
    text = (
        rows(am)
        + "C3,individual,赵六,sme,XC01,,,,\n"  # a company tier for a person
        + "C1,individual,重复,basic,XC01,,,,\n"  # repeats line 2
        + "C4,individual,钱七,basic,NOPE,,9,,1990-02-30\n"
    )
    result = run(network.subbranch_manager, text)
    messages = [str(e) for e in result.errors]
    assert any("line 4" in m and "tier" in m for m in messages)
    assert any("line 5" in m and "repeats line 2" in m for m in messages)
    assert any("line 6" in m and "NOPE" in m for m in messages)
    assert any("line 6" in m and "vip_level" in m for m in messages)
    assert any("line 6" in m and "birthday" in m for m in messages)
    assert not Customer.objects.exists()


def test_a_manager_from_another_sub_branch_is_refused(network, am):
    text = (
        HEADER + f"C1,individual,王小明,key,XC01,,,{network.other_teller.employee.staff_number},\n"
    )
    result = run(network.subbranch_manager, text)
    assert "outside the customer's sub-branch" in str(result.errors[0])


def test_missing_columns_are_named(network):
    result = run(network.subbranch_manager, "number,name\nC1,x\n")
    assert any("kind" in str(e) for e in result.errors)
    assert any("tier" in str(e) for e in result.errors)


def test_the_audit_trail_masks_personal_data(network, am):
    run(network.subbranch_manager, rows(am))
    entry = LogEntry.objects.get_for_object(Customer.objects.get(number="C1")).get()
    changes = entry.changes if isinstance(entry.changes, dict) else json.loads(entry.changes)
    assert "13912345678" not in json.dumps(changes, ensure_ascii=False)
    assert "王小明" not in json.dumps(changes, ensure_ascii=False)


def test_the_template_names_every_column():
    from io import BytesIO

    from openpyxl import load_workbook

    book = load_workbook(BytesIO(customer_import_template()))
    header = [c.value for c in book["customers"][1]]
    assert header[:5] == ["number", "kind", "name", "tier", "unit"]

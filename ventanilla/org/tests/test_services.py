import datetime as dt

import pytest
from auditlog.models import LogEntry

from ventanilla.core.errors import DomainError
from ventanilla.core.scoping import Role
from ventanilla.org import services
from ventanilla.org.models import Employee, GroupRole, OrgUnit, OrgUnitKind, PostAssignment
from ventanilla.org.tests.factories import EmployeeFactory, post

pytestmark = pytest.mark.django_db


def test_org_unit_create_appends_under_parent_and_keeps_sibling_paths(network):
    before = OrgUnit.objects.get(code="XC01").path
    created = services.org_unit_create(
        actor=network.admin,
        code="XC00",
        name="新网点",
        kind=OrgUnitKind.OUTLET,
        parent=network.subbranch,
    )
    assert created.path.startswith(network.subbranch.path)
    assert OrgUnit.objects.get(code="XC01").path == before
    assert OrgUnit.objects.find_problems() == ([], [], [], [], [])


def test_org_unit_create_rejects_an_outlet_under_an_outlet(network):
    with pytest.raises(DomainError, match="cannot sit under"):
        services.org_unit_create(
            actor=None, code="X1", name="x", kind=OrgUnitKind.OUTLET, parent=network.outlet_a
        )


def test_org_unit_create_rejects_a_duplicate_code(network):
    with pytest.raises(DomainError, match="exists already"):
        services.org_unit_create(
            actor=None, code="XC01", name="x", kind=OrgUnitKind.OUTLET, parent=network.subbranch
        )


def test_org_unit_create_needs_administrator_over_the_parent(network):
    with pytest.raises(DomainError) as err:
        services.org_unit_create(
            actor=network.subbranch_manager,
            code="XC09",
            name="x",
            kind=OrgUnitKind.OUTLET,
            parent=network.subbranch,
        )
    assert err.value.code == "forbidden"


def test_org_unit_update_moves_the_subtree(network):
    unit = services.org_unit_update(
        actor=None, unit=OrgUnit.objects.get(code="XC02"), parent=network.other_subbranch
    )
    assert unit.path.startswith(network.other_subbranch.path)
    assert OrgUnit.objects.find_problems() == ([], [], [], [], [])


def test_org_unit_update_refuses_to_move_a_unit_under_itself(network):
    with pytest.raises(DomainError, match="under itself"):
        services.org_unit_update(actor=None, unit=network.subbranch, parent=network.outlet_a)


def test_org_unit_update_without_changes_writes_no_audit_entry(network):
    before = LogEntry.objects.count()
    services.org_unit_update(actor=None, unit=network.outlet_a, name=network.outlet_a.name)
    assert LogEntry.objects.count() == before


def test_employee_create_gives_the_main_post_with_its_default_role(network):
    emp = services.employee_create(
        actor=network.manager_a,
        staff_number="90000001",
        name="王芳",
        unit=network.outlet_a,
        post=post("lobby_manager"),
        hire_on=dt.date(2020, 3, 1),
    )
    assignment = emp.assignments.get()
    assert assignment.is_primary and assignment.role == Role.STAFF
    entry = LogEntry.objects.get_for_object(emp).get()
    assert entry.actor == network.manager_a


def test_employee_create_outside_the_actors_scope_is_refused(network):
    with pytest.raises(DomainError):
        services.employee_create(
            actor=network.manager_a,
            staff_number="90000002",
            name="x",
            unit=network.outlet_b,
            post=post("teller"),
        )


def test_employee_create_rejects_a_taken_staff_number(network):
    with pytest.raises(DomainError, match="taken"):
        services.employee_create(
            actor=None,
            staff_number=network.teller_a.employee.staff_number,
            name="x",
            unit=network.outlet_a,
            post=post("teller"),
        )


def test_employee_update_moves_the_main_assignment(network):
    emp = network.teller_a.employee
    services.employee_update(actor=network.subbranch_manager, employee=emp, unit=network.outlet_b)
    primary = PostAssignment.objects.get(employee=emp, is_primary=True)
    assert primary.unit == network.outlet_b


def test_post_assignment_add_cannot_grant_above_the_actors_role(network):
    emp = EmployeeFactory(unit=network.outlet_a)
    with pytest.raises(DomainError, match="above your own"):
        services.post_assignment_add(
            actor=network.manager_a,
            employee=emp,
            unit=network.outlet_a,
            post=post("administrator"),
        )


def test_group_member_set_allows_one_leader(network):
    emp = EmployeeFactory(unit=network.subbranch)
    with pytest.raises(DomainError, match="leader already"):
        services.group_member_set(
            actor=network.subbranch_manager,
            group=network.group,
            employee=emp,
            role=GroupRole.LEADER,
        )
    seat = services.group_member_set(
        actor=network.subbranch_manager,
        group=network.group,
        employee=emp,
        role=GroupRole.DEPUTY,
        responsibilities="负责投诉处理",
    )
    assert seat.responsibilities == "负责投诉处理"


def test_group_member_set_by_a_teller_is_refused(network):
    with pytest.raises(DomainError):
        services.group_member_set(
            actor=network.teller_a,
            group=network.group,
            employee=network.teller_a.employee,
            role=GroupRole.MEMBER,
        )


def test_emergency_contact_set_needs_two_different_active_people(network):
    a = network.manager_a.employee
    with pytest.raises(DomainError, match="someone other"):
        services.emergency_contact_set(
            actor=network.manager_a,
            unit=network.outlet_a,
            duty="设备故障",
            primary=a,
            primary_phone="1",
            backup=a,
            backup_phone="2",
        )
    gone = EmployeeFactory(unit=network.outlet_a, is_active=False)
    with pytest.raises(DomainError, match="no longer active"):
        services.emergency_contact_set(
            actor=network.manager_a,
            unit=network.outlet_a,
            duty="设备故障",
            primary=a,
            primary_phone="1",
            backup=gone,
            backup_phone="2",
        )


def test_emergency_contact_set_replaces_the_pair_for_a_duty(network):
    new_b = EmployeeFactory(unit=network.outlet_a)
    contact = services.emergency_contact_set(
        actor=network.manager_a,
        unit=network.outlet_a,
        duty=network.contact.duty,
        primary=network.manager_a.employee,
        primary_phone="13900000001",
        backup=new_b,
        backup_phone="13900000002",
    )
    assert contact.pk == network.contact.pk and contact.backup == new_b


def test_employee_login_set_gives_a_working_login(network):
    emp = EmployeeFactory(unit=network.outlet_a)
    user = services.employee_login_set(
        actor=None, employee=emp, username="new_teller", password="s3cret-pass"
    )
    assert user.check_password("s3cret-pass")
    assert Employee.objects.get(pk=emp.pk).user == user

"""The admin site lists only what the user may see; superusers see everything."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from ventanilla.org import services
from ventanilla.org.tests.factories import EmployeeFactory, person

pytestmark = pytest.mark.django_db


def staff_login(user, *codenames: str):
    user.is_staff = True
    user.save()
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


def changelist_ids(client, model: str) -> set[int]:
    response = client.get(reverse(f"admin:org_{model}_changelist"))
    assert response.status_code == 200
    return {obj.pk for obj in response.context["cl"].result_list}


def test_admin_employee_list_is_scoped_to_the_user(client, network):
    outsider = EmployeeFactory(unit=network.other_outlet)
    staff_login(network.manager_a, "view_employee", "view_orgunit", "view_emergencycontact")
    client.force_login(network.manager_a)
    ids = changelist_ids(client, "employee")
    assert network.teller_a.employee.pk in ids
    assert outsider.pk not in ids
    assert network.subbranch_manager.employee.pk not in ids
    assert {u for u in changelist_ids(client, "orgunit")} == {network.outlet_a.pk}
    assert changelist_ids(client, "emergencycontact") == {network.contact.pk}


def test_admin_object_outside_scope_is_not_found(client, network):
    staff_login(network.other_teller, "view_employee", "change_employee")
    client.force_login(network.other_teller)
    url = reverse("admin:org_employee_change", args=[network.teller_a.employee.pk])
    response = client.get(url)
    # Django's admin redirects to the index with a "does not exist" message.
    assert response.status_code == 302


def test_admin_change_needs_the_administrator_role_over_the_unit(client, network):
    staff_login(network.manager_a, "view_employee", "change_employee")
    client.force_login(network.manager_a)
    url = reverse("admin:org_employee_change", args=[network.teller_a.employee.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert not response.context["has_change_permission"]


def test_superuser_sees_every_row(client, network):
    client.force_login(network.admin)
    ids = changelist_ids(client, "employee")
    assert network.other_teller.employee.pk in ids
    assert network.teller_a.employee.pk in ids


def test_admin_audit_log_is_scoped_like_the_audit_page(client, network):
    xc_admin = person("xc_admin", network.subbranch, "administrator")
    staff_login(xc_admin, "view_logentry")
    services.employee_update(actor=None, employee=network.other_teller.employee, name="园区")
    services.employee_update(actor=None, employee=network.teller_a.employee, name="相城")
    client.force_login(xc_admin)
    response = client.get(reverse("admin:auditlog_logentry_changelist"))
    assert response.status_code == 200
    reprs = {e.object_repr for e in response.context["cl"].result_list}
    assert any("相城" in r for r in reprs)
    assert not any("园区" in r for r in reprs)

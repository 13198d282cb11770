import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from ventanilla.core.scoping import Role, require_role, scope_for
from ventanilla.org.models import Employee, OrgUnit

pytestmark = pytest.mark.django_db


def codes(qs):
    return sorted(qs.values_list("code", flat=True))


def test_teller_sees_only_their_outlet_subtree(network):
    assert codes(OrgUnit.objects.visible_to(network.teller_a)) == ["XC01"]


def test_subbranch_manager_sees_the_whole_subbranch_and_nothing_of_the_peer(network):
    assert codes(OrgUnit.objects.visible_to(network.subbranch_manager)) == [
        "XC",
        "XC-D01",
        "XC01",
        "XC02",
    ]


def test_auditor_at_head_office_sees_everything(network):
    assert OrgUnit.objects.visible_to(network.auditor).count() == OrgUnit.objects.count()


def test_other_teller_sees_no_xiangcheng_employee(network):
    visible = Employee.objects.visible_to(network.other_teller)
    assert not visible.filter(unit__path__startswith=network.subbranch.path).exists()


def test_manager_role_filter_excludes_viewer_grants(network):
    assert OrgUnit.objects.visible_to(network.auditor, Role.MANAGER).count() == 0


def test_require_role_is_403_in_scope_and_404_out_of_scope(network):
    require_role(network.manager_a, network.outlet_a, Role.MANAGER)
    with pytest.raises(PermissionDenied):
        require_role(network.teller_a, network.outlet_a, Role.MANAGER)
    with pytest.raises(Http404):
        require_role(network.other_teller, network.outlet_a, Role.VIEWER)


def test_scope_loads_in_one_query_and_is_cached(network, django_assert_num_queries):
    user = network.subbranch_manager
    with django_assert_num_queries(1):
        scope_for(user)
        scope_for(user)


def test_inactive_employee_loses_scope(network):
    emp = network.teller_a.employee
    emp.is_active = False
    emp.save()
    network.teller_a.refresh_from_db()
    fresh = type(network.teller_a).objects.get(pk=network.teller_a.pk)
    assert OrgUnit.objects.visible_to(fresh).count() == 0


def test_superuser_sees_all(network):
    assert OrgUnit.objects.visible_to(network.admin).count() == OrgUnit.objects.count()

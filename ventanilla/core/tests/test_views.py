"""The shell's pages: home, the unit switcher, the audit trail, login and error pages."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import reverse

from ventanilla.core.middleware import ACTIVE_ASSIGNMENT_SESSION_KEY
from ventanilla.core.scoping import Role
from ventanilla.org import services
from ventanilla.org.models import Post, PostAssignment
from ventanilla.org.tests.factories import person

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "persona", ["teller_a", "manager_a", "subbranch_manager", "auditor", "other_teller", "admin"]
)
def test_home_renders_the_dashboard_for_every_persona(client, network, persona):
    client.force_login(getattr(network, persona))
    response = client.get(reverse("home"))
    assert response.status_code == 200
    templates = [p.template for p in response.context["panels"]]
    assert "core/panels/org_figures.html" in templates


def test_home_figures_follow_the_scope(client, network):
    client.force_login(network.teller_a)
    figures = client.get(reverse("home")).context["panels"][0].context["figures"]
    assert figures["staff_active"] == 2
    assert figures["group_count"] == 0
    client.force_login(network.subbranch_manager)
    figures = client.get(reverse("home")).context["panels"][0].context["figures"]
    assert figures["staff_active"] == 3
    assert figures["group_count"] == 1
    assert figures["units_without_contacts"] == 2  # XC itself and outlet B
    assert figures["units_by_kind"]["outlet"] == 2


def test_anonymous_user_is_redirected_to_login(client, network):
    for name in ["home", "audit_list"]:
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_login_page_renders_with_the_language_switcher(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    content = response.content.decode()
    assert reverse("set_language") in content
    for name in ["简体中文", "English", "Español"]:
        assert name in content


@override_settings(AXES_FAILURE_LIMIT=5)
def test_five_failed_logins_show_the_locked_out_page(client, network):
    for _ in range(5):
        client.post(reverse("login"), {"username": "teller_a", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "teller_a", "password": "wrong"})
    assert response.status_code == 429
    content = response.content.decode()
    assert "15 minutes" in content
    assert "5 unsuccessful attempts" in content


# --- Unit switcher ----------------------------------------------------------------------


@pytest.fixture
def two_posts(network):
    """manager_a also heads outlet B: two posts, two units."""
    employee = network.manager_a.employee
    second = PostAssignment.objects.create(
        employee=employee,
        unit=network.outlet_b,
        post=Post.objects.get(code="outlet_head"),
        role=Role.MANAGER,
    )
    first = employee.assignments.get(is_primary=True)
    return first, second


def tree_codes(client) -> set[str]:
    nodes = client.get(reverse("org:tree")).context["nodes"]
    return {n.unit.code for n in nodes}


def test_switcher_appears_only_with_more_than_one_post(client, network, two_posts):
    client.force_login(network.teller_a)
    assert b'name="assignment"' not in client.get(reverse("home")).content
    client.force_login(network.manager_a)
    content = client.get(reverse("home")).content.decode()
    assert 'name="assignment"' in content
    assert "All my posts" in content


def test_switcher_narrows_what_the_user_sees(client, network, two_posts):
    first, second = two_posts
    client.force_login(network.manager_a)
    assert tree_codes(client) == {"XC01", "XC02"}
    response = client.post(
        reverse("switch_unit"), {"assignment": second.pk, "next": reverse("org:tree")}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("org:tree")
    assert client.session[ACTIVE_ASSIGNMENT_SESSION_KEY] == second.pk
    assert tree_codes(client) == {"XC02"}
    client.post(reverse("switch_unit"), {"assignment": first.pk})
    assert tree_codes(client) == {"XC01"}
    client.post(reverse("switch_unit"), {"assignment": ""})
    assert ACTIVE_ASSIGNMENT_SESSION_KEY not in client.session
    assert tree_codes(client) == {"XC01", "XC02"}


def test_switcher_refuses_someone_elses_post(client, network, two_posts):
    client.force_login(network.manager_a)
    foreign = network.other_teller.employee.assignments.get()
    assert client.post(reverse("switch_unit"), {"assignment": foreign.pk}).status_code == 404
    assert client.post(reverse("switch_unit"), {"assignment": "abc"}).status_code == 404
    assert ACTIVE_ASSIGNMENT_SESSION_KEY not in client.session


def test_switcher_accepts_only_post_and_only_safe_next(client, network, two_posts):
    client.force_login(network.manager_a)
    assert client.get(reverse("switch_unit")).status_code == 405
    response = client.post(
        reverse("switch_unit"), {"assignment": "", "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("home")


# --- Audit trail ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona", ["teller_a", "manager_a", "subbranch_manager", "auditor", "other_teller"]
)
def test_audit_page_is_403_without_the_administrator_role(client, network, persona):
    client.force_login(getattr(network, persona))
    assert client.get(reverse("audit_list")).status_code == 403


def test_audit_page_lists_changes_for_the_superuser(client, network):
    employee = network.teller_a.employee
    services.employee_update(actor=network.admin, employee=employee, phone="13911112222")
    client.force_login(network.admin)
    response = client.get(reverse("audit_list"))
    assert response.status_code == 200
    assert "13911112222" in response.content.decode()
    rows = response.context["rows"]
    changed = [r for r in rows if r["entry"].actor == network.admin]
    assert [c.new for c in changed[0]["changes"]] == ["13911112222"]
    assert changed[0]["object_type"] == "Employee"


def test_audit_page_filters_by_action_and_object_type(client, network):
    services.employee_update(actor=network.admin, employee=network.teller_a.employee, name="改名")
    client.force_login(network.admin)
    url = reverse("audit_list")
    updates = client.get(url, {"action": 1}).context["rows"]
    assert updates and all(r["entry"].action == 1 for r in updates)
    units = client.get(url, {"object_type": "org.orgunit"}).context["rows"]
    assert units and all(r["entry"].content_type.model == "orgunit" for r in units)
    bad = client.get(url, {"action": 9})
    assert bad.status_code == 200
    assert "action" in bad.context["form"].errors


def test_unit_administrator_sees_only_their_subtree_entries(client, network):
    xc_admin = person("xc_admin", network.subbranch, "administrator")
    services.employee_update(actor=None, employee=network.other_teller.employee, name="园区")
    services.employee_update(actor=None, employee=network.teller_a.employee, name="相城")
    client.force_login(xc_admin)
    response = client.get(reverse("audit_list"))
    assert response.status_code == 200
    reprs = {r["entry"].object_repr for r in response.context["rows"]}
    assert any("相城" in r for r in reprs)
    assert not any("园区" in r for r in reprs)
    assert b'href="/audit/"' in client.get(reverse("home")).content


def test_audit_page_paginates_by_fifty(client, network):
    for i in range(60):
        services.employee_update(
            actor=network.admin, employee=network.teller_a.employee, name=f"n{i}"
        )
    client.force_login(network.admin)
    response = client.get(reverse("audit_list"))
    assert len(response.context["rows"]) == 50
    assert response.context["page_obj"].paginator.num_pages >= 2


# --- Error pages ------------------------------------------------------------------------


def test_404_and_403_pages_use_the_shell(client, network):
    client.force_login(network.other_teller)
    response = client.get(reverse("org:unit_detail", args=["XC"]))
    assert response.status_code == 404
    assert b"Ventanilla" in response.content and b"Page not found" in response.content
    client.force_login(network.teller_a)
    response = client.get(reverse("audit_list"))
    assert response.status_code == 403
    assert b"not open to your role" in response.content


def test_sidebar_hides_admin_links_from_non_administrators(client, network):
    client.force_login(network.teller_a)
    content = client.get(reverse("home")).content.decode()
    assert reverse("audit_list") not in content
    assert reverse("org:import_upload") not in content
    client.force_login(network.admin)
    content = client.get(reverse("home")).content.decode()
    assert reverse("audit_list") in content
    assert reverse("org:import_upload") in content

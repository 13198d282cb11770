"""Organisation pages: scope (404), role (403), forms, export, query counts, no outside links."""

from __future__ import annotations

import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from ventanilla.org.models import (
    EmergencyContact,
    Employee,
    GroupMembership,
    GroupRole,
    OrgGroup,
    OrgUnit,
    OrgUnitKind,
    Post,
)
from ventanilla.org.tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db


def staff_no(user) -> str:
    return user.employee.staff_number


def xc_object_urls(network) -> list[str]:
    teller = staff_no(network.teller_a)
    return [
        reverse("org:unit_detail", args=["XC"]),
        reverse("org:unit_detail", args=["XC01"]),
        reverse("org:employee_detail", args=[teller]),
        reverse("org:employee_edit", args=[teller]),
        reverse("org:group_detail", args=[network.group.pk]),
        reverse("org:contact_edit", args=[network.contact.pk]),
        reverse("org:tree") + "?root=XC",
    ]


@pytest.mark.parametrize(
    ("persona", "url_name", "args"),
    [
        ("teller_a", "org:tree", []),
        ("teller_a", "org:employee_list", []),
        ("teller_a", "org:group_list", []),
        ("teller_a", "org:contact_list", []),
        ("teller_a", "org:unit_detail", ["XC01"]),
        ("manager_a", "org:employee_create", []),
        ("manager_a", "org:contact_create", []),
        ("subbranch_manager", "org:unit_detail", ["XC"]),
        ("auditor", "org:tree", []),
        ("admin", "org:tree", []),
    ],
)
def test_pages_render_for_their_persona(client, network, persona, url_name, args):
    client.force_login(getattr(network, persona))
    response = client.get(reverse(url_name, args=args))
    assert response.status_code == 200


def test_object_pages_render_for_a_manager(client, network):
    client.force_login(network.subbranch_manager)
    teller = staff_no(network.teller_a)
    for url in [
        reverse("org:employee_detail", args=[teller]),
        reverse("org:employee_edit", args=[teller]),
        reverse("org:group_detail", args=[network.group.pk]),
        reverse("org:contact_edit", args=[network.contact.pk]),
    ]:
        assert client.get(url).status_code == 200, url


def test_other_teller_gets_404_on_every_xiangcheng_object_page(client, network):
    client.force_login(network.other_teller)
    for url in xc_object_urls(network):
        assert client.get(url).status_code == 404, url
    posted = [
        reverse("org:employee_edit", args=[staff_no(network.teller_a)]),
        reverse("org:group_detail", args=[network.group.pk]),
        reverse("org:contact_edit", args=[network.contact.pk]),
    ]
    for url in posted:
        assert client.post(url, {}).status_code == 404, url


def test_teller_gets_403_on_edit_pages_of_their_own_outlet(client, network):
    group = OrgGroup.objects.create(unit=network.outlet_a, kind="working", name="厅堂小组")
    client.force_login(network.teller_a)
    urls = [
        reverse("org:employee_edit", args=[staff_no(network.teller_a)]),
        reverse("org:contact_edit", args=[network.contact.pk]),
        reverse("org:employee_create"),
        reverse("org:contact_create"),
    ]
    for url in urls:
        assert client.get(url).status_code == 403, url
    member = {"employee": network.teller_a.employee.pk, "role": "member"}
    assert client.post(reverse("org:group_detail", args=[group.pk]), member).status_code == 403
    assert not group.memberships.exists()


def test_anonymous_user_is_sent_to_the_login_page(client, network):
    response = client.get(reverse("org:employee_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# --- Org tree ---------------------------------------------------------------------------


def test_tree_nests_the_visible_units_with_staff_counts(client, network):
    client.force_login(network.subbranch_manager)
    response = client.get(reverse("org:tree"))
    roots = response.context["nodes"]
    assert [n.unit.code for n in roots] == ["XC"]
    children = {n.unit.code: n for n in roots[0].children}
    assert sorted(children) == ["XC-D01", "XC01", "XC02"]
    assert children["XC01"].staff == 2
    assert roots[0].subtree_staff == 3
    assert b"YT01" not in response.content


def test_tree_root_parameter_shows_a_subtree_and_404s_outside_scope(client, network):
    client.force_login(network.subbranch_manager)
    response = client.get(reverse("org:tree"), {"root": "XC01"})
    assert [n.unit.code for n in response.context["nodes"]] == ["XC01"]
    assert client.get(reverse("org:tree"), {"root": "YT"}).status_code == 404


def add_outlets(parent: OrgUnit, count: int) -> None:
    for i in range(count):
        parent.refresh_from_db()
        outlet = OrgUnit.objects.add_child(
            parent, {"code": f"{parent.code}-N{i:03d}", "name": f"网点{i}", "kind": "outlet"}
        )
        if i % 20 == 0:
            dept = OrgUnit.objects.add_child(
                outlet, {"code": f"{outlet.code}-D", "name": "部门", "kind": "department"}
            )
            EmployeeFactory(unit=dept)
        EmployeeFactory(unit=outlet)


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url_name", ["org:tree", "org:employee_list"])
def test_query_count_does_not_grow_with_the_tree(
    client, network, django_assert_num_queries, url_name
):
    client.force_login(network.subbranch_manager)
    url = reverse(url_name)
    add_outlets(network.subbranch, 6)
    assert OrgUnit.objects.visible_to(network.subbranch_manager).count() >= 10
    small = count_queries(client, url)
    add_outlets(OrgUnit.objects.get(code="XC02"), 200)
    assert OrgUnit.objects.visible_to(network.subbranch_manager).count() > 200
    with django_assert_num_queries(small):
        client.get(url)


def test_tree_query_count_is_pinned(client, network, django_assert_num_queries):
    client.force_login(network.subbranch_manager)
    client.get(reverse("org:tree"))  # warm the session
    # session, user, grants, switcher posts, units, staff counts
    with django_assert_num_queries(6):
        client.get(reverse("org:tree"))


# --- Employees --------------------------------------------------------------------------


def test_employee_list_filters_by_unit_post_and_search(client, network):
    EmployeeFactory(unit=network.outlet_b, name="张三", post=Post.objects.get(code="lobby_manager"))
    client.force_login(network.subbranch_manager)
    url = reverse("org:employee_list")
    codes = lambda r: {e.unit.code for e in r.context["page_obj"]}  # noqa: E731
    assert codes(client.get(url, {"unit": "XC01"})) == {"XC01"}
    rows = client.get(url, {"post": "lobby_manager"}).context["page_obj"]
    assert [e.name for e in rows] == ["张三"]
    assert [e.name for e in client.get(url, {"q": "张三"}).context["page_obj"]] == ["张三"]


def test_employee_list_paginates_by_fifty(client, network):
    EmployeeFactory.create_batch(60, unit=network.outlet_b)
    client.force_login(network.subbranch_manager)
    first = client.get(reverse("org:employee_list"))
    assert len(first.context["page_obj"].object_list) == 50
    second = client.get(reverse("org:employee_list"), {"page": 2})
    assert len(second.context["page_obj"].object_list) == 13


def test_phone_is_masked_for_a_teller_and_shown_to_a_manager(client, network):
    phone = network.manager_a.employee.phone
    client.force_login(network.teller_a)
    assert phone.encode() not in client.get(reverse("org:employee_list")).content
    client.force_login(network.manager_a)
    assert phone.encode() in client.get(reverse("org:employee_list")).content


def export_rows(client, **params) -> list[tuple]:
    response = client.get(reverse("org:employee_export"), params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    return list(sheet.iter_rows(values_only=True))


def test_export_is_scoped_and_filtered(client, network):
    EmployeeFactory(unit=network.other_outlet, name="园区员工")
    client.force_login(network.manager_a)
    rows = export_rows(client)
    header, body = rows[0], rows[1:]
    assert header[:3] == ("Staff number", "Name", "Unit code")
    assert "Phone" in header
    assert {row[2] for row in body} == {"XC01"}
    assert {row[1] for row in body} == {"teller_a", "manager_a"}
    client.force_login(network.subbranch_manager)
    assert {row[2] for row in export_rows(client, unit="XC02")[1:]} <= {"XC02"}
    assert "园区员工" not in {row[1] for row in export_rows(client)[1:]}


def test_export_leaves_out_phones_for_roles_below_manager(client, network):
    client.force_login(network.teller_a)
    rows = export_rows(client)
    assert "Phone" not in rows[0]
    assert network.teller_a.employee.phone not in {c for row in rows for c in row}


def test_export_keeps_a_name_starting_with_equals_as_text(client, network):
    EmployeeFactory(unit=network.outlet_a, name="=1+1")
    client.force_login(network.manager_a)
    assert "=1+1" in {row[1] for row in export_rows(client)}


def test_manager_edits_an_employee_through_the_service(client, network):
    client.force_login(network.manager_a)
    employee = network.teller_a.employee
    url = reverse("org:employee_edit", args=[employee.staff_number])
    data = {
        "name": "新名字",
        "unit": network.outlet_a.pk,
        "post": employee.post.pk,
        "phone": "13900000000",
        "email": "",
        "is_active": "on",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    employee.refresh_from_db()
    assert employee.name == "新名字"
    assert employee.phone == "13900000000"


def test_edit_form_offers_only_units_the_user_manages(client, network):
    client.force_login(network.manager_a)
    url = reverse("org:employee_edit", args=[staff_no(network.teller_a)])
    form = client.get(url).context["form"]
    assert [u.code for u in form.fields["unit"].queryset] == ["XC01"]
    data = {"name": "x", "unit": network.outlet_b.pk, "post": Post.objects.first().pk}
    response = client.post(url, data)
    assert response.status_code == 200
    assert "unit" in response.context["form"].errors


def test_bad_phone_re_renders_the_form_with_an_error(client, network):
    client.force_login(network.manager_a)
    data = {
        "staff_number": "N0001",
        "name": "新员工",
        "unit": network.outlet_a.pk,
        "post": Post.objects.get(code="teller").pk,
        "phone": "call me",
    }
    response = client.post(reverse("org:employee_create"), data)
    assert response.status_code == 200
    assert "phone" in response.context["form"].errors
    assert b"Enter a phone number" in response.content
    assert not Employee.objects.filter(staff_number="N0001").exists()


def test_domain_error_from_the_service_is_shown_on_the_form(client, network):
    client.force_login(network.manager_a)
    data = {
        "staff_number": staff_no(network.teller_a),
        "name": "重复",
        "unit": network.outlet_a.pk,
        "post": Post.objects.get(code="teller").pk,
    }
    response = client.post(reverse("org:employee_create"), data)
    assert response.status_code == 200
    assert "is taken" in " ".join(response.context["form"].non_field_errors())


def test_manager_creates_an_employee(client, network):
    client.force_login(network.manager_a)
    data = {
        "staff_number": "N0002",
        "name": "新员工",
        "unit": network.outlet_a.pk,
        "post": Post.objects.get(code="teller").pk,
        "hire_on": "2025-03-01",
        "is_active": "on",
    }
    response = client.post(reverse("org:employee_create"), data)
    assert response.status_code == 302
    employee = Employee.objects.get(staff_number="N0002")
    assert employee.unit == network.outlet_a
    assert employee.assignments.get().is_primary


# --- Groups and contacts ----------------------------------------------------------------


def test_manager_adds_updates_and_removes_a_group_member(client, network):
    client.force_login(network.subbranch_manager)
    url = reverse("org:group_detail", args=[network.group.pk])
    employee = network.teller_a.employee
    data = {"employee": employee.pk, "role": "member", "responsibilities": "巡查大堂"}
    assert client.post(url, data).status_code == 302
    data["role"] = "deputy"
    assert client.post(url, data).status_code == 302
    membership = GroupMembership.objects.get(group=network.group, employee=employee)
    assert membership.role == GroupRole.DEPUTY
    page = client.get(url)
    assert b"Deputy leader" in page.content
    remove = reverse("org:group_member_remove", args=[network.group.pk, membership.pk])
    assert client.post(remove).status_code == 302
    assert not GroupMembership.objects.filter(pk=membership.pk).exists()


def test_second_leader_is_refused_on_the_form(client, network):
    client.force_login(network.subbranch_manager)
    url = reverse("org:group_detail", args=[network.group.pk])
    data = {"employee": network.teller_a.employee.pk, "role": "leader"}
    response = client.post(url, data)
    assert response.status_code == 200
    assert "leader already" in " ".join(response.context["form"].non_field_errors())


def test_group_member_choice_is_limited_to_visible_active_employees(client, network):
    gone = EmployeeFactory(unit=network.outlet_a, is_active=False)
    client.force_login(network.subbranch_manager)
    form = client.get(reverse("org:group_detail", args=[network.group.pk])).context["form"]
    choices = set(form.fields["employee"].queryset)
    assert network.teller_a.employee in choices
    assert gone not in choices
    assert network.other_teller.employee not in choices


def test_manager_sets_emergency_contacts(client, network):
    client.force_login(network.manager_a)
    data = {
        "unit": network.outlet_a.pk,
        "duty": "安全保卫",
        "primary": network.manager_a.employee.pk,
        "primary_phone": "0512-1234567",
        "backup": network.teller_a.employee.pk,
        "backup_phone": "0512-7654321",
    }
    assert client.post(reverse("org:contact_create"), data).status_code == 302
    assert EmergencyContact.objects.filter(unit=network.outlet_a, duty="安全保卫").exists()


def test_contact_with_the_same_person_twice_is_refused(client, network):
    client.force_login(network.manager_a)
    same = network.manager_a.employee.pk
    data = {"primary": same, "primary_phone": "123456", "backup": same, "backup_phone": "1234"}
    response = client.post(reverse("org:contact_edit", args=[network.contact.pk]), data)
    assert response.status_code == 200
    assert "backup (B)" in " ".join(response.context["form"].non_field_errors())
    network.contact.refresh_from_db()
    assert network.contact.backup_id != same


def test_contact_edit_keeps_unit_and_duty(client, network):
    client.force_login(network.manager_a)
    data = {
        "unit": network.outlet_b.pk,
        "duty": "别的职责",
        "primary": network.teller_a.employee.pk,
        "primary_phone": "13811112222",
        "backup": network.manager_a.employee.pk,
        "backup_phone": "13833334444",
    }
    assert (
        client.post(reverse("org:contact_edit", args=[network.contact.pk]), data).status_code == 302
    )
    network.contact.refresh_from_db()
    assert (network.contact.unit, network.contact.duty) == (network.outlet_a, "投诉处理")
    assert network.contact.primary == network.teller_a.employee


def test_unit_detail_breadcrumbs_show_only_visible_ancestors(client, network):
    client.force_login(network.subbranch_manager)
    response = client.get(reverse("org:unit_detail", args=["XC01"]))
    assert [u.code for u in response.context["ancestors"]] == ["XC"]
    client.force_login(network.auditor)
    response = client.get(reverse("org:unit_detail", args=["XC01"]))
    assert [u.code for u in response.context["ancestors"]] == ["HO", "SZ", "XC"]


def test_tables_show_localized_names_and_labels(client, network):
    OrgUnit.objects.filter(pk=network.outlet_a.pk).update(name_en="Xiangcheng Main Office")
    client.force_login(network.subbranch_manager)
    content = client.get(reverse("org:tree")).content.decode()
    assert "Xiangcheng Main Office" in content
    assert str(OrgUnitKind.OUTLET.label) in content
    content = client.get(reverse("org:employee_list")).content.decode()
    assert "Teller" in content


EXTERNAL = re.compile(r"""(?:href|src|action)\s*=\s*["']\s*(?:https?:)?//""", re.I)


def test_pages_link_to_no_other_host(client, network):
    client.force_login(network.subbranch_manager)
    urls = [
        reverse("home"),
        reverse("org:tree"),
        reverse("org:employee_list"),
        reverse("org:group_list"),
        reverse("org:contact_list"),
        *[u for u in xc_object_urls(network)],
    ]
    for url in urls:
        content = client.get(url).content.decode()
        assert not EXTERNAL.search(content), url
        assert "http://" not in content and "https://" not in content, url


def test_organisation_index_leads_to_the_tree(client, network):
    client.force_login(network.teller_a)
    response = client.get(reverse("org:index"))
    assert response.status_code == 302
    assert response["Location"] == reverse("org:tree")

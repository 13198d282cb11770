"""The demo network at the subbranch scale: shape, people, groups, contacts and logins.

One network is built for the module (committed, and deleted at the end) and only read.
Builds, resets and refusals are in test_reset.py.
"""

import re
from collections import Counter
from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.http import Http404

from ventanilla.core.scoping import Role, scope_for
from ventanilla.demo.generator import LOGINS, SCALES, build_demo, plan_network, reset_demo
from ventanilla.org import selectors
from ventanilla.org.models import (
    EmergencyContact,
    Employee,
    GroupKind,
    GroupMembership,
    GroupRole,
    OrgGroup,
    OrgUnit,
    OrgUnitKind,
    PostAssignment,
)

AS_OF = date(2026, 6, 30)
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        ctx = build_demo(scale="subbranch", seed=1, as_of=AS_OF)
    yield ctx
    with django_db_blocker.unblock():
        reset_demo()


def login(username):
    return get_user_model().objects.get(username=username)


def codes(qs):
    return sorted(qs.values_list("code", flat=True))


def unit(code):
    return OrgUnit.objects.get(code=code)


def subtree(code):
    return OrgUnit.objects.filter(path__startswith=unit(code).path)


def test_tree_is_head_office_branch_twelve_sub_branches(demo):
    head_office = OrgUnit.objects.get(code="HO")
    assert head_office.depth == 1 and head_office.name == "总行"
    suzhou = OrgUnit.objects.get(code="SZ")
    assert suzhou.name == "苏州分行" and OrgUnit.objects.get_parent(suzhou) == head_office
    subs = OrgUnit.objects.filter(kind=OrgUnitKind.SUB_BRANCH)
    assert subs.count() == 12
    assert all(OrgUnit.objects.get_parent(s) == suzhou for s in subs)
    assert set(subs.values_list("code", flat=True)) == {
        "XC", "GS", "YQ", "GX", "WZ", "WJ", "CS", "ZJG", "KS", "TC", "PJ", "JC",
    }  # fmt: skip


def test_xiangcheng_has_ten_named_outlets_and_four_departments(demo):
    xc = OrgUnit.objects.get(code="XC")
    assert (xc.name, xc.name_en) == ("相城支行", "Xiangcheng Sub-branch")
    outlets = OrgUnit.objects.filter(kind=OrgUnitKind.OUTLET, path__startswith=xc.path)
    assert list(outlets.values_list("code", "name")) == [
        ("XC01", "相城营业部"), ("XC02", "元和支行营业室"), ("XC03", "黄桥网点"),
        ("XC04", "渭塘网点"), ("XC05", "望亭网点"), ("XC06", "太平网点"), ("XC07", "北桥网点"),
        ("XC08", "阳澄湖网点"), ("XC09", "漕湖网点"), ("XC10", "黄埭网点"),
    ]  # fmt: skip
    departments = OrgUnit.objects.get_children(xc).filter(kind=OrgUnitKind.DEPARTMENT)
    assert list(departments.values_list("name", flat=True)) == [
        "公司业务部", "个人金融部", "运营管理部", "综合管理部",
    ]  # fmt: skip


def test_xiangcheng_has_about_150_staff_across_the_posts(demo):
    staff = Employee.objects.filter(unit__path__startswith=OrgUnit.objects.get(code="XC").path)
    assert 135 <= staff.count() <= 165
    posts = Counter(staff.values_list("post__code", flat=True))
    assert posts.most_common(1)[0][0] == "teller"
    assert posts["subbranch_president"] == 1
    assert posts["department_head"] == 4
    for post in ("lobby_manager", "account_manager", "financial_manager", "inspector"):
        assert posts[post] >= 3, post
    for outlet in subtree("XC").filter(kind=OrgUnitKind.OUTLET):
        lobby = Employee.objects.filter(unit=outlet, post__code="lobby_manager").count()
        assert 1 <= lobby <= 2, outlet.code


def test_peer_sub_branches_have_four_to_ten_outlets_and_proportional_staff(demo):
    for sub in OrgUnit.objects.filter(kind=OrgUnitKind.SUB_BRANCH).exclude(code="XC"):
        outlets = subtree(sub.code).filter(kind=OrgUnitKind.OUTLET)
        assert 4 <= outlets.count() <= 10, sub.code
        assert outlets.first().code == f"{sub.code}01"
        staff = Employee.objects.filter(unit__path__startswith=sub.path).count()
        assert 11 * outlets.count() <= staff <= 18 * outlets.count(), sub.code


def test_every_outlet_has_a_head_holding_the_outlet_head_post(demo):
    for outlet in OrgUnit.objects.filter(kind=OrgUnitKind.OUTLET):
        heads = PostAssignment.objects.filter(unit=outlet, post__code="outlet_head")
        assert heads.count() == 1, outlet.code


def test_tree_passes_treebeard_consistency_check(demo):
    assert OrgUnit.objects.find_problems() == ([], [], [], [], [])
    xc = OrgUnit.objects.get(code="XC")
    assert xc.numchild == 14
    assert OrgUnit.objects.get_children_count(xc) == 14
    assert [u.code for u in OrgUnit.objects.get_ancestors(unit("XC01"))] == [
        "HO", "SZ", "XC",
    ]  # fmt: skip


def test_a_unit_added_later_gets_the_next_path(demo):
    xc = OrgUnit.objects.get(code="XC")
    added = OrgUnit.objects.add_child(xc, {"code": "XC11", "name": "新网点", "kind": "outlet"})
    assert added.path == OrgUnit._get_path(xc.path, xc.depth + 1, 15)
    assert OrgUnit.objects.find_problems() == ([], [], [], [], [])


def test_staff_numbers_names_phones_and_hire_dates_are_well_formed(demo):
    rows = list(Employee.objects.values_list("staff_number", "name", "phone", "hire_on"))
    numbers = [r[0] for r in rows]
    assert len(numbers) == len(set(numbers))
    assert all(re.fullmatch(r"\d{8}", n) for n in numbers)
    assert all(re.fullmatch(r"1[358]\d{9}", r[2]) for r in rows)
    assert all(2 <= len(r[1]) <= 3 for r in rows)
    earliest = AS_OF - timedelta(days=25 * 365)
    assert all(earliest <= r[3] <= AS_OF for r in rows)
    surnames = Counter(r[1][0] for r in rows)
    assert surnames.most_common(1)[0][0] in {"王", "李", "张"}


def test_about_two_percent_are_inactive_and_no_head_is(demo):
    total = Employee.objects.count()
    inactive = Employee.objects.filter(is_active=False)
    assert 0.005 * total <= inactive.count() <= 0.04 * total
    assert not inactive.filter(
        post__code__in=["outlet_head", "department_head", "subbranch_president"]
    ).exists()


def test_every_employee_has_one_main_post_with_the_posts_role(demo):
    primary = PostAssignment.objects.filter(is_primary=True).select_related("employee", "post")
    assert primary.count() == Employee.objects.count()
    for assignment in primary:
        assert assignment.unit_id == assignment.employee.unit_id
        assert assignment.post_id == assignment.employee.post_id
        assert assignment.role == assignment.post.default_role


def test_a_few_people_hold_a_second_post(demo):
    second = PostAssignment.objects.filter(is_primary=False)
    assert 0 < second.count() <= OrgUnit.objects.filter(kind=OrgUnitKind.SUB_BRANCH).count() * 2
    president = login("president").employee
    assert sorted(president.assignments.values_list("unit__code", "post__code")) == [
        ("XC", "subbranch_president"),
        ("XC10", "outlet_head"),
    ]
    finance_head = Employee.objects.get(unit__code="XC-D02", post__code="department_head")
    assert finance_head.assignments.filter(unit__code="XC09", is_primary=False).exists()


def test_each_sub_branch_has_a_service_group_and_a_complaint_group(demo):
    for sub in OrgUnit.objects.filter(kind=OrgUnitKind.SUB_BRANCH):
        groups = OrgGroup.objects.filter(unit=sub)
        assert sorted(groups.values_list("kind", "name")) == [
            (GroupKind.COMPLAINT_EMERGENCY, "投诉应急小组"),
            (GroupKind.SERVICE_LEADERSHIP, "服务领导小组"),
        ]
        for group in groups:
            leader = group.memberships.get(role=GroupRole.LEADER)
            assert leader.employee.post.code == "subbranch_president"
            assert leader.employee.unit_id == sub.pk
            deputy = group.memberships.get(role=GroupRole.DEPUTY)
            assert deputy.employee.post.code == "department_head"
            assert group.memberships.filter(role=GroupRole.MEMBER).count() >= 5
            assert group.duties


def test_group_members_are_active_unit_people_with_written_responsibilities(demo):
    for membership in GroupMembership.objects.select_related("group__unit", "employee__unit"):
        assert membership.employee.is_active
        assert membership.employee.unit.path.startswith(membership.group.unit.path)
        assert len(membership.responsibilities) >= 10


def test_outlet_heads_sit_in_the_service_group(demo):
    group = OrgGroup.objects.get(unit__code="XC", kind=GroupKind.SERVICE_LEADERSHIP)
    seated = set(group.memberships.values_list("employee_id", flat=True))
    heads = PostAssignment.objects.filter(unit__code__startswith="XC", post__code="outlet_head")
    assert heads.count() == 10
    for head in heads:
        assert head.employee_id in seated
    text = group.memberships.get(employee__unit__code="XC01").responsibilities
    assert "相城营业部" in text


def test_every_outlet_and_sub_branch_has_three_duties_with_a_and_b(demo):
    units = OrgUnit.objects.filter(kind__in=[OrgUnitKind.OUTLET, OrgUnitKind.SUB_BRANCH])
    for unit in units:
        contacts = EmergencyContact.objects.filter(unit=unit).select_related("primary", "backup")
        assert sorted(c.duty for c in contacts) == sorted(["客户投诉", "设备故障", "突发事件"])
        for contact in contacts:
            assert contact.primary_id != contact.backup_id
            for person, phone in (
                (contact.primary, contact.primary_phone),
                (contact.backup, contact.backup_phone),
            ):
                assert person.is_active
                assert phone == person.phone
                assert person.unit.path.startswith(unit.path)
                if unit.kind == OrgUnitKind.OUTLET:
                    assert person.unit_id == unit.pk


def test_org_figures_find_no_unit_without_contacts(demo):
    figures = selectors.org_figures(user=login("president"))
    assert figures["units_without_contacts"] == 0
    assert figures["group_count"] == 2
    assert figures["contact_count"] == 3 * 11
    xc_staff = Employee.objects.filter(unit__path__startswith=unit("XC").path)
    assert figures["staff_active"] == xc_staff.filter(is_active=True).count()


def test_the_six_logins_have_password_demo(demo):
    users = get_user_model().objects.filter(username__in=LOGINS)
    assert sorted(u.username for u in users) == sorted(LOGINS)
    for user in users:
        assert user.check_password("demo"), user.username
        assert user.is_active
    assert login("admin").is_superuser
    assert not users.exclude(username="admin").filter(is_superuser=True).exists()


def test_personas_hold_the_posts_they_are_named_after(demo):
    expected = {
        "president": ("XC", "subbranch_president"),
        "outlet_head": ("XC01", "outlet_head"),
        "teller": ("XC01", "teller"),
        "auditor": ("HO", "auditor"),
        "other_teller": ("GS01", "teller"),
    }
    for username, (unit_code, post_code) in expected.items():
        employee = login(username).employee
        assert (employee.unit.code, employee.post.code) == (unit_code, post_code), username
        assert employee.is_active
    auditor = login("auditor").employee.assignments.get()
    assert auditor.role == Role.VIEWER


def test_president_sees_the_xiangcheng_subtree_only(demo):
    visible = OrgUnit.objects.visible_to(login("president"))
    assert codes(visible) == codes(subtree("XC"))
    assert "GS" not in codes(visible)


def test_outlet_head_and_teller_see_xc01_only(demo):
    for username in ("outlet_head", "teller"):
        assert codes(OrgUnit.objects.visible_to(login(username))) == ["XC01"]
    assert scope_for(login("outlet_head")).role_at(unit("XC01").path) == Role.MANAGER
    assert scope_for(login("teller")).role_at(unit("XC01").path) == Role.STAFF


def test_auditor_sees_every_unit_as_viewer(demo):
    auditor = login("auditor")
    assert OrgUnit.objects.visible_to(auditor).count() == OrgUnit.objects.count()
    assert Employee.objects.visible_to(auditor).count() == Employee.objects.count()
    assert OrgUnit.objects.visible_to(auditor, Role.STAFF).count() == 0


def test_other_teller_sees_their_outlet_and_gets_404_on_xiangcheng(demo):
    other = login("other_teller")
    assert codes(OrgUnit.objects.visible_to(other)) == ["GS01"]
    for code in ("XC", "XC01", "XC-D01"):
        with pytest.raises(Http404):
            selectors.org_unit_get(user=other, code=code)
    assert not Employee.objects.visible_to(other).filter(unit__code__startswith="XC").exists()


def test_plan_of_the_scales_matches_their_intended_size(demo):
    def outlets(scale):
        return sum(p.kind == OrgUnitKind.OUTLET for p in plan_network(SCALES[scale], 1).walk())

    assert 60 <= outlets("subbranch") <= 80
    assert 90 <= outlets("city") <= 115
    assert 900 <= outlets("province") <= 1100

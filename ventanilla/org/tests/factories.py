"""Factories for the organisation, and the standard personas of every access test."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

import factory
from django.contrib.auth import get_user_model

from ventanilla.core.scoping import Role
from ventanilla.org.models import (
    EmergencyContact,
    Employee,
    GroupMembership,
    GroupRole,
    OrgGroup,
    OrgUnit,
    OrgUnitKind,
    Post,
    PostAssignment,
)


def unit(code: str, name: str, kind: str, parent: OrgUnit | None = None) -> OrgUnit:
    fields = {"code": code, "name": name, "kind": kind}
    if parent is None:
        return OrgUnit.objects.add_root(fields)
    return OrgUnit.objects.add_child(parent, fields)


def ensure_posts() -> None:
    """The posts seeded by migration; a transactional test's flush removes them."""
    if Post.objects.exists():
        return
    seed = importlib.import_module("ventanilla.org.migrations.0002_seed_posts")
    for code, zh, en, es, role in seed.POSTS:
        Post.objects.create(code=code, name=zh, name_en=en, name_es=es, default_role=role)


def post(code: str) -> Post:
    ensure_posts()
    return Post.objects.get(code=code)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pw")


class EmployeeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Employee
        skip_postgeneration_save = True

    staff_number = factory.Sequence(lambda n: f"E{n:06d}")
    name = factory.Sequence(lambda n: f"员工{n}")
    post = factory.LazyFunction(lambda: post("teller"))
    phone = factory.Sequence(lambda n: f"1380000{n:04d}")

    @factory.post_generation
    def assign(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted is not False:
            PostAssignment.objects.create(
                employee=self,
                unit=self.unit,
                post=self.post,
                role=self.post.default_role,
                is_primary=True,
            )


def person(username: str, unit_: OrgUnit, post_code: str, role: Role | None = None) -> Any:
    """A login with an employee holding ``post_code`` at ``unit_``."""
    user = UserFactory(username=username)
    p = post(post_code)
    emp = EmployeeFactory(unit=unit_, post=p, user=user, name=username, assign=False)
    PostAssignment.objects.create(
        employee=emp, unit=unit_, post=p, role=role or p.default_role, is_primary=True
    )
    return user


@dataclass
class Network:
    head_office: OrgUnit
    branch: OrgUnit
    subbranch: OrgUnit
    dept: OrgUnit
    outlet_a: OrgUnit
    outlet_b: OrgUnit
    other_subbranch: OrgUnit
    other_outlet: OrgUnit
    teller_a: Any
    manager_a: Any
    subbranch_manager: Any
    auditor: Any
    other_teller: Any
    admin: Any
    group: OrgGroup
    contact: EmergencyContact


def build_network() -> Network:
    """Head office → branch → Xiangcheng (outlets A and B, a department) and a peer."""
    ensure_posts()
    ho = unit("HO", "总行", OrgUnitKind.HEAD_OFFICE)
    br = unit("SZ", "苏州分行", OrgUnitKind.BRANCH, ho)
    xc = unit("XC", "相城支行", OrgUnitKind.SUB_BRANCH, br)
    dept = unit("XC-D01", "个人金融部", OrgUnitKind.DEPARTMENT, xc)
    a = unit("XC01", "相城营业部", OrgUnitKind.OUTLET, xc)
    b = unit("XC02", "元和网点", OrgUnitKind.OUTLET, xc)
    yt = unit("YT", "园区支行", OrgUnitKind.SUB_BRANCH, br)
    yt1 = unit("YT01", "园区营业部", OrgUnitKind.OUTLET, yt)
    teller_a = person("teller_a", a, "teller")
    manager_a = person("manager_a", a, "outlet_head")
    sub_mgr = person("subbranch_manager", xc, "subbranch_president")
    auditor = person("auditor", ho, "auditor")
    other = person("other_teller", yt1, "teller")
    admin = get_user_model().objects.create_superuser("admin", "admin@example.com", "pw")
    group = OrgGroup.objects.create(
        unit=xc, kind="service_leadership", name="服务领导小组", duties="统筹服务提升"
    )
    GroupMembership.objects.create(
        group=group, employee=sub_mgr.employee, role=GroupRole.LEADER, responsibilities="总负责"
    )
    contact = EmergencyContact.objects.create(
        unit=a,
        duty="投诉处理",
        primary=manager_a.employee,
        primary_phone="13800001111",
        backup=teller_a.employee,
        backup_phone="13800002222",
    )
    return Network(
        ho,
        br,
        xc,
        dept,
        a,
        b,
        yt,
        yt1,
        teller_a,
        manager_a,
        sub_mgr,
        auditor,
        other,
        admin,
        group,
        contact,
    )

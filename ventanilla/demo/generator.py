"""A deterministic, realistic branch network for demonstrations, benchmarks and tests.

``build_demo(scale=..., seed=...)`` plans the tree in memory, writes it in bulk (computing
the materialised paths itself), staffs every unit, seats the standing groups, fills the
emergency contact lists and gives six personas a login. It returns a ``DemoContext`` that
the history steps of later features use to add their records (``HISTORY_STEPS``).

Every random choice comes from a generator seeded with the seed and the code of the unit
concerned, so a unit's people do not change when another part of the network does: the
Xiangcheng sub-branch is the same at every scale. Dates count back from ``as_of``.
"""

from __future__ import annotations

import hashlib
import itertools
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from auditlog.context import disable_auditlog
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import ProtectedError, Q
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from ventanilla.core.errors import DomainError
from ventanilla.demo import names
from ventanilla.demo.models import DemoBuild
from ventanilla.demo.names import DepartmentSpec, Place
from ventanilla.org.models import (
    EmergencyContact,
    Employee,
    GroupKind,
    GroupMembership,
    GroupRole,
    OrgGroup,
    OrgUnit,
    OrgUnitKind,
    Post,
    PostAssignment,
)

PASSWORD = "demo"  # noqa: S105 - the documented password of the demo logins
LOGINS = (
    "admin",
    "president",
    "outlet_head",
    "teller",
    "account_manager",
    "auditor",
    "other_teller",
)
HEAD_OFFICE_CODE = "HO"
SUZHOU_CODE = "SZ"
XIANGCHENG_CODE = "XC"
INACTIVE_SHARE = 0.025  # of the posts that may be vacant; about 2% of all staff
HIRE_YEARS = 25


@dataclass(frozen=True)
class Scale:
    """How big the network is: the Suzhou branch always, other city branches at province."""

    name: str
    peer_outlets: tuple[int, int]  # outlets of each Suzhou sub-branch other than Xiangcheng
    branches: tuple[names.BranchSpec, ...] = ()
    branch_outlets: tuple[int, int] = (8, 13)  # outlets of each sub-branch of those branches


SCALES: dict[str, Scale] = {
    # Xiangcheng in full, and its eleven peers large enough to rank it against them.
    "subbranch": Scale("subbranch", peer_outlets=(4, 6)),
    # The Suzhou branch at full size: about 100 outlets.
    "city": Scale("city", peer_outlets=(7, 10)),
    # Thirteen city branches: about 1,000 outlets and 15,000 staff.
    "province": Scale("province", peer_outlets=(7, 10), branches=names.PROVINCE_BRANCHES),
}


@dataclass
class UnitPlan:
    """A unit before it is written: its names, place in the tree and who works there."""

    code: str
    name: str
    kind: str
    name_en: str = ""
    name_es: str = ""
    department: DepartmentSpec | None = None
    outlet_count: int = 0  # for a sub-branch and its departments: how many outlets it has
    is_main_outlet: bool = False  # the sub-branch's business department (营业部)
    area: tuple[int, int] = (0, 0)  # (branch number, sub-branch number) of staff numbers
    children: list[UnitPlan] = field(default_factory=list)
    path: str = ""
    depth: int = 0

    def add(self, child: UnitPlan) -> UnitPlan:
        self.children.append(child)
        return child

    def walk(self) -> Iterable[UnitPlan]:
        """This unit and everything under it, in tree (path) order."""
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class DemoContext:
    """What a build made, for the history steps that come after it and for the summary."""

    scale: str
    seed: int
    as_of: date
    root: OrgUnit
    units: dict[str, OrgUnit]  # by code, in tree order
    posts: dict[str, Post]  # by code
    employees: list[Employee] = field(default_factory=list)
    staff_of: dict[str, list[Employee]] = field(default_factory=dict)  # unit code → main post
    heads: dict[str, Employee] = field(default_factory=dict)  # unit code → who leads it
    departments: dict[str, dict[str, OrgUnit]] = field(default_factory=dict)  # → key → dept
    outlets: dict[str, list[OrgUnit]] = field(default_factory=dict)  # sub-branch code → outlets
    assignments: list[PostAssignment] = field(default_factory=list)
    groups: list[OrgGroup] = field(default_factory=list)
    memberships: list[GroupMembership] = field(default_factory=list)
    contacts: list[EmergencyContact] = field(default_factory=list)
    logins: dict[str, Any] = field(default_factory=dict)  # username → user

    def rng(self, *parts: object) -> random.Random:
        """A generator of its own for one purpose, so that steps do not disturb each other."""
        return random.Random("/".join(str(p) for p in (self.seed, *parts)))

    def units_of_kind(self, kind: str) -> list[OrgUnit]:
        return [u for u in self.units.values() if u.kind == kind]

    def active_staff(self, code: str) -> list[Employee]:
        return [e for e in self.staff_of.get(code, []) if e.is_active]


@dataclass(frozen=True)
class HistoryStep:
    """A later feature's share of the demo: the records it adds, and how a reset removes them.

    ``build`` runs after the network exists; ``purge`` runs, in reverse order, before the
    network is deleted, and receives the path of the demo's root unit.
    """

    name: str
    build: Callable[[DemoContext], None]
    purge: Callable[[str], None]


# The steps that give the network its history (customers, surveys, complaints, queue
# tickets...), in dependency order; each feature adds its step here. Named by path, since
# each step's module imports this one.
HISTORY_STEPS: tuple[str, ...] = (
    "ventanilla.customers.demo.DEMO_STEP",
    "ventanilla.surveys.demo.DEMO_STEP",
    "ventanilla.complaints.demo.DEMO_STEP",
    "ventanilla.counters.demo.DEMO_STEP",
    "ventanilla.rectification.demo.DEMO_STEP",
)


def history_steps() -> tuple[HistoryStep, ...]:
    return tuple(import_string(path) for path in HISTORY_STEPS)


# ---------------------------------------------------------------------------------------
# Building


def build_demo(
    *,
    scale: str,
    seed: int,
    reset: bool = False,
    as_of: date | None = None,
    history: Sequence[HistoryStep] | None = None,
) -> DemoContext:
    """Build the demo network (after deleting the previous one when ``reset``)."""
    if scale not in SCALES:
        raise DomainError(
            _("Unknown scale %(scale)s; choose one of %(choices)s.")
            % {"scale": scale, "choices": ", ".join(SCALES)},
            code="bad_scale",
        )
    as_of = as_of or timezone.localdate()
    steps = history_steps() if history is None else tuple(history)
    with transaction.atomic(), disable_auditlog():
        existing = DemoBuild.objects.first()
        if existing is not None:
            if not reset:
                raise DomainError(
                    _(
                        "The database already holds the demo network (scale %(scale)s, "
                        "seed %(seed)s). Run again with --reset to replace it."
                    )
                    % {"scale": existing.scale, "seed": existing.seed},
                    code="demo_exists",
                )
            _purge(existing, steps)
        plan = plan_network(SCALES[scale], seed)
        _check_free(plan)
        ctx = _write_units(plan, scale=scale, seed=seed, as_of=as_of)
        _write_staff(ctx, plan)
        _write_logins(ctx)
        _write_groups(ctx)
        _write_contacts(ctx)
        for step in steps:
            step.build(ctx)
        DemoBuild.objects.create(
            scale=scale,
            seed=seed,
            as_of=as_of,
            root_path=ctx.root.path,
            logins=sorted(ctx.logins),
        )
    return ctx


def reset_demo(*, history: Sequence[HistoryStep] | None = None) -> bool:
    """Delete the demo network, if there is one; True when something was deleted."""
    steps = history_steps() if history is None else tuple(history)
    with transaction.atomic(), disable_auditlog():
        existing = DemoBuild.objects.first()
        if existing is None:
            return False
        _purge(existing, steps)
    return True


def _purge(build: DemoBuild, steps: Sequence[HistoryStep]) -> None:
    root = build.root_path
    for step in reversed(steps):
        step.purge(root)
    user_model = get_user_model()
    user_ids = set(
        Employee.objects.filter(unit__path__startswith=root, user__isnull=False).values_list(
            "user_id", flat=True
        )
    )
    user_ids |= set(
        user_model.objects.filter(username__in=build.logins).values_list("pk", flat=True)
    )
    try:
        EmergencyContact.objects.filter(unit__path__startswith=root).delete()
        GroupMembership.objects.filter(group__unit__path__startswith=root).delete()
        OrgGroup.objects.filter(unit__path__startswith=root).delete()
        PostAssignment.objects.filter(
            Q(unit__path__startswith=root) | Q(employee__unit__path__startswith=root)
        ).delete()
        Employee.objects.filter(unit__path__startswith=root).delete()
        user_model.objects.filter(pk__in=user_ids).delete()
        OrgUnit.objects.filter(path__startswith=root).delete()
    except ProtectedError as error:
        blocking = sorted({str(type(obj)._meta.verbose_name) for obj in error.protected_objects})
        raise DomainError(
            _(
                "The demo network cannot be reset: records that the demo did not create "
                "refer to it (%(kinds)s). Delete them first, or start from an empty database."
            )
            % {"kinds": ", ".join(blocking)},
            code="demo_in_use",
        ) from error
    build.delete()


def _check_free(plan: UnitPlan) -> None:
    """Refuse to mix the demo into real data: its codes and logins must be unused."""
    codes = {p.code for p in plan.walk()}
    taken = sorted(codes & set(OrgUnit.objects.values_list("code", flat=True)))
    if taken:
        raise DomainError(
            _(
                "The database holds org units that the demo did not create (%(codes)s). "
                "Build the demo in an empty database."
            )
            % {"codes": ", ".join(taken[:5])},
            code="demo_conflict",
        )
    users = sorted(
        get_user_model().objects.filter(username__in=LOGINS).values_list("username", flat=True)
    )
    if users:
        raise DomainError(
            _("The logins %(logins)s exist already and were not made by the demo.")
            % {"logins": ", ".join(users)},
            code="demo_conflict",
        )


# ---------------------------------------------------------------------------------------
# The tree


def plan_network(scale: Scale, seed: int) -> UnitPlan:
    """The whole tree in memory, with codes and names; nothing is written."""
    head_office = UnitPlan(
        HEAD_OFFICE_CODE,
        "总行",
        OrgUnitKind.HEAD_OFFICE,
        "Head Office",
        "Oficina central",
        area=(10, 0),
    )
    _add_departments(head_office, names.HEAD_OFFICE_DEPARTMENTS, outlet_count=0)

    suzhou = head_office.add(_branch_plan(SUZHOU_CODE, Place("苏州", "Suzhou"), number=11))
    xiangcheng = suzhou.add(_subbranch_plan(names.XIANGCHENG, area=(11, 1), outlet_count=10))
    for index, (zh, en, es) in enumerate(names.XIANGCHENG_OUTLETS, start=1):
        xiangcheng.add(
            UnitPlan(
                f"{XIANGCHENG_CODE}{index:02d}",
                zh,
                OrgUnitKind.OUTLET,
                en,
                es,
                is_main_outlet=index == 1,
                area=xiangcheng.area,
            )
        )
    for number, peer in enumerate(names.SUZHOU_PEERS, start=2):
        rng = random.Random(f"{seed}/{peer.code}/outlets")
        count = rng.randint(*scale.peer_outlets)
        sub = suzhou.add(_subbranch_plan(peer, area=(11, number), outlet_count=count))
        _add_outlets(sub, peer.place, peer.outlet_places, count, rng)

    for branch_number, spec in enumerate(scale.branches, start=12):
        branch = head_office.add(_branch_plan(spec.code, spec.city, number=branch_number))
        for number, district in enumerate(spec.districts, start=1):
            code = f"{spec.code}{number:02d}"
            rng = random.Random(f"{seed}/{code}/outlets")
            count = rng.randint(*scale.branch_outlets)
            sub_spec = names.SubBranchSpec(code, district, ())
            sub = branch.add(
                _subbranch_plan(sub_spec, area=(branch_number, number), outlet_count=count)
            )
            _add_outlets(sub, district, names.TOWN_PLACES, count, rng)
    return head_office


def _branch_plan(code: str, city: Place, *, number: int) -> UnitPlan:
    branch = UnitPlan(
        code,
        f"{city.zh}分行",
        OrgUnitKind.BRANCH,
        f"{city.pinyin} Branch",
        f"Sucursal regional de {city.pinyin}",
        area=(number, 0),
    )
    _add_departments(branch, names.BRANCH_DEPARTMENTS, outlet_count=0)
    return branch


def _subbranch_plan(
    spec: names.SubBranchSpec, *, area: tuple[int, int], outlet_count: int
) -> UnitPlan:
    sub = UnitPlan(
        spec.code,
        f"{spec.place.zh}支行",
        OrgUnitKind.SUB_BRANCH,
        f"{spec.place.pinyin} Sub-branch",
        f"Sucursal de {spec.place.pinyin}",
        outlet_count=outlet_count,
        area=area,
    )
    _add_departments(sub, names.SUBBRANCH_DEPARTMENTS, outlet_count=outlet_count)
    return sub


def _add_departments(
    parent: UnitPlan, departments: Sequence[DepartmentSpec], *, outlet_count: int
) -> None:
    for index, dept in enumerate(departments, start=1):
        parent.add(
            UnitPlan(
                f"{parent.code}-D{index:02d}",
                dept.zh,
                OrgUnitKind.DEPARTMENT,
                dept.en,
                dept.es,
                department=dept,
                outlet_count=outlet_count,
                area=parent.area,
            )
        )


def _add_outlets(
    sub: UnitPlan,
    home: Place,
    pool: Sequence[Place],
    count: int,
    rng: random.Random,
) -> None:
    """The business department first, then outlets named after places of the area."""
    sub.add(
        UnitPlan(
            f"{sub.code}01",
            f"{home.zh}营业部",
            OrgUnitKind.OUTLET,
            f"{home.pinyin} Business Department",
            f"Departamento de negocios de {home.pinyin}",
            is_main_outlet=True,
            area=sub.area,
        )
    )
    for index, place in enumerate(rng.sample(list(pool), count - 1), start=2):
        suffix, en, es = rng.choice(names.OUTLET_STYLES)
        sub.add(
            UnitPlan(
                f"{sub.code}{index:02d}",
                f"{place.zh}{suffix}",
                OrgUnitKind.OUTLET,
                en.format(place.pinyin),
                es.format(place.pinyin),
                area=sub.area,
            )
        )


def _assign_paths(plan: UnitPlan, path: str, depth: int) -> None:
    plan.path, plan.depth = path, depth
    for index, child in enumerate(plan.children, start=1):
        _assign_paths(child, OrgUnit._get_path(path, depth + 1, index), depth + 1)


def _write_units(plan: UnitPlan, *, scale: str, seed: int, as_of: date) -> DemoContext:
    """All units in one bulk insert, with the paths, depths and child counts treebeard keeps."""
    last_root = (
        OrgUnit.objects.filter(depth=1).order_by("-path").values_list("path", flat=True).first()
    )
    root_index = OrgUnit._str2int(last_root) + 1 if last_root else 1
    _assign_paths(plan, OrgUnit._get_path("", 1, root_index), 1)
    rows = [
        OrgUnit(
            code=p.code,
            name=p.name,
            name_en=p.name_en,
            name_es=p.name_es,
            kind=p.kind,
            path=p.path,
            depth=p.depth,
            numchild=len(p.children),
        )
        for p in plan.walk()
    ]
    OrgUnit.objects.bulk_create(rows)
    if any(row.pk is None for row in rows):  # a database that returns no ids from inserts
        rows = list(OrgUnit.objects.filter(path__startswith=plan.path).order_by("path"))
    units = {row.code: row for row in rows}
    ctx = DemoContext(
        scale=scale,
        seed=seed,
        as_of=as_of,
        root=units[plan.code],
        units=units,
        posts={p.code: p for p in Post.objects.all()},
    )
    for p in plan.walk():
        for child in p.children:
            if child.kind == OrgUnitKind.DEPARTMENT and child.department is not None:
                ctx.departments.setdefault(p.code, {})[child.department.key] = units[child.code]
            elif child.kind == OrgUnitKind.OUTLET:
                ctx.outlets.setdefault(p.code, []).append(units[child.code])
    return ctx


# ---------------------------------------------------------------------------------------
# Staff


class People:
    """Names, phones and hire dates drawn from one unit's generator."""

    surnames = [s for s, _w in names.SURNAMES]
    cum_weights = list(itertools.accumulate(w for _s, w in names.SURNAMES))

    def __init__(self, rng: random.Random, as_of: date) -> None:
        self.rng = rng
        self.as_of = as_of

    def name(self) -> str:
        surname = self.rng.choices(self.surnames, cum_weights=self.cum_weights)[0]
        length = 1 if self.rng.random() < 0.3 else 2
        given = "".join(self.rng.choices(names.GIVEN_NAME_CHARACTERS, k=length))
        return surname + given

    def phone(self) -> str:
        return self.rng.choice(names.PHONE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"

    def hire_on(self, *, senior: bool) -> date:
        least = 8 * 365 if senior else 30
        return self.as_of - timedelta(days=self.rng.randint(least, HIRE_YEARS * 365))


def _composition(plan: UnitPlan, rng: random.Random) -> list[tuple[str, bool]]:
    """The posts at a unit, each with whether it leads the unit."""
    kind = plan.kind
    if kind == OrgUnitKind.HEAD_OFFICE:
        return [("auditor", False)] * 3
    if kind == OrgUnitKind.BRANCH:
        return [("branch_president", True)]
    if kind == OrgUnitKind.SUB_BRANCH:
        return [("subbranch_president", True)]
    if plan.department is not None:
        dept = plan.department
        if plan.outlet_count:
            share = {"corporate": 0.4, "personal": 0.3, "operations": 0.3, "general": 0.2}
            size = max(1, round(plan.outlet_count * share.get(dept.key, 0.2)))
        else:
            size = rng.randint(2, 4)
        return [("department_head", True)] + [(dept.staff_post, False)] * size
    # An outlet.
    if plan.is_main_outlet:
        lobby, tellers, account, financial = 2, rng.randint(9, 11), 2, 2
    else:
        lobby, tellers = rng.randint(1, 2), rng.randint(6, 9)
        account, financial = rng.randint(1, 2), rng.randint(1, 2)
    return (
        [("outlet_head", True)]
        + [("lobby_manager", False)] * lobby
        + [("teller", False)] * tellers
        + [("account_manager", False)] * account
        + [("financial_manager", False)] * financial
    )


def _concurrent_heads(ctx: DemoContext, sub_code: str) -> dict[str, str]:
    """Outlets led by someone holding another main post: outlet code → who (unit code).

    The president also heads the last outlet; in a sub-branch of eight outlets or more,
    the head of personal finance also heads the one before it.
    """
    outlets = ctx.outlets.get(sub_code, [])
    result: dict[str, str] = {}
    if len(outlets) >= 4:
        result[outlets[-1].code] = sub_code
    if len(outlets) >= 8:
        result[outlets[-2].code] = ctx.departments[sub_code]["personal"].code
    return result


def _write_staff(ctx: DemoContext, plan: UnitPlan) -> None:
    concurrent: dict[str, str] = {}
    for sub in ctx.units_of_kind(OrgUnitKind.SUB_BRANCH):
        concurrent.update(_concurrent_heads(ctx, sub.code))
    sequence: dict[tuple[int, int], itertools.count[int]] = {}
    employees: list[Employee] = []
    for p in plan.walk():
        unit = ctx.units[p.code]
        rng = ctx.rng(p.code, "staff")
        people = People(rng, ctx.as_of)
        counter = sequence.setdefault(p.area, itertools.count(1))
        staff: list[Employee] = []
        for post_code, leads in _composition(p, rng):
            if leads and p.code in concurrent:
                continue
            branch_no, sub_no = p.area
            employee = Employee(
                staff_number=f"{branch_no:02d}{sub_no:02d}{next(counter):04d}",
                name=people.name(),
                unit=unit,
                post=ctx.posts[post_code],
                hire_on=people.hire_on(senior=leads),
                phone=people.phone(),
                is_active=leads or post_code == "auditor" or rng.random() >= INACTIVE_SHARE,
            )
            staff.append(employee)
            if leads:
                ctx.heads[p.code] = employee
        ctx.staff_of[p.code] = staff
        employees.extend(staff)
    Employee.objects.bulk_create(employees, batch_size=2000)
    ctx.employees = employees
    for outlet_code, leader_unit in concurrent.items():
        ctx.heads[outlet_code] = ctx.heads[leader_unit]

    outlet_head = ctx.posts["outlet_head"]
    assignments = [
        PostAssignment(
            employee=e, unit=e.unit, post=e.post, role=e.post.default_role, is_primary=True
        )
        for e in employees
    ]
    assignments += [
        PostAssignment(
            employee=ctx.heads[outlet_code],
            unit=ctx.units[outlet_code],
            post=outlet_head,
            role=outlet_head.default_role,
            is_primary=False,
        )
        for outlet_code in concurrent
    ]
    PostAssignment.objects.bulk_create(assignments, batch_size=2000)
    ctx.assignments = assignments


# ---------------------------------------------------------------------------------------
# Logins, groups, emergency contacts


def _first_active(staff: Iterable[Employee], post_code: str) -> Employee:
    for employee in staff:
        if employee.is_active and employee.post.code == post_code:
            return employee
    raise RuntimeError(f"The demo plan has no active {post_code} here.")


def _write_logins(ctx: DemoContext) -> None:
    user_model = get_user_model()
    admin = user_model(username="admin", is_staff=True, is_superuser=True)
    admin.set_password(PASSWORD)
    admin.save()
    ctx.logins["admin"] = admin
    personas = {
        "president": ctx.heads[XIANGCHENG_CODE],
        "outlet_head": ctx.heads[f"{XIANGCHENG_CODE}01"],
        "teller": _first_active(ctx.staff_of[f"{XIANGCHENG_CODE}01"], "teller"),
        "account_manager": _first_active(ctx.staff_of[f"{XIANGCHENG_CODE}01"], "account_manager"),
        "auditor": _first_active(ctx.staff_of[HEAD_OFFICE_CODE], "auditor"),
        "other_teller": _first_active(ctx.staff_of["GS01"], "teller"),
    }
    for username, employee in personas.items():
        user = user_model(username=username, first_name=employee.name)
        # The same password: one hashing (about a second with the production hasher) serves
        # every login.
        user.password = admin.password
        user.save()
        employee.user = user
        ctx.logins[username] = user
    Employee.objects.bulk_update(list(personas.values()), ["user"])


def _write_groups(ctx: DemoContext) -> None:
    """The service leadership group and the complaint emergency group of every sub-branch."""
    kinds = (
        (
            GroupKind.SERVICE_LEADERSHIP,
            names.SERVICE_GROUP_NAME,
            names.SERVICE_GROUP_DUTIES,
            names.SERVICE_RESPONSIBILITIES,
        ),
        (
            GroupKind.COMPLAINT_EMERGENCY,
            names.COMPLAINT_GROUP_NAME,
            names.COMPLAINT_GROUP_DUTIES,
            names.COMPLAINT_RESPONSIBILITIES,
        ),
    )
    seats: list[tuple[OrgGroup, Employee, str, str]] = []
    for sub in ctx.units_of_kind(OrgUnitKind.SUB_BRANCH):
        depts = ctx.departments[sub.code]
        main_outlet = ctx.outlets[sub.code][0]
        for kind, group_name, duties, texts in kinds:
            group = OrgGroup(unit=sub, kind=kind, name=group_name, duties=duties)
            ctx.groups.append(group)
            candidates = [
                (ctx.heads[sub.code], GroupRole.LEADER, texts["leader"]),
                (ctx.heads[depts["operations"].code], GroupRole.DEPUTY, texts["deputy"]),
            ]
            candidates += [
                (ctx.heads[depts[key].code], GroupRole.MEMBER, texts[key])
                for key in ("corporate", "personal", "general")
            ]
            candidates += [
                (ctx.heads[o.code], GroupRole.MEMBER, texts["outlet"].format(unit=o.name))
                for o in ctx.outlets[sub.code]
            ]
            if kind == GroupKind.COMPLAINT_EMERGENCY:
                candidates += [
                    (e, GroupRole.MEMBER, names.LOBBY_RESPONSIBILITY)
                    for e in ctx.staff_of[main_outlet.code]
                    if e.post.code == "lobby_manager"
                ]
            seated: set[str] = set()
            for employee, role, text in candidates:
                # A head of two units sits once, in the first seat.
                if employee.is_active and employee.staff_number not in seated:
                    seated.add(employee.staff_number)
                    seats.append((group, employee, role, text))
    OrgGroup.objects.bulk_create(ctx.groups, batch_size=2000)
    ctx.memberships = [
        GroupMembership(group=group, employee=employee, role=role, responsibilities=text)
        for group, employee, role, text in seats
    ]
    GroupMembership.objects.bulk_create(ctx.memberships, batch_size=2000)


# Who answers each duty at an outlet, by post, in order of preference.
OUTLET_DUTIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (names.DUTY_COMPLAINT, ("outlet_head", "lobby_manager", "financial_manager", "teller")),
    (names.DUTY_EQUIPMENT, ("teller", "lobby_manager", "outlet_head")),
    (names.DUTY_INCIDENT, ("outlet_head", "lobby_manager", "teller")),
)
# At a sub-branch's office: (duty, department key of A or "" for the president, of B).
SUBBRANCH_DUTIES: tuple[tuple[str, str, str], ...] = (
    (names.DUTY_COMPLAINT, "operations", "personal"),
    (names.DUTY_EQUIPMENT, "general", "operations"),
    (names.DUTY_INCIDENT, "", "operations"),
)


def _by_preference(staff: Sequence[Employee], posts: Sequence[str]) -> list[Employee]:
    ranked = [e for post in posts for e in staff if e.is_active and e.post.code == post]
    return list(dict.fromkeys(ranked))


def _write_contacts(ctx: DemoContext) -> None:
    """A primary (A) and a backup (B) for each duty of every outlet and sub-branch."""
    for sub in ctx.units_of_kind(OrgUnitKind.SUB_BRANCH):
        depts = ctx.departments[sub.code]
        for duty, a_key, b_key in SUBBRANCH_DUTIES:
            primary = ctx.heads[depts[a_key].code if a_key else sub.code]
            backup = ctx.heads[depts[b_key].code]
            ctx.contacts.append(_contact(sub, duty, primary, backup))
        for outlet in ctx.outlets.get(sub.code, []):
            staff = ctx.staff_of[outlet.code]
            for duty, posts in OUTLET_DUTIES:
                candidates = _by_preference(staff, posts)
                ctx.contacts.append(_contact(outlet, duty, candidates[0], candidates[1]))
    EmergencyContact.objects.bulk_create(ctx.contacts, batch_size=2000)


def _contact(unit: OrgUnit, duty: str, primary: Employee, backup: Employee) -> EmergencyContact:
    return EmergencyContact(
        unit=unit,
        duty=duty,
        primary=primary,
        primary_phone=primary.phone,
        backup=backup,
        backup_phone=backup.phone,
    )


# ---------------------------------------------------------------------------------------
# Reading it back


def network_digest(root_path: str | None = None) -> str:
    """A fingerprint of the network's content, not of database ids: same build, same digest."""
    if root_path is None:
        build = DemoBuild.objects.first()
        root_path = build.root_path if build is not None else ""
    h = hashlib.sha256()
    rows: list[Iterable[Any]] = [
        OrgUnit.objects.filter(path__startswith=root_path)
        .order_by("path")
        .values_list("path", "code", "name", "name_en", "kind", "numchild"),
        Employee.objects.filter(unit__path__startswith=root_path)
        .order_by("staff_number")
        .values_list(
            "staff_number", "name", "unit__code", "post__code", "hire_on", "phone", "is_active"
        ),
        PostAssignment.objects.filter(unit__path__startswith=root_path)
        .order_by("employee__staff_number", "unit__code", "post__code")
        .values_list("employee__staff_number", "unit__code", "post__code", "role", "is_primary"),
        GroupMembership.objects.filter(group__unit__path__startswith=root_path)
        .order_by("group__unit__code", "group__kind", "employee__staff_number")
        .values_list(
            "group__unit__code", "group__kind", "employee__staff_number", "role", "responsibilities"
        ),
        EmergencyContact.objects.filter(unit__path__startswith=root_path)
        .order_by("unit__code", "duty")
        .values_list("unit__code", "duty", "primary__staff_number", "backup__staff_number"),
        Employee.objects.filter(unit__path__startswith=root_path, user__isnull=False)
        .order_by("user__username")
        .values_list("user__username", "staff_number"),
    ]
    for queryset in rows:
        for row in queryset:
            h.update(repr(tuple(row)).encode())
        h.update(b"|")
    return h.hexdigest()


@dataclass(frozen=True)
class Summary:
    """The figures the command prints at the end of a build."""

    units_by_kind: dict[str, int]
    staff_active: int
    staff_inactive: int
    second_posts: int
    groups: int
    members: int
    contacts: int
    logins: list[tuple[str, str, str, str]]  # username, name, post, unit


def summarize(ctx: DemoContext) -> Summary:
    by_kind = {kind: 0 for kind in OrgUnitKind.values}
    for unit in ctx.units.values():
        by_kind[unit.kind] += 1
    employees_by_user = {e.user_id: e for e in ctx.employees if e.user_id is not None}
    logins = []
    for username in LOGINS:
        user = ctx.logins[username]
        employee = employees_by_user.get(user.pk)
        if employee is None:
            logins.append((username, "", _("superuser"), _("everything")))
        else:
            post = employee.post.display_name
            logins.append((username, employee.name, post, employee.unit.display_name))
    return Summary(
        units_by_kind=by_kind,
        staff_active=sum(e.is_active for e in ctx.employees),
        staff_inactive=sum(not e.is_active for e in ctx.employees),
        second_posts=sum(not a.is_primary for a in ctx.assignments),
        groups=len(ctx.groups),
        members=len(ctx.memberships),
        contacts=len(ctx.contacts),
        logins=logins,
    )

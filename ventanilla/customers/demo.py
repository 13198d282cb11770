"""The customers share of the demo: Xiangcheng's customer base and its relationship managers.

Xiangcheng holds about 50,000 customers (the size the system is designed for), every other
sub-branch a few hundred. Six in a hundred are companies; among individuals most are basic
customers and a few core or key ones. Every company has an account manager of its outlet,
every core and key individual a financial manager, a third of the potential ones too;
about one assignment in seven replaced an earlier manager, whose period is kept.

Settings ``CUSTOMERS_DEMO_XIANGCHENG`` (50,000) and ``CUSTOMERS_DEMO_OTHER`` (240) say how many.
Written as plain rows by the bulk path (``core.bulk``), with no audit entries; deterministic
for a seed.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.conf import settings

from ventanilla.core.bulk import insert_rows
from ventanilla.customers.models import (
    Customer,
    CustomerIdType,
    CustomerKind,
    RelationshipAssignment,
    Tier,
)
from ventanilla.demo.generator import XIANGCHENG_CODE, DemoContext, HistoryStep, People
from ventanilla.org.models import Employee, OrgUnit, OrgUnitKind

XIANGCHENG_CUSTOMERS = 50_000
OTHER_CUSTOMERS = 240
CORPORATE_SHARE = 0.06
INDIVIDUAL_TIERS = {Tier.CORE: 2, Tier.KEY: 8, Tier.POTENTIAL: 20, Tier.BASIC: 70}
CORPORATE_TIERS = {Tier.CORPORATE_VIP: 10, Tier.INDUSTRIAL: 30, Tier.SME: 60}
VIP_LEVELS = {
    Tier.CORE: (5, 7),
    Tier.KEY: (3, 5),
    Tier.POTENTIAL: (1, 2),
    Tier.BASIC: (0, 0),
    Tier.CORPORATE_VIP: (5, 7),
    Tier.INDUSTRIAL: (2, 4),
    Tier.SME: (0, 2),
}
# Who looks after a tier, and how many of its customers have a manager.
MANAGED = {
    Tier.CORE: ("financial_manager", 1.0),
    Tier.KEY: ("financial_manager", 1.0),
    Tier.POTENTIAL: ("financial_manager", 0.33),
    Tier.BASIC: ("financial_manager", 0.0),
    Tier.CORPORATE_VIP: ("account_manager", 1.0),
    Tier.INDUSTRIAL: ("account_manager", 1.0),
    Tier.SME: ("account_manager", 1.0),
}
REPLACED_SHARE = 1 / 7
CUSTOMER_FIELDS = (
    "number",
    "kind",
    "name",
    "id_type",
    "id_number",
    "phone",
    "birthday",
    "tier",
    "vip_level",
    "unit_id",
    "manager_id",
    "opened_on",
    "is_active",
)
COMPANY_WORDS = ("恒通", "瑞丰", "华盛", "金鼎", "新创", "宏远", "协和", "天成", "永泰", "博德")
COMPANY_TRADES = (
    ("精密机械", "有限公司"),
    ("纺织", "有限公司"),
    ("电子科技", "有限公司"),
    ("物流", "有限公司"),
    ("建材", "有限责任公司"),
    ("食品", "有限公司"),
    ("医疗器械", "股份有限公司"),
    ("贸易", "有限公司"),
)


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _credit_code(rng: random.Random) -> str:
    # The shape of a unified social credit code (18 characters); fictitious.
    return "91320507" + "".join(rng.choices("0123456789ABCDEFGHJKLMNPQRTUWXY", k=10))


def build(ctx: DemoContext) -> None:
    """Customers of every sub-branch (Xiangcheng at full size) and their managers."""
    for sub in ctx.units_of_kind(OrgUnitKind.SUB_BRANCH):
        outlets = ctx.outlets.get(sub.code, [])
        if not outlets:
            continue
        if sub.code == XIANGCHENG_CODE:
            count = getattr(settings, "CUSTOMERS_DEMO_XIANGCHENG", XIANGCHENG_CUSTOMERS)
        else:
            count = getattr(settings, "CUSTOMERS_DEMO_OTHER", OTHER_CUSTOMERS)
        _build_sub_branch(ctx, sub, outlets, count)


def _build_sub_branch(ctx: DemoContext, sub: OrgUnit, outlets: list[OrgUnit], count: int) -> None:
    rng = ctx.rng("customers", sub.code)
    people = People(rng, ctx.as_of)
    managers = {
        (outlet.code, post): [e for e in ctx.active_staff(outlet.code) if e.post.code == post]
        for outlet in outlets
        for post in ("account_manager", "financial_manager")
    }
    # The main outlet holds the most customers.
    weights = [3.0] + [1.0] * (len(outlets) - 1)
    customers: list[tuple] = []
    histories: dict[str, list[tuple[Employee, date, date | None]]] = {}
    for n in range(1, count + 1):
        outlet = rng.choices(outlets, weights=weights)[0]
        is_company = rng.random() < CORPORATE_SHARE
        if is_company:
            tier = _weighted(rng, CORPORATE_TIERS)
            word, (trade, form) = rng.choice(COMPANY_WORDS), rng.choice(COMPANY_TRADES)
            name = f"苏州{word}{trade}{form}"
            id_type, id_number, birthday = CustomerIdType.CREDIT_CODE, _credit_code(rng), None
        else:
            tier = _weighted(rng, INDIVIDUAL_TIERS)
            name = people.name()
            birthday = date(rng.randrange(1945, 2006), rng.randrange(1, 13), rng.randrange(1, 29))
            id_type = CustomerIdType.RESIDENT
            id_number = f"320507{birthday:%Y%m%d}{rng.randrange(10000):04d}"
        low, high = VIP_LEVELS[tier]
        opened_on = ctx.as_of - timedelta(days=rng.randrange(60, 20 * 365))
        post, share = MANAGED[tier]
        pool = managers.get((outlet.code, post)) or []
        history: list[tuple[Employee, date, date | None]] = []
        if pool and rng.random() < share:
            current = rng.choice(pool)
            days = max(1, (ctx.as_of - opened_on).days)
            started = opened_on + timedelta(days=rng.randrange(0, days))
            others = [e for e in pool if e.pk != current.pk]
            if others and rng.random() < REPLACED_SHARE and started > opened_on:
                history.append((rng.choice(others), opened_on, started))
            history.append((current, started, None))
        number = f"C{sub.code}{n:06d}"
        customers.append(
            (
                number,
                CustomerKind.CORPORATE if is_company else CustomerKind.INDIVIDUAL,
                name,
                id_type,
                id_number,
                people.phone(),
                birthday,
                tier,
                rng.randint(low, high),
                outlet.pk,
                history[-1][0].pk if history else None,
                opened_on,
                True,
            )
        )
        if history:
            histories[number] = history
    insert_rows(Customer, CUSTOMER_FIELDS, customers)
    ids = dict(Customer.objects.filter(unit__path__startswith=sub.path).values_list("number", "pk"))
    insert_rows(
        RelationshipAssignment,
        ("customer_id", "employee_id", "started_on", "ended_on", "reason"),
        (
            (ids[number], employee.pk, start, end, "")
            for number, history in histories.items()
            for employee, start, end in history
        ),
    )


def purge(root_path: str) -> None:
    """Delete the demo's customers (complaints, which point at them, are purged first)."""
    RelationshipAssignment.objects.filter(customer__unit__path__startswith=root_path).delete()
    Customer.objects.filter(unit__path__startswith=root_path).delete()


DEMO_STEP = HistoryStep(name="customers", build=build, purge=purge)

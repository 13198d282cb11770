"""Factories for customers: an account manager at outlet A and customers placed where asked."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from ventanilla.customers.models import Customer, CustomerKind, RelationshipAssignment, Tier
from ventanilla.org.tests.factories import person

_numbers = itertools.count(1)


def account_manager(network: Any, username: str = "am_a") -> Any:
    """A login holding the account manager post (staff role) at outlet A."""
    return person(username, network.outlet_a, "account_manager")


def customer(
    unit: Any, *, manager: Any = None, kind: str = CustomerKind.INDIVIDUAL, **fields: Any
) -> Customer:
    """A customer of ``unit``, looked after by ``manager`` (a login) when given."""
    employee = manager.employee if manager is not None else None
    values: dict[str, Any] = {
        "number": f"C{next(_numbers):08d}",
        "kind": kind,
        "name": "李四" if kind == CustomerKind.INDIVIDUAL else "苏州恒通精密机械有限公司",
        "id_number": "320507198805061234",
        "phone": "13912345678",
        "birthday": date(1988, 5, 6) if kind == CustomerKind.INDIVIDUAL else None,
        "tier": Tier.KEY if kind == CustomerKind.INDIVIDUAL else Tier.SME,
        "vip_level": 3,
        "unit": unit,
        "manager": employee,
        "opened_on": date(2020, 1, 1),
    }
    values.update(fields)
    created = Customer.objects.create(**values)
    if employee is not None:
        RelationshipAssignment.objects.create(
            customer=created, employee=employee, started_on=date(2024, 1, 1)
        )
    return created

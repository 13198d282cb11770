"""Object-level rules of customers, beside the scope rule.

Staff posts (account and financial managers, tellers) see only the customers they look
after; managers see every customer of their subtree, and so do viewers (auditors).
Personal data (name, ID number, phone, birthday) is shown in full to the customer's own
relationship manager, who needs it to call and visit; everyone else sees it masked and
may ask to see it in full, giving a reason that is recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q

from ventanilla.core.masking import mask_id_number, mask_name, mask_phone
from ventanilla.core.scoping import Role, own_or_subtree_q, role_at


def own_customers_q(user: Any) -> Q:
    """Staff posts reach the customers they look after; other posts their whole subtree."""
    return own_or_subtree_q(user, "unit__path", managed_by_q(user))


def managed_by_q(user: Any, *, prefix: str = "") -> Q:
    """Rows of the customers ``user`` looks after now (their current relationship manager)."""
    if not getattr(user, "pk", None):
        return Q(pk__in=[])
    return Q(**{f"{prefix}manager__user": user})


def is_manager_of(user: Any, customer: Any) -> bool:
    manager = customer.manager
    return manager is not None and manager.user_id is not None and manager.user_id == user.pk


def may_reassign(user: Any, customer: Any) -> bool:
    """Managers of the customer's home unit (and above) change the relationship manager."""
    held = role_at(user, customer.unit.path)
    return held is not None and held >= Role.MANAGER


def may_unmask(user: Any, customer: Any) -> bool:
    held = role_at(user, customer.unit.path)
    if held is None:
        return False
    return held >= Role.MANAGER or bool(user.has_perm("customers.view_personal_data"))


@dataclass(frozen=True)
class CustomerPersonalData:
    """The customer's personal data as one reader may see it."""

    name: str
    id_type: str
    id_number: str
    phone: str
    birthday: str
    is_masked: bool


def _birthday(value: date | None, *, masked: bool) -> str:
    if value is None:
        return ""
    return "****-**-**" if masked else value.isoformat()


def customer_personal_data(customer: Any, *, masked: bool) -> CustomerPersonalData:
    if masked:
        return CustomerPersonalData(
            # A company's name is public; a person's is personal data.
            name=customer.name if customer.kind == "corporate" else mask_name(customer.name),
            id_type=customer.get_id_type_display(),
            id_number=mask_id_number(customer.id_number),
            phone=mask_phone(customer.phone),
            birthday=_birthday(customer.birthday, masked=True),
            is_masked=True,
        )
    return CustomerPersonalData(
        name=customer.name,
        id_type=customer.get_id_type_display(),
        id_number=customer.id_number,
        phone=customer.phone,
        birthday=_birthday(customer.birthday, masked=False),
        is_masked=False,
    )


def personal_data_for(user: Any, customer: Any) -> CustomerPersonalData:
    """What ``user`` sees without asking: in full for the customer's own manager only."""
    return customer_personal_data(customer, masked=not is_manager_of(user, customer))

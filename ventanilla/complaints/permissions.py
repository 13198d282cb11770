"""Object-level rules of complaints, beside the scope rule."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ventanilla.core.masking import mask_id_number, mask_name, mask_phone
from ventanilla.core.scoping import Role, role_at
from ventanilla.customers.permissions import is_manager_of


def _held(user: Any, complaint: Any) -> Role | None:
    return role_at(user, complaint.unit.path)


def sees_personal_data(user: Any, complaint: Any) -> bool:
    """Managers of the complaint's unit (and above) see the complainant in full, and so does
    the complainant's own relationship manager, who sees that customer in full already."""
    held = _held(user, complaint)
    if held is not None and held >= Role.MANAGER:
        return True
    return complaint.customer_id is not None and is_manager_of(user, complaint.customer)


def may_unmask(user: Any, complaint: Any) -> bool:
    """Who may show the data in full, giving a reason: managers, or the Django permission."""
    held = _held(user, complaint)
    if held is None:
        return False
    return held >= Role.MANAGER or bool(user.has_perm("complaints.view_personal_data"))


@dataclass(frozen=True)
class PersonalData:
    """The complainant's personal data as one reader may see it."""

    name: str
    id_type: str
    id_number: str
    phone: str
    agent_name: str
    is_masked: bool


def personal_data(complaint: Any, *, masked: bool) -> PersonalData:
    if masked:
        return PersonalData(
            name=mask_name(complaint.complainant_name),
            id_type=complaint.get_id_type_display(),
            id_number=mask_id_number(complaint.id_number),
            phone=mask_phone(complaint.phone),
            agent_name=mask_name(complaint.agent_name),
            is_masked=True,
        )
    return PersonalData(
        name=complaint.complainant_name,
        id_type=complaint.get_id_type_display(),
        id_number=complaint.id_number,
        phone=complaint.phone,
        agent_name=complaint.agent_name,
        is_masked=False,
    )


def personal_data_for(user: Any, complaint: Any) -> PersonalData:
    """What ``user`` sees without asking: masked below the manager role."""
    return personal_data(complaint, masked=not sees_personal_data(user, complaint))

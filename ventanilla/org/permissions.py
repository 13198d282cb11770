"""Object-level rules of the organisation, beside the scope rule."""

from typing import Any

from ventanilla.core.masking import mask_phone
from ventanilla.core.scoping import Role, role_at


def can_see_phone(user: Any, employee: Any) -> bool:
    """Staff phones are personal data: shown in full to managers of the employee's unit."""
    held = role_at(user, employee.unit.path)
    return held is not None and held >= Role.MANAGER


def phone_as_seen_by(user: Any, employee: Any) -> str:
    """The employee's phone as ``user`` may see it (masked below the manager role)."""
    if can_see_phone(user, employee):
        return str(employee.phone)
    return mask_phone(employee.phone)

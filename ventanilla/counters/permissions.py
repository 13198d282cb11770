"""Object-level rules of counters, beside the scope rule."""

from __future__ import annotations

from typing import Any

from ventanilla.core.scoping import Role, has_role_anywhere, role_at

LOAD_PERMISSION = "counters.add_queueticket"


def may_load_tickets(user: Any, outlet: Any) -> bool:
    """Who may import or push an outlet's queue tickets.

    Tickets feed the tellers' league table, slow-teller flags and VIP speed scores, so a
    teller's post (the staff role) does not let anyone write them: managers of the outlet
    (and above) may, and so may a staff post given the permission ``add_queueticket`` (a
    lobby manager, or the account a queue machine pushes with).
    """
    held = role_at(user, outlet.path)
    if held is None:
        return False
    return held >= Role.MANAGER or (held >= Role.STAFF and user.has_perm(LOAD_PERMISSION))


def may_load_tickets_somewhere(user: Any) -> bool:
    """Whether the import form is offered to ``user`` at all."""
    if has_role_anywhere(user, Role.MANAGER):
        return True
    return has_role_anywhere(user, Role.STAFF) and bool(user.has_perm(LOAD_PERMISSION))

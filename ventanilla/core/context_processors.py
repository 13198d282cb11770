"""What the page shell needs on every page: the user's posts for the unit switcher."""

from typing import Any

from django.http import HttpRequest

from ventanilla.core.middleware import ACTIVE_ASSIGNMENT_SESSION_KEY
from ventanilla.core.scoping import Role, has_role_anywhere


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from ventanilla.org.selectors import assignment_list_for_user

    assignments = list(assignment_list_for_user(user))
    active_id = request.session.get(ACTIVE_ASSIGNMENT_SESSION_KEY)
    active = next((a for a in assignments if a.id == active_id), None)
    return {
        "my_assignments": assignments,
        "active_assignment": active,
        "is_unit_administrator": has_role_anywhere(user, Role.ADMINISTRATOR),
        "is_unit_manager": has_role_anywhere(user, Role.MANAGER),
    }

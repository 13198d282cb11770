"""What the page shell needs on every page: the user's posts for the unit switcher, and
which menu entries apply to the user."""

from typing import Any

from django.http import HttpRequest

from ventanilla.core.middleware import ACTIVE_ASSIGNMENT_SESSION_KEY
from ventanilla.core.scoping import Role, has_role_anywhere

# Posts whose holders serve customers at a window: their menu has "My counter figures".
TELLER_POST_CODES = frozenset({"teller"})
# Set at login by the counters app: the user's employee record has served tickets (someone
# in another post who stands in at a window has figures too).
HAS_SERVED_TICKETS_SESSION_KEY = "counters_has_served_tickets"


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
        # from the posts already loaded and the session: no query of its own on any page
        "has_counter_figures": any(a.post.code in TELLER_POST_CODES for a in assignments)
        or bool(request.session.get(HAS_SERVED_TICKETS_SESSION_KEY)),
        "active_assignment": active,
        "is_unit_administrator": has_role_anywhere(user, Role.ADMINISTRATOR),
        "is_unit_manager": has_role_anywhere(user, Role.MANAGER),
    }

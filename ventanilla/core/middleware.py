"""Login everywhere but the login page, and the post chosen in the unit switcher."""

from collections.abc import Callable
from typing import Any

from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequired
from django.http import HttpRequest, HttpResponse

ACTIVE_ASSIGNMENT_SESSION_KEY = "ventanilla_active_assignment"


class LoginRequiredMiddleware(DjangoLoginRequired):
    """Django's login-required middleware, leaving the API to DRF's own authentication.

    API views answer 401/403 in the API's error shape (and accept tokens), instead of a
    redirect to the login page.
    """

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: Any,
        view_kwargs: Any,
    ) -> HttpResponse | None:
        if getattr(view_func, "cls", None) is not None or hasattr(view_func, "initkwargs"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class ActivePostMiddleware:
    """Narrow the user's scope to the post they chose in the unit switcher, if any."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            chosen = request.session.get(ACTIVE_ASSIGNMENT_SESSION_KEY)
            user.active_assignment_id = int(chosen) if chosen else None
        return self.get_response(request)

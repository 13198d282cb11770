"""The client address the failed-login lock counts by, behind trusted reverse proxies."""

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """``REMOTE_ADDR``, or, when that is a trusted proxy, the address the proxy saw.

    The proxy (nginx, see deploy/) replaces ``X-Forwarded-For`` with the address it
    received the request from, so the right-most entry is the client; a header sent by a
    client that did not come through a trusted proxy is ignored.
    """
    remote = str(request.META.get("REMOTE_ADDR", ""))
    if remote not in settings.VENTANILLA_TRUSTED_PROXIES:
        return remote
    forwarded = [
        part.strip()
        for part in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")
        if part.strip()
    ]
    return forwarded[-1] if forwarded else remote

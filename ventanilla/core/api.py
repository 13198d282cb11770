"""What every API endpoint shares: pagination and one error shape."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from ventanilla.core.errors import DomainError


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Every error answers ``{"error": {"code": ..., "message": ..., "fields": {...}}}``."""
    if isinstance(exc, DomainError):
        # A rule that says "not you" is a refusal (403); any other broken rule is 400.
        code = status.HTTP_403_FORBIDDEN if exc.code == "forbidden" else status.HTTP_400_BAD_REQUEST
        return Response(
            {"error": {"code": exc.code, "message": exc.message, "fields": {}}}, status=code
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    fields: dict[str, Any] = {}
    if isinstance(exc, exceptions.ValidationError):
        message = "Invalid input."
        fields = response.data if isinstance(response.data, dict) else {"non_field": response.data}
        code = "invalid"
    else:
        detail = getattr(exc, "detail", "")
        message = str(detail)
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        code = codes if isinstance(codes, str) else "error"
    response.data = {"error": {"code": code, "message": message, "fields": fields}}
    return response

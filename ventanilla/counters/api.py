"""The counters endpoints of the REST API.

``POST /api/v1/queue-tickets/``: a queue machine pushes one ticket or a list, as it calls
and closes them. The same checks as a file import; all or none; pushing a ticket again
writes nothing unless it changed.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from ventanilla.core.scoping import Role, require_role
from ventanilla.counters.models import Outcome
from ventanilla.counters.services import TICKETS, tickets_push
from ventanilla.org.models import OrgUnit


class TicketPushSerializer(serializers.Serializer):
    """One ticket as a queue machine sends it; times are ISO 8601 with their offset."""

    service_on = serializers.DateField()
    ticket_number = serializers.CharField(max_length=32)
    business_type = serializers.CharField(max_length=32, help_text="A business type code.")
    is_vip = serializers.BooleanField(default=False)
    customer_ref = serializers.CharField(max_length=64, required=False, allow_blank=True)
    issued_at = serializers.DateTimeField()
    called_at = serializers.DateTimeField(required=False, allow_null=True)
    started_at = serializers.DateTimeField(required=False, allow_null=True)
    ended_at = serializers.DateTimeField(required=False, allow_null=True)
    window = serializers.CharField(max_length=16, required=False, allow_blank=True)
    teller = serializers.CharField(
        max_length=32, required=False, allow_blank=True, help_text="The teller's staff number."
    )
    outcome = serializers.ChoiceField(choices=Outcome.choices, default=Outcome.SERVED)


class PushSerializer(serializers.Serializer):
    outlet = serializers.CharField(max_length=32, help_text="The outlet's code.")
    tickets = TicketPushSerializer(many=True, allow_empty=False, max_length=10000)


_RESULT = inline_serializer(
    "TicketPushResult",
    {
        "created": serializers.IntegerField(),
        "updated": serializers.IntegerField(),
        "unchanged": serializers.IntegerField(),
    },
)


class QueueTicketPushViewSet(viewsets.ViewSet):
    """Queue tickets pushed by an outlet's queue machine (the staff role over the outlet)."""

    @extend_schema(request=PushSerializer, responses={200: _RESULT})
    def create(self, request: Request) -> Response:
        body: Any = request.data
        # One ticket may come on its own, beside the outlet's code.
        if isinstance(body, dict) and "tickets" not in body and "ticket_number" in body:
            body = {"outlet": body.get("outlet"), "tickets": [body]}
        shape = PushSerializer(data=body)
        shape.is_valid(raise_exception=True)
        outlet = (
            OrgUnit.objects.visible_to(request.user)
            .filter(code=shape.validated_data["outlet"])
            .first()
        )
        if outlet is None:
            raise Http404
        require_role(request.user, outlet, Role.STAFF)
        result = tickets_push(
            actor=request.user, outlet=outlet, tickets=shape.validated_data["tickets"]
        )
        if result.errors:
            return Response(
                {
                    "error": {
                        "code": "invalid_tickets",
                        "message": _("No ticket was saved: %(count)s error(s).")
                        % {"count": len(result.errors)},
                        "fields": {"tickets": [str(issue) for issue in result.errors]},
                    }
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        counts = result.counts[TICKETS]
        return Response(
            {"created": counts.created, "updated": counts.updated, "unchanged": counts.unchanged}
        )


def register(router: DefaultRouter) -> None:
    """Add this app's viewsets to the API router."""
    router.register("queue-tickets", QueueTicketPushViewSet, basename="queue-ticket")

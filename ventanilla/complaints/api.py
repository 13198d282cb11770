"""The complaints endpoints of the REST API: the ledger, addressed by reference, and its steps.

Lists and reads go through the selectors (scoped: out of scope is 404); every workflow step
is a POST action that checks the role (403) and calls one service (a refused step is 400
in the one error shape). The complainant is masked exactly as on the pages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from ventanilla.complaints import selectors, services
from ventanilla.complaints.filters import ComplaintFilter
from ventanilla.complaints.models import (
    Axis,
    ClassificationCode,
    Complaint,
    ComplaintAttachment,
    ComplaintEvent,
    IdType,
    MajorKind,
    RapidAlert,
    Severity,
    Source,
)
from ventanilla.complaints.permissions import may_unmask, personal_data, personal_data_for
from ventanilla.core.errors import DomainError
from ventanilla.core.scoping import Role, require_role
from ventanilla.customers.selectors import customer_by_number
from ventanilla.org.models import Employee, OrgUnit


class PersonalDataSerializer(serializers.Serializer):
    name = serializers.CharField()
    id_type = serializers.CharField()
    id_number = serializers.CharField()
    phone = serializers.CharField()
    agent_name = serializers.CharField()
    is_masked = serializers.BooleanField()


class ComplaintEventSerializer(serializers.ModelSerializer):
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = ComplaintEvent
        fields = ["at", "action", "from_status", "to_status", "actor", "note"]


def _code(obj: ClassificationCode | None) -> str | None:
    return obj.code if obj is not None else None


class ComplaintSerializer(serializers.ModelSerializer):
    unit = serializers.CharField(source="unit.code")
    channel = serializers.CharField(source="channel.code")
    business_type = serializers.CharField(source="business_type.code")
    cause = serializers.CharField(source="cause.code")
    customer = serializers.SlugRelatedField(slug_field="number", read_only=True)
    complainant = serializers.SerializerMethodField()
    handler = serializers.SerializerMethodField()
    root_cause = serializers.SerializerMethodField()
    merged_into = serializers.SerializerMethodField()
    repeat_of = serializers.SerializerMethodField()
    remaining_seconds = serializers.SerializerMethodField()
    is_late = serializers.BooleanField(read_only=True, allow_null=True)

    class Meta:
        model = Complaint
        fields = [
            "reference",
            "received_at",
            "source",
            "unit",
            "ledger_level",
            "channel",
            "business_type",
            "cause",
            "customer",
            "complainant",
            "request",
            "facts",
            "severity",
            "major_kind",
            "status",
            "due_at",
            "first_contact_due_at",
            "remaining_seconds",
            "is_late",
            "extensions_granted",
            "accepted_at",
            "handler",
            "decision",
            "decision_sent_at",
            "is_accepted_by_customer",
            "root_cause",
            "corrective_action",
            "closed_at",
            "merged_into",
            "repeat_of",
        ]

    def get_complainant(self, obj: Complaint) -> dict[str, Any]:
        data = personal_data_for(self.context["request"].user, obj)
        return PersonalDataSerializer(data).data

    def get_handler(self, obj: Complaint) -> str | None:
        return obj.handler.staff_number if obj.handler else None

    def get_root_cause(self, obj: Complaint) -> str | None:
        return _code(obj.root_cause)

    def get_merged_into(self, obj: Complaint) -> str | None:
        return obj.merged_into.reference if obj.merged_into_id else None  # type: ignore[union-attr]

    def get_repeat_of(self, obj: Complaint) -> str | None:
        return obj.repeat_of.reference if obj.repeat_of_id else None  # type: ignore[union-attr]

    def get_remaining_seconds(self, obj: Complaint) -> int | None:
        """Seconds left until the due time (negative when overdue); None once decided."""
        if not obj.is_open:
            return None
        return int((obj.due_at - timezone.now()).total_seconds())


class RapidAlertSerializer(serializers.ModelSerializer):
    employee = serializers.CharField(source="employee.staff_number")
    name = serializers.CharField(source="employee.name")
    acknowledged_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = RapidAlert
        fields = ["role", "employee", "name", "alerted_at", "acknowledged_at", "acknowledged_by"]


class AttachmentSerializer(serializers.ModelSerializer):
    # Plain text: "kind" names other choice sets elsewhere in the API.
    kind = serializers.CharField(read_only=True)
    url = serializers.SerializerMethodField()
    uploaded_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = ComplaintAttachment
        fields = ["id", "kind", "name", "size", "content_type", "uploaded_by", "uploaded_at", "url"]

    def get_url(self, obj: ComplaintAttachment) -> str:
        return reverse("complaints:attachment", args=[obj.complaint.reference, obj.pk])


class ComplaintDetailSerializer(ComplaintSerializer):
    events = serializers.SerializerMethodField()
    alerts = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()

    class Meta(ComplaintSerializer.Meta):
        fields = [*ComplaintSerializer.Meta.fields, "events", "alerts", "attachments"]

    def get_alerts(self, obj: Complaint) -> list[dict[str, Any]]:
        alerts = selectors.complaint_alerts(user=self.context["request"].user, complaint=obj)
        return RapidAlertSerializer(alerts, many=True).data

    def get_attachments(self, obj: Complaint) -> list[dict[str, Any]]:
        files = selectors.complaint_attachments(user=self.context["request"].user, complaint=obj)
        return AttachmentSerializer(files, many=True).data

    def get_events(self, obj: Complaint) -> list[dict[str, Any]]:
        events = selectors.complaint_events(user=self.context["request"].user, complaint=obj)
        return ComplaintEventSerializer(events, many=True).data


# --- Inputs -----------------------------------------------------------------------------


class CodeField(serializers.SlugRelatedField):
    def __init__(self, axis: str, **kwargs: Any) -> None:
        super().__init__(
            slug_field="code",
            queryset=ClassificationCode.objects.filter(axis=axis, is_active=True),
            **kwargs,
        )


def _user(serializer: serializers.Serializer) -> Any:
    """The requesting user; None (who sees nothing) when the schema generator builds one."""
    request = serializer.context.get("request")
    return request.user if request is not None else None


class RegisterSerializer(serializers.Serializer):
    unit = serializers.SlugRelatedField(slug_field="code", queryset=OrgUnit.objects.all())
    received_at = serializers.DateTimeField()
    source = serializers.ChoiceField(choices=Source.choices, default=Source.DIRECT)
    channel = CodeField(Axis.CHANNEL)
    business_type = CodeField(Axis.BUSINESS)
    cause = CodeField(Axis.CAUSE)
    severity = serializers.ChoiceField(choices=Severity.choices, default=Severity.NORMAL)
    major_kind = serializers.ChoiceField(
        choices=MajorKind.choices, required=False, default="", allow_blank=True
    )
    complainant_name = serializers.CharField(max_length=60)
    id_type = serializers.ChoiceField(choices=IdType.choices, default=IdType.RESIDENT)
    id_number = serializers.CharField(max_length=32, required=False, default="")
    phone = serializers.CharField(max_length=32)
    agent_name = serializers.CharField(max_length=60, required=False, default="")
    subject_employee = serializers.SlugRelatedField(
        slug_field="staff_number", queryset=Employee.objects.all(), required=False
    )
    request = serializers.CharField()
    facts = serializers.CharField()
    repeat_of = serializers.SlugRelatedField(
        slug_field="reference", queryset=Complaint.objects.none(), required=False
    )
    customer = serializers.CharField(
        max_length=32, required=False, help_text="The complainant's customer number, if any."
    )

    def validate_customer(self, value: str) -> Any:
        found = customer_by_number(value)
        if found is None:
            raise serializers.ValidationError(
                _("No customer has the number %(n)s.") % {"n": value.strip()}
            )
        return found

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = _user(self)
        self.fields["repeat_of"].queryset = selectors.complaint_list(user=user)
        # Units and employees outside the user's subtree do not exist for them.
        self.fields["unit"].queryset = OrgUnit.objects.visible_to(user)
        self.fields["subject_employee"].queryset = Employee.objects.visible_to(user)


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, default="", allow_blank=True)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField()


class AcceptSerializer(NoteSerializer):
    handler = serializers.SlugRelatedField(
        slug_field="staff_number", queryset=Employee.objects.all()
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["handler"].queryset = Employee.objects.visible_to(_user(self))


class DecisionSerializer(serializers.Serializer):
    decision = serializers.CharField()


class CloseSerializer(serializers.Serializer):
    is_accepted_by_customer = serializers.BooleanField(allow_null=True)
    root_cause = CodeField(Axis.ROOT_CAUSE, allow_null=True)
    corrective_action = serializers.CharField(allow_blank=True)


class MajorSerializer(NoteSerializer):
    major_kind = serializers.ChoiceField(choices=MajorKind.choices)


class MergeSerializer(NoteSerializer):
    original = serializers.CharField(max_length=20)


# --- Viewset ----------------------------------------------------------------------------


class ComplaintViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Complaints the user may see, by reference; workflow steps are POST actions."""

    filterset_class = ComplaintFilter
    lookup_field = "reference"
    lookup_value_regex = "[^/]+"
    queryset = Complaint.objects.none()

    def get_queryset(self) -> QuerySet[Complaint]:
        return (
            selectors.complaint_list(user=self.request.user)
            .select_related("merged_into", "repeat_of")
            .order_by("-received_at", "-id")
        )

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        if self.action == "retrieve":
            return ComplaintDetailSerializer
        if self.action == "create":
            return RegisterSerializer
        return ComplaintSerializer

    def get_object(self) -> Complaint:
        return selectors.complaint_get(user=self.request.user, reference=self.kwargs["reference"])

    @extend_schema(request=RegisterSerializer, responses=ComplaintDetailSerializer)
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Register a complaint (staff role at the accepting unit)."""
        data = RegisterSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        require_role(request.user, values["unit"], Role.STAFF)
        complaint = services.complaint_register(actor=request.user, **values)
        complaint = selectors.complaint_get(user=request.user, reference=complaint.reference)
        body = ComplaintDetailSerializer(complaint, context={"request": request}).data
        return Response(body, status=status.HTTP_201_CREATED)

    def _step(
        self,
        request: Request,
        role: Role,
        input_class: type[serializers.Serializer],
        run: Callable[[Complaint, dict[str, Any]], Any],
    ) -> Response:
        complaint = self.get_object()
        require_role(request.user, complaint, role)
        data = input_class(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        run(complaint, dict(data.validated_data))
        complaint = self.get_object()
        return Response(ComplaintDetailSerializer(complaint, context={"request": request}).data)

    @extend_schema(request=AcceptSerializer, responses=ComplaintDetailSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, reference: str) -> Response:
        return self._step(
            request,
            Role.MANAGER,
            AcceptSerializer,
            lambda c, d: services.complaint_accept(actor=request.user, complaint=c, **d),
        )

    @extend_schema(request=NoteSerializer, responses=ComplaintDetailSerializer)
    @action(detail=True, methods=["post"])
    def investigate(self, request: Request, reference: str) -> Response:
        return self._step(
            request,
            Role.STAFF,
            NoteSerializer,
            lambda c, d: services.complaint_investigate(actor=request.user, complaint=c, **d),
        )

    @extend_schema(request=ReasonSerializer, responses=ComplaintDetailSerializer)
    @action(detail=True, methods=["post"])
    def pause(self, request: Request, reference: str) -> Response:
        return self._step(
            request,
            Role.STAFF,
            ReasonSerializer,
            lambda c, d: services.complaint_pause(actor=request.user, complaint=c, **d),
        )

    @extend_schema(request=NoteSerializer, responses=ComplaintDetailSerializer)
    @action(detail=True, methods=["post"])
    def resume(self, request: Request, reference: str) -> Response:
        return self._step(
            request,
            Role.STAFF,
            NoteSerializer,
            lambda c, d: services.complaint_resume(actor=request.user, complaint=c, **d),
        )

    @extend_schema(request=ReasonSerializer, responses=ComplaintDetailSerializer)
    @action(detail=True, methods=["post"])
    def extend(self, request: Request, reference: str) -> Response:
        return self._step(
            request,
            Role.MANAGER,
            ReasonSerializer,
            lambda c, d: services.complaint_extend(actor=request.user, complaint=c, **d),
        )

    @extend_schema(request=DecisionSerializer, responses=ComplaintDetailSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, reference: str) -> Response:
        return self._step(
            request,
            Role.MANAGER,
            DecisionSerializer,
            lambda c, d: services.complaint_send_decision(actor=request.user, complaint=c, **d),
        )

    @extend_schema(request=CloseSerializer, responses=ComplaintDetailSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, reference: str) -> Response:
        return self._step(
            request,
            Role.MANAGER,
            CloseSerializer,
            lambda c, d: services.complaint_close(actor=request.user, complaint=c, **d),
        )

    @extend_schema(request=ReasonSerializer, responses=ComplaintDetailSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, reference: str) -> Response:
        return self._step(
            request,
            Role.MANAGER,
            ReasonSerializer,
            lambda c, d: services.complaint_withdraw(actor=request.user, complaint=c, **d),
        )

    @extend_schema(request=MergeSerializer, responses=ComplaintDetailSerializer)
    @action(detail=True, methods=["post"])
    def merge(self, request: Request, reference: str) -> Response:
        def run(complaint: Complaint, data: dict[str, Any]) -> Any:
            original = get_object_or_404(
                selectors.complaint_list(user=request.user),
                reference=data["original"].strip().upper(),
            )
            return services.complaint_merge(
                actor=request.user, complaint=complaint, original=original, note=data["note"]
            )

        return self._step(request, Role.MANAGER, MergeSerializer, run)

    @extend_schema(request=ReasonSerializer, responses=ComplaintDetailSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, reference: str) -> Response:
        return self._step(
            request,
            Role.MANAGER,
            ReasonSerializer,
            lambda c, d: services.complaint_reopen(actor=request.user, complaint=c, **d),
        )

    @extend_schema(request=MajorSerializer, responses=ComplaintDetailSerializer)
    @action(detail=True, methods=["post"])
    def mark_major(self, request: Request, reference: str) -> Response:
        """Mark the complaint major: the emergency contact A is alerted at once."""
        return self._step(
            request,
            Role.STAFF,
            MajorSerializer,
            lambda c, d: services.complaint_mark_major(
                actor=request.user, complaint=c, kind=d["major_kind"], note=d["note"]
            ),
        )

    @extend_schema(request=NoteSerializer, responses=ComplaintDetailSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, reference: str) -> Response:
        """The alerted emergency contact (A, or B once alerted) acknowledges (403 for others)."""

        def run(complaint: Complaint, data: dict[str, Any]) -> Any:
            try:
                return services.complaint_acknowledge(
                    actor=request.user, complaint=complaint, **data
                )
            except DomainError as error:
                if error.code == "forbidden":
                    raise PermissionDenied(error.message) from error
                raise

        return self._step(request, Role.VIEWER, NoteSerializer, run)

    @extend_schema(request=ReasonSerializer, responses=PersonalDataSerializer)
    @action(detail=True, methods=["post"])
    def unmask(self, request: Request, reference: str) -> Response:
        """The complainant in full, after recording who asked and why (403 without the right)."""
        complaint = self.get_object()
        if not may_unmask(request.user, complaint):
            raise PermissionDenied
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.complaint_unmask(
            actor=request.user, complaint=complaint, reason=data.validated_data["reason"]
        )
        return Response(PersonalDataSerializer(personal_data(complaint, masked=False)).data)


def register(router: DefaultRouter) -> None:
    """Add this app's viewsets to the API router."""
    router.register("complaints", ComplaintViewSet, basename="complaint")

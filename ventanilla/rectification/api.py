"""The rectification endpoints: plans, findings, measures and their progress.

Reads go through the selectors (scoped: out of scope is 404). Writes are POST actions that
call one service; a service that refuses answers in the one error shape (403 when the
user may not, 400 when the rule is broken).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from ventanilla.rectification import indicators, selectors, services
from ventanilla.rectification.models import (
    EffectCheck,
    Finding,
    Measure,
    MeasureProgress,
    PlanGoal,
    PlanSection,
    RectificationPlan,
)


class GoalSerializer(serializers.ModelSerializer):
    indicator_label = serializers.SerializerMethodField()

    class Meta:
        model = PlanGoal
        fields = [
            "title",
            "indicator",
            "indicator_label",
            "baseline",
            "target",
            "direction",
            "deadline",
        ]

    def get_indicator_label(self, obj: PlanGoal) -> str:
        return indicators.label(obj.indicator)


class SectionSerializer(serializers.ModelSerializer):
    segment = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = PlanSection
        fields = ["id", "kind", "title", "segment", "position"]


class PlanSerializer(serializers.ModelSerializer):
    unit = serializers.SlugRelatedField(slug_field="code", read_only=True)
    source_wave = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = RectificationPlan
        fields = [
            "reference",
            "title",
            "unit",
            "period_start",
            "period_end",
            "source",
            "source_wave",
            "addressee",
            "status",
            "approved_at",
            "created_at",
        ]


class PlanDetailSerializer(PlanSerializer):
    goals = GoalSerializer(many=True, read_only=True)
    sections = SectionSerializer(many=True, read_only=True)

    class Meta(PlanSerializer.Meta):
        fields = [*PlanSerializer.Meta.fields, "introduction", "commitment", "goals", "sections"]


class FindingSerializer(serializers.ModelSerializer):
    plan = serializers.CharField(source="section.plan.reference", read_only=True)

    class Meta:
        model = Finding
        fields = ["id", "plan", "section", "statement", "evidence", "examples", "origin"]


class EffectCheckSerializer(serializers.ModelSerializer):
    class Meta:
        model = EffectCheck
        fields = [
            "indicator",
            "before_start",
            "split_on",
            "after_end",
            "before_value",
            "after_value",
            "before_n",
            "after_n",
            "peer_before",
            "peer_after",
            "peer_units",
            "change",
            "did",
            "standard_error",
            "verdict",
            "checked_at",
        ]


class ProgressSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.username", read_only=True)

    class Meta:
        model = MeasureProgress
        fields = ["noted_on", "percent_done", "note", "author", "created_at"]


class MeasureSerializer(serializers.ModelSerializer):
    plan = serializers.CharField(source="section.plan.reference", read_only=True)
    owner = serializers.CharField(source="owner.staff_number", read_only=True, default=None)
    owner_name = serializers.CharField(source="owner.name", read_only=True, default=None)
    owner_department = serializers.SlugRelatedField(slug_field="code", read_only=True)
    indicator_unit = serializers.SlugRelatedField(slug_field="code", read_only=True)
    is_overdue = serializers.SerializerMethodField()

    class Meta:
        model = Measure
        fields = [
            "reference",
            "plan",
            "section",
            "finding",
            "title",
            "description",
            "owner",
            "owner_name",
            "owner_department",
            "start_on",
            "due_on",
            "status",
            "percent_done",
            "completed_on",
            "indicator",
            "indicator_unit",
            "expected_direction",
            "is_overdue",
        ]

    def get_is_overdue(self, obj: Measure) -> bool:
        return selectors.is_overdue(obj)


class MeasureDetailSerializer(MeasureSerializer):
    progress = ProgressSerializer(many=True, read_only=True)
    effect_checks = EffectCheckSerializer(many=True, read_only=True)

    class Meta(MeasureSerializer.Meta):
        fields = [*MeasureSerializer.Meta.fields, "closing_reason", "progress", "effect_checks"]


class ProgressInput(serializers.Serializer):
    note = serializers.CharField()
    percent_done = serializers.IntegerField(min_value=0, max_value=100)
    noted_on = serializers.DateField(required=False)


class CheckInput(serializers.Serializer):
    window_days = serializers.IntegerField(min_value=7, max_value=366, required=False)


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class PlanViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Rectification plans the user may see, by reference, with goals and sections."""

    lookup_field = "reference"
    lookup_value_regex = "[^/]+"
    queryset = RectificationPlan.objects.none()

    def get_queryset(self) -> QuerySet[RectificationPlan]:
        qs = selectors.plan_list(user=self.request.user).order_by("-period_start", "reference")
        if self.action == "retrieve":
            qs = qs.prefetch_related("goals", "sections__segment")
        return qs

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        return PlanDetailSerializer if self.action == "retrieve" else PlanSerializer


class FindingViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Findings of the plans the user may see (``?plan=REF``)."""

    serializer_class = FindingSerializer
    queryset = Finding.objects.none()

    def get_queryset(self) -> QuerySet[Finding]:
        plans = selectors.plan_list(user=self.request.user).values("pk")
        qs = Finding.objects.filter(section__plan__in=plans).select_related("section__plan")
        plan = self.request.query_params.get("plan")
        if plan:
            qs = qs.filter(section__plan__reference=plan)
        return qs.order_by("section__plan_id", "section__position", "position", "id")


class MeasureViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Measures the user may see (``?plan=REF``, ``?mine=1``, ``?overdue=1``); progress,
    effect checks and closing are POST actions."""

    lookup_field = "reference"
    lookup_value_regex = "[^/]+"
    queryset = Measure.objects.none()

    def get_queryset(self) -> QuerySet[Measure]:
        user = self.request.user
        qs = selectors.measure_list(user=user)
        params = self.request.query_params
        if params.get("plan"):
            qs = qs.filter(section__plan__reference=params["plan"])
        if params.get("mine") in ("1", "true"):
            qs = qs.filter(owner__user=user)
        if params.get("overdue") in ("1", "true"):
            from django.utils import timezone

            from ventanilla.rectification.models import OPEN_MEASURE_STATUSES

            qs = qs.filter(status__in=OPEN_MEASURE_STATUSES, due_on__lt=timezone.localdate())
        if self.action == "retrieve":
            qs = qs.prefetch_related("progress__author", "effect_checks")
        return qs.order_by("due_on", "reference")

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        return MeasureDetailSerializer if self.action != "list" else MeasureSerializer

    def _done(self, request: Request) -> Response:
        measure = self.get_object()
        return Response(MeasureDetailSerializer(measure, context={"request": request}).data)

    def _input(self, request: Request, cls: type[serializers.Serializer]) -> dict[str, Any]:
        data = cls(data=request.data)
        data.is_valid(raise_exception=True)
        return dict(data.validated_data)

    @extend_schema(request=ProgressInput, responses=MeasureDetailSerializer)
    @action(detail=True, methods=["post"])
    def progress(self, request: Request, reference: str) -> Response:
        measure = self.get_object()
        services.measure_progress_add(
            actor=request.user, measure=measure, **self._input(request, ProgressInput)
        )
        return self._done(request)

    @extend_schema(request=CheckInput, responses=MeasureDetailSerializer)
    @action(detail=True, methods=["post"], url_path="check-effect")
    def check_effect(self, request: Request, reference: str) -> Response:
        measure = self.get_object()
        services.measure_check_effect(
            actor=request.user, measure=measure, **self._input(request, CheckInput)
        )
        return self._done(request)

    @extend_schema(request=ReasonInput, responses=MeasureDetailSerializer)
    @action(detail=True, methods=["post"], url_path="close-effective")
    def close_effective(self, request: Request, reference: str) -> Response:
        measure = self.get_object()
        services.measure_close_effective(
            actor=request.user, measure=measure, **self._input(request, ReasonInput)
        )
        return self._done(request)


def register(router: DefaultRouter) -> None:
    """Add this app's viewsets to the API router."""
    router.register("rectification/plans", PlanViewSet, basename="rectification-plan")
    router.register("rectification/findings", FindingViewSet, basename="rectification-finding")
    router.register("rectification/measures", MeasureViewSet, basename="rectification-measure")

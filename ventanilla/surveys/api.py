"""The surveys endpoints of the REST API: waves, responses, indices and rankings.

Reads only, through the selectors, so a wave or response outside the user's reach is a 404
exactly as on the pages; the ranking hides other units' names and scores the same way.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response as ApiResponse
from rest_framework.routers import DefaultRouter

from ventanilla.org.api import url_pk
from ventanilla.surveys import selectors
from ventanilla.surveys.models import CommentTheme, EvaluationWave, Response, ResponseScore


class WaveSerializer(serializers.ModelSerializer):
    unit = serializers.CharField(source="unit.code", read_only=True)
    segments: Any = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    dimensions: Any = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = EvaluationWave
        fields = [
            "id",
            "name",
            "year",
            "quarter",
            "source",
            "unit",
            "segments",
            "dimensions",
            "scale",
            "has_recommend",
        ]
        read_only_fields = fields


class ResponseSerializer(serializers.ModelSerializer):
    segment = serializers.CharField(source="segment.code", read_only=True)
    unit = serializers.CharField(source="unit.code", read_only=True)
    scores = serializers.SerializerMethodField()
    themes = serializers.SerializerMethodField()
    themes_confirmed = serializers.SerializerMethodField()

    class Meta:
        model = Response
        fields = [
            "id",
            "wave",
            "respondent_ref",
            "segment",
            "unit",
            "answered_on",
            "scores",
            "recommend",
            "comment",
            "comment_language",
            "customer_ref",
            "themes",
            "sentiment",
            "themes_confirmed",
        ]
        read_only_fields = fields

    def get_scores(self, obj: Response) -> dict[str, int | None]:
        return {s.dimension.code: s.score for s in obj.scores.all()}

    def get_themes(self, obj: Response) -> list[dict[str, str]]:
        return [
            {"theme": ct.theme.code, "source": ct.source}
            for ct in sorted(obj.themes.all(), key=lambda ct: ct.theme.position)
        ]

    def get_themes_confirmed(self, obj: Response) -> bool:
        return obj.themes_confirmed_at is not None


def _estimate(est: Any) -> dict[str, Any]:
    return {"n": est.n, "value": est.value, "low": est.low, "high": est.high}


class WaveViewSet(viewsets.ReadOnlyModelViewSet):
    """Waves run by the user's units or by the units above them."""

    serializer_class = WaveSerializer

    def get_queryset(self) -> QuerySet[EvaluationWave]:
        return selectors.wave_list(user=self.request.user).prefetch_related(
            "segments", "dimensions"
        )

    def get_object(self) -> EvaluationWave:
        wave = selectors.wave_get(user=self.request.user, pk=url_pk(self.kwargs["pk"]))
        self.check_object_permissions(self.request, wave)
        return wave

    @extend_schema(responses={200: dict})
    @action(detail=True, methods=["get"])
    def indices(self, request: Request, pk: str) -> ApiResponse:
        """Mean, share satisfied and NPS with 95% intervals over the user's responses."""
        wave = self.get_object()
        level = request.query_params.get("level", selectors.LEVEL_SUB_BRANCH)
        if level not in (selectors.LEVEL_SUB_BRANCH, selectors.LEVEL_UNIT):
            raise serializers.ValidationError({"level": _("Use sub_branch or unit.")})
        report = selectors.wave_indices(user=request.user, wave=wave, level=level)
        return ApiResponse(
            {
                "wave": wave.pk,
                "level": level,
                "indices": [
                    {
                        "unit": line.unit.code,
                        "segment": line.segment.code,
                        "dimension": line.dimension.code,
                        "mean": _estimate(line.mean),
                        "satisfied": _estimate(line.satisfied),
                    }
                    for line in report.lines
                ],
                "nps": [
                    {"unit": line.unit.code, "segment": line.segment.code, **_estimate(line.nps)}
                    for line in report.nps
                ],
                "trend": [
                    {
                        "segment": line.segment.code,
                        "wave": line.wave.pk,
                        "period": line.wave.period,
                        "mean": _estimate(line.mean),
                        "change": line.change,
                    }
                    for line in report.trend
                ],
            }
        )

    @extend_schema(responses={200: dict})
    @action(detail=True, methods=["get"])
    def ranking(self, request: Request, pk: str) -> ApiResponse:
        """Peer ranking per segment; other units anonymised unless the role allows."""
        wave = self.get_object()
        report = selectors.wave_ranking(user=request.user, wave=wave)
        return ApiResponse(
            {
                "wave": wave.pk,
                "parent": report.parent.code,
                "is_revealed": report.is_revealed,
                "segments": [
                    {
                        "segment": s.segment.code,
                        "rows": [
                            {
                                "rank": line.rank,
                                "label": line.label,
                                "unit": line.unit.code if line.unit else None,
                                "is_own": line.is_own,
                                "n": line.n,
                                "mean": line.mean,
                                "shrunk": line.shrunk,
                                "target": line.target,
                                "gap": line.gap,
                            }
                            for line in s.lines
                        ],
                    }
                    for s in report.segments
                ],
            }
        )

    @extend_schema(responses={200: dict})
    @action(detail=True, methods=["get"])
    def themes(self, request: Request, pk: str) -> ApiResponse:
        """Comments per theme and segment, with sentiment, over the user's responses;
        ``?segment=CODE`` keeps one segment."""
        wave = self.get_object()
        segment = None
        code = request.query_params.get("segment", "")
        if code:
            segment = wave.segments.filter(code=code).first()
            if segment is None:
                raise serializers.ValidationError(
                    {"segment": _("The wave has no segment %(code)s.") % {"code": code}}
                )
        report = selectors.wave_themes(
            user=request.user, wave=wave, segment=segment, examples=False
        )
        return ApiResponse(
            {
                "wave": wave.pk,
                "commented": report.commented,
                "sentiment": report.sentiment,
                "themes": [
                    {
                        "theme": line.theme.code,
                        "count": line.count,
                        "share": line.share,
                        "by_segment": {
                            s.code: n for s, n in zip(report.segments, line.by_segment, strict=True)
                        },
                        "sentiment": line.sentiment,
                    }
                    for line in report.lines
                ],
                "trend": [
                    {
                        "wave": t.wave.pk,
                        "period": t.wave.period,
                        "commented": t.commented,
                        "shares": {
                            line.theme.code: share
                            for line, share in zip(report.lines, t.shares, strict=True)
                        },
                    }
                    for t in report.trend
                ],
            }
        )


class ResponseViewSet(viewsets.ReadOnlyModelViewSet):
    """Responses about the units the user may see; ``?wave=ID`` keeps one wave."""

    serializer_class = ResponseSerializer

    def get_queryset(self) -> QuerySet[Response]:
        qs = (
            selectors.response_list(user=self.request.user)
            .prefetch_related(
                Prefetch("scores", queryset=ResponseScore.objects.select_related("dimension"))
            )
            .prefetch_related(
                Prefetch("themes", queryset=CommentTheme.objects.select_related("theme"))
            )
        )
        wave = self.request.query_params.get("wave", "")
        if wave:
            if not wave.isdigit():
                raise serializers.ValidationError({"wave": _("Give the wave's numeric id.")})
            qs = qs.filter(wave_id=int(wave))
        return qs

    def get_object(self) -> Response:
        obj = (
            selectors.response_list(user=self.request.user)
            .filter(pk=url_pk(self.kwargs["pk"]))
            .first()
        )
        if obj is None:
            raise Http404
        self.check_object_permissions(self.request, obj)
        return obj


def register(router: DefaultRouter) -> None:
    """Add this app's viewsets to the API router."""
    router.register("surveys/waves", WaveViewSet, basename="surveys-wave")
    router.register("surveys/responses", ResponseViewSet, basename="surveys-response")

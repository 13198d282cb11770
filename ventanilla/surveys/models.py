"""Satisfaction evaluations: waves, the customers' responses and their dimension scores.

Scores are stored one row per (response, dimension) in ``ResponseScore`` rather than in a
JSON field: the database checks each dimension exists, the per-dimension queries behind the
indices read one indexed column (``dimension, response``) on SQLite and PostgreSQL alike,
and a dimension added to a later wave needs no change to the stored rows.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from ventanilla.core.audit import AuditedInTree
from ventanilla.core.scoping import ScopedQuerySet
from ventanilla.org.models import OrgUnit, localized


class Segment(models.Model):
    """A customer segment evaluated separately (corporate, high-end individual, mass)."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=80)
    name_en = models.CharField(_("English name"), max_length=80, blank=True)
    name_es = models.CharField(_("Spanish name"), max_length=80, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("segment")
        verbose_name_plural = _("segments")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.code

    @property
    def display_name(self) -> str:
        return localized(self)


class Dimension(models.Model):
    """An aspect of service the customer scores (overall, waiting time, fees...)."""

    OVERALL = "overall"

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=80)
    name_en = models.CharField(_("English name"), max_length=80, blank=True)
    name_es = models.CharField(_("Spanish name"), max_length=80, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("dimension")
        verbose_name_plural = _("dimensions")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.code

    @property
    def display_name(self) -> str:
        return localized(self)


class WaveSource(models.TextChoices):
    SUPERIOR_BRANCH = "superior_branch", _("Superior-branch evaluation")
    OWN_SURVEY = "own_survey", _("Own survey")
    THIRD_PARTY = "third_party", _("Third party")


class AnswerScale(models.TextChoices):
    ONE_TO_FIVE = "1-5", _("1 to 5")
    ONE_TO_TEN = "1-10", _("1 to 10")
    ZERO_TO_TEN = "0-10", _("0 to 10")


SCALE_BOUNDS = {"1-5": (1, 5), "1-10": (1, 10), "0-10": (0, 10)}


class EvaluationWaveQuerySet(ScopedQuerySet["EvaluationWave"]):
    pass


class EvaluationWave(AuditedInTree, models.Model):
    """One round of evaluation of a quarter, run by (and visible under) its owning unit."""

    scope_path_field = "unit__path"

    name = models.CharField(_("name"), max_length=120)
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    quarter = models.PositiveSmallIntegerField(
        _("quarter"), validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    source = models.CharField(_("source"), max_length=20, choices=WaveSource.choices)
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="evaluation_waves", verbose_name=_("unit")
    )
    segments = models.ManyToManyField(Segment, related_name="waves", verbose_name=_("segments"))
    dimensions = models.ManyToManyField(
        Dimension, related_name="waves", verbose_name=_("dimensions")
    )
    scale = models.CharField(_("answer scale"), max_length=8, choices=AnswerScale.choices)
    has_recommend = models.BooleanField(_("asks whether the customer would recommend"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = EvaluationWaveQuerySet.as_manager()

    class Meta:
        verbose_name = _("evaluation wave")
        verbose_name_plural = _("evaluation waves")
        ordering = ["-year", "-quarter", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quarter__gte=1, quarter__lte=4), name="surveys_wave_quarter"
            ),
        ]
        indexes = [models.Index(fields=["unit", "year", "quarter"], name="surveys_wave_period")]

    def __str__(self) -> str:
        return self.name

    @property
    def period(self) -> str:
        return f"{self.year}Q{self.quarter}"

    @property
    def bounds(self) -> tuple[int, int]:
        return SCALE_BOUNDS[self.scale]


class CommentLanguage(models.TextChoices):
    CHINESE = "zh", _("Chinese")
    ENGLISH = "en", _("English")
    SPANISH = "es", _("Spanish")


class ResponseQuerySet(ScopedQuerySet["Response"]):
    pass


class Response(AuditedInTree, models.Model):
    """One customer's answers in a wave, about the outlet or sub-branch that served them."""

    scope_path_field = "unit__path"

    wave = models.ForeignKey(
        EvaluationWave, on_delete=models.CASCADE, related_name="responses", verbose_name=_("wave")
    )
    respondent_ref = models.CharField(_("respondent reference"), max_length=64)
    segment = models.ForeignKey(
        Segment, on_delete=models.PROTECT, related_name="responses", verbose_name=_("segment")
    )
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="survey_responses", verbose_name=_("unit")
    )
    answered_on = models.DateField(_("answered on"))
    recommend = models.PositiveSmallIntegerField(
        _("would recommend (0-10)"), null=True, blank=True, validators=[MaxValueValidator(10)]
    )
    comment = models.TextField(_("comment"), blank=True)
    comment_language = models.CharField(
        _("comment language"), max_length=2, choices=CommentLanguage.choices, blank=True
    )
    customer_ref = models.CharField(_("customer reference"), max_length=64, blank=True)

    objects = ResponseQuerySet.as_manager()

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        ordering = ["wave", "respondent_ref"]
        constraints = [
            models.UniqueConstraint(
                fields=["wave", "respondent_ref"], name="surveys_response_unique_ref"
            ),
        ]
        indexes = [
            models.Index(fields=["wave", "segment", "unit"], name="surveys_resp_wave_seg_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.wave_id}:{self.respondent_ref}"


class ResponseScoreQuerySet(ScopedQuerySet["ResponseScore"]):
    pass


class ResponseScore(models.Model):
    """The score a response gives one dimension; null when the question was not answered."""

    scope_path_field = "response__unit__path"

    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="scores", verbose_name=_("response")
    )
    dimension = models.ForeignKey(
        Dimension, on_delete=models.PROTECT, related_name="scores", verbose_name=_("dimension")
    )
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)

    objects = ResponseScoreQuerySet.as_manager()

    class Meta:
        verbose_name = _("response score")
        verbose_name_plural = _("response scores")
        constraints = [
            models.UniqueConstraint(
                fields=["response", "dimension"], name="surveys_score_unique_dimension"
            ),
        ]
        indexes = [models.Index(fields=["dimension", "response"], name="surveys_score_dim")]

    def __str__(self) -> str:
        return f"{self.response_id}:{self.dimension_id}={self.score}"


class ResponseMappingQuerySet(ScopedQuerySet["ResponseMapping"]):
    pass


class ResponseMapping(AuditedInTree, models.Model):
    """How a vendor's file columns map to the fields of a response, saved for reuse.

    ``columns`` maps a target (``respondent_ref``, ``segment``, ``unit``, ``answered_on``,
    ``comment``, ``comment_language``, ``customer_ref``, ``recommend``, ``dim:<code>``) to
    the header of the file's column.
    """

    scope_path_field = "unit__path"

    name = models.CharField(_("name"), max_length=80, unique=True)
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="response_mappings", verbose_name=_("unit")
    )
    columns = models.JSONField(_("columns"), default=dict)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ResponseMappingQuerySet.as_manager()

    class Meta:
        verbose_name = _("column mapping")
        verbose_name_plural = _("column mappings")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TargetRankQuerySet(ScopedQuerySet["TargetRank"]):
    pass


class TargetRank(AuditedInTree, models.Model):
    """The place among its peers that a unit aims for in a segment ("enter the top six")."""

    scope_path_field = "unit__path"

    unit = models.ForeignKey(
        OrgUnit, on_delete=models.CASCADE, related_name="target_ranks", verbose_name=_("unit")
    )
    segment = models.ForeignKey(
        Segment, on_delete=models.PROTECT, related_name="target_ranks", verbose_name=_("segment")
    )
    rank = models.PositiveSmallIntegerField(_("target rank"), validators=[MinValueValidator(1)])

    objects = TargetRankQuerySet.as_manager()

    class Meta:
        verbose_name = _("target rank")
        verbose_name_plural = _("target ranks")
        constraints = [
            models.UniqueConstraint(fields=["unit", "segment"], name="surveys_target_unique"),
            models.CheckConstraint(condition=models.Q(rank__gte=1), name="surveys_target_rank"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.segment_id}: {self.rank}"

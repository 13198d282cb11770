"""Satisfaction evaluations: waves, the customers' responses and their dimension scores.

Scores are stored one row per (response, dimension) in ``ResponseScore`` rather than in a
JSON field: the database checks each dimension exists, the per-dimension queries behind the
indices read one indexed column (``dimension, response``) on SQLite and PostgreSQL alike,
and a dimension added to a later wave needs no change to the stored rows.
"""

from __future__ import annotations

from django.conf import settings
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
    follow_up_threshold = models.PositiveSmallIntegerField(
        _("follow up overall scores at or below"),
        null=True,
        blank=True,
        help_text=_("Each response at or below this overall score raises a pre-complaint."),
    )
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


class Sentiment(models.TextChoices):
    NEGATIVE = "negative", _("Negative")
    NEUTRAL = "neutral", _("Neutral")
    POSITIVE = "positive", _("Positive")


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
    sentiment = models.CharField(
        _("sentiment"), max_length=8, choices=Sentiment.choices, blank=True
    )
    themes_confirmed_at = models.DateTimeField(_("themes confirmed at"), null=True, blank=True)
    themes_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("themes confirmed by"),
    )

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


class Theme(models.Model):
    """A subject customers write about (waiting time, fees...): the configurable taxonomy."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=80)
    name_en = models.CharField(_("English name"), max_length=80, blank=True)
    name_es = models.CharField(_("Spanish name"), max_length=80, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.code

    @property
    def display_name(self) -> str:
        return localized(self)


class ThemeKeyword(models.Model):
    """A word of a theme in one language. A decisive keyword found in a comment gives the
    comment its theme outright; a hint is a clue the model learns to weigh at training."""

    theme = models.ForeignKey(
        Theme, on_delete=models.CASCADE, related_name="keywords", verbose_name=_("theme")
    )
    language = models.CharField(_("language"), max_length=2, choices=CommentLanguage.choices)
    keyword = models.CharField(_("keyword"), max_length=60)
    is_decisive = models.BooleanField(_("forces the theme"), default=True)

    class Meta:
        verbose_name = _("theme keyword")
        verbose_name_plural = _("theme keywords")
        ordering = ["theme", "language", "keyword"]
        constraints = [
            models.UniqueConstraint(
                fields=["theme", "language", "keyword"], name="surveys_keyword_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.theme_id}/{self.language}: {self.keyword}"


class ThemeSource(models.TextChoices):
    KEYWORD = "keyword", _("Keyword")
    MODEL = "model", _("Model")
    CONFIRMED = "confirmed", _("Confirmed")


class CommentThemeQuerySet(ScopedQuerySet["CommentTheme"]):
    pass


class CommentTheme(models.Model):
    """A theme of a response's comment, found by a keyword or the model, or confirmed."""

    scope_path_field = "response__unit__path"

    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="themes", verbose_name=_("response")
    )
    theme = models.ForeignKey(
        Theme, on_delete=models.CASCADE, related_name="comments", verbose_name=_("theme")
    )
    source = models.CharField(_("source"), max_length=10, choices=ThemeSource.choices)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )

    objects = CommentThemeQuerySet.as_manager()

    class Meta:
        verbose_name = _("comment theme")
        verbose_name_plural = _("comment themes")
        constraints = [
            models.UniqueConstraint(
                fields=["response", "theme"], name="surveys_comment_theme_unique"
            ),
        ]
        indexes = [models.Index(fields=["theme", "response"], name="surveys_ctheme_theme")]

    def __str__(self) -> str:
        return f"{self.response_id}:{self.theme_id} ({self.source})"


class ThemeModelVersion(models.Model):
    """A trained theme classifier stored under VAR_DIR; its SHA-256 is checked before the
    file is loaded, so a file changed on disk is never unpickled."""

    trained_at = models.DateTimeField(_("trained at"), auto_now_add=True)
    filename = models.CharField(_("file"), max_length=120)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    corpus_examples = models.PositiveIntegerField(_("examples from the corpus"))
    confirmed_examples = models.PositiveIntegerField(_("comments confirmed by users"))

    class Meta:
        verbose_name = _("theme model")
        verbose_name_plural = _("theme models")
        ordering = ["-trained_at", "-id"]

    def __str__(self) -> str:
        return f"{self.filename} {self.sha256[:12]}"


class LowScoreFollowUpQuerySet(ScopedQuerySet["LowScoreFollowUp"]):
    pass


class LowScoreFollowUp(models.Model):
    """The pre-complaint raised for a response at or below its wave's follow-up score."""

    scope_path_field = "response__unit__path"

    response = models.OneToOneField(
        Response, on_delete=models.CASCADE, related_name="follow_up", verbose_name=_("response")
    )
    pre_complaint = models.ForeignKey(
        "complaints.PreComplaint",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("pre-complaint"),
    )
    overall = models.PositiveSmallIntegerField(_("overall score"))
    raised_at = models.DateTimeField(_("raised at"), auto_now_add=True)

    objects = LowScoreFollowUpQuerySet.as_manager()

    class Meta:
        verbose_name = _("low-score follow-up")
        verbose_name_plural = _("low-score follow-ups")
        ordering = ["response"]

    def __str__(self) -> str:
        return f"{self.response_id} → {self.pre_complaint_id}"

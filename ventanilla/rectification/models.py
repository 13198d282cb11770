"""Rectification plans: what the last evaluation found, what will be done about it, by whom
and by when, and whether it worked.

A plan belongs to a unit (usually a sub-branch) and answers one source (a satisfaction wave,
a set of complaints, inspections). It has measurable goals, and sections (service mechanism,
one per customer segment, outlet efficiency, process and waiting time) that hold findings
(problems with their evidence) and measures (owner, dates, progress, evidence, and the
indicator each should move). An effect check compares that indicator before and after.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ventanilla.core.audit import AuditedInTree
from ventanilla.core.scoping import ScopedQuerySet
from ventanilla.org.models import Employee, OrgUnit


class PlanSource(models.TextChoices):
    SURVEY = "survey", _("Satisfaction evaluation")
    COMPLAINTS = "complaints", _("Complaints")
    INSPECTIONS = "inspections", _("Inspections")
    OTHER = "other", pgettext_lazy("plan source", "Other")


class PlanStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("plan status", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("plan status", "Awaiting approval")
    APPROVED = "approved", pgettext_lazy("plan status", "Approved")
    CLOSED = "closed", pgettext_lazy("plan status", "Closed")


class RectificationPlanQuerySet(ScopedQuerySet["RectificationPlan"]):
    pass


class RectificationPlan(AuditedInTree, models.Model):
    """A unit's rectification plan after an evaluation, and the report sent upward."""

    scope_path_field = "unit__path"

    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="rectification_plans",
        verbose_name=_("unit"),
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    source = models.CharField(
        _("source"), max_length=12, choices=PlanSource.choices, default=PlanSource.SURVEY
    )
    source_wave = models.ForeignKey(
        "surveys.EvaluationWave",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rectification_plans",
        verbose_name=_("evaluation wave"),
    )
    addressee = models.CharField(
        _("addressee"),
        max_length=200,
        blank=True,
        help_text=_("Who the report is sent to, e.g. the superior branch's office."),
    )
    introduction = models.TextField(_("introduction"), blank=True)
    commitment = models.TextField(
        _("closing commitment"),
        blank=True,
        help_text=_("The closing paragraph of the report."),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)

    objects = RectificationPlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("rectification plan")
        verbose_name_plural = _("rectification plans")
        ordering = ["-period_start", "reference"]
        indexes = [models.Index(fields=["unit", "-period_start"], name="rect_plan_unit_period")]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def is_editable(self) -> bool:
        return self.status != PlanStatus.CLOSED


class Direction(models.TextChoices):
    UP = "up", _("Higher is better")
    DOWN = "down", _("Lower is better")


class PlanGoalQuerySet(ScopedQuerySet["PlanGoal"]):
    pass


class PlanGoal(AuditedInTree, models.Model):
    """A measurable goal: an indicator the system computes, a baseline, a target, a date."""

    scope_path_field = "plan__unit__path"

    plan = models.ForeignKey(
        RectificationPlan,
        on_delete=models.CASCADE,
        related_name="goals",
        verbose_name=_("plan"),
    )
    title = models.CharField(_("goal"), max_length=200)
    indicator = models.CharField(_("indicator"), max_length=60)
    segment = models.ForeignKey(
        "surveys.Segment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("segment"),
    )
    baseline = models.FloatField(_("baseline"), null=True, blank=True)
    target = models.FloatField(_("target"))
    direction = models.CharField(
        _("direction"), max_length=4, choices=Direction.choices, default=Direction.UP
    )
    deadline = models.DateField(_("deadline"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    objects = PlanGoalQuerySet.as_manager()

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["plan", "position", "id"]

    def __str__(self) -> str:
        return self.title


class SectionKind(models.TextChoices):
    SERVICE_MECHANISM = "mechanism", _("Service mechanism")
    SEGMENT = "segment", _("Customer segment")
    OUTLET_EFFICIENCY = "efficiency", _("Outlet efficiency")
    PROCESS_WAITING = "process", _("Process and waiting time")
    OTHER = "other", pgettext_lazy("section kind", "Other")


class PlanSectionQuerySet(ScopedQuerySet["PlanSection"]):
    pass


class PlanSection(AuditedInTree, models.Model):
    """A chapter of the plan: its findings and the measures that answer them."""

    scope_path_field = "plan__unit__path"

    plan = models.ForeignKey(
        RectificationPlan,
        on_delete=models.CASCADE,
        related_name="sections",
        verbose_name=_("plan"),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=SectionKind.choices)
    title = models.CharField(_("title"), max_length=200)
    segment = models.ForeignKey(
        "surveys.Segment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("segment"),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    objects = PlanSectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["plan", "position", "id"]

    def __str__(self) -> str:
        return self.title


class FindingOrigin(models.TextChoices):
    MANUAL = "manual", _("Written by hand")
    SUGGESTED = "suggested", _("Accepted suggestion")


class FindingQuerySet(ScopedQuerySet["Finding"]):
    pass


class Finding(AuditedInTree, models.Model):
    """A problem found, with the evidence behind it (counts and example comments)."""

    scope_path_field = "section__plan__unit__path"

    section = models.ForeignKey(
        PlanSection,
        on_delete=models.CASCADE,
        related_name="findings",
        verbose_name=_("section"),
    )
    statement = models.TextField(_("problem"))
    evidence = models.TextField(_("evidence"), blank=True)
    examples = models.JSONField(_("examples"), default=list, blank=True)
    origin = models.CharField(
        _("origin"), max_length=10, choices=FindingOrigin.choices, default=FindingOrigin.MANUAL
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    objects = FindingQuerySet.as_manager()

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["section", "position", "id"]

    def __str__(self) -> str:
        return self.statement[:80]


class MeasureStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("measure status", "Planned")
    IN_PROGRESS = "in_progress", pgettext_lazy("measure status", "In progress")
    DONE = "done", pgettext_lazy("measure status", "Done")
    EFFECTIVE = "effective", pgettext_lazy("measure status", "Closed as effective")
    CANCELLED = "cancelled", pgettext_lazy("measure status", "Cancelled")


OPEN_MEASURE_STATUSES = (MeasureStatus.PLANNED, MeasureStatus.IN_PROGRESS)


class MeasureQuerySet(ScopedQuerySet["Measure"]):
    pass


class Measure(AuditedInTree, models.Model):
    """What will be done about a finding: owner, dates, progress, and the indicator it
    should move (with the unit whose figure it is and the direction of improvement)."""

    scope_path_field = "section__plan__unit__path"

    reference = models.CharField(_("reference"), max_length=24, unique=True, editable=False)
    section = models.ForeignKey(
        PlanSection,
        on_delete=models.CASCADE,
        related_name="measures",
        verbose_name=_("section"),
    )
    finding = models.ForeignKey(
        Finding,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="measures",
        verbose_name=_("finding"),
    )
    title = models.CharField(_("measure"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    owner_department = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner department"),
    )
    owner = models.ForeignKey(
        Employee,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rectification_measures",
        verbose_name=_("owner"),
    )
    start_on = models.DateField(_("start"))
    due_on = models.DateField(_("due"))
    status = models.CharField(
        _("status"), max_length=12, choices=MeasureStatus.choices, default=MeasureStatus.PLANNED
    )
    percent_done = models.PositiveSmallIntegerField(_("Percent done"), default=0)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    indicator = models.CharField(_("indicator"), max_length=60, blank=True)
    indicator_unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("unit measured"),
    )
    expected_direction = models.CharField(
        _("expected direction"), max_length=4, choices=Direction.choices, blank=True
    )
    closing_reason = models.TextField(_("reason for closing without an effect check"), blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    objects = MeasureQuerySet.as_manager()

    class Meta:
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        ordering = ["section", "position", "id"]
        indexes = [
            models.Index(fields=["owner", "status", "due_on"], name="rect_measure_owner_due"),
            models.Index(fields=["status", "due_on"], name="rect_measure_status_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(percent_done__lte=100), name="rect_measure_percent_le_100"
            ),
            models.CheckConstraint(
                condition=models.Q(due_on__gte=models.F("start_on")),
                name="rect_measure_due_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_MEASURE_STATUSES

    @property
    def short_reference(self) -> str:
        """``M003``: the measure's number within its plan's reference."""
        return self.reference.rsplit("-", 1)[-1]


class MeasureProgressQuerySet(ScopedQuerySet["MeasureProgress"]):
    pass


class MeasureProgress(AuditedInTree, models.Model):
    """A dated progress note on a measure, with the percentage done at that date."""

    scope_path_field = "measure__section__plan__unit__path"

    measure = models.ForeignKey(
        Measure, on_delete=models.CASCADE, related_name="progress", verbose_name=_("measure")
    )
    noted_on = models.DateField(_("date"))
    note = models.TextField(_("note"))
    percent_done = models.PositiveSmallIntegerField(_("Percent done"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("author"),
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = MeasureProgressQuerySet.as_manager()

    class Meta:
        verbose_name = _("progress note")
        verbose_name_plural = _("progress notes")
        ordering = ["measure", "noted_on", "id"]

    def __str__(self) -> str:
        return f"{self.noted_on} {self.percent_done}%"


class MeasureEvidenceQuerySet(ScopedQuerySet["MeasureEvidence"]):
    pass


class MeasureEvidence(AuditedInTree, models.Model):
    """A file showing a measure was carried out (a notice, a photo, a training roll)."""

    scope_path_field = "measure__section__plan__unit__path"

    measure = models.ForeignKey(
        Measure, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("measure")
    )
    file = models.FileField(_("file"), upload_to="rectification/evidence/%Y/%m/")
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    objects = MeasureEvidenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        ordering = ["measure", "uploaded_at"]

    def __str__(self) -> str:
        return self.name


class Verdict(models.TextChoices):
    IMPROVED = "improved", _("Improved")
    NO_CLEAR_CHANGE = "no_change", _("No clear change")
    WORSE = "worse", _("Worse")
    NOT_ENOUGH_DATA = "no_data", _("Not enough data")


class EffectCheckQuerySet(ScopedQuerySet["EffectCheck"]):
    pass


class EffectCheck(AuditedInTree, models.Model):
    """Whether a measure moved its indicator: the figure over equal windows before and
    after completion, and against peer units that did not run it (difference in
    differences). Every number behind the verdict is kept."""

    scope_path_field = "measure__section__plan__unit__path"

    measure = models.ForeignKey(
        Measure,
        on_delete=models.CASCADE,
        related_name="effect_checks",
        verbose_name=_("measure"),
    )
    indicator = models.CharField(_("indicator"), max_length=60)
    before_start = models.DateField(_("before from"))
    split_on = models.DateField(_("completed on"))
    after_end = models.DateField(_("after until"))
    before_value = models.FloatField(_("before"), null=True)
    after_value = models.FloatField(_("after"), null=True)
    before_n = models.PositiveIntegerField(_("observations before"), default=0)
    after_n = models.PositiveIntegerField(_("observations after"), default=0)
    peer_before = models.FloatField(_("peers before"), null=True)
    peer_after = models.FloatField(_("peers after"), null=True)
    peer_units = models.JSONField(_("peer units"), default=list)
    change = models.FloatField(_("change"), null=True)
    did = models.FloatField(_("difference in differences"), null=True)
    standard_error = models.FloatField(_("standard error"), null=True)
    verdict = models.CharField(_("verdict"), max_length=10, choices=Verdict.choices)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("checked by"),
    )
    checked_at = models.DateTimeField(_("checked at"), auto_now_add=True)

    objects = EffectCheckQuerySet.as_manager()

    class Meta:
        verbose_name = _("effect check")
        verbose_name_plural = _("effect checks")
        ordering = ["measure", "-checked_at"]

    def __str__(self) -> str:
        return f"{self.measure_id} {self.verdict}"

    @property
    def peer_change(self) -> float | None:
        if self.peer_before is None or self.peer_after is None:
            return None
        return self.peer_after - self.peer_before


class ReminderKind(models.TextChoices):
    DUE_SOON = "due_soon", _("Due within a week")
    OVERDUE = "overdue", _("Overdue")
    ESCALATED = "escalated", _("Overdue for a week: escalated to the unit head")


class MeasureReminderQuerySet(ScopedQuerySet["MeasureReminder"]):
    pass


class MeasureReminder(AuditedInTree, models.Model):
    """A reminder sent about a measure; one per measure, kind and due date."""

    scope_path_field = "measure__section__plan__unit__path"

    measure = models.ForeignKey(
        Measure, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("measure")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ReminderKind.choices)
    due_on = models.DateField(_("due"))
    recipients = models.JSONField(_("recipients"), default=list)
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    objects = MeasureReminderQuerySet.as_manager()

    class Meta:
        verbose_name = _("measure reminder")
        verbose_name_plural = _("measure reminders")
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "kind", "due_on"], name="rect_reminder_once_per_level"
            )
        ]

    def __str__(self) -> str:
        return f"{self.measure_id} {self.kind}"


class SuggestionStatus(models.TextChoices):
    PENDING = "pending", _("To review")
    ACCEPTED = "accepted", _("Accepted")
    DISCARDED = "discarded", _("Discarded")


class SuggestedFindingQuerySet(ScopedQuerySet["SuggestedFinding"]):
    pass


class SuggestedFinding(AuditedInTree, models.Model):
    """A finding the system proposes from the data (a weak dimension, a frequent negative
    theme, a complaint cause that grew), for a person to accept, edit or discard."""

    scope_path_field = "plan__unit__path"

    plan = models.ForeignKey(
        RectificationPlan,
        on_delete=models.CASCADE,
        related_name="suggestions",
        verbose_name=_("plan"),
    )
    # The segment whose section the finding goes to (none: the service-mechanism section);
    # the section is made when a suggestion is accepted, not before.
    segment = models.ForeignKey(
        "surveys.Segment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("segment"),
    )
    kind = models.CharField(_("kind"), max_length=20)
    key = models.CharField(_("key"), max_length=80)
    statement = models.TextField(_("problem"))
    evidence = models.TextField(_("evidence"), blank=True)
    examples = models.JSONField(_("examples"), default=list, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=SuggestionStatus.choices,
        default=SuggestionStatus.PENDING,
    )
    finding = models.OneToOneField(
        Finding,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="suggestion",
        verbose_name=_("finding"),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    objects = SuggestedFindingQuerySet.as_manager()

    class Meta:
        verbose_name = _("suggested finding")
        verbose_name_plural = _("suggested findings")
        ordering = ["plan", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "segment", "kind", "key"], name="rect_suggestion_once"
            )
        ]

    def __str__(self) -> str:
        return self.statement[:80]


class PlanCounter(models.Model):
    """The last plan and measure number issued per year (``RP-2026-0007``)."""

    year = models.PositiveSmallIntegerField(_("year"), primary_key=True)
    last_plan = models.PositiveIntegerField(default=0)
    last_measure = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("plan counter")
        verbose_name_plural = _("plan counters")

    def __str__(self) -> str:
        return str(self.year)

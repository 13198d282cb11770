"""Financial consumers' complaints: the two-level ledger, the workflow and its time limits."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ventanilla.core.audit import AuditedInTree
from ventanilla.core.models import UnmaskRecord
from ventanilla.core.scoping import ScopedQuerySet
from ventanilla.customers.models import Customer
from ventanilla.org.models import EmergencyContact, Employee, OrgUnit, localized


class Axis(models.TextChoices):
    """The three axes of JR/T 0169-2018, plus our list of root causes."""

    CHANNEL = "channel", _("Channel")
    BUSINESS = "business", _("Business type")
    CAUSE = "cause", _("Cause")
    ROOT_CAUSE = "root_cause", _("Root cause")


class ClassificationCode(models.Model):
    """One code of a configurable list: a JR/T 0169-2018 axis or our root causes."""

    axis = models.CharField(_("axis"), max_length=16, choices=Axis.choices)
    code = models.CharField(_("code"), max_length=16)
    name = models.CharField(_("name"), max_length=80)
    name_en = models.CharField(_("English name"), max_length=80, blank=True)
    name_es = models.CharField(_("Spanish name"), max_length=80, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("classification code")
        verbose_name_plural = _("classification codes")
        ordering = ["axis", "code"]
        constraints = [
            models.UniqueConstraint(fields=["axis", "code"], name="complaints_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.display_name}"

    @property
    def display_name(self) -> str:
        return localized(self)


class DayKind(models.TextChoices):
    CALENDAR = "calendar", _("Calendar days")
    WORKING = "working", _("Working days")


class ApproverLevel(models.TextChoices):
    """Who approves an extension: a manager of the sub-branch, or of the unit above it."""

    SUB_BRANCH = "sub_branch", _("Sub-branch president")
    SUPERIOR = "superior", _("Superior branch")


class TimeLimitPolicy(models.Model):
    """The time limits of a jurisdiction: the unit's subtree, or everywhere when no unit.

    ``extension_steps`` is a list of ``{"days": 15, "approver": "sub_branch"}``, granted in
    order; ``paused_statuses`` lists the statuses in which the clock stands still;
    ``escalation_levels`` is a list of ``{"level": "handler", "at": 0.5}``: at that share of
    the allowed time, who is told (see ``EscalationLevel``).
    """

    name = models.CharField(_("name"), max_length=120)
    unit = models.OneToOneField(
        OrgUnit,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="complaint_policy",
        verbose_name=_("jurisdiction"),
    )
    decision_days = models.PositiveSmallIntegerField(_("decision limit (days)"), default=15)
    day_kind = models.CharField(
        _("days counted as"), max_length=8, choices=DayKind.choices, default=DayKind.CALENDAR
    )
    first_contact_days = models.PositiveSmallIntegerField(
        _("first contact limit (working days)"), default=1
    )
    extension_steps = models.JSONField(_("extension steps"), default=list)
    paused_statuses = models.JSONField(_("paused statuses"), default=list)
    escalation_levels = models.JSONField(_("escalation levels"), default=list)
    emergency_duty = models.CharField(
        _("emergency contact duty for major complaints"),
        max_length=120,
        default="客户投诉",
        help_text=_("The duty on the emergency contact list whose A and B are alerted."),
    )
    acknowledge_minutes = models.PositiveSmallIntegerField(
        _("minutes for A to acknowledge before B is alerted"), default=30
    )

    class Meta:
        verbose_name = _("time limit policy")
        verbose_name_plural = _("time limit policies")

    def __str__(self) -> str:
        return self.name

    @property
    def extension_days(self) -> list[int]:
        return [int(step["days"]) for step in self.extension_steps]


class Status(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    ACCEPTED = "accepted", _("Accepted")
    INVESTIGATING = "investigating", _("Investigating")
    SUSPENDED = "suspended", _("External appraisal")
    DECISION_SENT = "decision_sent", _("Decision sent")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    MERGED = "merged", _("Merged")
    REOPENED = "reopened", _("Reopened")


# Statuses in which the complaint still awaits its decision: the clock runs.
OPEN_STATUSES = (
    Status.REGISTERED,
    Status.ACCEPTED,
    Status.INVESTIGATING,
    Status.SUSPENDED,
    Status.REOPENED,
)
FINAL_STATUSES = (Status.CLOSED, Status.WITHDRAWN, Status.MERGED)


class Source(models.TextChoices):
    DIRECT = "direct", _("Received directly")
    REGULATOR = "regulator", _("Referred by a regulator")
    SUPERIOR = "superior", _("Referred by the superior branch")


class LedgerLevel(models.TextChoices):
    OUTLET = "outlet", _("Outlet ledger")
    SUB_BRANCH = "sub_branch", _("Sub-branch ledger")


class Severity(models.TextChoices):
    NORMAL = "normal", _("Normal")
    MAJOR = "major", _("Major")


class MajorKind(models.TextChoices):
    """Why a complaint is major and handled by the rapid handling mechanism."""

    GROUP = "group", _("Group complaint")
    MEDIA = "media", _("Media exposure")
    REGULATOR = "regulator", _("Regulator referral")


class IdType(models.TextChoices):
    RESIDENT = "resident", _("Resident identity card")
    PASSPORT = "passport", _("Passport")
    HK_MACAO = "hk_macao", _("Mainland travel permit (Hong Kong, Macao)")
    TAIWAN = "taiwan", _("Mainland travel permit (Taiwan)")
    OTHER = "other", _("Other")


class ComplaintQuerySet(ScopedQuerySet["Complaint"]):
    pass


class Complaint(AuditedInTree, models.Model):
    """A financial consumer's complaint, in the ledger of the unit that accepted it.

    It sits in the outlet's ledger when an outlet took it directly; complaints taken by the
    sub-branch, or referred by a regulator or the superior branch, sit at sub-branch level.
    Both roll up to the sub-branch ledger through the unit path.
    """

    scope_path_field = "unit__path"

    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    received_at = models.DateTimeField(_("received at"))
    source = models.CharField(
        _("source"), max_length=12, choices=Source.choices, default=Source.DIRECT
    )
    unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="complaints",
        verbose_name=_("accepting unit"),
    )
    ledger_level = models.CharField(_("ledger"), max_length=12, choices=LedgerLevel.choices)
    channel = models.ForeignKey(
        ClassificationCode,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"axis": Axis.CHANNEL},
        verbose_name=_("channel"),
    )
    business_type = models.ForeignKey(
        ClassificationCode,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"axis": Axis.BUSINESS},
        verbose_name=_("business type"),
    )
    cause = models.ForeignKey(
        ClassificationCode,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"axis": Axis.CAUSE},
        verbose_name=_("cause"),
    )
    complainant_name = models.CharField(_("complainant"), max_length=60)
    id_type = models.CharField(
        _("ID type"), max_length=12, choices=IdType.choices, default=IdType.RESIDENT
    )
    id_number = models.CharField(_("ID number"), max_length=32, blank=True)
    phone = models.CharField(_("contact phone"), max_length=32)
    agent_name = models.CharField(_("agent"), max_length=60, blank=True)
    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name=_("customer"),
        help_text=_("The bank's customer who complains, when known."),
    )
    subject_unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints_about",
        verbose_name=_("unit complained about"),
    )
    subject_employee = models.ForeignKey(
        Employee,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints_about",
        verbose_name=_("employee complained about"),
    )
    request = models.TextField(_("request"))
    facts = models.TextField(_("facts and grounds"))
    severity = models.CharField(
        _("severity"), max_length=8, choices=Severity.choices, default=Severity.NORMAL
    )
    major_kind = models.CharField(
        _("why major"), max_length=12, choices=MajorKind.choices, blank=True
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.REGISTERED
    )
    policy = models.ForeignKey(
        TimeLimitPolicy, on_delete=models.PROTECT, related_name="+", verbose_name=_("policy")
    )
    extensions_granted = models.PositiveSmallIntegerField(_("extensions granted"), default=0)
    due_at = models.DateTimeField(_("decision due at"))
    first_contact_due_at = models.DateTimeField(_("first contact due at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    handler = models.ForeignKey(
        Employee,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints_handled",
        verbose_name=_("handler"),
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("registered by"),
    )
    decision = models.TextField(_("decision"), blank=True)
    decision_sent_at = models.DateTimeField(_("decision sent at"), null=True, blank=True)
    is_accepted_by_customer = models.BooleanField(
        _("accepted by the customer"), null=True, blank=True
    )
    root_cause = models.ForeignKey(
        ClassificationCode,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"axis": Axis.ROOT_CAUSE},
        verbose_name=_("root cause"),
    )
    corrective_action = models.TextField(_("corrective action"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_complaints",
        verbose_name=_("merged into"),
    )
    repeat_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="repeats",
        verbose_name=_("repeat (with new facts) of"),
    )

    objects = ComplaintQuerySet.as_manager()

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-received_at", "-id"]
        permissions = [("view_personal_data", _("Can unmask complainants' personal data"))]
        indexes = [
            models.Index(fields=["status", "due_at"], name="complaints_status_due"),
            models.Index(fields=["unit", "received_at"], name="complaints_unit_received"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_late(self) -> bool | None:
        """Whether the decision came (or is) after the due time; None for merged/withdrawn."""
        if self.status in (Status.MERGED, Status.WITHDRAWN):
            return None
        if self.decision_sent_at is not None:
            return self.decision_sent_at > self.due_at
        from django.utils import timezone

        return timezone.now() > self.due_at


class EscalationLevel(models.TextChoices):
    """Who hears about a complaint whose clock runs down."""

    HANDLER = "handler", _("Reminder to the handler")
    OUTLET_HEAD = "outlet_head", _("Escalated to the outlet head")
    BREACH = "breach", _("Breach: sub-branch president and emergency group")


class EscalationNoticeQuerySet(ScopedQuerySet["EscalationNotice"]):
    pass


class EscalationNotice(AuditedInTree, models.Model):
    """One escalation level reached by one complaint; the constraint makes it happen once."""

    scope_path_field = "complaint__unit__path"

    complaint = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="escalations", verbose_name=_("complaint")
    )
    level = models.CharField(_("level"), max_length=16, choices=EscalationLevel.choices)
    at = models.DateTimeField(_("at"))
    share = models.FloatField(_("share of the time used"))
    recipients = models.JSONField(_("recipients"), default=list)

    objects = EscalationNoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("escalation notice")
        verbose_name_plural = _("escalation notices")
        ordering = ["at"]
        constraints = [
            models.UniqueConstraint(
                fields=["complaint", "level"], name="complaints_escalation_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.level}"


class Notification(models.Model):
    """A message in a user's in-app inbox about a complaint."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="complaint_notifications",
        verbose_name=_("recipient"),
    )
    complaint = models.ForeignKey(
        Complaint,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("complaint"),
    )
    notice = models.ForeignKey(
        EscalationNotice,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("escalation"),
    )
    alert = models.ForeignKey(
        "RapidAlert",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("rapid handling alert"),
    )
    message = models.TextField(_("message"))
    created_at = models.DateTimeField(_("created at"))
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["notice", "recipient"], name="complaints_notification_once"
            ),
            models.UniqueConstraint(
                fields=["alert", "recipient"], name="complaints_alert_notification_once"
            ),
        ]
        indexes = [models.Index(fields=["recipient", "read_at"], name="complaints_notif_inbox")]

    def __str__(self) -> str:
        return f"{self.recipient_id} {self.complaint_id}"


class YearCounter(models.Model):
    """The last reference number given out in a year; locked while the next one is taken."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    last_number = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("reference counter")
        verbose_name_plural = _("reference counters")

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"


ACTION_LABELS = {
    "register": _("Registered"),
    "accept": _("Accepted"),
    "investigate": _("Investigation started"),
    "pause": _("Clock stopped for external appraisal"),
    "resume": _("Clock resumed"),
    "extend": _("Time limit extended"),
    "decide": _("Decision sent"),
    "close": _("Closed"),
    "withdraw": _("Withdrawn"),
    "merge": _("Merged into the original"),
    "merge_in": _("A repeat was merged in"),
    "reopen": _("Reopened"),
    "escalate": _("Escalated"),
    "from_pre_complaint": _("Raised from a pre-complaint"),
    "mark_major": _("Marked major"),
    "alert_a": _("Emergency contact A alerted"),
    "alert_b": _("Emergency contact B alerted"),
    "acknowledge": _("Alert acknowledged"),
    "attach": _("File attached"),
}


class ComplaintEventQuerySet(ScopedQuerySet["ComplaintEvent"]):
    pass


class ComplaintEvent(AuditedInTree, models.Model):
    """One step of a complaint's timeline: who did what, when, from which status to which."""

    scope_path_field = "complaint__unit__path"

    complaint = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="events", verbose_name=_("complaint")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    at = models.DateTimeField(_("at"))
    action = models.CharField(_("action"), max_length=24)
    from_status = models.CharField(_("from"), max_length=16, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=16, choices=Status.choices, blank=True)
    note = models.TextField(_("note"), blank=True)

    objects = ComplaintEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("complaint event")
        verbose_name_plural = _("complaint events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.action} {self.at:%Y-%m-%d %H:%M}"

    @property
    def action_label(self) -> str:
        return str(ACTION_LABELS.get(self.action, self.action))


class ComplaintPause(models.Model):
    """An interval in which the clock stood still (external appraisal or testing)."""

    complaint = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="pauses", verbose_name=_("complaint")
    )
    started_at = models.DateTimeField(_("started at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    reason = models.TextField(_("reason"))

    class Meta:
        verbose_name = _("pause")
        verbose_name_plural = _("pauses")
        ordering = ["started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["complaint"],
                condition=models.Q(ended_at__isnull=True),
                name="complaints_one_open_pause",
            )
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.started_at:%Y-%m-%d}"

    def get_additional_data(self) -> dict[str, str]:
        return {"unit_path": self.complaint.unit.path}


class UnmaskEventQuerySet(ScopedQuerySet["UnmaskEvent"]):
    pass


class UnmaskEvent(AuditedInTree, UnmaskRecord):
    """Someone saw a complainant's personal data in full, and why."""

    scope_path_field = "complaint__unit__path"

    complaint = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="unmaskings", verbose_name=_("complaint")
    )

    objects = UnmaskEventQuerySet.as_manager()

    class Meta(UnmaskRecord.Meta):
        verbose_name = _("personal data unmasking")
        verbose_name_plural = _("personal data unmaskings")

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.actor_id} {self.at:%Y-%m-%d %H:%M}"


class PreComplaintQuerySet(ScopedQuerySet["PreComplaint"]):
    pass


class PreComplaint(AuditedInTree, models.Model):
    """Dissatisfaction caught in the lobby before it became a complaint (a pre-complaint)."""

    scope_path_field = "unit__path"

    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="pre_complaints", verbose_name=_("unit")
    )
    recorded_at = models.DateTimeField(_("recorded at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    what = models.TextField(_("what the customer was unhappy about"))
    customer_name = models.CharField(_("customer"), max_length=60, blank=True)
    customer_phone = models.CharField(_("customer phone"), max_length=32, blank=True)
    is_resolved_on_spot = models.BooleanField(_("resolved on the spot"), default=False)
    complaint = models.OneToOneField(
        Complaint,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="pre_complaint",
        verbose_name=_("complaint"),
    )

    objects = PreComplaintQuerySet.as_manager()

    class Meta:
        verbose_name = _("pre-complaint")
        verbose_name_plural = _("pre-complaints")
        ordering = ["-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.unit.code} {self.recorded_at:%Y-%m-%d %H:%M}"


class ContactRole(models.TextChoices):
    PRIMARY = "A", _("Primary (A)")
    BACKUP = "B", _("Backup (B)")


class RapidAlertQuerySet(ScopedQuerySet["RapidAlert"]):
    pass


class RapidAlert(AuditedInTree, models.Model):
    """An emergency contact alerted about a major complaint, and whether they acknowledged.

    A is alerted when the complaint is marked major; B only when A has not acknowledged
    within the policy's minutes. The constraint makes each happen once per complaint.
    """

    scope_path_field = "complaint__unit__path"

    complaint = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="alerts", verbose_name=_("complaint")
    )
    contact = models.ForeignKey(
        EmergencyContact,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("emergency contact"),
    )
    role = models.CharField(_("contact role"), max_length=1, choices=ContactRole.choices)
    employee = models.ForeignKey(
        Employee, on_delete=models.PROTECT, related_name="+", verbose_name=_("alerted")
    )
    phone = models.CharField(_("phone"), max_length=32)
    alerted_at = models.DateTimeField(_("alerted at"))
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acknowledged by"),
    )

    objects = RapidAlertQuerySet.as_manager()

    class Meta:
        verbose_name = _("rapid handling alert")
        verbose_name_plural = _("rapid handling alerts")
        ordering = ["alerted_at", "role"]
        constraints = [
            models.UniqueConstraint(fields=["complaint", "role"], name="complaints_alert_once")
        ]
        indexes = [
            models.Index(fields=["role", "acknowledged_at"], name="complaints_alert_pending")
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.role}"


class AttachmentKind(models.TextChoices):
    EVIDENCE = "evidence", _("Evidence")
    DECISION_LETTER = "decision_letter", _("Decision letter")
    OTHER = "other", _("Other")


class ComplaintAttachmentQuerySet(ScopedQuerySet["ComplaintAttachment"]):
    pass


def attachment_path(instance: ComplaintAttachment, filename: str) -> str:
    """Stored under the complaint's reference with a random name; the real name is kept."""
    import uuid

    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"complaints/{instance.complaint.reference}/{uuid.uuid4().hex}.{suffix}"


class ComplaintAttachment(AuditedInTree, models.Model):
    """A file on a complaint: evidence the complainant gave, the decision letter, others."""

    scope_path_field = "complaint__unit__path"

    complaint = models.ForeignKey(
        Complaint,
        on_delete=models.CASCADE,
        related_name="attachments",
        verbose_name=_("complaint"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=AttachmentKind.choices)
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size (bytes)"))
    content_type = models.CharField(_("content type"), max_length=100)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"))

    objects = ComplaintAttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.name


class CustomerBaseQuerySet(ScopedQuerySet["CustomerBase"]):
    pass


class CustomerBase(AuditedInTree, models.Model):
    """How many customers a unit serves in a year: the base of "complaints per 10,000".

    Each unit records its own customers (an outlet's, or those a sub-branch office holds
    itself); a sub-branch's base is the sum over its subtree.
    """

    scope_path_field = "unit__path"

    unit = models.ForeignKey(
        OrgUnit, on_delete=models.CASCADE, related_name="customer_bases", verbose_name=_("unit")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    customers = models.PositiveIntegerField(_("customers"))

    objects = CustomerBaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("customer base")
        verbose_name_plural = _("customer bases")
        ordering = ["unit__path", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="complaints_customer_base_once")
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.year}: {self.customers}"

"""Counters: the business-type catalogue, queue tickets, teller errors and their rollups.

Vocabulary after Qmatic's visit transactions: the *waiting time* of a ticket runs from its
issue to its (last) call; the *transaction time* from the start of service (or the call,
when the machine logs no start) to its end. A transfer to another window opens a new ticket.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ventanilla.core.audit import AuditedInTree
from ventanilla.core.models import BlockRangeIndex
from ventanilla.core.scoping import ScopedQuerySet
from ventanilla.org.models import Employee, OrgUnit, localized


class Segment(models.TextChoices):
    PERSONAL = "personal", _("Personal")
    CORPORATE = "corporate", _("Corporate")
    VIP = "vip", _("VIP")


class BusinessType(models.Model):
    """A kind of counter transaction (opening an account, a transfer...), with the time a
    benchmark bank takes to handle it. Reference data shared by the whole bank."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("English name"), max_length=120, blank=True)
    name_es = models.CharField(_("Spanish name"), max_length=120, blank=True)
    segment = models.CharField(_("segment"), max_length=16, choices=Segment.choices)
    standard_seconds = models.PositiveIntegerField(
        _("standard handling time (s)"),
        help_text=_("The benchmark bank's counter time for one transaction of this type."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("business type")
        verbose_name_plural = _("business types")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def display_name(self) -> str:
        return localized(self)

    def get_additional_data(self) -> dict[str, str]:
        return {"unit_path": ""}


class ErrorKind(models.TextChoices):
    WRONG_AMOUNT = "wrong_amount", _("Wrong amount")
    WRONG_ACCOUNT = "wrong_account", _("Wrong account")
    MISSING_DOCUMENT = "missing_document", _("Missing or wrong document")
    MISSING_SIGNATURE = "missing_signature", _("Missing signature or seal")
    PROCEDURE = "procedure", _("Operating procedure not followed")
    OTHER = "other", _("Other")


class Severity(models.TextChoices):
    """From least to most severe; the context keeps the words apart from a complaint's."""

    MINOR = "minor", pgettext_lazy("severity of a teller error", "Minor")
    MAJOR = "major", pgettext_lazy("severity of a teller error", "Major")
    SERIOUS = "serious", pgettext_lazy("severity of a teller error", "Serious")


class TellerErrorQuerySet(ScopedQuerySet["TellerError"]):
    pass


class TellerError(AuditedInTree, models.Model):
    """A mistake a teller made at the counter, found by review or inspection."""

    scope_path_field = "outlet__path"

    outlet = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="teller_errors", verbose_name=_("outlet")
    )
    occurred_on = models.DateField(_("date"))
    teller = models.ForeignKey(
        Employee, on_delete=models.PROTECT, related_name="errors", verbose_name=_("teller")
    )
    business_type = models.ForeignKey(
        BusinessType, on_delete=models.PROTECT, verbose_name=_("business type")
    )
    kind = models.CharField(_("kind"), max_length=24, choices=ErrorKind.choices)
    severity = models.CharField(_("severity"), max_length=16, choices=Severity.choices)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = TellerErrorQuerySet.as_manager()

    class Meta:
        verbose_name = _("teller error")
        verbose_name_plural = _("teller errors")
        ordering = ["-occurred_on", "pk"]
        indexes = [
            models.Index(fields=["outlet", "occurred_on"], name="counters_err_outlet_on"),
            models.Index(fields=["teller", "occurred_on"], name="counters_err_teller_on"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_on} {self.teller} {self.get_kind_display()}"


class Outcome(models.TextChoices):
    SERVED = "served", _("Served")
    NO_SHOW = "no_show", _("No-show")
    TRANSFERRED = "transferred", _("Transferred")
    ABANDONED = "abandoned", _("Abandoned")


class QueueTicketQuerySet(ScopedQuerySet["QueueTicket"]):
    pass


class QueueTicket(AuditedInTree, models.Model):
    """One ticket drawn from an outlet's queue machine and what became of it."""

    scope_path_field = "outlet__path"

    # Tickets are facts loaded by the million. Their keys are checked by the import and
    # the API against the catalogue before anything is written, and deletes go through
    # Django's PROTECT, so the database keeps no foreign-key constraint (one trigger call
    # per row and key at commit). A ticket is unique per outlet, date and number: the two
    # writers (``services._apply``, and the column-wise ``_apply_clean`` and
    # ``_import_pieces``) compare a file with the stored tickets of its days under a lock
    # on the outlet's tickets (``_lock_tickets``) rather than through a unique index, whose
    # upkeep would cost more than the rest of an import; one block range index finds an
    # outlet's days. Ids come from the identity a thousand at a time per session (migration
    # ``counters.0013``). See BENCHMARKS.md, "Queue-ticket ingest, 1M tickets".
    outlet = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="queue_tickets",
        verbose_name=_("outlet"),
        db_constraint=False,
        db_index=False,
    )
    service_on = models.DateField(_("date"))
    ticket_number = models.CharField(_("ticket number"), max_length=32)
    business_type = models.ForeignKey(
        BusinessType,
        on_delete=models.PROTECT,
        verbose_name=_("business type"),
        db_constraint=False,
        db_index=False,
    )
    is_vip = models.BooleanField(_("VIP"), default=False)
    customer_ref = models.CharField(_("customer"), max_length=64, blank=True)
    issued_at = models.DateTimeField(_("issued at"))
    called_at = models.DateTimeField(_("called at"), null=True, blank=True)
    started_at = models.DateTimeField(_("service started at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("service ended at"), null=True, blank=True)
    window = models.CharField(_("window"), max_length=16, blank=True)
    teller = models.ForeignKey(
        Employee,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="queue_tickets",
        verbose_name=_("teller"),
        db_constraint=False,
        db_index=False,
    )
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)

    objects = QueueTicketQuerySet.as_manager()

    class Meta:
        verbose_name = _("queue ticket")
        verbose_name_plural = _("queue tickets")
        ordering = ["outlet", "service_on", "issued_at"]
        indexes = [
            BlockRangeIndex(fields=["outlet", "service_on"], name="counters_ticket_outlet_on"),
        ]

    def __str__(self) -> str:
        return f"{self.service_on} {self.ticket_number}"

    @property
    def waiting_seconds(self) -> float | None:
        return _seconds(self.issued_at, self.called_at)

    @property
    def transaction_seconds(self) -> float | None:
        return _seconds(self.started_at or self.called_at, self.ended_at)


def _seconds(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return (end - start).total_seconds()


class TicketMapping(models.Model):
    """How one vendor's queue-machine export names its columns and outcomes.

    Each ``*_column`` holds the header of the column in the file; several headers separated
    by ``|`` take the first non-empty one, and headers joined by ``&`` are read together
    (``line&call_id`` makes the ticket number ``A1-33140``). Time columns may hold a full
    date and time, or a time alone, which is then combined with the date column (or the date
    given at import).
    """

    name = models.CharField(_("name"), max_length=64, unique=True)
    vendor = models.CharField(_("vendor"), max_length=120, blank=True)
    service_on_column = models.CharField(_("date column"), max_length=120, blank=True)
    ticket_number_column = models.CharField(_("ticket number column"), max_length=120)
    business_type_column = models.CharField(_("business type column"), max_length=120)
    is_vip_column = models.CharField(_("VIP column"), max_length=120, blank=True)
    customer_ref_column = models.CharField(_("customer column"), max_length=120, blank=True)
    issued_at_column = models.CharField(_("issue time column"), max_length=120)
    called_at_column = models.CharField(_("call time column"), max_length=120, blank=True)
    started_at_column = models.CharField(_("service start column"), max_length=120, blank=True)
    ended_at_column = models.CharField(_("service end column"), max_length=120, blank=True)
    window_column = models.CharField(_("window column"), max_length=120, blank=True)
    teller_column = models.CharField(_("teller column"), max_length=120, blank=True)
    outcome_column = models.CharField(_("outcome column"), max_length=120, blank=True)
    date_format = models.CharField(
        _("date format"),
        max_length=32,
        default="%Y-%m-%d",
        help_text=_("As for strftime, e.g. %Y-%m-%d or %y%m%d."),
    )
    times_have_dates = models.BooleanField(
        _("time columns hold a date"),
        default=True,
        help_text=_("Untick when the time columns hold a time of day only (e.g. 9:05:30)."),
    )
    times_roll_over_midnight = models.BooleanField(
        _("times may pass midnight"),
        default=False,
        help_text=_("A time of day earlier than the one before it is taken as the next day."),
    )
    clock_skew_seconds = models.PositiveIntegerField(
        _("clock skew tolerated (s)"),
        default=0,
        help_text=_(
            "A time earlier than the one before it by at most this much is accepted as is "
            "(machines whose clocks disagree by a second or two)."
        ),
    )
    vip_values = models.CharField(
        _("values meaning VIP"),
        max_length=200,
        default="1,Y,yes,true,是,VIP",
        help_text=_("Comma-separated; compared without regard to case."),
    )
    empty_values = models.CharField(
        _("values meaning empty"),
        max_length=200,
        blank=True,
        help_text=_("Comma-separated cell values read as empty, e.g. 0:00:00,NO_SERVER."),
    )
    outcome_synonyms = models.JSONField(
        _("outcome names"),
        default=dict,
        blank=True,
        help_text=_(
            "The file's outcome names → served, no_show, transferred, abandoned, e.g. "
            '{"完成": "served", "弃号": "abandoned", "过号": "no_show"}.'
        ),
    )
    default_outcome = models.CharField(
        _("outcome when none is given"),
        max_length=16,
        choices=Outcome.choices,
        default=Outcome.SERVED,
    )
    business_type_synonyms = models.JSONField(
        _("business type names"),
        default=dict,
        blank=True,
        help_text=_("The file's business type names → business type codes."),
    )

    class Meta:
        verbose_name = _("ticket column mapping")
        verbose_name_plural = _("ticket column mappings")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_additional_data(self) -> dict[str, str]:
        return {"unit_path": ""}


class QueueDayRollupQuerySet(ScopedQuerySet["QueueDayRollup"]):
    pass


class QueueDayRollup(models.Model):
    """The tickets of one outlet and day, summed per cell: half hour of issue (local time),
    business type, teller and VIP flag. Pages read these sums, never the raw tickets.

    A day's cells are packed column-wise in one row (``rollups.Layout`` records and the
    non-empty buckets of their waiting and transaction time histograms), so that a day of a
    busy outlet is one row instead of about one per ticket: written with the tickets in the
    same transaction, and read and summed with numpy (``rollups.Cells``). Histograms add up,
    so percentiles over any range come from the summed buckets.
    """

    scope_path_field = "outlet__path"

    # Derived from the tickets and written with them: no foreign-key constraint, as for
    # ``QueueTicket``; the unique key leads with the outlet.
    outlet = models.ForeignKey(
        OrgUnit, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    service_on = models.DateField()
    tickets = models.PositiveIntegerField(default=0)
    cells = models.BinaryField(default=b"")
    wait_buckets = models.BinaryField(default=b"")
    handle_buckets = models.BinaryField(default=b"")
    windows = models.BinaryField(default=b"")  # (cell, index into window_labels) pairs
    window_labels = models.JSONField(default=list)
    wide = models.BooleanField(default=False)  # packed in ``rollups.WIDE``, not ``COMPACT``

    objects = QueueDayRollupQuerySet.as_manager()

    class Meta:
        verbose_name = _("daily queue rollup")
        verbose_name_plural = _("daily queue rollups")
        constraints = [
            models.UniqueConstraint(fields=["outlet", "service_on"], name="counters_dayrollup_key")
        ]
        indexes = [models.Index(fields=["service_on"], name="counters_dayrollup_on")]

    def __str__(self) -> str:
        return f"{self.outlet_id} {self.service_on}"


class MonthlySums(models.Model):
    """The sums of a month's tickets (``monthly.VALUE_FIELDS``): counts by outcome, seconds
    waited and taken, and histograms as dense bucket counts (``monthly.encode``), so that a
    month's percentiles are exactly those of its rollups."""

    tickets = models.PositiveIntegerField(default=0)
    served = models.PositiveIntegerField(default=0)
    no_show = models.PositiveIntegerField(default=0)
    abandoned = models.PositiveIntegerField(default=0)
    transferred = models.PositiveIntegerField(default=0)
    wait_count = models.PositiveIntegerField(default=0)
    wait_seconds = models.FloatField(default=0)
    wait_histogram = models.BinaryField(default=b"")
    handle_count = models.PositiveIntegerField(default=0)
    handle_seconds = models.FloatField(default=0)
    handle_squares = models.FloatField(default=0)
    handle_histogram = models.BinaryField(default=b"")

    class Meta:
        abstract = True


class MonthlyQueueFiguresQuerySet(ScopedQuerySet["MonthlyQueueFigures"]):
    pass


class MonthlyQueueFigures(MonthlySums):
    """A month's tickets of one unit, business type (None: all types) and VIP flag, summed
    from the daily rollups (``counters/monthly.py``).

    ``is_subtree`` False: the tickets of the unit itself (an outlet); True: the tickets of
    its whole subtree, kept for the units above an outlet. Histograms are dense bucket
    counts (``monthly.encode``), so a month's percentiles are exactly those of its rollups.
    """

    scope_path_field = "unit__path"

    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()  # the first day of the month
    is_subtree = models.BooleanField()
    business_type = models.ForeignKey(
        BusinessType, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    is_vip = models.BooleanField()

    objects = MonthlyQueueFiguresQuerySet.as_manager()

    class Meta:
        verbose_name = _("monthly queue figures")
        verbose_name_plural = _("monthly queue figures")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "month", "is_subtree", "business_type", "is_vip"],
                name="counters_month_unique",
            ),
            models.UniqueConstraint(
                fields=["unit", "month", "is_subtree", "is_vip"],
                condition=models.Q(business_type__isnull=True),
                name="counters_month_all_types_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["month", "unit"], name="counters_month_unit"),
            # The per-outlet table: the month's rows for all types, whatever the unit.
            models.Index(
                fields=["month", "is_subtree"],
                condition=models.Q(business_type__isnull=True),
                name="counters_month_all_types",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.month:%Y-%m} {self.business_type_id} {self.is_vip}"


class MonthlyHalfHourFiguresQuerySet(ScopedQuerySet["MonthlyHalfHourFigures"]):
    pass


class MonthlyHalfHourFigures(MonthlySums):
    """A month's tickets of one outlet, half hour of issue and VIP flag, summed from the
    daily rollups: the figures by time of day of ranges of whole months (the dashboard's
    chart over a year) without reading a rollup per ticket. Histograms as in
    ``MonthlyQueueFigures``."""

    scope_path_field = "outlet__path"

    outlet = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()  # the first day of the month
    half_hour = models.PositiveSmallIntegerField()  # 0 = 00:00-00:30 ... 47
    is_vip = models.BooleanField()

    objects = MonthlyHalfHourFiguresQuerySet.as_manager()

    class Meta:
        verbose_name = _("monthly queue figures by half hour")
        verbose_name_plural = _("monthly queue figures by half hour")
        constraints = [
            models.UniqueConstraint(
                fields=["outlet", "month", "half_hour", "is_vip"],
                name="counters_month_half_hour_unique",
            )
        ]
        indexes = [models.Index(fields=["month", "outlet"], name="counters_month_half_hour")]

    def __str__(self) -> str:
        return f"{self.outlet_id} {self.month:%Y-%m} {self.half_hour} {self.is_vip}"


class MonthlyTellerQueueFiguresQuerySet(ScopedQuerySet["MonthlyTellerQueueFigures"]):
    pass


class MonthlyTellerQueueFigures(MonthlySums):
    """A month's tickets of one outlet, teller (None: tickets no teller called) and VIP flag,
    summed from the daily rollups: the figures per teller of ranges of whole months (a year
    of a sub-branch by teller) without reading a rollup per ticket."""

    scope_path_field = "outlet__path"

    outlet = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()  # the first day of the month
    teller = models.ForeignKey(
        Employee,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    is_vip = models.BooleanField()

    objects = MonthlyTellerQueueFiguresQuerySet.as_manager()

    class Meta:
        verbose_name = _("monthly queue figures by teller")
        verbose_name_plural = _("monthly queue figures by teller")
        constraints = [
            models.UniqueConstraint(
                fields=["outlet", "month", "teller", "is_vip"],
                name="counters_month_teller_q_unique",
            ),
            models.UniqueConstraint(
                fields=["outlet", "month", "is_vip"],
                condition=models.Q(teller__isnull=True),
                name="counters_month_no_teller_unique",
            ),
        ]
        indexes = [models.Index(fields=["month", "outlet"], name="counters_month_teller_q")]

    def __str__(self) -> str:
        return f"{self.outlet_id} {self.month:%Y-%m} {self.teller_id} {self.is_vip}"


class MonthlyTellerFiguresQuerySet(ScopedQuerySet["MonthlyTellerFigures"]):
    pass


class MonthlyTellerFigures(models.Model):
    """A teller's month at one outlet, summed from the daily rollups, for the league table.

    ``by_type`` packs, per business type, the tickets served and the timed transactions
    (``monthly.TYPE_DTYPE``), so the standard minutes follow the catalogue's standard times.
    """

    scope_path_field = "outlet__path"

    outlet = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+")
    teller = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()  # the first day of the month
    tickets = models.PositiveIntegerField(default=0)
    served = models.PositiveIntegerField(default=0)
    handle_count = models.PositiveIntegerField(default=0)
    handle_seconds = models.FloatField(default=0)
    by_type = models.BinaryField(default=b"")

    objects = MonthlyTellerFiguresQuerySet.as_manager()

    class Meta:
        verbose_name = _("monthly teller figures")
        verbose_name_plural = _("monthly teller figures")
        constraints = [
            models.UniqueConstraint(
                fields=["outlet", "month", "teller"], name="counters_month_teller_unique"
            )
        ]
        indexes = [models.Index(fields=["month", "outlet"], name="counters_month_teller")]

    def __str__(self) -> str:
        return f"{self.outlet_id} {self.month:%Y-%m} {self.teller_id}"


# Monthly league tables, published ----------------------------------------------------------


class LeaguePublicationQuerySet(ScopedQuerySet["LeaguePublication"]):
    pass


class LeaguePublication(AuditedInTree, models.Model):
    """A month's teller league table of a unit as its manager published it, frozen.

    Publishing the month again writes a new version and keeps the earlier ones; the
    current version is the one with ``is_current``.
    """

    scope_path_field = "unit__path"

    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    month = models.DateField(_("month"))  # the first day of the month
    version = models.PositiveSmallIntegerField(_("version"))
    is_current = models.BooleanField(_("current version"), default=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("published by"),
    )
    published_at = models.DateTimeField(_("published at"))

    objects = LeaguePublicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("published league table")
        verbose_name_plural = _("published league tables")
        ordering = ["-month", "unit", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "month", "version"], name="counters_league_version_unique"
            ),
            models.UniqueConstraint(
                fields=["unit", "month"],
                condition=models.Q(is_current=True),
                name="counters_league_one_current",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit.code} {self.month:%Y-%m} v{self.version}"


class LeaguePublicationRow(models.Model):
    """One teller's line of a published league table, with the names as they were then."""

    publication = models.ForeignKey(
        LeaguePublication, on_delete=models.CASCADE, related_name="rows"
    )
    teller = models.ForeignKey(Employee, on_delete=models.PROTECT, related_name="+")
    staff_number = models.CharField(_("staff number"), max_length=32)
    teller_name = models.CharField(_("teller"), max_length=60)
    outlet = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    outlet_code = models.CharField(_("outlet code"), max_length=32)
    # The outlet's names as they were, in each language: a reader sees their own.
    outlet_name = models.CharField(_("outlet"), max_length=120)
    outlet_name_en = models.CharField(_("outlet (English)"), max_length=120, blank=True)
    outlet_name_es = models.CharField(_("outlet (Spanish)"), max_length=120, blank=True)
    served = models.PositiveIntegerField(_("tickets served"))
    weighted_minutes = models.FloatField(_("standard minutes"))
    errors = models.PositiveIntegerField(_("errors"))
    handle_count = models.PositiveIntegerField(_("timed transactions"))
    handle_seconds = models.FloatField(_("transaction seconds"))
    standard_handle_seconds = models.FloatField(_("standard seconds of the timed transactions"))
    rank_in_outlet = models.PositiveIntegerField(_("rank in outlet"))
    rank_overall = models.PositiveIntegerField(_("rank"))

    class Meta:
        ordering = ["rank_overall", "staff_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "teller", "outlet"], name="counters_league_row_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.publication} {self.staff_number}"

    @property
    def outlet_display_name(self) -> str:
        """The outlet's name as published, in the reader's language where it had one."""
        return localized(self, "outlet_name")

    @property
    def error_rate(self) -> float | None:
        """Errors per thousand tickets served."""
        return 1000 * self.errors / self.served if self.served else None

    @property
    def dwell_ratio(self) -> float | None:
        """Transaction time against the standard time of the same transactions (1 = par)."""
        if not self.standard_handle_seconds:
            return None
        return self.handle_seconds / self.standard_handle_seconds


# VIP window selection ----------------------------------------------------------------------


class VipCandidateScoreQuerySet(ScopedQuerySet["VipCandidateScore"]):
    pass


class VipCandidateScore(AuditedInTree, models.Model):
    """A manager's scores (0 to 100) of a teller who stands for a VIP window.

    Speed is not scored by hand: it comes from the teller's transaction times.
    """

    scope_path_field = "teller__unit__path"

    teller = models.ForeignKey(
        Employee, on_delete=models.PROTECT, related_name="+", verbose_name=_("teller")
    )
    scored_on = models.DateField(_("date"))
    business_skill = models.PositiveSmallIntegerField(_("business skill"))
    marketing = models.PositiveSmallIntegerField(_("marketing"))
    service = models.PositiveSmallIntegerField(_("service"))
    image = models.PositiveSmallIntegerField(_("image"))
    note = models.TextField(_("note"), blank=True)
    scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("scored by"),
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = VipCandidateScoreQuerySet.as_manager()

    class Meta:
        verbose_name = _("VIP window candidate score")
        verbose_name_plural = _("VIP window candidate scores")
        ordering = ["-scored_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(business_skill__lte=100)
                & models.Q(marketing__lte=100)
                & models.Q(service__lte=100)
                & models.Q(image__lte=100),
                name="counters_vip_scores_at_most_100",
            )
        ]

    def __str__(self) -> str:
        return f"{self.teller} {self.scored_on}"


# Import history ----------------------------------------------------------------------------


class TicketImportQuerySet(ScopedQuerySet["TicketImport"]):
    pass


class TicketImport(AuditedInTree, models.Model):
    """One file of queue tickets someone imported, and what became of it."""

    scope_path_field = "outlet__path"

    outlet = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("outlet")
    )
    filename = models.CharField(_("file"), max_length=255)
    mapping = models.CharField(_("column mapping"), max_length=64)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    first_error = models.TextField(_("first error"), blank=True)
    is_applied = models.BooleanField(_("written"), default=False)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("imported by"),
    )
    imported_at = models.DateTimeField(_("imported at"))

    objects = TicketImportQuerySet.as_manager()

    class Meta:
        verbose_name = _("ticket import")
        verbose_name_plural = _("ticket imports")
        ordering = ["-imported_at", "-pk"]
        indexes = [models.Index(fields=["outlet", "imported_at"], name="counters_import_outlet")]

    def __str__(self) -> str:
        return f"{self.outlet_id} {self.filename}"

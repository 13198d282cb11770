"""The bank's customers: who they are, their tier and VIP level, and who looks after them.

Customers are kept in the core banking system; Ventanilla holds what service work needs:
the customer number, a tier (which sets how often the customer is visited or called), the
home unit, and the relationship manager with the history of assignments, so that an
account manager sees the complaints and feedback of their own customers.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ventanilla.core.audit import AuditedInTree
from ventanilla.core.models import UnmaskRecord
from ventanilla.core.scoping import ScopedQuerySet
from ventanilla.org.models import Employee, OrgUnit


class CustomerKind(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual")
    CORPORATE = "corporate", _("Corporate")


class Tier(models.TextChoices):
    """Service tiers: the first four for individuals, the last three for companies."""

    CORE = "core", _("Core")
    KEY = "key", _("Key")
    POTENTIAL = "potential", _("Potential")
    BASIC = "basic", _("Basic")
    CORPORATE_VIP = "corporate_vip", _("Corporate VIP")
    INDUSTRIAL = "industrial", _("Industrial and commercial")
    SME = "sme", _("Small and medium enterprise")


TIERS_OF_KIND: dict[str, tuple[str, ...]] = {
    CustomerKind.INDIVIDUAL: (Tier.CORE, Tier.KEY, Tier.POTENTIAL, Tier.BASIC),
    CustomerKind.CORPORATE: (Tier.CORPORATE_VIP, Tier.INDUSTRIAL, Tier.SME),
}


class CustomerIdType(models.TextChoices):
    RESIDENT = "resident", _("Resident ID card")
    PASSPORT = "passport", _("Passport")
    CREDIT_CODE = "credit_code", _("Unified social credit code")
    OTHER = "other", _("Other")


MAX_VIP_LEVEL = 7


class CustomerQuerySet(ScopedQuerySet["Customer"]):
    pass


class Customer(AuditedInTree, models.Model):
    """A customer of the bank, held by one unit (the outlet or sub-branch that opened them)."""

    scope_path_field = "unit__path"

    number = models.CharField(_("customer number"), max_length=32, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=CustomerKind.choices)
    name = models.CharField(_("name"), max_length=120)
    id_type = models.CharField(
        _("ID type"), max_length=12, choices=CustomerIdType.choices, default=CustomerIdType.RESIDENT
    )
    id_number = models.CharField(_("ID number"), max_length=32, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    tier = models.CharField(_("tier"), max_length=16, choices=Tier.choices)
    vip_level = models.PositiveSmallIntegerField(
        _("VIP level"), default=0, help_text=_("0 for none, up to 7 stars.")
    )
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="customers", verbose_name=_("home unit")
    )
    manager = models.ForeignKey(
        Employee,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="customers",
        verbose_name=_("relationship manager"),
    )
    opened_on = models.DateField(_("customer since"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = CustomerQuerySet.as_manager()

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["number"]
        permissions = [("view_personal_data", _("Can unmask customers' personal data"))]
        indexes = [
            models.Index(fields=["unit", "tier"], name="customers_unit_tier"),
            models.Index(fields=["manager"], name="customers_manager"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(vip_level__lte=MAX_VIP_LEVEL), name="customers_vip_level_range"
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind=CustomerKind.INDIVIDUAL, tier__in=TIERS_OF_KIND["individual"])
                    | Q(kind=CustomerKind.CORPORATE, tier__in=TIERS_OF_KIND["corporate"])
                ),
                name="customers_tier_of_kind",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class RelationshipAssignmentQuerySet(ScopedQuerySet["RelationshipAssignment"]):
    pass


class RelationshipAssignment(AuditedInTree, models.Model):
    """One period in which an employee was the customer's relationship manager.

    The open period (no end) is the current manager, mirrored in ``Customer.manager``.
    """

    scope_path_field = "customer__unit__path"

    customer = models.ForeignKey(
        Customer,
        on_delete=models.CASCADE,
        related_name="assignments",
        verbose_name=_("customer"),
    )
    employee = models.ForeignKey(
        Employee,
        on_delete=models.PROTECT,
        related_name="relationship_assignments",
        verbose_name=_("relationship manager"),
    )
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned by"),
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    objects = RelationshipAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("relationship-manager assignment")
        verbose_name_plural = _("relationship-manager assignments")
        ordering = ["customer", "-started_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer"],
                condition=Q(ended_on__isnull=True),
                name="customers_one_open_assignment",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="customers_assignment_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.employee_id} {self.started_on}"


class CustomerUnmaskEventQuerySet(ScopedQuerySet["CustomerUnmaskEvent"]):
    pass


class CustomerUnmaskEvent(AuditedInTree, UnmaskRecord):
    """Someone saw a customer's personal data in full, and why."""

    scope_path_field = "customer__unit__path"

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="unmaskings", verbose_name=_("customer")
    )

    objects = CustomerUnmaskEventQuerySet.as_manager()

    class Meta(UnmaskRecord.Meta):
        verbose_name = _("customer data unmasking")
        verbose_name_plural = _("customer data unmaskings")

    def __str__(self) -> str:
        return f"{self.customer_id} {self.actor_id} {self.at:%Y-%m-%d %H:%M}"

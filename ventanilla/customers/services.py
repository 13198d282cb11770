"""Writes of customers: relationship-manager changes and recorded views of personal data."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.core.errors import DomainError
from ventanilla.customers.models import Customer, CustomerUnmaskEvent, RelationshipAssignment
from ventanilla.customers.permissions import may_reassign, may_unmask
from ventanilla.org.models import Employee
from ventanilla.org.selectors import sub_branch_of


def assignment_open(
    *, customer: Customer, employee: Employee | None, on: date, actor: Any, reason: str = ""
) -> RelationshipAssignment | None:
    """End the customer's open assignment on ``on`` and open one for ``employee`` (if any).

    The caller has checked the actor's rights and holds the transaction; the import uses it
    too. ``ended_on`` is the first day the earlier manager no longer looks after the customer.
    """
    current = (
        RelationshipAssignment.objects.select_for_update()
        .filter(customer=customer, ended_on__isnull=True)
        .first()
    )
    if current is not None:
        if on < current.started_on:
            raise DomainError(
                _("The change cannot start before %(date)s, when the current manager started.")
                % {"date": current.started_on.isoformat()}
            )
        current.ended_on = on
        current.save(update_fields=["ended_on"])
    customer.manager = employee
    customer.save(update_fields=["manager"])
    if employee is None:
        return None
    return RelationshipAssignment.objects.create(
        customer=customer, employee=employee, started_on=on, assigned_by=actor, reason=reason
    )


def check_manager(customer: Customer, employee: Employee) -> None:
    """A relationship manager is an active employee of the customer's sub-branch."""
    if not employee.is_active:
        raise DomainError(
            _("%(name)s has left and cannot look after customers.") % {"name": employee.name}
        )
    sub_branch = sub_branch_of(customer.unit)
    if not employee.unit.path.startswith(sub_branch.path):
        raise DomainError(
            _("%(name)s works outside %(unit)s, the customer's sub-branch.")
            % {"name": employee.name, "unit": sub_branch.display_name}
        )


@transaction.atomic
def customer_reassign(
    *,
    actor: Any,
    customer: Customer,
    employee: Employee | None,
    on: date | None = None,
    reason: str,
) -> RelationshipAssignment | None:
    """Give the customer a new relationship manager (or none), keeping the history."""
    if not may_reassign(actor, customer):
        raise DomainError(_("You may not change this customer's manager."), code="forbidden")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say why the relationship manager changes."))
    customer = Customer.objects.select_for_update().select_related("unit").get(pk=customer.pk)
    if employee is not None:
        if employee.pk == customer.manager_id:
            raise DomainError(
                _("%(name)s already looks after this customer.") % {"name": employee.name}
            )
        check_manager(customer, employee)
    elif customer.manager_id is None:
        raise DomainError(_("This customer has no relationship manager to remove."))
    return assignment_open(
        customer=customer,
        employee=employee,
        on=on or timezone.localdate(),
        actor=actor,
        reason=reason,
    )


@transaction.atomic
def customer_unmask(*, actor: Any, customer: Customer, reason: str) -> CustomerUnmaskEvent:
    """Record that ``actor`` is shown the customer's personal data in full, and why."""
    if not may_unmask(actor, customer):
        raise DomainError(_("You may not see this customer's personal data."), code="forbidden")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason for seeing the personal data."))
    return CustomerUnmaskEvent.objects.create(
        customer=customer, actor=actor, reason=reason, at=timezone.now()
    )

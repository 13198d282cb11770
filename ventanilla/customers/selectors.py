"""Reads of customers, every one restricted to what the user may see."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from ventanilla.core.scoping import scope_for
from ventanilla.customers.models import Customer, CustomerUnmaskEvent, RelationshipAssignment
from ventanilla.customers.permissions import managed_by_q, own_customers_q
from ventanilla.org.models import Employee
from ventanilla.org.selectors import sub_branch_of


def customer_list(*, user: Any) -> QuerySet[Customer]:
    """The customers the user may see: their subtree's (staff posts: their own ones), and the
    customers they look after wherever their home unit is."""
    scope = scope_for(user)
    qs = Customer.objects.select_related("unit", "manager")
    if scope.is_global:
        return qs
    in_scope = scope.q(Customer.scope_path_field) & own_customers_q(user)
    return qs.filter(in_scope | managed_by_q(user))


def customer_get(*, user: Any, number: str) -> Customer:
    return get_object_or_404(customer_list(user=user), number=number)


def customer_assignments(*, customer: Customer) -> QuerySet[RelationshipAssignment]:
    """The relationship managers of a customer the caller has already been allowed to see."""
    return (
        RelationshipAssignment.objects.filter(customer=customer)
        .select_related("employee__unit", "assigned_by")
        .order_by("-started_on", "-id")
    )


def customer_unmaskings(*, customer: Customer) -> QuerySet[CustomerUnmaskEvent]:
    return CustomerUnmaskEvent.objects.filter(customer=customer).select_related("actor")


def manager_choices(*, user: Any, customer: Customer) -> QuerySet[Employee]:
    """Active employees of the customer's sub-branch the user may see, for reassigning."""
    sub_branch = sub_branch_of(customer.unit)
    return (
        Employee.objects.visible_to(user)
        .filter(is_active=True, unit__path__startswith=sub_branch.path)
        .select_related("unit", "post")
        .order_by("unit__path", "staff_number")
    )


def customers_managed_by(*, user: Any) -> QuerySet[Customer]:
    """The user's own customers (current assignments), whatever their post's scope."""
    return customer_list(user=user).filter(managed_by_q(user))


def customer_by_number(number: str) -> Customer | None:
    """The customer with this number, bank-wide, to link a record to (a complaint...).

    Not a read for display: whoever registers a complaint may not see the customer (a teller
    sees no customers), yet the customer's number links the complaint to the customer and
    so to their relationship manager. Nothing of the customer is shown through it.
    """
    number = (number or "").strip()
    if not number:
        return None
    return Customer.objects.filter(number=number).only("pk", "number", "unit_id").first()

"""Customer pages: the list, a customer with their managers' history, and the export.

Views stay thin: they read through the selectors (scoped to the user, and for staff posts to
their own customers), check the role and call one service. Out of scope is 404, in scope
without the role is 403.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ventanilla.core.errors import DomainError
from ventanilla.core.tabular import write_xlsx
from ventanilla.customers import selectors, services
from ventanilla.customers.filters import CustomerFilter
from ventanilla.customers.forms import ReasonForm, ReassignForm
from ventanilla.customers.models import Customer, CustomerKind, Tier
from ventanilla.customers.permissions import (
    customer_personal_data,
    is_manager_of,
    may_reassign,
    may_unmask,
    personal_data_for,
)

PAGE_SIZE = 50


def _filtered(request: HttpRequest) -> CustomerFilter:
    filterset = CustomerFilter(
        request.GET or None,
        request=request,
        queryset=selectors.customer_list(user=request.user).order_by("number"),
    )
    fields = filterset.form.fields
    fields["kind"].choices = [("", _("All")), *CustomerKind.choices]
    fields["tier"].choices = [("", _("All")), *Tier.choices]
    fields["is_unassigned"].widget = forms.Select(
        choices=[("", _("All")), ("true", _("Yes")), ("false", _("No"))]
    )
    return filterset


@require_GET
def customer_list(request: HttpRequest) -> HttpResponse:
    filterset = _filtered(request)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(c, personal_data_for(request.user, c)) for c in page.object_list]
    return render(
        request,
        "customers/list.html",
        {
            "filter": filterset,
            "page_obj": page,
            "rows": rows,
            "export_query": request.GET.urlencode(),
            "my_count": selectors.customers_managed_by(user=request.user).count(),
        },
    )


@require_GET
def customer_export(request: HttpRequest) -> HttpResponse:
    """The filtered list as XLSX, masked as on the page (in full for one's own customers)."""
    filterset = _filtered(request)
    headers = [
        _("Customer number"),
        _("Name"),
        _("Kind"),
        _("Tier"),
        _("VIP level"),
        _("Phone"),
        _("Home unit code"),
        _("Home unit"),
        _("Relationship manager"),
        _("Manager's staff number"),
        _("Customer since"),
    ]
    rows: list[list[Any]] = []
    for customer in filterset.qs.iterator(chunk_size=2000):
        person = personal_data_for(request.user, customer)
        manager = customer.manager
        rows.append(
            [
                customer.number,
                person.name,
                customer.get_kind_display(),
                customer.get_tier_display(),
                customer.vip_level,
                person.phone,
                customer.unit.code,
                customer.unit.display_name,
                manager.name if manager else "",
                manager.staff_number if manager else "",
                customer.opened_on,
            ]
        )
    data = write_xlsx([(_("Customers"), headers, rows)])
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="customers-{stamp}.xlsx"'
    return response


def _detail(
    request: HttpRequest,
    customer: Customer,
    *,
    unmasked: bool = False,
    reassign_form: ReassignForm | None = None,
    unmask_form: ReasonForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    shown_in_full = unmasked or is_manager_of(user, customer)
    can_reassign = may_reassign(user, customer)
    if can_reassign and reassign_form is None:
        reassign_form = ReassignForm(
            choices=selectors.manager_choices(user=user, customer=customer),
            initial={"employee": customer.manager_id},
        )
    return render(
        request,
        "customers/detail.html",
        {
            "customer": customer,
            "person": customer_personal_data(customer, masked=not shown_in_full),
            "unmasked": unmasked,
            "can_unmask": not shown_in_full and may_unmask(user, customer),
            "unmask_form": unmask_form or ReasonForm(),
            "can_reassign": can_reassign,
            "reassign_form": reassign_form,
            "assignments": selectors.customer_assignments(customer=customer),
        },
        status=status,
    )


@require_GET
def customer_detail(request: HttpRequest, number: str) -> HttpResponse:
    return _detail(request, selectors.customer_get(user=request.user, number=number))


@require_POST
def customer_reassign(request: HttpRequest, number: str) -> HttpResponse:
    user = request.user
    customer = selectors.customer_get(user=user, number=number)
    if not may_reassign(user, customer):
        raise PermissionDenied
    form = ReassignForm(
        request.POST, choices=selectors.manager_choices(user=user, customer=customer)
    )
    if form.is_valid():
        try:
            services.customer_reassign(
                actor=user,
                customer=customer,
                employee=form.cleaned_data["employee"],
                on=form.cleaned_data["on"],
                reason=form.cleaned_data["reason"],
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("%(number)s: relationship manager changed.") % {"number": customer.number},
            )
            return redirect("customers:detail", number=customer.number)
    return _detail(request, customer, reassign_form=form, status=400)


@require_POST
def customer_unmask(request: HttpRequest, number: str) -> HttpResponse:
    """Show the customer's personal data in full, once, after recording who asked and why."""
    user = request.user
    customer = selectors.customer_get(user=user, number=number)
    if not may_unmask(user, customer):
        raise PermissionDenied
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            services.customer_unmask(
                actor=user, customer=customer, reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            form.add_error("reason", error.message)
        else:
            return _detail(request, customer, unmasked=True)
    return _detail(request, customer, unmask_form=form, status=400)

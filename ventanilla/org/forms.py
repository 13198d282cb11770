"""Forms of the organisation pages: they check the shape of the input, services the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from ventanilla.core.scoping import Role
from ventanilla.org import selectors
from ventanilla.org.models import Employee, GroupRole, OrgUnit, Post
from ventanilla.org.validators import phone_validator, staff_number_validator


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: OrgUnit) -> str:
        return f"{obj.code} · {obj.display_name}"


class PostChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Post) -> str:
        return obj.display_name


class EmployeeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Employee) -> str:
        return f"{obj.staff_number} {obj.name} · {obj.unit.code}"


def managed_units(user: Any) -> QuerySet[OrgUnit]:
    """Units where the user may hire, move and edit staff."""
    return OrgUnit.objects.visible_to(user, Role.MANAGER).filter(is_active=True)


def active_employees(user: Any) -> QuerySet[Employee]:
    return selectors.employee_list(user=user).filter(is_active=True).order_by("staff_number")


class EmployeeForm(forms.Form):
    """Create or edit an employee; the staff number is fixed once the employee exists."""

    staff_number = forms.CharField(
        label=_("Staff number"), max_length=32, validators=[staff_number_validator]
    )
    name = forms.CharField(label=_("Name"), max_length=60)
    unit = UnitChoiceField(label=_("Unit"), queryset=OrgUnit.objects.none())
    post = PostChoiceField(label=_("Post"), queryset=Post.objects.order_by("code"))
    hire_on = forms.DateField(
        label=_("Hire date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    phone = forms.CharField(
        label=_("Phone"), max_length=32, required=False, validators=[phone_validator]
    )
    email = forms.EmailField(label=_("E-mail"), required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, user: Any, is_new: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = managed_units(user)
        self.fields["unit"].empty_label = _("Choose a unit")
        self.fields["post"].empty_label = _("Choose a post")
        if not is_new:
            del self.fields["staff_number"]

    def clean_name(self) -> str:
        return self.cleaned_data["name"].strip()


class GroupMemberForm(forms.Form):
    employee = EmployeeChoiceField(label=_("Employee"), queryset=Employee.objects.none())
    role = forms.ChoiceField(label=_("Role in the group"), choices=GroupRole.choices)
    responsibilities = forms.CharField(
        label=_("Responsibilities"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["employee"].queryset = active_employees(user)
        self.fields["employee"].empty_label = _("Choose an employee")


class EmergencyContactForm(forms.Form):
    """The A/B pair of one unit and duty. When editing, unit and duty stay as they are."""

    unit = UnitChoiceField(label=_("Unit"), queryset=OrgUnit.objects.none())
    duty = forms.CharField(label=_("Duty"), max_length=120)
    primary = EmployeeChoiceField(label=_("Primary (A)"), queryset=Employee.objects.none())
    primary_phone = forms.CharField(
        label=_("Primary phone"), max_length=32, validators=[phone_validator]
    )
    backup = EmployeeChoiceField(label=_("Backup (B)"), queryset=Employee.objects.none())
    backup_phone = forms.CharField(
        label=_("Backup phone"), max_length=32, validators=[phone_validator]
    )

    def __init__(self, *args: Any, user: Any, is_new: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = managed_units(user)
        employees = active_employees(user)
        self.fields["primary"].queryset = employees
        self.fields["backup"].queryset = employees
        self.fields["unit"].empty_label = _("Choose a unit")
        self.fields["primary"].empty_label = _("Choose an employee")
        self.fields["backup"].empty_label = _("Choose an employee")
        if not is_new:
            self.fields["unit"].disabled = True
            self.fields["duty"].disabled = True

    def clean_duty(self) -> str:
        return self.cleaned_data["duty"].strip()

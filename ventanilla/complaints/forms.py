"""Forms of the complaint pages: they check the shape of the input, services the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ventanilla.complaints import selectors
from ventanilla.complaints.models import (
    AttachmentKind,
    Axis,
    ClassificationCode,
    IdType,
    MajorKind,
    Severity,
    Source,
)
from ventanilla.core.scoping import Role
from ventanilla.customers.selectors import customer_by_number
from ventanilla.org.forms import EmployeeChoiceField, UnitChoiceField
from ventanilla.org.models import Employee, OrgUnit, OrgUnitKind
from ventanilla.org.validators import phone_validator


class CodeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: ClassificationCode) -> str:
        return f"{obj.code} · {obj.display_name}"


def code_field(axis: str, label: Any, required: bool = True) -> CodeChoiceField:
    return CodeChoiceField(
        label=label, queryset=selectors.classification_codes(axis), required=required
    )


def registering_units(user: Any) -> QuerySet[OrgUnit]:
    """Outlets and sub-branches where the user may register complaints (staff and above)."""
    return (
        OrgUnit.objects.visible_to(user, Role.STAFF)
        .filter(kind__in=[OrgUnitKind.OUTLET, OrgUnitKind.SUB_BRANCH], is_active=True)
        .order_by("path")
    )


def _datetime_widget() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ComplaintRegisterForm(forms.Form):
    unit = UnitChoiceField(label=_("Accepting unit"), queryset=OrgUnit.objects.none())
    received_at = forms.DateTimeField(label=_("Received at"), widget=_datetime_widget())
    source = forms.ChoiceField(label=_("Source"), choices=Source.choices, initial=Source.DIRECT)
    channel = code_field(Axis.CHANNEL, _("Channel"))
    business_type = code_field(Axis.BUSINESS, _("Business type"))
    cause = code_field(Axis.CAUSE, _("Cause"))
    severity = forms.ChoiceField(
        label=_("Severity"), choices=Severity.choices, initial=Severity.NORMAL
    )
    major_kind = forms.ChoiceField(
        label=_("Why major"),
        choices=[("", "—"), *MajorKind.choices],
        required=False,
        help_text=_("A major complaint alerts the unit's emergency contact (A) at once."),
    )
    complainant_name = forms.CharField(label=_("Complainant"), max_length=60)
    id_type = forms.ChoiceField(label=_("ID type"), choices=IdType.choices)
    id_number = forms.CharField(label=_("ID number"), max_length=32, required=False)
    phone = forms.CharField(label=_("Contact phone"), max_length=32, validators=[phone_validator])
    agent_name = forms.CharField(
        label=_("Agent"),
        max_length=60,
        required=False,
        help_text=_("Someone acting for the complainant, if any."),
    )
    customer = forms.CharField(
        label=_("Customer number"),
        max_length=32,
        required=False,
        help_text=_(
            "When the complainant is a customer of the bank: their relationship manager then "
            "sees the complaint."
        ),
    )
    subject_employee = EmployeeChoiceField(
        label=_("Employee complained about"), queryset=Employee.objects.none(), required=False
    )
    request = forms.CharField(label=_("Request"), widget=forms.Textarea(attrs={"rows": 3}))
    facts = forms.CharField(label=_("Facts and grounds"), widget=forms.Textarea(attrs={"rows": 5}))
    repeat_of = forms.CharField(
        label=_("Repeat of (reference)"),
        max_length=20,
        required=False,
        help_text=_(
            "A repeat with new facts is a new complaint with its own clock; one without new "
            "facts is merged into the original from the original's page instead."
        ),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["unit"].queryset = registering_units(user)
        self.fields["subject_employee"].queryset = (
            Employee.objects.visible_to(user)
            .filter(is_active=True)
            .select_related("unit")
            .order_by("staff_number")
        )
        if not self.is_bound:
            self.initial.setdefault("received_at", timezone.localtime().replace(second=0))

    def clean_repeat_of(self) -> Any:
        reference = self.cleaned_data["repeat_of"].strip().upper()
        if not reference:
            return None
        found = selectors.complaint_list(user=self.user).filter(reference=reference).first()
        if found is None:
            raise forms.ValidationError(
                _("No complaint %(ref)s among those you can see.") % {"ref": reference}
            )
        return found

    def clean_customer(self) -> Any:
        number = self.cleaned_data["customer"].strip()
        if not number:
            return None
        found = customer_by_number(number)
        if found is None:
            raise forms.ValidationError(_("No customer has the number %(n)s.") % {"n": number})
        return found

    def clean_received_at(self) -> Any:
        value = self.cleaned_data["received_at"]
        if value > timezone.now():
            raise forms.ValidationError(_("The receipt time cannot be in the future."))
        return value


class AttachmentForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=AttachmentKind.choices, initial=AttachmentKind.EVIDENCE
    )
    file = forms.FileField(label=_("File"), allow_empty_file=True)


class MajorForm(forms.Form):
    kind = forms.ChoiceField(label=_("Why major"), choices=MajorKind.choices)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class AcceptForm(forms.Form):
    handler = EmployeeChoiceField(label=_("Handler"), queryset=Employee.objects.none())
    note = forms.CharField(label=_("Note"), required=False)

    def __init__(self, *args: Any, complaint: Any, user: Any, **kwargs: Any) -> None:
        from ventanilla.complaints.services import sub_branch_of

        super().__init__(*args, **kwargs)
        sub = sub_branch_of(complaint.unit)
        self.fields["handler"].queryset = (
            Employee.objects.visible_to(user)
            .filter(is_active=True, unit__path__startswith=sub.path)
            .select_related("unit")
            .order_by("unit__path", "staff_number")
        )


class DecisionForm(forms.Form):
    decision = forms.CharField(label=_("Decision"), widget=forms.Textarea(attrs={"rows": 4}))


class CloseForm(forms.Form):
    is_accepted_by_customer = forms.TypedChoiceField(
        label=_("Did the customer accept the decision?"),
        choices=[("", "—"), ("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda v: v == "yes",
        empty_value=None,
    )
    root_cause = code_field(Axis.ROOT_CAUSE, _("Root cause"))
    corrective_action = forms.CharField(
        label=_("Corrective action"), widget=forms.Textarea(attrs={"rows": 3})
    )


class MergeForm(forms.Form):
    original = forms.CharField(
        label=_("Original complaint (reference)"),
        max_length=20,
        help_text=_("A repeat without new facts is merged into the complaint it repeats."),
    )
    note = forms.CharField(label=_("Note"), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_original(self) -> Any:
        reference = self.cleaned_data["original"].strip().upper()
        found = selectors.complaint_list(user=self.user).filter(reference=reference).first()
        if found is None:
            raise forms.ValidationError(
                _("No complaint %(ref)s among those you can see.") % {"ref": reference}
            )
        return found


class PreComplaintForm(forms.Form):
    """The few taps of a pre-complaint: where, what, who if known, resolved or not."""

    unit = UnitChoiceField(label=_("Unit"), queryset=OrgUnit.objects.none())
    what = forms.CharField(
        label=_("What was the customer unhappy about?"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    customer_name = forms.CharField(label=_("Customer (if known)"), max_length=60, required=False)
    customer_phone = forms.CharField(
        label=_("Customer phone (if known)"),
        max_length=32,
        required=False,
        validators=[phone_validator],
    )
    is_resolved_on_spot = forms.BooleanField(label=_("Resolved on the spot"), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = registering_units(user)
        self.fields["unit"].queryset = units
        if not self.is_bound and units.count() == 1:
            self.initial.setdefault("unit", units.first())

"""Forms of the customer pages; they check shape only, the services check the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ventanilla.org.models import Employee


class ManagerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Employee) -> str:
        return f"{obj.staff_number} {obj.name} · {obj.post.display_name} · {obj.unit.display_name}"


class ReassignForm(forms.Form):
    employee = ManagerChoiceField(
        label=_("New relationship manager"),
        queryset=Employee.objects.none(),
        required=False,
        empty_label=_("— none (the customer is left without a manager) —"),
    )
    on = forms.DateField(
        label=_("From"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        initial=timezone.localdate,
    )
    reason = forms.CharField(label=_("Reason"), max_length=200)

    def __init__(self, *args: Any, choices: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["employee"].queryset = choices


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))

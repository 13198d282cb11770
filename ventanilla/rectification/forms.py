"""Forms check shape only; the services check the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ventanilla.core.scoping import Role
from ventanilla.org.models import Employee, OrgUnit, OrgUnitKind
from ventanilla.rectification import indicators
from ventanilla.rectification.models import (
    Direction,
    Finding,
    PlanSource,
    RectificationPlan,
    SectionKind,
)

DATE = forms.DateInput(attrs={"type": "date"})


def managed_units(user: Any) -> Any:
    """Sub-branches and outlets where the user may write a plan."""
    return (
        OrgUnit.objects.visible_to(user, Role.MANAGER)
        .filter(kind__in=[OrgUnitKind.SUB_BRANCH, OrgUnitKind.OUTLET, OrgUnitKind.BRANCH])
        .order_by("path")
    )


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} {obj.display_name}"


class PlanForm(forms.Form):
    unit = UnitChoiceField(queryset=OrgUnit.objects.none(), label=_("Unit"))
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        required=False,
        help_text=_(
            "Left empty for a plan answering a wave: the unit's name and the plan's purpose."
        ),
    )
    period_start = forms.DateField(label=_("Period start"), widget=DATE)
    period_end = forms.DateField(label=_("Period end"), widget=DATE)
    source = forms.ChoiceField(label=_("Source"), choices=PlanSource.choices)
    source_wave = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label=_("Evaluation wave"),
        help_text=_("The evaluation this plan answers; findings can be suggested from it."),
    )
    addressee = forms.CharField(
        label=_("Addressee"),
        max_length=200,
        required=False,
        help_text=_("Left empty: the unit that ran the evaluation."),
    )
    introduction = forms.CharField(
        label=_("Introduction"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    commitment = forms.CharField(
        label=_("Closing commitment"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from ventanilla.surveys.selectors import wave_list

        self.fields["unit"].queryset = managed_units(user)
        self.fields["source_wave"].queryset = wave_list(user=user).order_by("-year", "-quarter")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The period must end on or after its start."))
        if not data.get("title") and not data.get("source_wave"):
            self.add_error("title", _("A plan that does not answer a wave needs a title."))
        return data


class PlanEditForm(forms.ModelForm):
    class Meta:
        model = RectificationPlan
        fields = ["title", "period_start", "period_end", "addressee", "introduction", "commitment"]
        widgets = {
            "period_start": DATE,
            "period_end": DATE,
            "introduction": forms.Textarea(attrs={"rows": 4}),
            "commitment": forms.Textarea(attrs={"rows": 4}),
        }


class IndicatorField(forms.ChoiceField):
    def __init__(self, *, required: bool = True, **kwargs: Any) -> None:
        super().__init__(choices=(), required=required, **kwargs)

    def valid_value(self, value: Any) -> bool:
        try:
            indicators.parse(value)
        except Exception:
            return False
        return True


class GoalForm(forms.Form):
    title = forms.CharField(label=_("Goal"), max_length=200)
    indicator = IndicatorField(label=_("Indicator"))
    baseline = forms.FloatField(label=_("Baseline"), required=False)
    target = forms.FloatField(label=_("Target"))
    deadline = forms.DateField(label=_("Deadline"), widget=DATE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = indicators.choices()


class SectionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=SectionKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)


class FindingForm(forms.Form):
    section = forms.ModelChoiceField(queryset=None, label=_("Section"))
    statement = forms.CharField(label=_("Problem"), widget=forms.Textarea(attrs={"rows": 2}))
    evidence = forms.CharField(
        label=_("Evidence"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args: Any, plan: RectificationPlan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["section"].queryset = plan.sections.all()


class EmployeeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} · {obj.unit.display_name}"


class MeasureForm(forms.Form):
    section = forms.ModelChoiceField(queryset=None, label=_("Section"))
    finding = forms.ModelChoiceField(queryset=None, label=_("Finding"), required=False)
    title = forms.CharField(label=_("Measure"), max_length=300)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    owner_department = UnitChoiceField(queryset=None, label=_("Owner department"), required=False)
    owner = EmployeeChoiceField(queryset=None, label=_("Owner"), required=False)
    start_on = forms.DateField(label=_("Start"), widget=DATE)
    due_on = forms.DateField(label=_("Due"), widget=DATE)
    indicator = IndicatorField(label=_("Indicator it should move"), required=False)
    indicator_unit = UnitChoiceField(queryset=None, label=_("Unit measured"), required=False)
    expected_direction = forms.ChoiceField(
        label=_("Expected direction"), choices=[("", "—"), *Direction.choices], required=False
    )

    def __init__(self, *args: Any, plan: RectificationPlan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = OrgUnit.objects.filter(path__startswith=plan.unit.path).order_by("path")
        self.fields["section"].queryset = plan.sections.all()
        self.fields["finding"].queryset = Finding.objects.filter(section__plan=plan)
        self.fields["owner_department"].queryset = units
        self.fields["indicator_unit"].queryset = units
        self.fields["owner"].queryset = (
            Employee.objects.filter(unit__path__startswith=plan.unit.path, is_active=True)
            .select_related("unit")
            .order_by("unit__path", "name")
        )
        self.fields["indicator"].choices = [("", "—"), *indicators.choices()]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, due = data.get("start_on"), data.get("due_on")
        if start and due and due < start:
            self.add_error("due_on", _("The due date must be on or after the start."))
        return data


class ProgressForm(forms.Form):
    noted_on = forms.DateField(label=_("Date"), widget=DATE)
    percent_done = forms.IntegerField(label=_("Percent done"), min_value=0, max_value=100)
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}))


class EvidenceForm(forms.Form):
    upload = forms.FileField(label=_("File"))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class CloseEffectiveForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("Required when no effect check shows an improvement."),
    )


class EffectCheckForm(forms.Form):
    window_days = forms.IntegerField(
        label=_("Days before and after"),
        min_value=7,
        max_value=366,
        required=False,
        help_text=_("Empty: a quarter for survey figures, 30 days for the others."),
    )


class SuggestionAcceptForm(forms.Form):
    statement = forms.CharField(label=_("Problem"), widget=forms.Textarea(attrs={"rows": 2}))
    evidence = forms.CharField(
        label=_("Evidence"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

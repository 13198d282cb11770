"""The request form: its shape only; the service checks the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ventanilla.core.errors import DomainError
from ventanilla.org.models import OrgUnit, OrgUnitKind
from ventanilla.rectification.selectors import plan_list
from ventanilla.reports.models import ReportFormat, ReportKind, ReportLanguage
from ventanilla.reports.selectors import parse_quarter


def current_quarter() -> str:
    today = timezone.localdate()
    return f"{today.year}Q{(today.month - 1) // 3 + 1}"


class ReportRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("Document"), choices=ReportKind.choices)
    plan = forms.ModelChoiceField(
        label=_("Rectification plan"),
        queryset=OrgUnit.objects.none(),
        required=False,
        to_field_name="reference",
        help_text=_("For a rectification report."),
    )
    unit = forms.ModelChoiceField(
        label=_("Unit"),
        queryset=OrgUnit.objects.none(),
        required=False,
        to_field_name="code",
        help_text=_("For a quarterly pack: a unit where you are a manager."),
    )
    quarter = forms.CharField(
        label=_("Quarter"),
        max_length=20,
        required=False,
        help_text=_("For a quarterly pack, e.g. 2026Q3."),
    )
    language = forms.ChoiceField(label=_("Language"), choices=ReportLanguage.choices)
    format = forms.ChoiceField(label=_("Format"), choices=ReportFormat.choices)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        plans = self.fields["plan"]
        plans.queryset = plan_list(user=user).order_by("-period_start", "reference")  # type: ignore[attr-defined]
        plans.label_from_instance = lambda p: f"{p.reference} · {p.unit.display_name} · {p.title}"  # type: ignore[attr-defined]
        units = self.fields["unit"]
        units.queryset = (  # type: ignore[attr-defined]
            OrgUnit.objects.visible_to(user).exclude(kind=OrgUnitKind.DEPARTMENT).order_by("path")
        )
        units.label_from_instance = lambda u: f"{u.code} · {u.display_name}"  # type: ignore[attr-defined]
        if not self.is_bound:
            self.initial.setdefault("quarter", current_quarter())
            language = (get_language() or "zh-hans").lower()
            if language in ReportLanguage.values:
                self.initial.setdefault("language", language)
            self.initial.setdefault("format", ReportFormat.DOCX)

    def clean_quarter(self) -> str:
        value = (self.cleaned_data.get("quarter") or "").strip()
        if value:
            try:
                value = parse_quarter(value).code
            except DomainError as exc:
                raise forms.ValidationError(exc.message) from exc
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        if kind == ReportKind.RECTIFICATION and not data.get("plan"):
            self.add_error("plan", _("Choose the plan to report on."))
        if kind == ReportKind.QUARTERLY_PACK:
            if not data.get("unit"):
                self.add_error("unit", _("Choose the unit of the quarterly pack."))
            if not data.get("quarter") and "quarter" not in self.errors:
                self.add_error("quarter", _("Give the quarter, e.g. 2026Q3."))
        return data

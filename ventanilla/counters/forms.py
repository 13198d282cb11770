"""Filter forms of the counters pages (shape only; scope is checked by the views)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ventanilla.counters.models import BusinessType, ErrorKind, Severity

MAX_RANGE_DAYS = 366


def _default_range() -> tuple[date, date]:
    today = timezone.localdate()
    return today.replace(day=1), today


class RangeForm(forms.Form):
    unit = forms.CharField(label=_("Unit (with subunits)"), required=False, max_length=32)
    start = forms.DateField(label=_("From"), required=False)
    end = forms.DateField(label=_("To"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        first, last = self.default_range()
        start = data.get("start") or first
        end = data.get("end") or last
        if end < start:
            raise forms.ValidationError(_("The end date is before the start date."))
        if (end - start).days >= MAX_RANGE_DAYS:
            raise forms.ValidationError(
                _("Choose a range of at most %(days)s days.") % {"days": MAX_RANGE_DAYS}
            )
        data["start"], data["end"] = start, end
        data["unit"] = (data.get("unit") or "").strip()
        return data

    def default_range(self) -> tuple[date, date]:
        return _default_range()


class DashboardForm(RangeForm):
    VIP_CHOICES = [("", _("All customers")), ("yes", _("VIP only")), ("no", _("Regular only"))]
    GROUP_CHOICES = [
        ("outlet", _("Outlet")),
        ("day", _("Day")),
        ("half_hour", _("Half hour")),
        ("business_type", _("Business type")),
        ("teller", _("Teller")),
        ("vip", _("VIP or regular")),
    ]
    vip = forms.ChoiceField(label=_("Customers"), choices=VIP_CHOICES, required=False)
    group_by = forms.ChoiceField(label=_("Per"), choices=GROUP_CHOICES, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        data["group_by"] = data.get("group_by") or "outlet"
        data["is_vip"] = {"yes": True, "no": False}.get(data.get("vip") or "")
        return data


class StaffingForm(RangeForm):
    WEEKDAYS = [
        (0, _("Monday")),
        (1, _("Tuesday")),
        (2, _("Wednesday")),
        (3, _("Thursday")),
        (4, _("Friday")),
        (5, _("Saturday")),
        (6, _("Sunday")),
    ]
    unit = forms.CharField(label=_("Outlet"), max_length=32)
    weekday = forms.TypedChoiceField(label=_("Weekday"), choices=WEEKDAYS, coerce=int)

    def default_range(self) -> tuple[date, date]:
        today = timezone.localdate()
        return today - timedelta(weeks=8), today


class LeagueForm(forms.Form):
    unit = forms.CharField(label=_("Unit (with subunits)"), required=False, max_length=32)
    month = forms.CharField(label=_("Month"), required=False, max_length=7)

    def clean_month(self) -> date:
        text = (self.cleaned_data.get("month") or "").strip()
        if not text:
            first = timezone.localdate().replace(day=1)
            return (first - timedelta(days=1)).replace(day=1)
        try:
            year, month = (int(part) for part in text.split("-"))
            return date(year, month, 1)
        except ValueError as exc:
            raise forms.ValidationError(_("Give the month as YYYY-MM, e.g. 2026-03.")) from exc


class SlowTellerForm(RangeForm):
    """A range of three months by default: enough tickets per teller to test."""

    def default_range(self) -> tuple[date, date]:
        today = timezone.localdate()
        return today - timedelta(days=90), today


class TellerErrorForm(forms.Form):
    teller = forms.CharField(label=_("Teller's staff number"), max_length=32)
    business_type = forms.ModelChoiceField(
        label=_("Business type"), queryset=BusinessType.objects.filter(is_active=True)
    )
    occurred_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label=_("Kind"), choices=ErrorKind.choices)
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

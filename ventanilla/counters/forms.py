"""Filter forms of the counters pages (shape only; scope is checked by the views)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ventanilla.counters.importing import TEMPLATE_MAPPING
from ventanilla.counters.models import BusinessType, ErrorKind, Severity, TicketMapping
from ventanilla.counters.vipselection import CRITERIA, Weights

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
    MODELS = [
        ("auto", _("Erlang A where abandonment is measured")),
        ("erlang_c", _("Erlang C (nobody gives up)")),
    ]
    unit = forms.CharField(label=_("Outlet"), max_length=32)
    weekday = forms.TypedChoiceField(label=_("Weekday"), choices=WEEKDAYS, coerce=int)
    model = forms.ChoiceField(label=_("Queue model"), choices=MODELS, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        data["model"] = data.get("model") or "auto"
        return data

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


class TellerForm(RangeForm):
    """A year up to today by default: the teller's trend by month."""

    def default_range(self) -> tuple[date, date]:
        today = timezone.localdate()
        return (today.replace(day=1) - timedelta(days=334)).replace(day=1), today


class SlowTellerForm(RangeForm):
    """A range of three months by default: enough tickets per teller to test."""

    def default_range(self) -> tuple[date, date]:
        today = timezone.localdate()
        return today - timedelta(days=90), today


# An error dated further back is refused: such a date is nearly always a mistyped year.
ERROR_MAX_AGE_MONTHS = 13


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

    def clean_occurred_on(self) -> date:
        occurred_on: date = self.cleaned_data["occurred_on"]
        today = timezone.localdate()
        if occurred_on > today:
            raise forms.ValidationError(_("An error cannot be recorded for a future date."))
        if occurred_on < earliest_error_date(today):
            raise forms.ValidationError(
                _(
                    "The date is more than %(months)s months ago: check the year. Older "
                    "errors cannot be recorded."
                )
                % {"months": ERROR_MAX_AGE_MONTHS}
            )
        return occurred_on


def earliest_error_date(today: date) -> date:
    """The first day of the month ``ERROR_MAX_AGE_MONTHS`` months before today's."""
    index = today.year * 12 + today.month - 1 - ERROR_MAX_AGE_MONTHS
    return date(index // 12, index % 12 + 1, 1)


def _default_vip_weights() -> dict[str, int]:
    weights = getattr(settings, "COUNTERS_VIP_WEIGHTS", None) or {}
    return {name: int(weights.get(name, DEFAULT_VIP_WEIGHTS[name])) for name in CRITERIA}


DEFAULT_VIP_WEIGHTS = {"business_skill": 3, "speed": 2, "marketing": 2, "service": 2, "image": 1}


class VipSelectionForm(RangeForm):
    """The unit whose candidates are ranked, the range of the speed data, the weights."""

    unit = forms.CharField(label=_("Unit (with subunits)"), max_length=32)
    business_skill = forms.IntegerField(
        label=_("Business skill"), min_value=0, max_value=10, required=False
    )
    speed = forms.IntegerField(label=_("Speed"), min_value=0, max_value=10, required=False)
    marketing = forms.IntegerField(label=_("Marketing"), min_value=0, max_value=10, required=False)
    service = forms.IntegerField(label=_("Service"), min_value=0, max_value=10, required=False)
    image = forms.IntegerField(label=_("Image"), min_value=0, max_value=10, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, weight in _default_vip_weights().items():
            self.fields[name].widget.attrs["placeholder"] = str(weight)

    def default_range(self) -> tuple[date, date]:
        today = timezone.localdate()
        return today - timedelta(days=90), today

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        defaults = _default_vip_weights()
        values = {
            name: defaults[name] if data.get(name) is None else data[name] for name in CRITERIA
        }
        try:
            data["weights"] = Weights(**values)
        except ValueError as exc:
            raise forms.ValidationError(_("At least one weight must be above 0.")) from exc
        return data


class VipScoreForm(forms.Form):
    teller = forms.CharField(label=_("Teller's staff number"), max_length=32)
    scored_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    business_skill = forms.IntegerField(label=_("Business skill"), min_value=0, max_value=100)
    marketing = forms.IntegerField(label=_("Marketing"), min_value=0, max_value=100)
    service = forms.IntegerField(label=_("Service"), min_value=0, max_value=100)
    image = forms.IntegerField(label=_("Image"), min_value=0, max_value=100)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


def mapping_label(mapping: TicketMapping) -> str:
    """A column mapping as people know it: the queue machine's maker, then its name."""
    if mapping.name == TEMPLATE_MAPPING:
        return str(_("Ventanilla template (ventanilla)"))
    return f"{mapping.vendor} ({mapping.name})" if mapping.vendor else mapping.name


class MappingChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return mapping_label(obj)


class TicketImportForm(forms.Form):
    MAX_BYTES = 200 * 1024 * 1024

    outlet = forms.CharField(
        label=_("Outlet"),
        max_length=32,
        widget=forms.TextInput(attrs={"list": "outlet-codes", "autocomplete": "off"}),
    )
    mapping = MappingChoiceField(
        label=_("Column mapping"),
        queryset=TicketMapping.objects.all(),
        to_field_name="name",
        initial=TEMPLATE_MAPPING,
    )
    file = forms.FileField(label=_("File (CSV, XLSX or tab-separated text)"))
    file_date = forms.DateField(
        label=_("Date of the file"),
        required=False,
        help_text=_("Only for files whose rows carry no date."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    dry_run = forms.BooleanField(label=_("Check only, write nothing"), required=False)

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        extension = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
        if extension not in {"csv", "xlsx", "txt", "tsv"}:
            raise forms.ValidationError(
                _("%(name)s is not a CSV, XLSX or tab-separated text file.") % {"name": upload.name}
            )
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(mb)s MB; import it with the command line.")
                % {"mb": self.MAX_BYTES // (1024 * 1024)}
            )
        return upload

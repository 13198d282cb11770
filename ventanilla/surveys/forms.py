"""Forms of the evaluation pages; they check shape only, the services check the rules."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ventanilla.core.scoping import Role
from ventanilla.org.models import OrgUnit, OrgUnitKind
from ventanilla.surveys.models import (
    AnswerScale,
    CommentLanguage,
    Dimension,
    EvaluationWave,
    Segment,
    Sentiment,
    Theme,
    WaveSource,
)
from ventanilla.surveys.services import DIMENSION_PREFIX, MAPPING_FIELDS

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
QUARTERS = [(1, "Q1"), (2, "Q2"), (3, "Q3"), (4, "Q4")]
FIELD_LABELS = {
    "respondent_ref": _("Respondent reference"),
    "segment": _("Segment"),
    "unit": _("Unit code"),
    "answered_on": _("Date answered"),
    "comment": _("Comment"),
    "comment_language": _("Comment language"),
    "customer_ref": _("Customer reference"),
    "recommend": _("Would recommend (0-10)"),
}


class WaveForm(forms.Form):
    unit = forms.ModelChoiceField(
        label=_("Run by"), queryset=OrgUnit.objects.none(), to_field_name="code"
    )
    name = forms.CharField(label=_("Name"), max_length=120)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(label=_("Quarter"), choices=QUARTERS, coerce=int)
    source = forms.ChoiceField(label=_("Source"), choices=WaveSource.choices)
    segments = forms.ModelMultipleChoiceField(
        label=_("Segments"),
        queryset=Segment.objects.all(),
        widget=forms.CheckboxSelectMultiple,
    )
    dimensions = forms.ModelMultipleChoiceField(
        label=_("Dimensions asked"),
        queryset=Dimension.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The overall score is required: units are ranked on it."),
    )
    scale = forms.ChoiceField(label=_("Answer scale"), choices=AnswerScale.choices)
    has_recommend = forms.BooleanField(
        label=_("Asks whether the customer would recommend us (0-10)"), required=False
    )
    follow_up_threshold = forms.IntegerField(
        label=_("Follow up overall scores at or below"),
        required=False,
        min_value=0,
        max_value=10,
        help_text=_(
            "Each response at or below this overall score raises a pre-complaint for the "
            "evaluated outlet. Leave empty for none."
        ),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["unit"]).queryset = OrgUnit.objects.visible_to(
            user, Role.MANAGER
        ).filter(kind__in=[OrgUnitKind.HEAD_OFFICE, OrgUnitKind.BRANCH, OrgUnitKind.SUB_BRANCH])
        today = timezone.localdate()
        self.fields["year"].initial = today.year
        self.fields["quarter"].initial = (today.month - 1) // 3 + 1
        self.fields["segments"].initial = list(Segment.objects.values_list("pk", flat=True))
        self.fields["dimensions"].initial = list(Dimension.objects.values_list("pk", flat=True))
        self.fields["scale"].initial = AnswerScale.ONE_TO_TEN


class UploadForm(forms.Form):
    wave = forms.ModelChoiceField(label=_("Wave"), queryset=EvaluationWave.objects.none())
    file = forms.FileField(
        label=_("File"), help_text=_("A .csv or .xlsx file with one response per row.")
    )

    def __init__(self, *args: Any, waves: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["wave"]).queryset = waves

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        name = (upload.name or "").lower()
        if not name.endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        return upload


def target_field(target: str) -> str:
    return "map_" + target.replace(":", "__")


class MappingForm(forms.Form):
    """One choice of column per target field, and an optional name to save the mapping."""

    save_as = forms.CharField(
        label=_("Save this mapping as"),
        max_length=80,
        required=False,
        help_text=_("Give a name to reuse the mapping with the next file of this vendor."),
    )

    def __init__(
        self, *args: Any, header: tuple[str, ...], wave: EvaluationWave, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "—")] + [(h, h) for h in header if h]
        self.targets: list[tuple[str, str]] = []
        for target in MAPPING_FIELDS:
            if target == "recommend" and not wave.has_recommend:
                continue
            self.targets.append((target, str(FIELD_LABELS[target])))
        for dimension in wave.dimensions.order_by("position"):
            self.targets.append((f"{DIMENSION_PREFIX}{dimension.code}", dimension.display_name))
        for target, label in self.targets:
            self.fields[target_field(target)] = forms.ChoiceField(
                label=label, choices=choices, required=False
            )

    def columns(self) -> dict[str, str]:
        return {
            target: self.cleaned_data[target_field(target)]
            for target, _label in self.targets
            if self.cleaned_data.get(target_field(target))
        }

    def mapping_fields(self) -> list[Any]:
        return [self[target_field(t)] for t, _label in self.targets]


class TargetRankForm(forms.Form):
    segment = forms.ModelChoiceField(label=_("Segment"), queryset=Segment.objects.all())
    rank = forms.IntegerField(label=_("Target rank"), min_value=1, max_value=999)


class FollowUpThresholdForm(forms.Form):
    threshold = forms.IntegerField(
        label=_("Follow up overall scores at or below"), required=False, min_value=0, max_value=10
    )


class ThemeConfirmForm(forms.Form):
    themes = forms.ModelMultipleChoiceField(
        label=_("Themes"),
        queryset=Theme.objects.filter(is_active=True),
        to_field_name="code",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    sentiment = forms.ChoiceField(label=_("Sentiment"), choices=Sentiment.choices)


class ThemeKeywordForm(forms.Form):
    theme = forms.ModelChoiceField(
        label=_("Theme"), queryset=Theme.objects.filter(is_active=True), to_field_name="code"
    )
    language = forms.ChoiceField(label=_("Language"), choices=CommentLanguage.choices)
    keyword = forms.CharField(label=_("Keyword"), max_length=60)
    is_decisive = forms.BooleanField(
        label=_("Forces the theme"),
        required=False,
        initial=True,
        help_text=_(
            "Checked: every comment holding the word gets the theme at once. Unchecked: a "
            "hint the model learns to weigh at its next training."
        ),
    )

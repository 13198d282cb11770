"""The upload form of the import page: it checks the file's type and size, not its rows."""

from __future__ import annotations

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from ventanilla.core.tabular import TableError, check_extension

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("A .xlsx workbook or a .csv file (UTF-8 or GBK), at most 20 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        try:
            check_extension(upload.name or "")
        except TableError as exc:
            raise forms.ValidationError(exc.message, code="extension") from exc
        if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is larger than 20 MB: split it into smaller files."), code="size"
            )
        return upload

"""Shape rules for organisation data, shared by the forms and the import."""

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

phone_validator = RegexValidator(
    r"^\+?[0-9][0-9 \-]{2,30}$",
    _("Enter a phone number made of digits, with optional spaces, dashes and a leading +."),
)
staff_number_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9_\-]*$",
    _("A staff number may contain only letters, digits, dashes and underscores."),
)

"""Abstract models shared by the domain apps; core itself keeps no table."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class UnmaskRecord(models.Model):
    """Someone was shown personal data in full (a complainant's, a customer's), and why.

    The concrete model adds what was shown, and its scope path."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("who")
    )
    reason = models.TextField(_("reason"))
    at = models.DateTimeField(_("at"))

    class Meta:
        abstract = True
        ordering = ["-at"]

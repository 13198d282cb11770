"""The record of a demo network in the database, so that only the demo is ever reset."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DemoBuild(models.Model):
    """A demo network the generator built: its scale, seed, root unit and logins.

    ``--reset`` deletes what lies under ``root_path`` and the logins listed here, and
    nothing else; without this record the generator treats existing units as real data.
    """

    scale = models.CharField(_("scale"), max_length=16)
    seed = models.BigIntegerField(_("seed"))
    as_of = models.DateField(_("as of"))
    root_path = models.CharField(_("root unit path"), max_length=255, unique=True)
    logins = models.JSONField(_("logins"), default=list)
    created_at = models.DateTimeField(_("built at"), auto_now_add=True)

    class Meta:
        verbose_name = _("demo network")
        verbose_name_plural = _("demo networks")

    def __str__(self) -> str:
        return f"{self.scale} / {self.seed} / {self.as_of:%Y-%m-%d}"

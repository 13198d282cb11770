"""Abstract models shared by the domain apps; core itself keeps no table."""

from __future__ import annotations

from typing import Any

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


class BlockRangeIndex(models.Index):
    """A block range (BRIN) index on PostgreSQL, a B-tree index elsewhere.

    For append-mostly fact tables loaded by the million (queue tickets): rows arrive in the
    order of the indexed columns, so PostgreSQL's summary of each range of pages finds them
    as well as a B-tree while costing next to nothing to keep up during a ``COPY``. SQLite
    has no such index and keeps a B-tree.
    """

    def create_sql(self, model: Any, schema_editor: Any, using: str = "", **kwargs: Any) -> Any:
        if schema_editor.connection.vendor == "postgresql":
            using = " USING brin"
        return super().create_sql(model, schema_editor, using=using, **kwargs)

"""`manage.py counters_monthly`: rebuild the monthly tables from the daily rollups."""

from datetime import date, datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _

from ventanilla.counters.models import QueueDayRollup
from ventanilla.counters.rollups import monthly_rebuild


def _month(value: str) -> date:
    try:
        return datetime.strptime(value, "%Y-%m").date()  # noqa: DTZ007 - a calendar month
    except ValueError as error:
        raise CommandError(
            _("A month is written YYYY-MM, got %(value)s.") % {"value": value}
        ) from error


class Command(BaseCommand):
    def add_arguments(self, parser: CommandParser) -> None:
        # Set here rather than as `help` so that it is translated in the active language.
        parser.description = _(
            "Rebuild the monthly queue and teller tables from the daily rollups, for every "
            "month that has rollups or for one; idempotent (run once after upgrading)."
        )
        parser.add_argument("--month", type=_month, help=_("Only this month (YYYY-MM)."))

    def handle(self, *args: Any, **options: Any) -> None:
        rollups = QueueDayRollup.objects.order_by()
        if options["month"] is not None:
            first = options["month"]
            rollups = rollups.filter(service_on__year=first.year, service_on__month=first.month)
        months = set(
            rollups.annotate(month=TruncMonth("service_on"))
            .values_list("outlet_id", "month")
            .distinct()
        )
        with transaction.atomic():
            written = monthly_rebuild(months=months)
        self.stdout.write(_("%(rows)s monthly rows written.") % {"rows": written})

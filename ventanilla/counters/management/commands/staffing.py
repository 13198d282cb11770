"""`ventanilla staffing`: windows needed for a service-level target, from the command line."""

import json
import math
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from ventanilla.counters import staffing

ARGUMENTS = (
    "--arrivals",
    "--interval-minutes",
    "--handling-seconds",
    "--target-seconds",
    "--service-level",
    "--patience-seconds",
    "--max-occupancy",
)


class Command(BaseCommand):
    # Pure arithmetic: nothing here depends on the database or the project's checks.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        # Set here rather than as `help` so that it is translated in the active language.
        parser.description = _(
            "Windows needed in one interval to serve a share of customers within a target wait "
            "(Erlang C; Erlang A when a mean patience is given)."
        )
        parser.add_argument(
            "--arrivals", type=float, required=True, help=_("Customers arriving in the interval.")
        )
        parser.add_argument(
            "--interval-minutes", type=float, required=True, help=_("Length of the interval.")
        )
        parser.add_argument(
            "--handling-seconds",
            type=float,
            required=True,
            help=_("Mean handling time, in seconds."),
        )
        parser.add_argument(
            "--target-seconds", type=float, required=True, help=_("Target wait, in seconds.")
        )
        parser.add_argument(
            "--service-level",
            type=float,
            required=True,
            help=_("Share of customers to serve within the target wait, between 0 and 1."),
        )
        parser.add_argument(
            "--patience-seconds",
            type=float,
            help=_("Mean time customers wait before leaving the queue (switches to Erlang A)."),
        )
        parser.add_argument(
            "--max-occupancy",
            type=float,
            help=_("Highest share of time a window may be busy, above 0 and at most 1."),
        )
        parser.add_argument("--json", action="store_true", help=_("Print one JSON object."))

    def handle(self, *args: Any, **options: Any) -> None:
        for option in ARGUMENTS:
            value = options[option.lstrip("-").replace("-", "_")]
            if value is not None and not math.isfinite(value):
                raise CommandError(
                    _option_error(
                        option, _("%(option)s must be a finite number, got %(value)s."), value
                    )
                )
        arrivals = options["arrivals"]
        interval = options["interval_minutes"]
        handling = options["handling_seconds"]
        target_seconds = options["target_seconds"]
        level = options["service_level"]
        patience = options["patience_seconds"]
        max_occupancy = options["max_occupancy"]
        problems = [
            (
                "--arrivals",
                arrivals < 0,
                _("%(option)s must be zero or more, got %(value)s."),
                arrivals,
            ),
            (
                "--interval-minutes",
                interval <= 0,
                _("%(option)s must be above zero, got %(value)s."),
                interval,
            ),
            (
                "--handling-seconds",
                handling <= 0,
                _("%(option)s must be above zero, got %(value)s."),
                handling,
            ),
            (
                "--target-seconds",
                target_seconds < 0,
                _("%(option)s must be zero or more, got %(value)s."),
                target_seconds,
            ),
            (
                "--service-level",
                not 0 < level < 1,
                _("%(option)s must be between 0 and 1, exclusive, got %(value)s."),
                level,
            ),
            (
                "--patience-seconds",
                patience is not None and patience <= 0,
                _("%(option)s must be above zero, got %(value)s."),
                patience,
            ),
            (
                "--max-occupancy",
                max_occupancy is not None and not 0 < max_occupancy <= 1,
                _("%(option)s must be above 0 and at most 1, got %(value)s."),
                max_occupancy,
            ),
        ]
        for option, is_wrong, problem, value in problems:
            if is_wrong:
                raise CommandError(_option_error(option, problem, value))

        try:
            result = staffing.size_windows(
                arrival_rate=arrivals / (interval * 60.0),
                handling_seconds=handling,
                target=staffing.ServiceTarget(
                    target_seconds=target_seconds,
                    service_level=level,
                    max_occupancy=max_occupancy,
                ),
                patience_seconds=patience,
            )
        except ValueError as exc:
            # Only a load beyond any counter hall gets here: the inputs were checked above.
            raise CommandError(
                _("No number of windows meets this target: %(reason)s") % {"reason": exc}
            ) from exc

        if options["json"]:
            self.stdout.write(json.dumps(_as_json(result, arrivals, interval, level)))
        else:
            self.stdout.write(_as_text(result))


def _option_error(option: str, message: str, value: float) -> str:
    return message % {"option": option, "value": f"{value:g}"}


def _as_json(
    result: staffing.StaffingMetrics, arrivals: float, interval: float, level: float
) -> dict[str, Any]:
    return {
        "model": result.model,
        "windows": result.servers,
        "arrivals": arrivals,
        "interval_minutes": interval,
        "handling_seconds": result.handling_seconds,
        "target_seconds": result.target_seconds,
        "service_level_target": level,
        "patience_seconds": result.patience_seconds,
        "offered_load_erlangs": result.offered_load,
        "service_level": result.service_level,
        "probability_wait": result.probability_wait,
        "average_wait_seconds": result.average_wait_seconds,
        "occupancy": result.occupancy,
        "abandonment": result.abandonment,
    }


def _as_text(result: staffing.StaffingMetrics) -> str:
    model = _("Erlang A") if result.model == staffing.ERLANG_A else _("Erlang C")
    rows = [
        (_("Model"), model),
        (_("Offered load"), _("%(load).2f Erlangs") % {"load": result.offered_load}),
        (_("Windows needed"), str(result.servers)),
        (
            _("Service level (served within %(seconds)s s)")
            % {"seconds": f"{result.target_seconds:g}"},
            f"{result.service_level:.4f}",
        ),
        (_("Probability of waiting"), f"{result.probability_wait:.4f}"),
        (_("Average wait"), _("%(seconds).2f s") % {"seconds": result.average_wait_seconds}),
        (_("Occupancy"), f"{result.occupancy:.4f}"),
    ]
    if result.abandonment is not None:
        rows.append((_("Probability of abandoning"), f"{result.abandonment:.4f}"))
    width = max(len(label) for label, _value in rows)
    return "\n".join(f"{label + ':':<{width + 1}} {value}" for label, value in rows)

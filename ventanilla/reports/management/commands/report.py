"""``ventanilla report rectification|quarterly-pack ...``: a document written to a file.

``report rectification --plan REF`` (or ``--unit CODE`` for the unit's latest plan) and
``report quarterly-pack --unit CODE --quarter 2026Q3``, each with ``--lang`` and
``--format``. The document is read through the scope of the ``--as`` user; without it, of
the first active superuser (the operator). Bad input writes nothing and exits with 1.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404
from django.utils.translation import gettext as _

from ventanilla.core.errors import DomainError
from ventanilla.rectification import selectors as plans
from ventanilla.reports.generation import produce
from ventanilla.reports.models import ReportFormat, ReportKind, ReportLanguage
from ventanilla.reports.selectors import parse_quarter, unit_get
from ventanilla.reports.services import check_pack_author


class Command(BaseCommand):
    help = "Write a rectification report or a quarterly service-quality pack to a file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=list(ReportKind.values))
        parser.add_argument("--plan", metavar="REF", help="The plan (rectification report).")
        parser.add_argument(
            "--unit",
            metavar="CODE",
            help="The unit: its latest plan (rectification report) or the pack's unit.",
        )
        parser.add_argument("--quarter", metavar="YYYYQn", help="The quarter, e.g. 2026Q3.")
        parser.add_argument("--lang", choices=list(ReportLanguage.values), default="zh-hans")
        parser.add_argument("--format", choices=list(ReportFormat.values), required=True)
        parser.add_argument("--output", metavar="FILE", required=True)
        parser.add_argument(
            "--as",
            dest="username",
            metavar="USERNAME",
            help="Read as this user, within their scope (default: the first superuser).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        output = Path(options["output"])
        fmt = options["format"]
        if output.suffix.lower() != f".{fmt}":
            raise CommandError(
                _("The output file must end in .%(ext)s for --format %(ext)s.") % {"ext": fmt}
            )
        if not output.parent.is_dir():
            raise CommandError(_("No such folder: %(path)s") % {"path": output.parent})
        user = self._actor(options["username"])
        try:
            target = self._target(user, options)
            content = produce(
                user=user,
                kind=options["kind"],
                language=options["lang"],
                fmt=fmt,
                on_step=lambda pct, text: (
                    self.stderr.write(f"{pct:3d}% {text}") if options["verbosity"] > 1 else None
                ),
                **target,
            )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        # Written beside the target and renamed, so a failure never leaves half a file.
        partial = output.with_name(f".{output.name}.partial")
        partial.write_bytes(content)
        os.replace(partial, output)
        self.stdout.write(
            self.style.SUCCESS(
                _("Wrote %(path)s (%(size)d bytes).") % {"path": output, "size": len(content)}
            )
        )

    def _target(self, user: Any, options: dict[str, Any]) -> dict[str, Any]:
        unit = None
        if options["unit"]:
            try:
                unit = unit_get(user=user, code=options["unit"])
            except Http404:
                raise CommandError(
                    _("No unit with code %(code)s in your scope.") % {"code": options["unit"]}
                ) from None
        if options["kind"] == ReportKind.RECTIFICATION:
            if options["quarter"]:
                raise CommandError(_("--quarter applies to the quarterly pack only."))
            if options["plan"]:
                try:
                    plan = plans.plan_get(user=user, reference=options["plan"])
                except Http404:
                    raise CommandError(
                        _("No plan %(ref)s in your scope.") % {"ref": options["plan"]}
                    ) from None
                if unit is not None and plan.unit_id != unit.pk:
                    raise CommandError(
                        _("Plan %(ref)s belongs to %(unit)s, not to %(code)s.")
                        % {"ref": plan.reference, "unit": plan.unit.code, "code": unit.code}
                    )
            elif unit is not None:
                try:
                    plan = plans.latest_plan_for_unit(user=user, unit=unit)
                except Http404:
                    raise CommandError(
                        _("%(unit)s has no rectification plan.") % {"unit": unit.code}
                    ) from None
            else:
                raise CommandError(_("Give --plan REF or --unit CODE."))
            return {"plan": plan}
        if options["plan"]:
            raise CommandError(_("--plan applies to the rectification report only."))
        if unit is None or not options["quarter"]:
            raise CommandError(_("The quarterly pack needs --unit CODE and --quarter YYYYQn."))
        quarter = parse_quarter(options["quarter"])
        check_pack_author(user, unit)
        return {"unit": unit, "quarter": quarter}

    def _actor(self, username: str | None) -> Any:
        users = get_user_model().objects
        if username is None:
            user = users.filter(is_superuser=True, is_active=True).order_by("pk").first()
            if user is None:
                raise CommandError(_("There is no superuser to read as; give --as USERNAME."))
            return user
        user = users.filter(username=username).first()
        if user is None:
            raise CommandError(_("No user named %(username)s.") % {"username": username})
        if not user.is_active:
            raise CommandError(_("The user %(username)s is inactive.") % {"username": username})
        return user

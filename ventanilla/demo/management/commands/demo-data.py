"""`ventanilla demo-data`: build the demo branch network, with its six logins."""

from __future__ import annotations

import time
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from ventanilla.core.errors import DomainError
from ventanilla.demo.generator import PASSWORD, SCALES, build_demo, summarize
from ventanilla.org.models import OrgUnitKind


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(
            _("--as-of must be a date written YYYY-MM-DD, not %(value)r.") % {"value": value}
        ) from error


class Command(BaseCommand):
    @property
    def help(self) -> str:  # type: ignore[override]
        # A property, so that the text is translated into the language active when the help
        # is shown; argparse needs a plain string.
        return _(
            "Build a realistic demo network (head office, branches, sub-branches, outlets, "
            "staff, groups and emergency contacts) with the logins admin, president, "
            "outlet_head, teller, auditor and other_teller, all with the password 'demo'. "
            "The same seed and as-of date give the same network."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale",
            choices=list(SCALES),
            default="subbranch",
            help=_(
                "subbranch: the Xiangcheng sub-branch and its Suzhou peers (default); "
                "city: the Suzhou branch, about 100 outlets; "
                "province: 13 city branches, about 1,000 outlets and 15,000 staff."
            ),
        )
        parser.add_argument("--seed", type=int, default=1, help=_("Random seed (default 1)."))
        parser.add_argument(
            "--as-of",
            dest="as_of",
            default=None,
            help=_("The day the data leads up to, YYYY-MM-DD (default today)."),
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help=_("Delete the demo network already in the database first."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        as_of = _date(options["as_of"]) if options["as_of"] else None
        started = time.perf_counter()
        try:
            ctx = build_demo(
                scale=options["scale"], seed=options["seed"], reset=options["reset"], as_of=as_of
            )
        except DomainError as error:
            raise CommandError(error.message) from error
        elapsed = time.perf_counter() - started
        summary = summarize(ctx)
        out = self.stdout.write
        out(
            self.style.SUCCESS(
                _(
                    "Demo network built in %(seconds).1f s "
                    "(scale %(scale)s, seed %(seed)s, as of %(as_of)s)."
                )
                % {
                    "seconds": elapsed,
                    "scale": ctx.scale,
                    "seed": ctx.seed,
                    "as_of": ctx.as_of.isoformat(),
                }
            )
        )
        labels = dict(OrgUnitKind.choices)
        out(_("Units:"))
        for kind, count in summary.units_by_kind.items():
            out(f"  {labels[kind]:<14} {count:>6}")
        out(
            _("Staff: %(active)d active, %(inactive)d inactive; %(second)d second posts.")
            % {
                "active": summary.staff_active,
                "inactive": summary.staff_inactive,
                "second": summary.second_posts,
            }
        )
        out(
            _("Groups: %(groups)d with %(members)d members. Emergency contacts: %(contacts)d.")
            % {
                "groups": summary.groups,
                "members": summary.members,
                "contacts": summary.contacts,
            }
        )
        out(_("Logins (password: %(password)s):") % {"password": PASSWORD})
        for username, name, post, unit in summary.logins:
            out(f"  {username:<16} {name:<5} {post} · {unit}")

"""``ventanilla import KIND FILE``: import a CSV or XLSX file, every row or none.

The kinds are the importers that apps register in their ``importing`` module (``org`` for
units and employees). Without ``--as`` the command runs as the operator, with full rights;
with it, the named user's scope applies as on the import page.
"""

from __future__ import annotations

import inspect
import time
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from ventanilla.core.tabular import TableError, check_extension, importers

EXTRA_OPTIONS = {
    "mapping": "--mapping",
    "outlet": "--outlet",
    "wave": "--wave",
    "file_date": "--date",
}


class ProgressLines:
    """How far an import has come, a line at a time on ``stream``: at most one a second, and
    the end of each step once one was written, so that a file read in under a second shows
    none. Called with the step's name, what is done and the total."""

    def __init__(self, stream: TextIO, every: float = 1.0) -> None:
        self.stream = stream
        self.every = every
        self.started = self.last = time.monotonic()

    def __call__(self, step: str, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.started < self.every or (now - self.last < self.every and done < total):
            return
        self.last = now
        percent = 100 * done // total if total else 100
        self.stream.write(
            _("%(step)s: %(done)s of %(total)s (%(percent)s%%)")
            % {"step": step, "done": f"{done:,}", "total": f"{total:,}", "percent": percent}
            + "\n"
        )


class Command(BaseCommand):
    help = "Import a CSV or XLSX file (all rows or none); `import org FILE` for units and staff."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", help="What the file holds: " + ", ".join(importers()))
        parser.add_argument("file", nargs="?", help="The .csv or .xlsx file to import.")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Validate the file and report what would change, writing nothing.",
        )
        parser.add_argument(
            "--as",
            dest="username",
            metavar="USERNAME",
            help="Import as this user, within their scope (default: the operator, all rights).",
        )
        parser.add_argument(
            "--template",
            metavar="FILE.xlsx",
            help="Write an empty workbook with the right sheets and headers, and stop.",
        )
        # Options some kinds need: each kind takes those its importer's run() accepts.
        parser.add_argument("--mapping", metavar="NAME", help="The saved column mapping to use.")
        parser.add_argument("--outlet", metavar="CODE", help="The outlet the file comes from.")
        parser.add_argument("--wave", metavar="ID", type=int, help="The evaluation wave.")
        parser.add_argument(
            "--date",
            dest="file_date",
            metavar="YYYY-MM-DD",
            type=date.fromisoformat,
            help="The date of a file whose times carry no date.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        available = importers()
        importer = available.get(options["kind"])
        if importer is None:
            raise CommandError(
                _("Unknown kind of data %(kind)s; choose one of: %(kinds)s")
                % {"kind": options["kind"], "kinds": ", ".join(available) or "-"}
            )
        if options["template"]:
            if options["file"]:
                raise CommandError(_("Give either a file to import or --template, not both."))
            self._write_template(importer.template(), Path(options["template"]))
            return
        if not options["file"]:
            raise CommandError(_("Give the file to import (or --template FILE.xlsx)."))
        path = Path(options["file"])
        extensions = getattr(importer, "extensions", None)
        try:
            if extensions is None or path.suffix.lower().lstrip(".") not in extensions:
                check_extension(path.name)
        except TableError as exc:
            raise CommandError(exc.message) from exc
        if not path.is_file():
            raise CommandError(_("File not found: %(path)s") % {"path": path})
        actor = self._actor(options["username"])
        extra = self._extra(importer, options)
        if "progress" in inspect.signature(importer.run).parameters:
            extra["progress"] = ProgressLines(self.stderr)
        result = importer.run(
            actor=actor,
            data=path.read_bytes(),
            filename=path.name,
            dry_run=options["dry_run"],
            **extra,
        )
        if result.errors:
            for issue in result.errors:
                self.stderr.write(str(issue))
            raise CommandError(
                _("%(count)s error(s) in %(file)s; nothing was imported.")
                % {"count": len(result.errors), "file": path.name}
            )
        for line in result.summary_lines():
            self.stdout.write(line)
        if options["dry_run"]:
            self.stdout.write(_("Dry run: nothing was written."))
        else:
            self.stdout.write(self.style.SUCCESS(_("Imported %(file)s.") % {"file": path.name}))

    def _extra(self, importer: Any, options: dict[str, Any]) -> dict[str, Any]:
        """The kind-specific options given, refusing those this kind does not take."""
        accepted = inspect.signature(importer.run).parameters
        extra = {}
        for name, flag in EXTRA_OPTIONS.items():
            if options.get(name) is None:
                continue
            if name not in accepted:
                raise CommandError(
                    _("%(flag)s does not apply to importing %(kind)s.")
                    % {"flag": flag, "kind": importer.kind}
                )
            extra[name] = options[name]
        return extra

    def _actor(self, username: str | None) -> Any:
        if username is None:
            return None
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(_("No user named %(username)s.") % {"username": username})
        if not user.is_active:
            raise CommandError(_("The user %(username)s is inactive.") % {"username": username})
        return user

    def _write_template(self, data: bytes, path: Path) -> None:
        if path.suffix.lower() != ".xlsx":
            raise CommandError(_("The template is a workbook: give a file name ending in .xlsx."))
        if not path.parent.is_dir():
            raise CommandError(_("No such folder: %(path)s") % {"path": path.parent})
        path.write_bytes(data)
        self.stdout.write(_("Wrote %(path)s.") % {"path": path})

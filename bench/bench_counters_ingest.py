"""Queue-ticket ingest on SQLite: tickets per second, against a row-by-row ``save()`` baseline.

Run it alone: ``.venv/bin/python bench/bench_counters_ingest.py [--repeat N]``.
It migrates a SQLite database in a temporary directory (the production SQLite settings),
imports the Technion "Anonymous Bank" call log of January 1999 (../shared/data, 31,599
calls, tab-separated, times without dates) through its saved column mapping, with every
row checked and the rollups rebuilt, and compares with the plainest way to store the same
tickets: one ``QueueTicket.save()`` per row, without checks or rollups.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "anonymous_bank_callcenter_1999_january.txt"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="runs of each (best is kept)")
    args = parser.parse_args()
    if not DATA.is_file():
        sys.exit(f"The data file is missing: {DATA}")

    with tempfile.TemporaryDirectory(prefix="ventanilla-bench-") as tmp:
        os.environ["VENTANILLA_VAR_DIR"] = tmp
        os.environ.pop("DATABASE_URL", None)
        os.environ["DJANGO_SETTINGS_MODULE"] = "ventanilla.settings.base"
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import transaction

        from ventanilla.counters.models import (
            BusinessType,
            QueueDayRollup,
            QueueTicket,
            TicketMapping,
        )
        from ventanilla.counters.services import ticket_import
        from ventanilla.org.models import Employee, OrgUnit, Post

        call_command("migrate", verbosity=0)
        data = DATA.read_bytes()
        with DATA.open(newline="") as handle:
            rows = list(csv.DictReader(handle, delimiter="\t"))
        root = OrgUnit.objects.add_root({"code": "BENCH", "name": "Bench", "kind": "sub_branch"})
        outlet = OrgUnit.objects.add_child(
            root, {"code": "BENCH01", "name": "Bench outlet", "kind": "outlet"}
        )
        post = Post.objects.get(code="teller")
        for code in {r["type"] for r in rows}:
            BusinessType.objects.get_or_create(
                code=code, defaults={"name": code, "segment": "personal", "standard_seconds": 300}
            )
        for agent in {r["server"] for r in rows} - {"NO_SERVER"}:
            Employee.objects.create(staff_number=agent, name=agent, unit=outlet, post=post)
        mapping = TicketMapping.objects.get(name="technion-anonymous-bank")

        def clear() -> None:
            QueueDayRollup.objects.all().delete()
            QueueTicket.objects.all().delete()

        best_import = best_again = float("inf")
        for _ in range(args.repeat):
            clear()
            started = time.perf_counter()
            result = ticket_import(
                actor=None, outlet=outlet, data=data, filename=DATA.name, mapping=mapping
            )
            best_import = min(best_import, time.perf_counter() - started)
            if result.errors:
                sys.exit("\n".join(str(issue) for issue in result.errors[:20]))
            started = time.perf_counter()
            ticket_import(actor=None, outlet=outlet, data=data, filename=DATA.name, mapping=mapping)
            best_again = min(best_again, time.perf_counter() - started)

        rollups = QueueDayRollup.objects.count()
        tickets = list(QueueTicket.objects.order_by("pk"))
        best_save = float("inf")
        for _ in range(args.repeat):
            clear()
            started = time.perf_counter()
            with transaction.atomic():
                for ticket in tickets:
                    ticket.pk = None
                    ticket.save()
            best_save = min(best_save, time.perf_counter() - started)

        count = len(tickets)
        print(f"tickets: {count}  rollups after import: {rollups}")
        print(f"{'path':<44} {'seconds':>8} {'tickets/s':>10}")
        for label, seconds in (
            ("import (checked, bulk insert, rollups)", best_import),
            ("same file again (checked, writes nothing)", best_again),
            ("baseline: save() per row, one transaction", best_save),
        ):
            print(f"{label:<44} {seconds:8.2f} {count / seconds:10.0f}")
        print(f"import / baseline throughput: {best_save / best_import:.2f}x")


if __name__ == "__main__":
    main()

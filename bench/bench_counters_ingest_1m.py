"""A 1M-ticket queue-machine file through the import path, against a plain load of the file.

Run it alone: ``.venv/bin/python bench/bench_counters_ingest_1m.py [--db postgres|sqlite|both]
[--tickets N] [--postgres URL]``.

It writes a CSV of N generated tickets (default 1,000,000) of one busy outlet, in the
``ventanilla`` template's columns, and imports it with ``ticket_import`` (every row read
through the saved mapping and checked, new tickets by ``COPY`` on PostgreSQL or batched
``executemany`` on SQLite, the rollups of every day rebuilt, all in one transaction). The
baseline is the plainest load of the same file into the same database: on PostgreSQL a
``COPY ... FROM STDIN (FORMAT csv)`` into a bare table of the same columns (no index, no
constraint, no check), on SQLite ``csv.reader`` and ``executemany`` into such a table.
On PostgreSQL it also measures a floor: the stored tickets, copied out and ``COPY``-ed back
into an empty table of the tickets table's columns, indexes and constraints.
Each timed load starts once the system has written out what is pending (the generated file;
on PostgreSQL, a ``CHECKPOINT``), untimed, so that none pays for what came before it.
PostgreSQL runs in a scratch database (``ventanilla_bench``) dropped at the end; SQLite in a
temporary folder. Each database is measured in a process of its own.
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432"
SCRATCH = "ventanilla_bench"
HEADER = (
    "service_on",
    "ticket_number",
    "business_type",
    "is_vip",
    "customer_ref",
    "issued_at",
    "called_at",
    "started_at",
    "ended_at",
    "window",
    "teller",
    "outcome",
)
BARE_TABLE = """CREATE TABLE bench_bare_tickets (
    service_on date, ticket_number varchar(32), business_type varchar(32), is_vip {boolean},
    customer_ref varchar(64), issued_at {stamp}, called_at {stamp}, started_at {stamp},
    ended_at {stamp}, "window" varchar(16), teller varchar(32), outcome varchar(16))"""
TELLERS = 40


def _setup_django(database_url: str | None, tmp: str) -> None:
    os.environ["VENTANILLA_VAR_DIR"] = tmp
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "ventanilla.settings.base"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _write_csv(path: Path, tickets: int) -> tuple[object, int]:
    """The file, generated; returns the outlet and the rows written."""
    from datetime import date

    import numpy as np
    from django.utils import timezone

    from ventanilla.counters import ticketgen
    from ventanilla.counters.demo import type_table
    from ventanilla.counters.models import BusinessType
    from ventanilla.org.models import Employee, OrgUnit, Post

    root = OrgUnit.objects.add_root({"code": "BENCH", "name": "Bench", "kind": "sub_branch"})
    outlet = OrgUnit.objects.add_child(
        root, {"code": "BENCH01", "name": "Bench outlet", "kind": "outlet"}
    )
    post = Post.objects.get(code="teller")
    tellers = [
        Employee.objects.create(
            staff_number=f"B{n:05d}", name=f"Teller {n}", unit=outlet, post=post
        )
        for n in range(TELLERS)
    ]
    staff = {e.pk: e.staff_number for e in tellers}
    types = type_table()
    assert types is not None
    codes = dict(BusinessType.objects.values_list("pk", "code"))
    type_codes = [codes[int(pk)] for pk in types.ids]
    plan = ticketgen.plan_outlet(
        np.random.default_rng(1), outlet.pk, list(staff), types=types, monthly_tickets=30_000
    )
    days = ticketgen.all_days(date(2026, 10, 31), tickets // 900 + 30)
    zone = timezone.get_default_timezone()
    written = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(HEADER)
        for chunk in ticketgen.ticket_chunks([plan], days, types, zone=zone):
            for i in range(len(chunk)):
                if written >= tickets:
                    break
                day = date.fromordinal(int(chunk.day[i])).isoformat()
                vip = bool(chunk.is_vip[i])
                window = int(chunk.window[i])
                teller = int(chunk.teller_id[i])
                out.writerow(
                    (
                        day,
                        f"{'V' if vip else 'A'}{int(chunk.number[i]):03d}",
                        type_codes[int(chunk.type_index[i])],
                        "1" if vip else "0",
                        "",
                        _local(day, int(chunk.issued[i])),
                        _local(day, int(chunk.called[i])),
                        _local(day, int(chunk.started[i])),
                        _local(day, int(chunk.ended[i])),
                        str(window) if window else "",
                        staff[teller] if teller >= 0 else "",
                        ticketgen.OUTCOME_VALUES[int(chunk.outcome[i])],
                    )
                )
                written += 1
            if written >= tickets:
                break
    return outlet, written


def _local(day: str, seconds: int) -> str:
    """A local date and time as the template writes it; empty for none (-1)."""
    if seconds < 0:
        return ""
    return f"{day} {seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def _settle() -> None:
    """Start a timed load with nothing left to write from before: the generated file and, on
    PostgreSQL, a checkpoint, or the system writes them out during whichever load comes next."""
    from django.db import connection

    os.sync()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("CHECKPOINT")


def _baseline(path: Path) -> float:
    """Seconds to load the file into a bare table by the database's plainest path."""
    from django.db import connection

    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_bare_tickets")
        cursor.execute(
            BARE_TABLE.format(
                boolean="boolean" if postgres else "bool",
                stamp="timestamptz" if postgres else "datetime",
            )
        )
    _settle()
    started = time.perf_counter()
    with connection.cursor() as cursor:
        if postgres:
            with (
                cursor.cursor.copy(
                    "COPY bench_bare_tickets FROM STDIN (FORMAT csv, HEADER true)"
                ) as copy,
                path.open("rb") as handle,
            ):
                while block := handle.read(1 << 20):
                    copy.write(block)
        else:
            marks = ", ".join(["%s"] * len(HEADER))
            sql = f"INSERT INTO bench_bare_tickets VALUES ({marks})"  # noqa: S608
            with path.open(newline="", encoding="utf-8") as handle:
                reader = csv.reader(handle)
                next(reader)
                batch: list[list[str]] = []
                for row in reader:
                    batch.append(row)
                    if len(batch) >= 5000:
                        cursor.executemany(sql, batch)
                        batch = []
                if batch:
                    cursor.executemany(sql, batch)
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM bench_bare_tickets")
        loaded = cursor.fetchone()[0]
        cursor.execute("DROP TABLE bench_bare_tickets")
    print(f"baseline rows loaded: {loaded:,}")
    return seconds


def _floor() -> float:
    """PostgreSQL: seconds to ``COPY`` the stored tickets, already converted, into an empty
    table with the tickets table's columns, indexes and constraints: what the database itself
    needs to store them in this schema, before any reading, checking or rollup."""
    from django.db import connection

    with connection.cursor() as cursor:
        raw = cursor.cursor
        buffer = bytearray()
        with raw.copy("COPY counters_queueticket TO STDOUT") as copy:
            for block in copy:
                buffer += block
        cursor.execute("DROP TABLE IF EXISTS bench_floor_tickets")
        cursor.execute("CREATE TABLE bench_floor_tickets (LIKE counters_queueticket INCLUDING ALL)")
    _settle()
    started = time.perf_counter()
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy("COPY bench_floor_tickets FROM STDIN") as copy,
    ):
        view = memoryview(buffer)
        for start in range(0, len(buffer), 1 << 20):
            copy.write(view[start : start + (1 << 20)])
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_floor_tickets")
    return seconds


def run(db: str, tickets: int, postgres: str) -> None:
    """Measure one database, in this process."""
    with tempfile.TemporaryDirectory(prefix="ventanilla-bench-") as tmp:
        url = f"{postgres}/{SCRATCH}" if db == "postgres" else None
        _setup_django(url, tmp)
        from django.db import connection

        from ventanilla.counters.models import QueueDayRollup, QueueTicket, TicketMapping
        from ventanilla.counters.services import ticket_import

        path = Path(tmp) / "tickets.csv"
        started = time.perf_counter()
        outlet, rows = _write_csv(path, tickets)
        print(f"[{db}] file: {rows:,} tickets, {path.stat().st_size / 1e6:.0f} MB, "
              f"written in {time.perf_counter() - started:.1f} s")  # fmt: skip
        data = path.read_bytes()
        mapping = TicketMapping.objects.get(name="ventanilla")
        _settle()
        started = time.perf_counter()
        result = ticket_import(
            actor=None, outlet=outlet, data=data, filename=path.name, mapping=mapping
        )
        imported = time.perf_counter() - started
        if result.errors:
            sys.exit("\n".join(str(issue) for issue in result.errors[:20]))
        del data
        stored = QueueTicket.objects.count()
        rollups = QueueDayRollup.objects.count()
        baseline = _baseline(path)
        floor = _floor() if db == "postgres" else None
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        plain = "COPY (csv) into a bare table" if db == "postgres" else "executemany, bare table"
        print(f"[{db}] tickets stored: {stored:,}  rollups: {rollups:,}  peak RSS {peak:,.0f} MB")
        print(f"[{db}] {'path':<46} {'seconds':>8} {'tickets/s':>10}")
        lines = [
            ("import (checked, bulk insert, rollups)", imported),
            (f"baseline: {plain}", baseline),
        ]
        if floor is not None:
            lines.append(("floor: COPY of the stored rows, same schema", floor))
        for label, seconds in lines:
            print(f"[{db}] {label:<46} {seconds:8.2f} {rows / seconds:10,.0f}")
        print(f"[{db}] import / baseline throughput: {baseline / imported:.3f} (goal >= 0.5 on "
              "PostgreSQL)")  # fmt: skip
        if floor is not None:
            print(f"[{db}] floor / baseline throughput: {baseline / floor:.3f} (the schema "
                  "alone, no rollups)")  # fmt: skip
        connection.close()


def _scratch(postgres: str, action: str) -> None:
    import psycopg

    with psycopg.connect(f"{postgres}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {SCRATCH} WITH (FORCE)")
        if action == "create":
            conn.execute(f"CREATE DATABASE {SCRATCH}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("postgres", "sqlite", "both"), default="both")
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES, help="server URL, no database")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run(args.db, args.tickets, args.postgres)
        return
    for db in ("postgres", "sqlite") if args.db == "both" else (args.db,):
        if db == "postgres":
            _scratch(args.postgres, "create")
        try:
            command = [sys.executable, __file__, "--child", "--db", db,
                       "--tickets", str(args.tickets), "--postgres", args.postgres]  # fmt: skip
            subprocess.run(command, check=True)
        finally:
            if db == "postgres":
                _scratch(args.postgres, "drop")


if __name__ == "__main__":
    main()

"""League and percentile tables of a month from the monthly tables, against DuckDB on raw
Parquet.

Run it alone: ``.venv/bin/python bench/bench_counters_rollups.py [--scale city|province]
[--repeat N]``.

It builds the demo network of the scale (city: about 100 outlets; province: about 1,000)
in a SQLite database in a temporary folder, generates a month (November 2026) of tickets
for every outlet (about 6,000 each: 600,000 and 6 million) with ``counters/ticketgen.py``
and writes, chunk by chunk, their rollups into the database and the raw tickets into a
Parquet file. The tickets themselves are not inserted into the database: the tables read
rollups only, and the 6 million rows would add an hour of inserts to the run. The monthly
tables are then summed from the rollups by ``rollups.monthly_rebuild``, the path every
import and the demo take (timed on its own).

Then the same figures are computed both ways:

- the monthly league table (tickets served per teller, weighted by standard time, ranked in
  the outlet and overall): ``selectors.league_table``;
- the percentile tables per outlet and per business type (tickets, mean, median and 90th
  percentile of waiting and transaction time, service level, no-show and abandonment
  rates): ``selectors.queue_figures`` for the whole month, as the pages call it;
- the same three tables by DuckDB straight from the Parquet file, with exact quantiles.

It checks that the counts agree, prints both times and their ratio (goal: the product at
least 10x faster than DuckDB), and the largest difference between a percentile of the
product and the exact one (bound: one 30 s bucket).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MONTH = date(2026, 11, 1)
DAYS = 30
SEED = 1


def _best(repeat: int, work: Any) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - started)
    return best, result


def main() -> None:  # noqa: PLR0915 - one run, told in order
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=("city", "province"), default="city")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each read (best kept)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="ventanilla-bench-") as tmp:
        os.environ["VENTANILLA_VAR_DIR"] = tmp
        os.environ.pop("DATABASE_URL", None)
        os.environ["DJANGO_SETTINGS_MODULE"] = "ventanilla.settings.base"
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        import duckdb
        import numpy as np
        import pyarrow as pa
        import pyarrow.parquet as pq
        from django.core.management import call_command
        from django.db import transaction
        from django.utils import timezone

        from ventanilla.counters import histogram, selectors, ticketgen
        from ventanilla.counters.demo import OUTLET_MONTHLY_TICKETS, type_table
        from ventanilla.counters.models import (
            BusinessType,
            MonthlyQueueFigures,
            MonthlyTellerFigures,
        )
        from ventanilla.counters.rollups import day_rollups_insert, monthly_rebuild
        from ventanilla.demo.generator import build_demo

        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        ctx = build_demo(scale=args.scale, seed=SEED, as_of=date(2026, 12, 1), history=[])
        outlets = [o for group in ctx.outlets.values() for o in group]
        types = type_table()
        assert types is not None
        teller_post = ctx.posts["teller"].pk
        rng = np.random.default_rng(SEED)
        staffed = [
            (outlet, [e.pk for e in ctx.active_staff(outlet.code) if e.post_id == teller_post])
            for outlet in outlets
        ]
        staffed = [(outlet, tellers) for outlet, tellers in staffed if tellers]
        sizes = rng.uniform(0.7, 1.3, len(staffed))
        sizes = sizes / sizes.mean() * OUTLET_MONTHLY_TICKETS
        plans = [
            ticketgen.plan_outlet(rng, outlet.pk, tellers, types=types, monthly_tickets=size)
            for (outlet, tellers), size in zip(staffed, sizes.tolist(), strict=True)
        ]
        days = ticketgen.all_days(date(2026, 11, 30), DAYS)
        zone = timezone.get_default_timezone()
        parquet = Path(tmp) / "tickets.parquet"
        schema = pa.schema(
            [
                ("outlet_id", pa.int64()),
                ("service_on", pa.date32()),
                ("business_type_id", pa.int64()),
                ("teller_id", pa.int64()),
                ("is_vip", pa.bool_()),
                ("issued_at", pa.timestamp("s", tz="UTC")),
                ("called_at", pa.timestamp("s", tz="UTC")),
                ("started_at", pa.timestamp("s", tz="UTC")),
                ("ended_at", pa.timestamp("s", tz="UTC")),
                ("outcome", pa.string()),
            ]
        )
        outcomes = np.array(ticketgen.OUTCOME_VALUES, dtype=object)
        epoch_day = date(1970, 1, 1).toordinal()
        tickets = rollups = 0

        def stamps(chunk: ticketgen.Chunk, seconds: np.ndarray) -> pa.Array:
            return pa.array(chunk.utc_midnight + seconds, mask=seconds < 0).cast(
                pa.timestamp("s", tz="UTC")
            )

        with pq.ParquetWriter(parquet, schema) as writer, transaction.atomic():
            for chunk in ticketgen.ticket_chunks(plans, days, types, zone=zone):
                rollups += day_rollups_insert(ticketgen.rollup_rows(chunk, types))
                tickets += len(chunk)
                table = pa.table(
                    {
                        "outlet_id": chunk.outlet_id,
                        "service_on": pa.array(chunk.day - epoch_day, pa.int32()).cast(pa.date32()),
                        "business_type_id": types.ids[chunk.type_index],
                        "teller_id": pa.array(chunk.teller_id, mask=chunk.teller_id < 0),
                        "is_vip": chunk.is_vip,
                        "issued_at": stamps(chunk, chunk.issued),
                        "called_at": stamps(chunk, chunk.called),
                        "started_at": stamps(chunk, chunk.started),
                        "ended_at": stamps(chunk, chunk.ended),
                        "outcome": pa.array(outcomes[chunk.outcome], pa.string()),
                    },
                    schema=schema,
                )
                writer.write_table(table)
        generated = time.perf_counter() - started
        print(
            f"scale {args.scale}: {len(plans):,} outlets, {tickets:,} tickets in {DAYS} days, "
            f"{rollups:,} day rollup rows, Parquet {parquet.stat().st_size / 1e6:.0f} MB; "
            f"built in {generated:.0f} s"
        )

        started = time.perf_counter()
        with transaction.atomic():
            monthly_rebuild(months={(plan.outlet_id, MONTH) for plan in plans})
        monthly_build = time.perf_counter() - started
        monthly_rows = (MonthlyQueueFigures.objects.count(), MonthlyTellerFigures.objects.count())
        print(
            f"monthly tables: {monthly_rows[0]:,} figures rows + {monthly_rows[1]:,} teller "
            f"rows, built from the rollups in {monthly_build:.1f} s"
        )

        admin = ctx.logins["admin"]
        root = ctx.root
        first, last = days[0], days[-1]
        wait_target = selectors.WAIT_TARGET_SECONDS
        vip_target = selectors.VIP_WAIT_TARGET_SECONDS

        def from_product() -> tuple[list, dict, dict]:
            league = selectors.league_table(user=admin, unit=root, month=MONTH)
            tables = {}
            for name, group_by in (("outlet", "outlet"), ("type", "business_type")):
                report = selectors.queue_figures(
                    user=admin, unit=root, start=first, end=last, group_by=group_by
                )
                tables[name] = {
                    f.key: (
                        f.tickets, f.mean_wait, f.median_wait, f.p90_wait, f.service_level,
                        f.mean_handle, f.median_handle, f.p90_handle, f.no_show_rate,
                        f.abandon_rate,
                    )
                    for f in report.rows
                }  # fmt: skip
            return league, tables["outlet"], tables["type"]

        standards = dict(BusinessType.objects.values_list("pk", "standard_seconds"))
        con = duckdb.connect()
        con.execute("CREATE TABLE standards (business_type_id BIGINT, standard_seconds BIGINT)")
        con.executemany("INSERT INTO standards VALUES (?, ?)", list(standards.items()))
        source = f"read_parquet('{parquet}')"
        figures_sql = f"""
            WITH t AS (
                SELECT *, epoch(called_at) - epoch(issued_at) AS wait,
                       epoch(ended_at) - epoch(coalesce(started_at, called_at)) AS handle
                FROM {source} WHERE service_on BETWEEN DATE '{first}' AND DATE '{last}')
            SELECT {{key}}, count(*), avg(wait), quantile_cont(wait, 0.5),
                   quantile_cont(wait, 0.9),
                   count(*) FILTER (WHERE wait < CASE WHEN is_vip THEN {vip_target}
                                                      ELSE {wait_target} END) / count(wait),
                   avg(handle), quantile_cont(handle, 0.5), quantile_cont(handle, 0.9),
                   count(*) FILTER (WHERE outcome = 'no_show') / count(*),
                   count(*) FILTER (WHERE outcome = 'abandoned') / count(*)
            FROM t GROUP BY {{key}}"""  # noqa: S608 - our own names
        league_sql = f"""
            WITH s AS (
                SELECT outlet_id, teller_id, count(*) AS served,
                       sum(standard_seconds) / 60.0 AS weighted
                FROM {source} JOIN standards USING (business_type_id)
                WHERE outcome = 'served' AND teller_id IS NOT NULL
                  AND service_on BETWEEN DATE '{first}' AND DATE '{last}'
                GROUP BY outlet_id, teller_id)
            SELECT outlet_id, teller_id, served, weighted,
                   rank() OVER (PARTITION BY outlet_id ORDER BY served DESC),
                   rank() OVER (ORDER BY served DESC)
            FROM s"""  # noqa: S608

        def from_parquet() -> tuple[list, dict, dict]:
            league = con.execute(league_sql).fetchall()
            by_outlet = {r[0]: r[1:] for r in con.execute(figures_sql.format(key="outlet_id"))
                         .fetchall()}  # fmt: skip
            by_type = {r[0]: r[1:] for r in con.execute(figures_sql.format(key="business_type_id"))
                       .fetchall()}  # fmt: skip
            return league, by_outlet, by_type

        product_seconds, (league, by_outlet, by_type) = _best(args.repeat, from_product)
        duck_seconds, (duck_league, duck_outlet, duck_type) = _best(args.repeat, from_parquet)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

        # The same figures: counts equal, ranks equal, percentiles within a bucket.
        assert {(r.outlet.pk, r.teller.pk): r.served for r in league} == {
            (r[0], r[1]): r[2] for r in duck_league
        }
        assert {(r.outlet.pk, r.teller.pk): r.rank_in_outlet for r in league} == {
            (r[0], r[1]): r[4] for r in duck_league
        }
        worst = {"median wait": 0.0, "p90 wait": 0.0, "median handle": 0.0, "p90 handle": 0.0}
        where = {name: "" for name in worst}
        checked = 0
        for name, mine, exact in (("outlet", by_outlet, duck_outlet), ("type", by_type, duck_type)):
            assert mine.keys() == exact.keys(), name
            for key, figures in mine.items():
                other = exact[key]
                assert figures[0] == other[0], (name, key)
                assert abs(figures[4] - other[4]) < 1e-9, (name, key, "service level")
                for label, index in (("median wait", 2), ("p90 wait", 3), ("median handle", 6),
                                     ("p90 handle", 7)):  # fmt: skip
                    error = abs(figures[index] - other[index])
                    checked += 1
                    if error > worst[label]:
                        worst[label], where[label] = error, f"{name} {key}"
        print(f"{'reading the month':<52} {'seconds':>8}")
        print(f"{'monthly tables: league + outlet and type tables':<52} {product_seconds:8.3f}")
        print(f"{'baseline: DuckDB on Parquet, exact quantiles':<52} {duck_seconds:8.3f}")
        print(f"monthly tables / DuckDB speed: {duck_seconds / product_seconds:.1f}x (goal >= 10x)")
        print(f"league rows {len(league):,}; percentile rows {len(by_outlet):,} outlets + "
              f"{len(by_type):,} types; peak RSS {peak:,.0f} MB")  # fmt: skip
        print(f"largest percentile error, monthly tables vs exact ({checked:,} values; bucket "
              f"{histogram.BUCKET_SECONDS} s):")  # fmt: skip
        for label, error in worst.items():
            print(f"  {label:<14} {error:6.2f} s  ({where[label]})")
        assert max(worst.values()) <= histogram.BUCKET_SECONDS


if __name__ == "__main__":
    main()

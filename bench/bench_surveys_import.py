"""Survey-response import on SQLite: responses per second through a column mapping.

Run it alone: ``.venv/bin/python bench/bench_surveys_import.py [--rows N] [--repeat N]``.
It migrates a SQLite database in a temporary directory (the production SQLite settings),
writes a CSV of N responses (default 100,000; nine dimension scores, a recommend answer and a
Chinese comment on a third of them) over 60 outlets, imports it through a column mapping
with every row checked (audit entries included), imports it again (everything unchanged),
and compares with a baseline of plain ``bulk_create`` of the same rows without checks.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIMS = (
    "overall",
    "staff_attitude",
    "waiting_time",
    "fees",
    "online_banking",
    "loan_process",
    "product_information",
    "environment_facilities",
    "professional_competence",
)


def make_csv(rows: int, outlets: list[str]) -> bytes:
    rng = random.Random(1)
    out = io.StringIO()
    out.write("ref,segment,unit,date," + ",".join(DIMS) + ",recommend,comment\n")
    segments = ("corporate", "high_end_individual", "mass_individual")
    start = date(2026, 7, 1)
    for i in range(rows):
        scores = ",".join(str(rng.randint(1, 10)) for _ in DIMS)
        comment = "排队时间太长，窗口太少" if i % 3 == 0 else ""
        out.write(
            f"R{i:07d},{rng.choice(segments)},{rng.choice(outlets)},"
            f"{start + timedelta(days=rng.randrange(90))},{scores},{rng.randint(0, 10)},"
            f"{comment}\n"
        )
    return out.getvalue().encode("utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=1, help="runs of each (best is kept)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="ventanilla-bench-") as tmp:
        os.environ["VENTANILLA_VAR_DIR"] = tmp
        os.environ.pop("DATABASE_URL", None)
        os.environ["DJANGO_SETTINGS_MODULE"] = "ventanilla.settings.base"
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from django.core.management import call_command

        from ventanilla.org.models import OrgUnit
        from ventanilla.surveys.importing import responses_import
        from ventanilla.surveys.models import (
            Dimension,
            EvaluationWave,
            Response,
            ResponseScore,
            Segment,
        )

        call_command("migrate", verbosity=0)
        root = OrgUnit.objects.add_root({"code": "BENCH", "name": "Bench", "kind": "branch"})
        outlets = []
        for s in range(6):
            sub = OrgUnit.objects.add_child(
                root, {"code": f"B{s}", "name": f"Sub {s}", "kind": "sub_branch"}
            )
            for o in range(10):
                outlets.append(
                    OrgUnit.objects.add_child(
                        sub, {"code": f"B{s}{o:02d}", "name": "o", "kind": "outlet"}
                    ).code
                )
        wave = EvaluationWave.objects.create(
            name="bench",
            year=2026,
            quarter=3,
            source="third_party",
            unit=root,
            scale="1-10",
            has_recommend=True,
        )
        wave.segments.set(Segment.objects.all())
        wave.dimensions.set(Dimension.objects.all())
        columns = {
            "respondent_ref": "ref",
            "segment": "segment",
            "unit": "unit",
            "answered_on": "date",
            "recommend": "recommend",
            "comment": "comment",
            **{f"dim:{d}": d for d in DIMS},
        }
        data = make_csv(args.rows, outlets)

        def clear() -> None:
            Response.objects.all().delete()

        if os.environ.get("BENCH_PROFILE"):
            import cProfile

            cProfile.runctx(
                "responses_import(actor=None, wave=wave, columns=columns, data=data,"
                " filename='b.csv', dry_run=False)",
                globals(),
                locals(),
                sort="cumulative",
            )
            return
        best_import = best_again = float("inf")
        for _ in range(args.repeat):
            clear()
            started = time.perf_counter()
            result = responses_import(
                actor=None,
                wave=wave,
                columns=columns,
                data=data,
                filename="b.csv",
                dry_run=False,
            )
            best_import = min(best_import, time.perf_counter() - started)
            if result.errors:
                sys.exit("\n".join(str(issue) for issue in result.errors[:20]))
            started = time.perf_counter()
            again = responses_import(
                actor=None,
                wave=wave,
                columns=columns,
                data=data,
                filename="b.csv",
                dry_run=False,
            )
            best_again = min(best_again, time.perf_counter() - started)
            assert again.counts["responses"].unchanged == args.rows

        responses = list(Response.objects.order_by("pk"))
        scores = list(ResponseScore.objects.order_by("pk"))
        best_bulk = float("inf")
        for _ in range(args.repeat):
            clear()
            started = time.perf_counter()
            for r in responses:
                r.pk = None
            Response.objects.bulk_create(responses, batch_size=2000)
            by_ref = {r.respondent_ref: r.pk for r in responses}
            del by_ref
            for s, r in zip(scores, [r for r in responses for _ in DIMS], strict=True):
                s.pk = None
                s.response_id = r.pk
            ResponseScore.objects.bulk_create(scores, batch_size=10000)
            best_bulk = min(best_bulk, time.perf_counter() - started)

        n = args.rows
        print(f"responses: {n}  scores: {n * len(DIMS)}")
        print(f"{'path':<48} {'seconds':>8} {'responses/s':>12}")
        for label, seconds in (
            ("import (checked, bulk insert, audit entries)", best_import),
            ("same file again (checked, writes nothing)", best_again),
            ("baseline: bulk_create only, no checks/audit", best_bulk),
        ):
            print(f"{label:<48} {seconds:8.2f} {n / seconds:12.0f}")
        print(f"import / baseline time: {best_import / best_bulk:.2f}x")


if __name__ == "__main__":
    main()

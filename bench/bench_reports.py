"""Generating the demo plan's rectification report: seconds per format against a baseline.

Run it alone: ``.venv/bin/python bench/bench_reports.py [--var-dir DIR] [--repeat N]``.
Without ``--var-dir`` it builds the demo (``demo-data --scale subbranch --seed 1 --reset``)
in a scratch directory first; with it, it reads the demo database already there. Each
format is timed end to end as the background task runs it (reading the plan through the
user's scope, drawing the charts, laying out, writing the file), in Chinese, and compared
with rendering a trivial one-paragraph document in the same format in the same run.
Goal: under 10 s each.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FORMATS = ("docx", "pdf", "html")
GOAL_SECONDS = 10.0


def timed(fn, repeat: int) -> tuple[float, float, int]:  # type: ignore[no-untyped-def]
    runs = []
    size = 0
    for _ in range(repeat):
        started = time.perf_counter()
        size = len(fn())
        runs.append(time.perf_counter() - started)
    return min(runs), statistics.median(runs), size


def run(var_dir: str, repeat: int, build: bool) -> int:
    os.environ["VENTANILLA_VAR_DIR"] = var_dir
    os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "ventanilla.settings.base"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.utils import translation

    from ventanilla.org.models import OrgUnit
    from ventanilla.rectification.selectors import latest_plan_for_unit
    from ventanilla.reports.document import Document, Paragraph, render
    from ventanilla.reports.generation import produce

    if build:
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        call_command("demo-data", "--scale", "subbranch", "--seed", "1", "--reset", verbosity=0)
        print(f"demo built in {time.perf_counter() - started:.1f} s")
    user = get_user_model().objects.filter(is_superuser=True).order_by("pk").first()
    unit = OrgUnit.objects.get(code="XC")
    plan = latest_plan_for_unit(user=user, unit=unit)
    measures = sum(1 for s in plan.sections.all() for _m in s.measures.all())
    print(f"plan {plan.reference}: {plan.sections.count()} sections, {measures} measures")

    def trivial(fmt: str) -> bytes:
        with translation.override("zh-hans"):
            doc = Document(language="zh-hans", title="基准")
            doc.add(Paragraph("一段文字。"))
            return render(doc, fmt, "reports/rectification.html")

    def report(fmt: str) -> bytes:
        return produce(user=user, kind="rectification", language="zh-hans", fmt=fmt, plan=plan)

    for fmt in FORMATS:  # warm-up: imports, fonts, template loading
        trivial(fmt)
    print(f"{'format':<6} {'baseline s':>10} {'report s':>9} {'median s':>9} {'ratio':>6} "
          f"{'bytes':>9}  goal < {GOAL_SECONDS:.0f} s")  # fmt: skip
    failed = 0
    for fmt in FORMATS:
        base, _base_median, _ = timed(lambda fmt=fmt: trivial(fmt), repeat)
        best, median, size = timed(lambda fmt=fmt: report(fmt), repeat)
        ok = median < GOAL_SECONDS
        failed += not ok
        print(f"{fmt:<6} {base:>10.3f} {best:>9.3f} {median:>9.3f} {best / base:>5.1f}x "
              f"{size:>9,}  {'ok' if ok else 'OVER'}")  # fmt: skip
    return failed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--var-dir", help="A directory holding the demo database already.")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if args.var_dir:
        sys.exit(1 if run(args.var_dir, args.repeat, build=False) else 0)
    with tempfile.TemporaryDirectory(prefix="ventanilla-bench-") as tmp:
        sys.exit(1 if run(tmp, args.repeat, build=True) else 0)


if __name__ == "__main__":
    main()

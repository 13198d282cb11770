"""How long the demo generator takes: the subbranch and province scales on SQLite.

Run it alone: ``.venv/bin/python bench/bench_demo.py [--seed N] [--repeat N]``.
It migrates a SQLite database in a temporary directory (the production SQLite settings:
WAL, synchronous NORMAL), builds each scale, deletes it with the generator's reset, and
prints the times, the rows written per second and the ratio province / subbranch.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCALES = ("subbranch", "province")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=1, help="builds per scale (best is kept)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="ventanilla-bench-") as tmp:
        os.environ["VENTANILLA_VAR_DIR"] = tmp
        os.environ.pop("DATABASE_URL", None)
        os.environ["DJANGO_SETTINGS_MODULE"] = "ventanilla.settings.base"
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from django.core.management import call_command

        from ventanilla.demo.generator import build_demo, reset_demo, summarize

        call_command("migrate", verbosity=0)
        best: dict[str, float] = {}
        print(f"{'scale':<10} {'units':>6} {'outlets':>7} {'staff':>6} {'rows':>7} "
              f"{'build s':>8} {'rows/s':>8} {'reset s':>8}")  # fmt: skip
        for scale in SCALES:
            for _ in range(args.repeat):
                started = time.perf_counter()
                ctx = build_demo(scale=scale, seed=args.seed)
                built = time.perf_counter() - started
                started = time.perf_counter()
                reset_demo()
                reset = time.perf_counter() - started
                best[scale] = min(best.get(scale, built), built)
            summary = summarize(ctx)
            rows = (
                len(ctx.units)
                + len(ctx.employees)
                + len(ctx.assignments)
                + len(ctx.groups)
                + len(ctx.memberships)
                + len(ctx.contacts)
            )
            print(
                f"{scale:<10} {len(ctx.units):>6} {summary.units_by_kind['outlet']:>7} "
                f"{len(ctx.employees):>6} {rows:>7} {best[scale]:>8.2f} "
                f"{rows / best[scale]:>8.0f} {reset:>8.2f}"
            )
        ratio = best["province"] / best["subbranch"]
        print(f"province / subbranch build time: {ratio:.1f}x")


if __name__ == "__main__":
    main()

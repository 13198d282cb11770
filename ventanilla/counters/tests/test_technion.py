"""The Technion "Anonymous Bank" call log of January 1999, imported through its saved mapping.

The file is read from ../shared/data (never copied into the repository); its figures from
the rollups must equal a direct computation from the file.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import pytest

from ventanilla.core.tabular import importer_for
from ventanilla.counters.models import QueueTicket
from ventanilla.counters.rollups import cell_rows
from ventanilla.counters.tests.factories import BusinessTypeFactory
from ventanilla.org.models import Employee
from ventanilla.org.tests.factories import EmployeeFactory

DATA = (
    Path(__file__).resolve().parents[4]
    / "shared"
    / "data"
    / "anonymous_bank_callcenter_1999_january.txt"
)
EMPTY = "0:00:00"


def seconds(text: str) -> int:
    hours, minutes, secs = (int(part) for part in text.split(":"))
    return hours * 3600 + minutes * 60 + secs


def direct_figures(rows: list[dict[str, str]]) -> tuple[dict[str, float], float]:
    """Per-agent mean service time and the abandonment share, straight from the file."""
    service: dict[str, list[int]] = defaultdict(list)
    for r in rows:
        if r["server"] == "NO_SERVER" or EMPTY in (r["ser_start"], r["ser_exit"]):
            continue
        service[r["server"]].append((seconds(r["ser_exit"]) - seconds(r["ser_start"])) % 86400)
    means = {agent: sum(values) / len(values) for agent, values in service.items()}
    abandoned = sum(1 for r in rows if r["outcome"] == "HANG") / len(rows)
    return means, abandoned


@pytest.mark.django_db
def test_technion_log_gives_the_figures_of_the_file(network):
    if not DATA.is_file():
        pytest.fail(f"The shared data file is missing: {DATA}")
    with DATA.open(newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    for code in {r["type"] for r in rows}:
        BusinessTypeFactory(code=code)
    for agent in {r["server"] for r in rows} - {"NO_SERVER"}:
        EmployeeFactory(staff_number=agent, unit=network.outlet_a)

    result = importer_for("tickets").run(
        actor=None,
        data=DATA.read_bytes(),
        filename=DATA.name,
        dry_run=False,
        mapping="technion-anonymous-bank",
        outlet=network.outlet_a.code,
    )

    assert result.errors == []
    assert result.counts["tickets"].created == len(rows) == 31599
    means, abandoned = direct_figures(rows)
    sums: dict[str, list[float]] = defaultdict(lambda: [0.0, 0])
    totals = [0, 0]
    staff = dict(Employee.objects.values_list("pk", "staff_number"))
    for rollup in cell_rows():
        totals[0] += rollup.abandoned
        totals[1] += rollup.tickets
        if rollup.teller_id is not None and rollup.handle_count:
            sums[staff[rollup.teller_id]][0] += rollup.handle_seconds
            sums[staff[rollup.teller_id]][1] += rollup.handle_count
    from_rollups = {agent: total / count for agent, (total, count) in sums.items()}
    assert from_rollups.keys() == means.keys()
    for agent, mean in means.items():
        assert from_rollups[agent] == pytest.approx(mean, abs=1e-6), agent
    assert totals[0] / totals[1] == pytest.approx(abandoned, abs=1e-12)
    assert QueueTicket.objects.filter(is_vip=True).count() == sum(
        1 for r in rows if r["priority"] == "2"
    )
    again = importer_for("tickets").run(
        actor=None,
        data=DATA.read_bytes(),
        filename=DATA.name,
        dry_run=True,
        mapping="technion-anonymous-bank",
        outlet=network.outlet_a.code,
    )
    assert again.counts["tickets"].unchanged == 31599

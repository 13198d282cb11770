"""Day rollups: one row per outlet and day holding its cells packed, read back cell for cell."""

from __future__ import annotations

import importlib
from datetime import date
from types import SimpleNamespace

import numpy as np
import pytest

from ventanilla.counters import rollups
from ventanilla.counters.models import BusinessType, QueueDayRollup
from ventanilla.counters.rollups import CellRow

DAY = date(2026, 3, 2)


def cells(outlet_id: int, type_ids: list[int], teller_id: int | None) -> list[CellRow]:
    made = []
    for i in range(12):
        day = DAY if i % 3 else date(2026, 3, 3)
        made.append(
            CellRow(
                outlet_id=outlet_id,
                service_on=day,
                half_hour=18 + i % 5,
                business_type_id=type_ids[i % len(type_ids)],
                teller_id=None if i % 4 == 0 else teller_id,
                is_vip=i % 6 == 0,
                tickets=5 + i,
                served=3 + i,
                no_show=1,
                abandoned=1 if i % 2 else 0,
                transferred=0 if i % 2 else 1,
                wait_count=4 + i,
                wait_seconds=600.5 * (i + 1),
                wait_histogram={"3": 2, "10": 2 + i} if i % 5 else {"0": 4 + i},
                handle_count=3 + i,
                handle_seconds=200.25 * (i + 1),
                handle_squares=40000.0 * (i + 1),
                handle_histogram={"6": 3 + i},
                windows=sorted({"3", "VIP窗口", f"A{i % 3}"}) if i % 7 else [],
            )
        )
    return made


def ordered(rows: list[CellRow]) -> list[CellRow]:
    return sorted(rows, key=lambda c: (c.outlet_id, c.service_on, c.half_hour,
                                       c.business_type_id, c.teller_id or -1,
                                       c.is_vip))  # fmt: skip


@pytest.mark.django_db
def test_cells_written_packed_read_back_the_same(network):
    type_ids = list(BusinessType.objects.values_list("pk", flat=True)[:3])
    teller = network.teller_a.employee.pk
    written = cells(network.outlet_a.pk, type_ids, teller) + cells(
        network.outlet_b.pk, type_ids, teller
    )
    assert rollups.day_rollups_insert(rollups.day_rows_of_cells(written)) == 4
    assert QueueDayRollup.objects.count() == 4  # two outlets, two days
    assert ordered(rollups.cell_rows()) == ordered(written)
    day_row = QueueDayRollup.objects.get(outlet=network.outlet_a, service_on=DAY)
    assert day_row.tickets == sum(c.tickets for c in written[:12] if c.service_on == DAY)


@pytest.mark.django_db
def test_a_subset_keeps_its_buckets_and_windows(network):
    type_ids = list(BusinessType.objects.values_list("pk", flat=True)[:3])
    written = cells(network.outlet_a.pk, type_ids, network.teller_a.employee.pk)
    rollups.day_rollups_insert(rollups.day_rows_of_cells(written))
    every = rollups.read_cells(QueueDayRollup.objects.all())
    vip = every.take(every.is_vip)
    assert ordered(rollups.cell_rows_of(vip)) == ordered([c for c in written if c.is_vip])
    waits = vip.histograms("wait", np.zeros(len(vip), dtype=np.int64), 1)
    assert waits.sum() == sum(sum(c.wait_histogram.values()) for c in written if c.is_vip)


@pytest.mark.django_db
def test_upgrade_packs_the_rollups_of_one_row_a_cell(network):
    """The migration to day rollups turns every rollup of the former layout into a cell."""
    migration = importlib.import_module("ventanilla.counters.migrations.0011_day_rollups")
    type_ids = list(BusinessType.objects.values_list("pk", flat=True)[:3])
    former = cells(network.outlet_a.pk, type_ids, network.teller_a.employee.pk)

    class Former:
        class objects:  # noqa: N801 - stands for a model's manager
            @staticmethod
            def order_by(*fields: str) -> SimpleNamespace:
                rows = sorted(
                    (SimpleNamespace(**vars(c)) for c in former),
                    key=lambda r: tuple(
                        -1 if getattr(r, f) is None else getattr(r, f) for f in fields
                    ),
                )
                return SimpleNamespace(iterator=lambda chunk_size: iter(rows))

    models = {"QueueRollup": Former, "QueueDayRollup": QueueDayRollup}
    apps = SimpleNamespace(get_model=lambda app, name: models[name])
    migration.pack_rollups(apps, None)
    assert QueueDayRollup.objects.count() == 2
    assert ordered(rollups.cell_rows()) == ordered(former)


@pytest.mark.django_db
def test_a_day_beyond_the_compact_bounds_is_packed_wide(network):
    """Counts are packed in 16 bits: a day with a cell of more tickets is packed wide, and
    read back with the compact days around it, in the order of the rows."""
    n = 65_536
    type_id = BusinessType.objects.values_list("pk", flat=True).first()
    busy = rollups.TicketColumns(
        outlet_id=np.full(n + 3, network.outlet_a.pk),
        day=np.array([DAY.toordinal()] * n + [DAY.toordinal() + 1] * 3),
        half_hour=np.full(n + 3, 20),
        type_id=np.full(n + 3, type_id),
        teller_id=np.full(n + 3, -1),
        is_vip=np.zeros(n + 3, dtype=bool),
        outcome=np.zeros(n + 3, dtype=np.int64),
        wait=np.full(n + 3, 60.0),
        handle=np.full(n + 3, np.nan),
        window=np.ones(n + 3, dtype=np.int64),
        window_labels=["", "3"],
    )
    rows = rollups.day_rollup_rows(busy)
    assert [row[-1] for row in rows] == [True, False]  # wide, then compact
    rollups.day_rollups_insert(rows)
    quiet = rollups.day_rows_of_cells(
        [CellRow(network.outlet_b.pk, DAY, 21, type_id, None, False, tickets=2, served=2)]
    )
    rollups.day_rollups_insert(quiet)
    read = rollups.cells_of(
        QueueDayRollup.objects.order_by("service_on", "outlet_id").values_list(*rollups.READ_FIELDS)
    )
    cells = rollups.cell_rows_of(read)
    assert [(c.outlet_id, c.service_on, c.tickets) for c in cells] == [
        (network.outlet_a.pk, DAY, n),
        (network.outlet_b.pk, DAY, 2),
        (network.outlet_a.pk, date(2026, 3, 3), 3),
    ]
    assert cells[0].wait_histogram == {"2": n} and cells[0].windows == ["3"]
    assert cells[2].wait_histogram == {"2": 3} and cells[2].windows == ["3"]

"""COPY's binary format built from whole numpy columns."""

from __future__ import annotations

import struct
from datetime import UTC, date, datetime

import numpy as np
import pytest
from django.db import connection, models

from ventanilla.core.bulk import BinaryColumn, binary_rows, copy_binary_blocks
from ventanilla.core.testing import need


class CopiedRow(models.Model):
    """A row of every type the binary COPY writes; its table exists only inside a test."""

    small = models.IntegerField(null=True)
    big = models.BigIntegerField(null=True)
    flag = models.BooleanField(null=True)
    ratio = models.FloatField(null=True)
    day = models.DateField(null=True)
    moment = models.DateTimeField(null=True)
    label = models.TextField(null=True)
    code = models.TextField(null=True)

    class Meta:
        app_label = "core"
        managed = False


FIELDS = ("small", "big", "flag", "ratio", "day", "moment", "label", "code")
CODES = ["ventanilla 3", "", "柜台"]
TEXTS = ["", "中文 客户", "back\\slash", "tab\there", "new\nline\r\n", "\\N", "plain", "x" * 300]
ROWS = len(TEXTS)
# Every other row NULL, offset per column so that each row holds a different mix.
PRESENT = [np.arange(ROWS) % 2 != column % 2 for column in range(len(FIELDS))]


def columns(present: list[np.ndarray | None]) -> list[BinaryColumn]:
    moments = [
        datetime(1969, 7, 20, 20, 17, 40, tzinfo=UTC),
        datetime(1999, 12, 31, 23, 59, 59, tzinfo=UTC),
        datetime(2000, 1, 1, tzinfo=UTC),
        datetime(2026, 11, 29, 8, 30, 1, tzinfo=UTC),
    ]
    days = [date(1, 1, 1), date(1999, 12, 31), date(2000, 1, 1), date(2026, 2, 28)]
    return [
        BinaryColumn("int4", np.array([-(2**31), -1, 0, 2**31 - 1] * 2), present[0]),
        BinaryColumn("int8", np.array([-(2**63), -42, 0, 2**63 - 1] * 2), present[1]),
        BinaryColumn("bool", np.array([True, False] * 4), present[2]),
        BinaryColumn("float8", np.array([-1.5, 0.0, 1e-300, 3.25e12] * 2), present[3]),
        BinaryColumn("date", np.array([d.toordinal() for d in days] * 2), present[4]),
        BinaryColumn(
            "timestamptz", np.array([int(m.timestamp()) for m in moments] * 2), present[5]
        ),
        BinaryColumn("text", np.array(TEXTS, dtype=np.dtypes.StringDType()), present[6]),
        BinaryColumn("text", np.array([0, 1, 2, 1, 0, 2, 2, 1]), present[7], labels=CODES),
    ]


def expected(present: list[np.ndarray | None]) -> list[tuple]:
    built = columns(present)
    values: list[list] = [
        built[0].values.tolist(),
        built[1].values.tolist(),
        built[2].values.tolist(),
        built[3].values.tolist(),
        [date.fromordinal(d) for d in built[4].values.tolist()],
        [datetime.fromtimestamp(s, tz=UTC) for s in built[5].values.tolist()],
        TEXTS,
        [CODES[c] for c in built[7].values.tolist()],
    ]
    return [
        tuple(
            value if mask is None or mask[row] else None
            for value, mask in zip((column[row] for column in values), present, strict=True)
        )
        for row in range(ROWS)
    ]


def rows_of(built: list[BinaryColumn], part: slice) -> list[BinaryColumn]:
    return [
        BinaryColumn(
            c.kind, c.values[part], None if c.present is None else c.present[part], c.labels
        )
        for c in built
    ]


def test_binary_rows_lay_out_fields_as_postgresql_reads_them():
    block = binary_rows(
        [
            BinaryColumn("int4", np.array([7, -2])),
            BinaryColumn("date", np.array([date(2000, 1, 3).toordinal(), 1])),
            BinaryColumn("text", ["é", ""], np.array([True, False])),
            BinaryColumn("timestamptz", np.array([946_684_801, 0]), np.array([False, True])),
            BinaryColumn("bool", np.array([True, False])),
        ]
    )
    first = struct.pack(">hiiiii2sii?", 5, 4, 7, 4, 2, 2, "é".encode(), -1, 1, True)
    second = struct.pack(
        ">hiiiiiiqi?", 5, 4, -2, 4, 1 - 730_120, -1, 8, -946_684_800_000_000, 1, False
    )
    assert block == first + second


def test_binary_rows_of_values_all_as_wide_as_their_fields_drop_no_byte():
    block = binary_rows(
        [BinaryColumn("int8", np.array([1, -1])), BinaryColumn("text", ["ab", "cd"])]
    )
    assert block == struct.pack(">hiqi2s", 2, 8, 1, 2, b"ab") + struct.pack(
        ">hiqi2s", 2, 8, -1, 2, b"cd"
    )


def test_binary_rows_refuse_a_nul_in_text():
    with pytest.raises(ValueError, match="NUL"):
        binary_rows([BinaryColumn("text", ["a\0b"])])


def test_binary_rows_of_no_rows_are_empty():
    assert binary_rows([BinaryColumn("int8", np.array([], dtype=np.int64))]) == b""


@pytest.mark.postgres
@pytest.mark.django_db
@pytest.mark.parametrize("nulls", [False, True], ids=["values", "nulls"])
def test_binary_copy_round_trips_every_type(nulls):
    need(connection.vendor == "postgresql", "COPY needs PostgreSQL (DATABASE_URL)")
    present: list[np.ndarray | None] = list(PRESENT) if nulls else [None] * len(FIELDS)
    with connection.schema_editor() as editor:
        editor.create_model(CopiedRow)
    built = columns(present)
    blocks = [
        (3, binary_rows(rows_of(built, slice(0, 3)))),
        (ROWS - 3, binary_rows(rows_of(built, slice(3, None)))),
    ]
    done: list[int] = []
    copy_binary_blocks(CopiedRow, FIELDS, blocks, progress=done.append)
    assert done == [3, ROWS]
    stored = list(CopiedRow.objects.order_by("id").values_list(*FIELDS))
    assert stored == expected(present)

"""Inserting many rows fast: PostgreSQL ``COPY`` (psycopg 3), or ``executemany`` elsewhere.

``bulk_create`` on SQLite splits rows into INSERTs of at most 999 parameters (about 70
tickets each) and prepares every value through its field; queue-machine logs are large
enough for that to dominate an import. Rows here are plain tuples in the order of
``fields``, and values are adapted once per column type.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeVar, cast

import numpy as np
from django.db import connection, models

Progress = Callable[[int], None]
T = TypeVar("T")


def _adapter(field: models.Field) -> Callable[[Any], Any] | None:
    kind = field.get_internal_type()
    ops = connection.ops
    if kind == "JSONField":
        return lambda value: json.dumps(value, ensure_ascii=False)
    if connection.vendor == "postgresql":
        return None  # psycopg adapts dates, aware datetimes, booleans and numbers itself
    if kind == "DateTimeField":
        return lambda value: None if value is None else ops.adapt_datetimefield_value(value)
    if kind == "DateField":
        return lambda value: None if value is None else ops.adapt_datefield_value(value)
    return None


def insert_rows(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    batch_size: int = 5000,
    progress: Progress | None = None,
    prepared: bool = False,
) -> str:
    """Insert ``rows`` (values in ``fields`` order, by attribute name) into ``model``'s table.

    ``prepared`` rows hold values already in the database's form (dates, UTC datetimes and
    JSON as text), passed on as they are. Returns the path taken: "copy" on PostgreSQL,
    "batched" elsewhere. No signals are sent and no primary keys come back, as with
    ``bulk_create`` on most databases.
    """
    meta = model._meta
    columns = [cast(models.Field, meta.get_field(name)) for name in fields]
    adapters = [None if prepared else _adapter(field) for field in columns]
    if any(adapt is not None for adapt in adapters):

        def adapted(row: Sequence[Any]) -> Sequence[Any]:
            return [
                value if adapt is None else adapt(value)
                for value, adapt in zip(row, adapters, strict=True)
            ]

        rows = map(adapted, rows)
    quoted = ", ".join(connection.ops.quote_name(str(field.column)) for field in columns)
    table = connection.ops.quote_name(meta.db_table)
    done = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The psycopg cursor under Django's wrapper.
            with cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    done += 1
                    if progress is not None and done % batch_size == 0:
                        progress(done)
            return "copy"
        placeholders = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {table} ({quoted}) VALUES ({placeholders})"  # noqa: S608 - our names
        batch: list[Sequence[Any]] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= batch_size:
                cursor.executemany(sql, batch)
                done += len(batch)
                batch = []
                if progress is not None:
                    progress(done)
        if batch:
            cursor.executemany(sql, batch)
            done += len(batch)
            if progress is not None:
                progress(done)
    return "batched"


def copy_rows_binary(
    model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """PostgreSQL: ``COPY`` Python values (dates, numbers, bytes, JSON-able values for JSON
    fields) into ``model``'s table in the binary format, typed from the model's fields: no
    text round trip for large binary values. Returns the rows written."""
    if connection.vendor != "postgresql":
        raise NotImplementedError("copy_rows_binary needs PostgreSQL")
    from psycopg.types.json import Jsonb

    meta = model._meta
    columns = [cast(models.Field, meta.get_field(name)) for name in fields]
    types = [str(field.db_type(connection)).split("(")[0] for field in columns]
    wrap = [field.get_internal_type() == "JSONField" for field in columns]
    quoted = ", ".join(connection.ops.quote_name(str(field.column)) for field in columns)
    table = connection.ops.quote_name(meta.db_table)
    done = 0
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN (FORMAT binary)") as copy,
    ):
        copy.set_types(types)
        for row in rows:
            copy.write_row(
                [Jsonb(value) if json else value for value, json in zip(row, wrap, strict=True)]
            )
            done += 1
    return done


# COPY's binary format counts days and microseconds from 2000-01-01 (UTC).
PG_EPOCH_ORDINAL = 730_120  # date(2000, 1, 1).toordinal()
PG_EPOCH_SECONDS = 946_684_800  # 2000-01-01 00:00 UTC in Unix seconds
COPY_BINARY_HEADER = b"PGCOPY\n\xff\r\n\x00" + (0).to_bytes(4, "big") + (0).to_bytes(4, "big")
COPY_BINARY_TRAILER = (-1).to_bytes(2, "big", signed=True)

BinaryKind = Literal["int4", "int8", "bool", "float8", "date", "timestamptz", "text"]
_FIXED: dict[str, str] = {
    "int4": ">i4",
    "int8": ">i8",
    "bool": "?",
    "float8": ">f8",
    "date": ">i4",
    "timestamptz": ">i8",
}


@dataclass(frozen=True)
class BinaryColumn:
    """A whole column for ``COPY``'s binary format.

    ``values`` by ``kind``: numbers and booleans as numpy arrays, ``date`` as proleptic
    ordinals (``date.toordinal()``), ``timestamptz`` as whole epoch seconds (UTC), ``text``
    as a sequence of str (or numpy strings), or, with ``labels``, as indexes into
    ``labels``. ``present`` is False where the value is NULL; None: never NULL.
    """

    kind: BinaryKind
    values: Any
    present: np.ndarray | None = None
    labels: Sequence[str] | None = None


def _windows(data: np.ndarray, width: int) -> np.ndarray:
    """Every ``width`` bytes of ``data`` that start at each of its offsets, as one void
    value each: picking a row's bytes copies them at once, not one byte at a time."""
    padded = np.concatenate([data, np.zeros(width, dtype=np.uint8)])
    return np.ndarray(shape=(data.size + 1,), dtype=f"V{width}", buffer=padded, strides=(1,))


def _utf8_padded(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """UTF-8 of ``texts``, each padded to the longest (a void array), and each one's length.

    The texts are joined on NUL, a character PostgreSQL's text refuses anyway, so one
    ``encode`` and one search for the separators give every offset."""
    if isinstance(texts, np.ndarray):
        texts = texts.tolist()
    count = len(texts)
    data = np.frombuffer("\0".join(texts).encode(), dtype=np.uint8)
    ends = np.flatnonzero(data == 0)
    if ends.size != max(count - 1, 0):
        raise ValueError("text for COPY holds a NUL character")
    starts = np.empty(count, dtype=np.int64)
    starts[:1] = 0
    starts[1:] = ends + 1
    lengths = np.empty(count, dtype=np.int64)
    lengths[:-1] = ends - starts[:-1]
    lengths[-1:] = data.size - starts[-1:]
    # Bytes past a text's end (the separator, the next text, padding) are dropped later.
    width = max(int(lengths.max(initial=0)), 1)
    return _windows(data, width)[starts], lengths


def _binary_field(column: BinaryColumn, rows: int) -> tuple[np.dtype, np.ndarray, np.ndarray]:
    """The stored form of a column's values (dtype, values) and each row's field length."""
    present = column.present
    if column.kind == "text":
        if column.labels is not None:
            label_bytes, label_lengths = _utf8_padded(column.labels)
            codes = np.asarray(column.values)
            values, lengths = label_bytes[codes], label_lengths[codes]
        else:
            values, lengths = _utf8_padded(column.values)
        if len(lengths) != rows:
            raise ValueError("COPY columns differ in length")
        if present is not None:
            lengths = np.where(present, lengths, -1)
        return values.dtype, values, lengths
    kind = np.dtype(_FIXED[column.kind])
    values = np.asarray(column.values)
    if values.shape != (rows,):
        raise ValueError("COPY columns differ in length")
    if column.kind == "date":
        values = values.astype(np.int64) - PG_EPOCH_ORDINAL
    elif column.kind == "timestamptz":
        values = (values.astype(np.int64) - PG_EPOCH_SECONDS) * 1_000_000
    lengths = np.full(rows, kind.itemsize, dtype=np.int64)
    if present is not None:
        lengths[~present] = -1
    return kind, values, lengths


def binary_rows(columns: Sequence[BinaryColumn]) -> bytes:
    """Tuples of ``COPY``'s binary format (no header or trailer) from whole columns.

    Each row is laid out at its widest (every value present, every text as long as the
    column's longest) in one structured array, filled a column at a time; one boolean
    mask, filled the same way, then drops the bytes that NULLs and shorter texts leave
    unused."""
    rows = len(columns[0].values) if columns else 0
    if rows == 0:
        return b""
    fields = [_binary_field(column, rows) for column in columns]
    layout = np.dtype(
        [("count", ">i2")]
        + [
            item
            for i, (kind, _, _) in enumerate(fields)
            for item in ((f"length{i}", ">i4"), (f"value{i}", kind))
        ]
    )
    record = np.empty(rows, dtype=layout)
    record["count"] = len(fields)
    keep = None
    for i, (kind, values, lengths) in enumerate(fields):
        record[f"length{i}"] = lengths
        record[f"value{i}"] = values
        if lengths.min() == kind.itemsize:
            continue  # every value present and as wide as the field
        if keep is None:
            keep = np.ones((rows, layout.itemsize), dtype=bool)
        # A value of n bytes keeps the first n of its field: row n of a table of prefixes.
        width = kind.itemsize
        prefixes = (np.arange(width) < np.arange(width + 1)[:, None]).view(f"V{width}")[:, 0]
        offset = layout.fields[f"value{i}"][1]  # type: ignore[index]
        mask = np.dtype(  # the one field of the layout that the mask of this value covers
            cast(Any, {"names": ["value"], "formats": [f"V{width}"], "offsets": [offset],
                       "itemsize": layout.itemsize})
        )  # fmt: skip
        keep.view(mask)[:, 0]["value"] = prefixes[np.maximum(lengths, 0)]
    raw = record.view(np.uint8).reshape(rows, layout.itemsize)
    return raw.tobytes() if keep is None else raw[keep].tobytes()


def copy_binary_blocks(
    model: type[models.Model],
    fields: Sequence[str],
    blocks: Iterable[tuple[int, bytes]],
    *,
    progress: Progress | None = None,
    meanwhile: Callable[[], T] | None = None,
) -> T | None:
    """PostgreSQL: ``COPY`` into ``model``'s table blocks of tuples of ``COPY``'s binary
    format (from ``binary_rows``, columns in ``fields`` order), each with its number of
    rows; a few calls for a million rows instead of one a row.

    The blocks are sent by a thread of psycopg's while this one makes the next block, and
    then runs ``meanwhile`` (if given) while the database is still storing the rows: the
    two machines' work overlaps. Returns what ``meanwhile`` returns."""
    if connection.vendor != "postgresql":
        raise NotImplementedError("copy_binary_blocks needs PostgreSQL")
    from psycopg.copy import QueuedLibpqWriter

    meta = model._meta
    quoted = ", ".join(
        connection.ops.quote_name(str(cast(models.Field, meta.get_field(name)).column))
        for name in fields
    )
    table = connection.ops.quote_name(meta.db_table)
    done = 0
    result = None
    with connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(
            f"COPY {table} ({quoted}) FROM STDIN (FORMAT binary)", writer=QueuedLibpqWriter(raw)
        ) as copy:
            copy.write(COPY_BINARY_HEADER)
            for rows, block in blocks:
                copy.write(block)
                done += rows
                if progress is not None:
                    progress(done)
            if meanwhile is not None:
                result = meanwhile()
            copy.write(COPY_BINARY_TRAILER)
    return result

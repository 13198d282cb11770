"""Inserting many rows fast: PostgreSQL ``COPY`` (psycopg 3), or ``executemany`` elsewhere.

``bulk_create`` on SQLite splits rows into INSERTs of at most 999 parameters (about 70
tickets each) and prepares every value through its field; queue-machine logs are large
enough for that to dominate an import. Rows here are plain tuples in the order of
``fields``, and values are adapted once per column type.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any, cast

import numpy as np
from django.db import connection, models

Progress = Callable[[int], None]
NULL = "\\N"  # COPY's text format: a NULL


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


def copy_escaped(values: np.ndarray) -> np.ndarray:
    """Text values (a numpy string array) escaped for ``COPY``'s text format."""
    values = np.asarray(values, dtype=np.dtypes.StringDType())
    for plain, escaped in (("\\", "\\\\"), ("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r")):
        if np.strings.find(values, plain).max(initial=-1) >= 0:
            values = np.strings.replace(values, plain, escaped)
    return values


def copy_lines(columns: Sequence[np.ndarray]) -> bytes:
    """Rows of ``COPY``'s text format from whole columns of text already in its form
    (escaped, ``NULL`` for none), one numpy string array a column."""
    line = np.asarray(columns[0], dtype=np.dtypes.StringDType())
    for column in columns[1:]:
        line = np.strings.add(np.strings.add(line, "\t"), column)
    return ("\n".join(line.tolist()) + "\n").encode()


def copy_blocks(
    model: type[models.Model],
    fields: Sequence[str],
    blocks: Iterable[tuple[int, bytes]],
    *,
    progress: Progress | None = None,
) -> None:
    """PostgreSQL: ``COPY`` into ``model``'s table blocks of rows already in ``COPY``'s text
    format (from ``copy_lines``), each with its number of rows; a few calls for a million
    rows instead of one a row."""
    if connection.vendor != "postgresql":
        raise NotImplementedError("copy_blocks needs PostgreSQL")
    meta = model._meta
    quoted = ", ".join(
        connection.ops.quote_name(str(cast(models.Field, meta.get_field(name)).column))
        for name in fields
    )
    table = connection.ops.quote_name(meta.db_table)
    done = 0
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy,
    ):
        for rows, block in blocks:
            copy.write(block)
            done += rows
            if progress is not None:
                progress(done)

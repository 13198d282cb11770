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

from django.db import connection, models

Progress = Callable[[int], None]


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

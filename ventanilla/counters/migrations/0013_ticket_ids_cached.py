"""Ticket ids drawn from PostgreSQL's identity sequence a thousand at a time per session.

A ``COPY`` of a million tickets otherwise takes each id from the shared sequence, which
costs about a sixth of the ``COPY`` (BENCHMARKS.md, "Queue-ticket ingest, 1M tickets").
Ids stay unique; those of two sessions writing at once interleave by blocks, and a session
that ends leaves the rest of its block unused. Nothing orders tickets by id.
"""

from django.db import migrations

CACHE = 1000


def cache_ids(apps, schema_editor, cache=CACHE):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE counters_queueticket ALTER COLUMN id SET CACHE {cache}")


def uncache_ids(apps, schema_editor):
    cache_ids(apps, schema_editor, cache=1)


class Migration(migrations.Migration):

    dependencies = [
        ("counters", "0012_ticket_block_range_index"),
    ]

    operations = [
        migrations.RunPython(cache_ids, uncache_ids),
    ]

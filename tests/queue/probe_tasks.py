"""A job used only by the broker tests; the worker imports it with ``-I``.

It records every delivery it receives, holds the first one long enough for the test to
kill the worker under it, and marks its work done in a way that a second delivery cannot
repeat: the marker file is created exclusively, once.
"""

import os
import time
from pathlib import Path

from celery import shared_task

PROBE_TASK = "tests.queue.probe_tasks.mark_done_once"


@shared_task(name=PROBE_TASK, ignore_result=True)
def mark_done_once(folder: str, key: str, hold_first_seconds: float) -> bool:
    """Return True if this delivery did the work, False if an earlier one already had."""
    base = Path(folder)
    with (base / f"{key}.deliveries").open("a") as deliveries:
        deliveries.write(f"{os.getpid()}\n")
    is_first_delivery = len((base / f"{key}.deliveries").read_text().splitlines()) == 1
    if is_first_delivery:
        # The test kills the worker during this pause.
        time.sleep(hold_first_seconds)
    try:
        with (base / f"{key}.done").open("x") as done:
            done.write(f"{os.getpid()}\n")
    except FileExistsError:
        return False
    return True

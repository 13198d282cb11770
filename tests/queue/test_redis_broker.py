"""Jobs through the production broker: real Redis, real worker processes.

The at-least-once promise is shown end to end: a worker is killed while it runs a job,
the message stays taken but unacknowledged in Redis, and after the visibility timeout a
new worker receives it again and completes it; a further delivery does no harm.
"""

import time

import pytest
from django.conf import settings

from tests.queue.probe_tasks import PROBE_TASK
from tests.queue.support import (
    Deadline,
    audit_entry_pks,
    celery_worker,
    dedicated_redis,
    django_env,
    send_task,
    wait_worker_ready,
)
from ventanilla.core.testing import need_redis

pytestmark = pytest.mark.redis

VISIBILITY_TIMEOUT = 5
INCLUDE_PROBE = ("--include", "tests.queue.probe_tasks")


def broker_state(client) -> str:
    """What Redis holds of the queue, for a failure message."""
    return (
        f"now={time.time():.3f} queue={client.llen('celery')} "
        f"unacked={client.zrange('unacked_index', 0, -1, withscores=True)} "
        f"mutex_ttl={client.ttl('unacked_mutex')} keys={sorted(client.keys())}"
    )


@pytest.fixture(scope="session")
def redis_server() -> str:
    return need_redis()


def test_scheduled_audit_retention_runs_in_a_worker_through_redis(
    redis_server, installation, tmp_path
):
    deadline = Deadline(60)
    entry = settings.CELERY_BEAT_SCHEDULE["audit-retention"]
    with dedicated_redis(15) as (url, _client):
        env = django_env(
            installation.var_dir, CELERY_BROKER_URL=url, VENTANILLA_AUDIT_RETENTION_DAYS="30"
        )
        worker = celery_worker(env, tmp_path / "worker.log", "retention")
        try:
            wait_worker_ready(worker, deadline)
            # What celery beat publishes for this schedule entry.
            task_id = send_task(
                url,
                entry["task"],
                args=entry.get("args", ()),
                kwargs=entry.get("kwargs", {}),
                **entry.get("options", {}),
            )
            worker.wait_for_output(f"[{task_id}] succeeded", deadline)
        finally:
            worker.stop()

    # The banner names the broker with its password masked: ``redis://:**@host:port/db``.
    assert "@" + url.split("://", 1)[1] in worker.output()
    assert "Audit retention: deleted 1 entries older than 30 days." in worker.output()
    assert audit_entry_pks(installation.database) == {installation.fresh_pk}


def test_job_killed_mid_run_is_delivered_again_after_the_visibility_timeout(
    redis_server, installation, tmp_path
):
    deadline = Deadline(60)
    marks = tmp_path / "marks"
    marks.mkdir()
    deliveries = marks / "job.deliveries"
    done = marks / "job.done"

    def delivery_pids() -> list[str]:
        return deliveries.read_text().split() if deliveries.exists() else []

    with dedicated_redis(13) as (url, client):
        env = django_env(
            installation.var_dir,
            CELERY_BROKER_URL=url,
            CELERY_VISIBILITY_TIMEOUT=str(VISIBILITY_TIMEOUT),
        )
        first = celery_worker(env, tmp_path / "first.log", "first", *INCLUDE_PROBE)
        second = None
        try:
            wait_worker_ready(first, deadline)
            task_id = send_task(url, PROBE_TASK, args=(str(marks), "job", 30))
            deadline.wait_for(lambda: len(delivery_pids()) == 1, "the job to start", log=first.log)

            first.kill()

            assert not done.exists()
            # Redis still holds the message as taken and not acknowledged.
            taken = client.zrange("unacked_index", 0, -1, withscores=True)
            assert len(taken) == 1
            taken_at = taken[0][1]
            deadline.wait_for(
                lambda: time.time() > taken_at + VISIBILITY_TIMEOUT + 0.5,
                "the visibility timeout to pass",
            )
            second = celery_worker(env, tmp_path / "second.log", "second", *INCLUDE_PROBE)
            second.wait_for_output(
                f"[{task_id}] succeeded", deadline, explain=lambda: broker_state(client)
            )
            deadline.wait_for(lambda: client.hlen("unacked") == 0, "the acknowledgement")

            # One more delivery of the same job after it completed changes nothing.
            duplicate_id = send_task(url, PROBE_TASK, args=(str(marks), "job", 30))
            second.wait_for_output(f"[{duplicate_id}] succeeded", deadline)
        finally:
            first.stop()
            if second is not None:
                second.stop()

    pids = delivery_pids()
    assert len(pids) == 3
    assert pids[0] != pids[1], "the redelivery must reach the new worker"
    assert done.read_text().split() == [pids[1]]
    log = second.output()
    assert f"[{task_id}] succeeded" in log and ": True" in log
    assert f"[{duplicate_id}] succeeded" in log and ": False" in log

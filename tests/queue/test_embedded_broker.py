"""Jobs through the embedded broker: kombu's SQLAlchemy transport on a SQLite file.

This is what a laptop runs (`make demo`): no broker server. That transport does not give
back a message whose worker was killed while running it, so there is no kill test here;
see docs/decisions/0002-task-queue.md.
"""

from tests.queue.support import (
    Deadline,
    audit_entry_pks,
    celery_worker,
    django_env,
    send_task,
    wait_worker_ready,
)


def test_worker_on_the_embedded_broker_runs_an_enqueued_job(installation, tmp_path):
    deadline = Deadline(60)
    env = django_env(installation.var_dir, VENTANILLA_AUDIT_RETENTION_DAYS="30")
    assert "CELERY_BROKER_URL" not in env
    queue_file = installation.var_dir / "broker.sqlite3"
    worker = celery_worker(env, tmp_path / "worker.log", "embedded")
    try:
        wait_worker_ready(worker, deadline)
        assert queue_file.exists(), "the default broker keeps its queue in var/broker.sqlite3"
        task_id = send_task(
            f"sqla+sqlite:///{queue_file}", "ventanilla.core.tasks.purge_expired_audit_entries"
        )
        worker.wait_for_output(f"[{task_id}] succeeded", deadline)
    finally:
        worker.stop()

    assert f"sqla+sqlite:///{queue_file}" in worker.output()
    assert audit_entry_pks(installation.database) == {installation.fresh_pk}

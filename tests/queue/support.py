"""Real processes (Celery workers, beat, gunicorn) for the tests that start them.

Every wait is bounded by one deadline per test; every process is started in its own
session so that it and its children (pool processes, gunicorn workers) are stopped, or
killed, together.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import redis

from ventanilla.core.testing import need_redis

REPO_ROOT = Path(__file__).resolve().parents[2]
T = TypeVar("T")

# Variables of the developer's or CI's shell that would point the subprocesses elsewhere.
_INHERITED_SETTINGS = (
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "CELERY_TASK_ALWAYS_EAGER",
    "CELERY_VISIBILITY_TIMEOUT",
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_SECRET_KEY",
    "DJANGO_DEBUG",
    "DJANGO_ALLOWED_HOSTS",
    "VENTANILLA_VAR_DIR",
    "VENTANILLA_AUDIT_RETENTION_DAYS",
)


class Deadline:
    """One time budget shared by every wait of a test."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.ends_at = time.monotonic() + seconds

    def remaining(self) -> float:
        return max(0.0, self.ends_at - time.monotonic())

    def wait_for(
        self,
        probe: Callable[[], T],
        what: str,
        *,
        within: float | None = None,
        log: Path | None = None,
        explain: Callable[[], str] | None = None,
    ) -> T:
        """Poll ``probe`` until it returns something truthy; fail naming ``what`` otherwise."""
        limit = self.remaining() if within is None else min(within, self.remaining())
        ends_at = time.monotonic() + limit
        while True:
            value = probe()
            if value:
                return value
            if time.monotonic() >= ends_at:
                tail = f"\n--- {log} ---\n{log_tail(log)}" if log else ""
                state = f"\n{explain()}" if explain else ""
                raise AssertionError(
                    f"timed out after {limit:.1f}s waiting for {what}{state}{tail}"
                )
            time.sleep(0.1)


def log_tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return "(no log written)"


def redis_url(db: int) -> str:
    """The URL of database ``db`` on the Redis server the tests use."""
    parts = urlsplit(need_redis())
    return urlunsplit((parts.scheme, parts.netloc, f"/{db}", "", ""))


# Databases the tests may take. Each is claimed in database 0 for the length of a test, so
# that two runs of the suite on one machine (two people, or CI and a person) never share one.
TEST_DATABASES = range(15, 7, -1)
CLAIM_SECONDS = 300


@contextmanager
def dedicated_redis(preferred: int) -> Iterator[tuple[str, redis.Redis]]:
    """A Redis database of the test's own, emptied before and after; ``preferred`` if free."""
    registry = redis.Redis.from_url(redis_url(0))
    token = uuid.uuid4().hex
    for db in (preferred, *(db for db in TEST_DATABASES if db != preferred)):
        claim = f"ventanilla-tests:redis-db:{db}"
        if registry.set(claim, token, nx=True, ex=CLAIM_SECONDS):
            break
    else:
        registry.close()
        raise AssertionError(f"every Redis database {list(TEST_DATABASES)} is taken by a test")
    url = redis_url(db)
    client = redis.Redis.from_url(url)
    client.flushdb()
    try:
        yield url, client
    finally:
        client.flushdb()
        client.close()
        if registry.get(claim) == token.encode():
            registry.delete(claim)
        registry.close()


def django_env(var_dir: Path, settings: str = "ventanilla.settings.base", **overrides: str) -> dict:
    """The environment of a Ventanilla process whose files live in ``var_dir``."""
    env = {k: v for k, v in os.environ.items() if k not in _INHERITED_SETTINGS}
    env.update(
        DJANGO_SETTINGS_MODULE=settings,
        VENTANILLA_VAR_DIR=str(var_dir),
        PYTHONPATH=str(REPO_ROOT),
        PYTHONUNBUFFERED="1",
    )
    env.update(overrides)
    return env


def manage(env: dict, *args: str, timeout: float = 60) -> str:
    """Run a management command; fail with its output when it fails."""
    return manage_together(env, [args], timeout=timeout)[0]


def manage_together(env: dict, commands: Sequence[Sequence[str]], timeout: float = 60) -> list:
    """Run independent management commands at the same time; their standard outputs."""
    running = [
        (
            args,
            subprocess.Popen(
                [sys.executable, "manage.py", *args],
                cwd=REPO_ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            ),
        )
        for args in commands
    ]
    ends_at = time.monotonic() + timeout
    outputs = []
    try:
        for args, process in running:
            stdout, stderr = process.communicate(timeout=max(0.1, ends_at - time.monotonic()))
            if process.returncode != 0:
                raise AssertionError(
                    f"manage.py {args[0]} exited {process.returncode}\n{stdout}\n{stderr}"
                )
            outputs.append(stdout)
    finally:
        for _, process in running:
            if process.poll() is None:
                process.kill()
                process.wait()
    return outputs


class Service:
    """A long-running subprocess writing its output to a log file."""

    def __init__(self, name: str, argv: Sequence[str], env: dict, log: Path) -> None:
        self.name = name
        self.log = log
        self._log_file = log.open("ab")
        self.process = subprocess.Popen(
            list(argv),
            cwd=REPO_ROOT,
            env=env,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def assert_running(self) -> None:
        if self.process.poll() is not None:
            raise AssertionError(
                f"{self.name} exited with {self.process.returncode}\n{log_tail(self.log)}"
            )

    def wait_for_output(
        self, text: str, deadline: Deadline, explain: Callable[[], str] | None = None
    ) -> None:
        def seen() -> bool:
            self.assert_running()
            return text in self.output()

        deadline.wait_for(seen, f"{self.name} to log {text!r}", log=self.log, explain=explain)

    def kill(self) -> None:
        """SIGKILL the process, then its children: as if its machine lost power.

        The main process dies first, so that it cannot see a child die and hand the child's
        job back to the broker itself (which a worker does when only its child is lost).
        """
        with suppress(ProcessLookupError):
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self._signal_group(signal.SIGKILL)

    def stop(self) -> None:
        """Ask for a clean shutdown, then SIGKILL whatever is left of the process group."""
        if self.process.poll() is None:
            self._signal_group(signal.SIGTERM)
            with suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=10)
        self._signal_group(signal.SIGKILL)
        if self.process.poll() is None:
            self.process.wait(timeout=10)
        self._log_file.close()

    def _signal_group(self, sig: signal.Signals) -> None:
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, sig)


def celery_worker(env: dict, log: Path, name: str, *extra: str) -> Service:
    """``celery -A ventanilla worker`` with one pool process, named ``name``."""
    argv = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "ventanilla",
        "worker",
        "--loglevel=INFO",
        "--concurrency=1",
        # Nothing to exchange with other workers here; saves seconds at start-up.
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "--hostname",
        f"{name}@%h",
        *extra,
    ]
    return Service(f"worker {name}", argv, env, log)


def wait_worker_ready(worker: Service, deadline: Deadline) -> None:
    worker.wait_for_output(" ready.", deadline)


def send_task(broker_url: str, name: str, **options: Any) -> str:
    """Publish task ``name`` as the scheduler or a web process would, and return its id."""
    from celery import Celery

    producer = Celery("ventanilla-test-producer", broker=broker_url, set_as_current=False)
    try:
        return producer.send_task(name, **options).id
    finally:
        producer.close()


def audit_entry_pks(database: Path) -> set[str]:
    """The object keys of the audit entries in an SQLite database, read without Django."""
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=10)
    try:
        return {row[0] for row in conn.execute("SELECT object_pk FROM auditlog_logentry")}
    finally:
        conn.close()

"""Test helpers for tests that need a real service (PostgreSQL, Redis, Chromium).

Without CI=true, such a test skips with the reason when the service is missing; with
CI=true, a missing service is a failure.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def need(condition: bool, reason: str) -> None:
    if condition:
        return
    if in_ci():
        pytest.fail(f"{reason} (CI=true: required, not skipped)")
    pytest.skip(reason)


def need_redis() -> str:
    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    need(_port_open("127.0.0.1", 6379), "Redis is not running on 127.0.0.1:6379")
    return url


def need_postgres() -> str:
    url = os.environ.get("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    need(_port_open("127.0.0.1", 5432), "PostgreSQL is not running on 127.0.0.1:5432")
    return url


def need_chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    need(path is not None, "Chromium is not installed (apt-get install chromium)")
    return str(path)


def console(tmp_path: Path, **extra_env: str) -> Callable[..., subprocess.CompletedProcess]:
    """The real `ventanilla` console command against a fresh SQLite database in ``tmp_path``.

    Messages are in English (VENTANILLA_LANGUAGE_CODE) so tests can read them.
    """
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ventanilla.settings.base",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "VENTANILLA_VAR_DIR": str(tmp_path),
        "VENTANILLA_LOG_LEVEL": "WARNING",
        "VENTANILLA_LANGUAGE_CODE": "en",
        **extra_env,
    }

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "ventanilla", *args],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )

    return run

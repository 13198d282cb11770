"""The production topology on one machine: PostgreSQL, Redis, two gunicorn workers behind
one address, a Celery worker and celery beat, all with the production settings.

What docs/deploy.md tells an operator to run is what this test runs: migrate, collectstatic,
createsuperuser, api-token, gunicorn with deploy/gunicorn.conf.py, celery worker, celery beat.
"""

import json
import secrets
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.queue.support import (
    REPO_ROOT,
    Deadline,
    Service,
    celery_worker,
    dedicated_redis,
    django_env,
    manage,
    manage_together,
    wait_worker_ready,
)
from tests.topology.topology_support import (
    Client,
    access_log_pids,
    children_of,
    csrf_token,
    free_port,
    fresh_postgres_database,
    stylesheets,
)
from ventanilla.core.testing import need_postgres, need_redis

pytestmark = pytest.mark.topology

GUNICORN_CONF = REPO_ROOT / "deploy" / "gunicorn.conf.py"
ENQUEUE_FROM_WEB = (
    "from ventanilla.core.tasks import purge_expired_audit_entries; "
    "print(purge_expired_audit_entries.delay().id)"
)


def test_production_topology_serves_pages_api_and_jobs(tmp_path):
    server_url = need_postgres()
    need_redis()
    # A guard against a hang, not a measure of speed: the run takes about 80 s here.
    deadline = Deadline(240)
    var_dir = tmp_path / "var"
    var_dir.mkdir()
    password = secrets.token_urlsafe(16)

    with fresh_postgres_database(server_url) as database_url, dedicated_redis(14) as (broker, _):
        env = django_env(
            var_dir,
            "ventanilla.settings.production",
            DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
            DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
            DATABASE_URL=database_url,
            CELERY_BROKER_URL=broker,
            DJANGO_SECURE_SSL_REDIRECT="false",
            DJANGO_SECURE_COOKIES="false",
        )
        manage_together(
            env,
            [("migrate", "--no-input", "-v", "0"), ("collectstatic", "--no-input", "-v", "0")],
            timeout=deadline.remaining(),
        )

        port = free_port()
        access_log = tmp_path / "access.log"
        services: list[Service] = []
        try:
            web = Service(
                "gunicorn",
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "ventanilla.wsgi",
                    "-c",
                    str(GUNICORN_CONF),
                    "-w",
                    "2",
                    "-b",
                    f"127.0.0.1:{port}",
                    "--access-logfile",
                    str(access_log),
                ],
                env,
                tmp_path / "gunicorn.log",
            )
            services.append(web)
            worker = celery_worker(env, tmp_path / "worker.log", "topology")
            services.append(worker)
            beat = Service(
                "celery beat",
                [sys.executable, "-m", "celery", "-A", "ventanilla", "beat", "--loglevel=INFO"],
                env,
                tmp_path / "beat.log",
            )
            services.append(beat)

            # While the processes start: an administrator and their API token.
            manage(
                {**env, "DJANGO_SUPERUSER_PASSWORD": password},
                "createsuperuser",
                "--no-input",
                "--username",
                "admin",
                "--email",
                "admin@example.com",
                timeout=deadline.remaining(),
            )
            token = manage(env, "api-token", "admin", "-v", "0", timeout=deadline.remaining())
            token = token.strip()

            client = Client(f"http://127.0.0.1:{port}")
            deadline.wait_for(
                lambda: client.is_up("/accounts/login/"), "gunicorn to answer", log=web.log
            )

            # The login page and the static files it links, served by whitenoise.
            login_page = client.request("/accounts/login/")
            assert login_page.status == 200
            links = stylesheets(login_page.text)
            assert links, "the login page links no stylesheet"
            for href in links:
                css = client.request(href)
                assert css.status == 200, href
                assert css.headers["Content-Type"].startswith("text/css"), href

            # Anonymous: home sends to the login page. A login POST with the CSRF token.
            assert client.request("/").status == 302
            answer = client.request(
                "/accounts/login/",
                {
                    "csrfmiddlewaretoken": csrf_token(login_page.text),
                    "username": "admin",
                    "password": password,
                    "next": "",
                },
            )
            assert answer.status == 302, answer.text[:2000]
            home = client.request("/")
            assert home.status == 200, home.text[:2000]

            # The API with a token, and without one.
            api = Client(f"http://127.0.0.1:{port}")
            with_token = api.request(
                "/api/v1/org-units/", headers={"Authorization": f"Token {token}"}
            )
            assert with_token.status == 200, with_token.text[:2000]
            # Session authentication comes first, so DRF answers 403 rather than 401.
            without_token = api.request("/api/v1/org-units/")
            assert without_token.status == 403
            assert json.loads(without_token.body)["error"]["code"] == "not_authenticated"

            # Both gunicorn workers answer: concurrent requests until each has logged one.
            workers = children_of(web.pid)
            assert len(workers) == 2

            def both_workers_answered() -> bool:
                with ThreadPoolExecutor(max_workers=8) as pool:
                    statuses = list(
                        pool.map(lambda _: api.request("/accounts/login/").status, range(16))
                    )
                assert set(statuses) == {200}
                return access_log_pids(access_log) == workers

            deadline.wait_for(both_workers_answered, "both gunicorn workers to answer", within=20)

            # A job enqueued from the web side runs in the worker.
            wait_worker_ready(worker, deadline)
            output = manage(env, "shell", "-c", ENQUEUE_FROM_WEB, timeout=deadline.remaining())
            task_id = output.strip().splitlines()[-1]
            worker.wait_for_output(f"[{task_id}] succeeded", deadline)

            beat.wait_for_output("beat: Starting...", deadline)
            for service in services:
                service.assert_running()
        finally:
            for service in services:
                service.stop()

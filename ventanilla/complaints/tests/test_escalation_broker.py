"""The escalation job through the real (embedded) broker, its e-mails at a local SMTP server.

A Celery worker in its own process takes ``escalate_complaints`` from the SQLite broker
twice; the breach e-mail reaches the SMTP server once, and the breach text appears in the
worker's log with the phone masked.
"""

from __future__ import annotations

import json
import socketserver
import threading

import pytest

from tests.queue.support import (
    Deadline,
    celery_worker,
    django_env,
    manage,
    send_task,
    wait_worker_ready,
)

SEED = """
import json
from datetime import timedelta
from django.utils import timezone
from ventanilla.complaints.tests.factories import register
from ventanilla.org.models import GroupMembership, GroupRole, OrgGroup
from ventanilla.org.tests.factories import EmployeeFactory, build_network, post
net = build_network()
president = net.subbranch_manager.employee
president.email = "president@example.com"
president.phone = "13955556666"
president.save()
member = EmployeeFactory(unit=net.subbranch, post=post("teller"), email="duty@example.com")
group = OrgGroup.objects.create(unit=net.subbranch, kind="complaint_emergency", name="G")
GroupMembership.objects.create(group=group, employee=member, role=GroupRole.MEMBER)
c = register(net, received_at=timezone.now() - timedelta(days=20))
print(json.dumps({"reference": c.reference}))
"""


class Inbox(socketserver.StreamRequestHandler):
    """Just enough SMTP for Django's backend: every message is kept with its recipients."""

    received: list[tuple[list[str], str]] = []

    def reply(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())

    def handle(self) -> None:
        self.reply("220 localhost ready")
        recipients: list[str] = []
        while line := self.rfile.readline().decode(errors="replace"):
            command = line.strip().upper()
            if command.startswith(("EHLO", "HELO")):
                self.reply("250 localhost")
            elif command.startswith("MAIL FROM"):
                recipients = []
                self.reply("250 OK")
            elif command.startswith("RCPT TO"):
                recipients.append(line.split(":", 1)[1].strip().strip("<>"))
                self.reply("250 OK")
            elif command == "DATA":
                self.reply("354 go on")
                body = []
                while (data := self.rfile.readline().decode(errors="replace")) not in (
                    ".\r\n",
                    "",
                ):
                    body.append(data)
                Inbox.received.append((sorted(recipients), "".join(body)))
                self.reply("250 OK")
            elif command == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("250 OK")


@pytest.fixture
def smtp_server():
    Inbox.received = []
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Inbox)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_escalation_job_through_the_broker_mails_once(tmp_path, smtp_server):
    deadline = Deadline(180)
    var_dir = tmp_path / "var"
    var_dir.mkdir()
    env = django_env(
        var_dir,
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp_server),
    )
    manage(env, "migrate", "--no-input", "-v", "0", timeout=deadline.remaining())
    seeded = manage(env, "shell", "-c", SEED, timeout=deadline.remaining())
    reference = json.loads(seeded.strip().splitlines()[-1])["reference"]
    broker = f"sqla+sqlite:///{var_dir / 'broker.sqlite3'}"
    worker = celery_worker(env, tmp_path / "worker.log", "complaints")
    try:
        wait_worker_ready(worker, deadline)
        for _ in range(2):
            task_id = send_task(broker, "ventanilla.complaints.tasks.escalate_complaints")
            worker.wait_for_output(f"[{task_id}] succeeded", deadline)
    finally:
        worker.stop()
    assert len(Inbox.received) == 1, Inbox.received
    recipients, content = Inbox.received[0]
    assert recipients == ["duty@example.com", "president@example.com"]
    assert reference in content
    log = worker.output()
    assert "139****6666" in log and "13955556666" not in log

"""A Celery worker killed in the middle of a task: the task runs again and its effect happens once (issue #9).

A real prefork worker (a separate process, as in production) sends an outbox e-mail through a backend that
stalls on its first attempt; the test SIGKILLs the pool process during the stall. ``acks_late`` and
``reject_on_worker_lost`` put the message back on the queue, a fresh pool process runs the task again
under the same task id, takes back the rows the killed process had claimed (status "sending", its task
id as claim token) and sends the e-mail exactly once; the killed process had not sent it yet.

(What no broker can promise: a kill *after* the SMTP server accepted messages but *before* they were
marked sent would send them again. Sent rows are marked every MARK_EVERY messages, so that is at most a
handful; the outbox is at-least-once there by design, see docs/performance.md.)
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from django.core.mail.backends.filebased import EmailBackend as FileBackend
from django.db import connection

from config.celery import app
from notifications import services
from notifications.models import Delivery, DeliveryStatus
from tests import factories as f

pytestmark = [pytest.mark.faults, pytest.mark.celery]
ROOT = Path(__file__).resolve().parent.parent


class StallingFileBackend(FileBackend):
    """Writes messages to FAULT_MAIL_DIR; the first attempt ever stalls (to be killed) after saying so."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["file_path"] = os.environ["FAULT_MAIL_DIR"]
        super().__init__(*args, **kwargs)

    def send_messages(self, email_messages: Any) -> int:
        marker = Path(os.environ["FAULT_MAIL_DIR"]).parent / "started"
        if not marker.exists():
            marker.write_text(str(os.getpid()))
            time.sleep(60)
        return super().send_messages(email_messages)


def _children(pid: int) -> list[int]:
    out = []
    for p in Path("/proc").iterdir():
        if p.name.isdigit():
            try:
                if int((p / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    out.append(int(p.name))
            except OSError:
                pass
    return out


def _wait(condition: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_task_runs_it_again_and_the_email_goes_out_once(tmp_path, settings):
    assert settings.CELERY_TASK_ACKS_LATE and settings.CELERY_TASK_REJECT_ON_WORKER_LOST
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    recipient = f.UserFactory(email="kill@example.org")
    with _no_enqueue():
        services.notify(recipients=[recipient], event="test.kill", title="Trial starts Monday")
    delivery = Delivery.objects.get(recipient=recipient)

    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "GONGJIAN_TESTING": "0",
        "DEBUG": "1",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "CELERY_BROKER_URL": app.conf.broker_url,
        "EMAIL_BACKEND": "tests.test_faults_worker.StallingFileBackend",
        "FAULT_MAIL_DIR": str(mail_dir),
        "LOG_LEVEL": "WARNING",
    }
    app.control.purge()
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "-P", "prefork", "-c", "1", "-l", "warning",
         "--without-gossip", "--without-mingle", "--without-heartbeat", "-n", f"fault-{os.getpid()}@%h"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        from notifications.tasks import deliver

        deliver.delay(delivery.pk)
        marker = tmp_path / "started"
        _wait(marker.exists, 60, "the worker to start sending")
        victim = int(marker.read_text())
        assert victim in _children(worker.pid), "the stalled sender is the worker's pool process"
        os.kill(victim, signal.SIGKILL)

        _wait(
            lambda: Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENT).exists(),
            60,
            "the task to run again",
        )
        time.sleep(1)  # a duplicate would show up now
        # Counted by the delivery's own header, not by files: the file backend writes a whole batch (one
        # connection) to one file, and a duplicate would carry the same header.
        sent = "".join(path.read_text() for path in mail_dir.iterdir())
        assert sent.count(f"X-Gongjian-Delivery: {delivery.idempotency_key}") == 1
        assert sent.count("X-Gongjian-Delivery:") == 1
        delivery.refresh_from_db()
        assert delivery.attempts == 1
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()


class _no_enqueue:
    """Keep notify() from enqueueing: the test sends the task itself, once."""

    def __enter__(self) -> None:
        self._saved = services._enqueue_on_commit
        services._enqueue_on_commit = lambda ids: None  # type: ignore[assignment]

    def __exit__(self, *exc: object) -> None:
        services._enqueue_on_commit = self._saved  # type: ignore[assignment]

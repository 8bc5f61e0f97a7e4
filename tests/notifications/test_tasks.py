"""The Celery tasks beat runs by name, and the delivery task is safe to run twice."""

from __future__ import annotations

from django.conf import settings

from config.celery import app
from notifications import services, tasks


def test_the_beat_schedule_names_tasks_that_exist():
    names = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"notifications.tasks.sweep_outbox", "notifications.tasks.send_due_digests"} <= names
    assert tasks.sweep_outbox.name in app.tasks and tasks.send_due_digests.name in app.tasks


def test_the_delivery_task_sends_once_however_often_it_runs(db, mailoutbox):
    delivery = services.notify_address(address="x@example.org", subject="s", body="b", event="test.invite")
    assert tasks.deliver(delivery.pk) == "sent"
    assert tasks.deliver(delivery.pk) == "skipped"
    assert tasks.sweep_outbox() == 0
    assert len(mailoutbox) == 1

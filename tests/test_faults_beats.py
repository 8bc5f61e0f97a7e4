"""Two beats at once: every scheduled reminder goes out once (issue #9).

Two threads, each with its own database connection, fire every task of ``CELERY_BEAT_SCHEDULE`` at the
same moment, again and again until nothing is due, as two misconfigured beat processes (or a beat and
a manual re-run) would. The data: the benchmark's seeded data set with more risk reviews due than one
sweep takes (so both sweepers really work in parallel on different rows) and pending outbox e-mails.
"""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta
from importlib import import_module

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection, connections
from django.db.models import F
from django.utils import timezone

from bench.seed import Scale, seed
from notifications.models import Delivery, DeliveryStatus, Notification
from risk.models import ReviewReminder, Risk

pytestmark = pytest.mark.faults

SCALE = Scale(organizations=30, alliances=6, projects=60, feedback=300, risks=600, people=400, fanout=0)


def _fire_all_beat_tasks() -> int:
    """One beat tick: every scheduled task, run in this thread; returns how much the sweepers did."""
    done = 0
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        module, name = str(entry["task"]).rsplit(".", 1)
        result = getattr(import_module(module), name)()
        if isinstance(result, dict):
            done += sum(v for v in result.values() if isinstance(v, int))
        elif isinstance(result, int):
            done += result
    return done


@pytest.mark.django_db(transaction=True)
def test_two_beats_firing_together_send_each_reminder_once(monkeypatch):
    from functools import partial

    from risk import services as risk_services

    # The sweeper takes 1,000 rows a sweep; in batches of 50 both beats really claim rows side by side.
    monkeypatch.setattr(risk_services, "reviews_sweep", partial(risk_services.reviews_sweep, limit=50))
    with connection.cursor() as cur:  # the marker is not a model: a flush after an earlier run leaves it behind
        cur.execute("DROP TABLE IF EXISTS bench_marker")
    seed(SCALE, log=lambda *_: None)
    now = timezone.now()
    due = Risk.objects.annotate(m=F("id") % 3).filter(m=0).exclude(status="closed").exclude(owner=None)
    due.update(next_review_at=now - timedelta(hours=1), sweep_at=now - timedelta(hours=1))
    due_ids = set(due.values_list("id", flat=True))
    assert len(due_ids) > 100  # more than a few sweeps take: both beats claim rows

    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def beat() -> None:
        try:
            for _ in range(40):
                barrier.wait(60)  # both beats fire together
                _fire_all_beat_tasks()
                barrier.wait(60)  # and both look at the same state to decide whether to go on
                if not (
                    Risk.objects.filter(id__in=due_ids, sweep_at__lte=now).exists()
                    or Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now).exists()
                ):
                    break
        except threading.BrokenBarrierError:
            pass
        except Exception as exc:  # noqa: BLE001 - reported to the test thread below
            errors.append(exc)
            barrier.abort()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=beat) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(240)
    assert not errors, errors

    reminders = Counter(ReviewReminder.objects.filter(risk_id__in=due_ids).values_list("risk_id", "level"))
    assert {r for r, _ in reminders} == due_ids, "every due review was reminded"
    assert max(reminders.values()) == 1, "and only once per risk and level"
    sent = Counter(Notification.objects.filter(event="risk.review.due").values_list("recipient_id", "data__risk"))
    assert sent and max(sent.values()) == 1, "each owner told once per risk"
    assert not Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now).exists()
    addresses = Counter((m.to[0], m.subject) for m in mail.outbox)
    assert max(addresses.values(), default=1) == 1, "no e-mail twice"

"""The outbox end to end, with a real Celery worker and Redis: delivered once, even across a broker outage."""

from __future__ import annotations

import time
from contextlib import contextmanager

import pytest
from django.core import mail
from django.db import transaction

from config.celery import app
from notifications import selectors, services
from notifications.models import Delivery, DeliveryStatus, Notification
from tests import factories as f

pytestmark = pytest.mark.celery


@contextmanager
def _broker_at(url):
    """Point the publishing side of the app at another broker (the worker keeps its own connection)."""

    def reset():
        app.amqp._producer_pool = None
        app._pool = None

    live_url = app.conf.broker_url
    app.conf.broker_url = url
    reset()
    try:
        yield
    finally:
        app.conf.broker_url = live_url
        reset()


def _notify(recipient, actor):
    with transaction.atomic():
        services.notify(recipients=[recipient], event="test.event", title="Project approved", url="/x/", actor=actor)


def test_a_notifying_write_delivers_in_app_and_email_exactly_once(celery_worker, wait_for):
    recipient = f.UserFactory(email="anna@example.org")
    _notify(recipient, f.UserFactory())

    wait_for(lambda: Delivery.objects.filter(status=DeliveryStatus.SENT).exists())
    services.outbox_sweep()  # a sweep after the worker has sent it sends nothing more
    time.sleep(0.3)

    assert Notification.objects.filter(recipient=recipient, in_app=True).count() == 1
    assert selectors.unread_count(recipient) == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["anna@example.org"]
    assert message.subject == "Project approved"
    assert message.alternatives and "text/html" in message.alternatives[0][1]


def test_with_the_broker_down_the_write_succeeds_and_the_sweeper_delivers_once(celery_worker, wait_for):
    recipient = f.UserFactory(email="bo@example.org")
    with _broker_at("redis://127.0.0.1:1/0"):  # nothing listens there
        started = time.monotonic()
        _notify(recipient, None)
        assert time.monotonic() - started < 5, "enqueueing must not hang when the broker is down"

    delivery = Delivery.objects.get(recipient=recipient)
    assert delivery.status == DeliveryStatus.PENDING
    assert mail.outbox == []

    from notifications.tasks import sweep_outbox

    sweep_outbox.delay()
    sweep_outbox.delay()  # a second beat, or a re-run, sends nothing more
    wait_for(lambda: Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENT).exists())
    time.sleep(0.3)
    assert len(mail.outbox) == 1
    assert Notification.objects.filter(recipient=recipient).count() == 1

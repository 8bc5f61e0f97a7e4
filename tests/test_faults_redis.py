"""Redis down while readers and staff work: their requests succeed, the notifications wait in the outbox,
and once Redis is back each is delivered exactly once (issue #9).

Production settings are restored for the parts Redis serves: the cache (throttle counters) is a RedisCache
and the throttles are on; both the cache and the broker point at a port where nothing listens.
"""

from __future__ import annotations

import time
from contextlib import contextmanager

import pytest
from django.core import mail
from rest_framework.test import APIClient

from config.celery import app
from feedback.models import Feedback
from notifications.models import Delivery, DeliveryStatus, Notification

pytestmark = [pytest.mark.faults, pytest.mark.celery]

DOWN = "redis://127.0.0.1:1/0"  # nothing listens there
PRODUCTION_CACHE = {
    "BACKEND": "core.cache.FailOpenRedisCache",  # as config.settings outside tests
    "KEY_PREFIX": "t",
    "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
}


@contextmanager
def _broker_at(url):
    def reset():
        app.amqp._producer_pool = None
        app._pool = None

    live = app.conf.broker_url
    app.conf.broker_url = url
    reset()
    try:
        yield
    finally:
        app.conf.broker_url = live
        reset()


@contextmanager
def _redis_down(settings):
    """The cache (throttle counters) and the broker on a dead Redis, with production's throttles on."""
    # Changing CACHES and REST_FRAMEWORK through the settings fixture resets Django's cache handlers and
    # DRF's api_settings (setting_changed receivers).
    saved_caches, saved_rf = settings.CACHES, settings.REST_FRAMEWORK
    settings.CACHES = {"default": {**PRODUCTION_CACHE, "LOCATION": DOWN}}
    settings.REST_FRAMEWORK = {
        **saved_rf,
        "DEFAULT_THROTTLE_CLASSES": [
            "rest_framework.throttling.AnonRateThrottle",
            "rest_framework.throttling.UserRateThrottle",
        ],
    }
    try:
        with _broker_at(DOWN):
            yield
    finally:
        settings.CACHES, settings.REST_FRAMEWORK = saved_caches, saved_rf


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.django_db(transaction=True)
def test_with_redis_down_work_goes_on_and_notifications_are_delivered_once_after(
    settings, library, staff_manager, reader, celery_worker_after
):
    with _redis_down(settings):
        started = time.monotonic()
        created = _api(reader).post("/api/v1/feedback/", {"kind": "need", "text": "希望增加座位"}, format="json")
        assert created.status_code == 201, created.content
        pk = created.json()["id"]
        answered = _api(staff_manager).post(f"/api/v1/feedback/{pk}/answer/", {"answer": "下月增加"}, format="json")
        assert answered.status_code == 200, answered.content
        listed = _api(staff_manager).get("/api/v1/feedback/")
        assert listed.status_code == 200
        assert time.monotonic() - started < 15, "requests must not hang on a dead Redis"

    # The answer's notification waits in the outbox, stored once, not sent.
    assert Feedback.objects.filter(pk=pk, status="answered").count() == 1
    deliveries = list(Delivery.objects.all())
    assert deliveries and {d.status for d in deliveries} == {DeliveryStatus.PENDING}
    assert mail.outbox == []

    # Redis is back: a worker starts, two sweeps run (a beat and a re-run); each e-mail goes out once.
    celery_worker_after()
    from notifications.tasks import sweep_outbox

    sweep_outbox.delay()
    sweep_outbox.delay()
    deadline = time.monotonic() + 30
    while Delivery.objects.filter(status=DeliveryStatus.PENDING).exists():
        assert time.monotonic() < deadline, "the outbox was not drained after Redis came back"
        time.sleep(0.1)
    time.sleep(0.5)  # a duplicate would show up now
    assert Delivery.objects.filter(status=DeliveryStatus.SENT).count() == len(deliveries)
    assert len(mail.outbox) == len(deliveries)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(d.address for d in deliveries)
    assert Notification.objects.filter(recipient=reader).count() == 1


@pytest.fixture
def celery_worker_after():
    """Start a real worker (solo pool, on the live Redis) when the test says Redis is back."""
    from celery.contrib.testing.worker import start_worker
    from celery.signals import task_postrun
    from django.db import connections

    def close(**kwargs):
        connections.close_all()

    stack = []

    def start():
        app.control.purge()
        task_postrun.connect(close, weak=False)
        ctx = start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=5)
        ctx.__enter__()
        stack.append(ctx)

    yield start
    for ctx in stack:
        ctx.__exit__(None, None, None)
    task_postrun.disconnect(close)

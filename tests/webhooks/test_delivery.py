"""End to end: a service emits an event, a real receiver on localhost gets it signed, a failing one gets it again."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.alliance.flow import act, move, new_project, staff_project, to_seeking_partners
from webhooks import services, tasks
from webhooks.models import Attempt, DeliveryStatus, Subscription, WebhookDelivery

pytestmark = pytest.mark.django_db


def verify(secret: str, headers: dict[str, str], body: bytes, tolerance: int = 300) -> bool:
    """What a receiver does (docs/webhooks.md): recompute the HMAC over "<timestamp>.<body>" and compare."""
    timestamp = headers["X-Gongjian-Timestamp"]
    if abs(time.time() - int(timestamp)) > tolerance:
        return False
    expected = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(f"sha256={expected}", headers["X-Gongjian-Signature"])


def _subscribe(p, url, events=("project.transitioned",)) -> Subscription:
    return services.subscription_create(
        actor=act(p.supplier_manager), organization=p.enterprise, name="ERP", url=url, events=list(events)
    )


@pytest.fixture
def staffed(p, partner_manager):
    p.supplier_manager = partner_manager
    project = new_project(p)
    to_seeking_partners(p, project)
    staff_project(p, project)
    return project


def test_a_transition_reaches_the_receiver_signed(
    p, staffed, receiver, monkeypatch, django_capture_on_commit_callbacks
):
    sub = _subscribe(p, receiver.url)
    # The on-commit hook asks Celery; here the task runs in-process, as a worker would.
    monkeypatch.setattr(tasks.deliver, "apply_async", lambda args, **kw: tasks.deliver(*args))
    with django_capture_on_commit_callbacks(execute=True):
        move(p.manager, staffed, "suspend", note="预算调整")

    assert len(receiver.received) == 1
    got = receiver.received[0]
    assert verify(sub.secret, got["headers"], got["body"])
    assert not verify("wrong-secret", got["headers"], got["body"])
    payload = json.loads(got["body"])
    assert payload["event"] == "project.transitioned"
    assert payload["object"] == {"type": "alliance.project", "id": staffed.pk}
    assert payload["data"]["to"] == "suspended" and payload["data"]["project"] == staffed.pk
    assert payload["url"].endswith(f"/alliances/projects/{staffed.pk}/")
    assert "预算调整" not in got["body"].decode()  # ids and a link, not the note
    assert got["headers"]["X-Gongjian-Event"] == "project.transitioned"
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.SENT
    assert delivery.response_status == 200 and delivery.response_body == '{"ok": true}'
    assert delivery.duration_ms is not None and delivery.attempts == 1


def test_a_failing_receiver_gets_it_again_after_the_backoff(p, staffed, receiver):
    sub = _subscribe(p, receiver.url)
    receiver.statuses = [500, 503]
    move(p.manager, staffed, "suspend")
    delivery = WebhookDelivery.objects.get(subscription=sub)

    assert services.deliveries_sweep() == 0  # first try: 500
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING and delivery.attempts == 1
    assert delivery.response_status == 500 and delivery.response_body == "receiver is down"
    first_retry = delivery.next_attempt_at
    assert first_retry > timezone.now()

    assert services.deliveries_sweep() == 0  # not due yet: nothing sent
    assert len(receiver.received) == 1

    assert services.deliveries_sweep(now=first_retry + timedelta(seconds=1)) == 0  # second try: 503
    delivery.refresh_from_db()
    assert delivery.attempts == 2 and delivery.next_attempt_at - first_retry >= timedelta(minutes=1)

    later = delivery.next_attempt_at + timedelta(seconds=1)
    assert services.deliveries_sweep(now=later) == 1  # third try: 200
    assert services.deliveries_sweep(now=later + timedelta(hours=1)) == 0  # sent once, never again
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT and delivery.attempts == 3
    assert len(receiver.received) == 3
    assert len({r["headers"]["X-Gongjian-Delivery"] for r in receiver.received}) == 1  # same event id each time
    assert list(Attempt.objects.filter(delivery=delivery).values_list("response_status", flat=True)) == [500, 503, 200]
    assert all(verify(sub.secret, r["headers"], r["body"]) for r in receiver.received)


def test_gives_up_after_the_last_attempt(p, staffed, receiver):
    sub = _subscribe(p, receiver.url)
    receiver.statuses = [500] * services.MAX_ATTEMPTS
    move(p.manager, staffed, "suspend")
    now = timezone.now()
    for _ in range(services.MAX_ATTEMPTS):
        services.deliveries_sweep(now=now)
        now += services.MAX_BACKOFF + timedelta(seconds=1)
    delivery = WebhookDelivery.objects.get(subscription=sub)
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == services.MAX_ATTEMPTS
    services.delivery_retry(actor=act(p.supplier_manager), delivery=delivery)
    assert services.deliveries_sweep(now=now) == 1


def test_a_connection_refused_is_recorded_and_retried(p, staffed):
    sub = _subscribe(p, "http://localhost:9/closed")
    move(p.manager, staffed, "suspend")
    services.deliveries_sweep()
    delivery = WebhookDelivery.objects.get(subscription=sub)
    assert delivery.status == DeliveryStatus.PENDING and delivery.response_status is None
    assert delivery.last_error


def test_only_organisations_that_see_the_object_and_chose_the_event_get_it(p, staffed, receiver, outsider, other_org):
    _subscribe(p, receiver.url)
    services.subscription_create(
        actor=act(outsider), organization=other_org, name="x", url=receiver.url, events=["project.transitioned"]
    )
    services.subscription_create(
        actor=act(p.supplier_manager), organization=p.enterprise, name="risk only", url=receiver.url,
        events=["risk.level_changed"],
    )  # fmt: skip
    off = _subscribe(p, receiver.url)
    services.subscription_update(actor=act(p.supplier_manager), subscription=off, is_active=False)
    move(p.manager, staffed, "suspend")
    assert list(WebhookDelivery.objects.values_list("subscription__name", flat=True)) == ["ERP"]


def test_archived_subscription_stops_pending_deliveries(p, staffed, receiver):
    sub = _subscribe(p, receiver.url)
    move(p.manager, staffed, "suspend")
    services.subscription_archive(actor=act(p.supplier_manager), subscription=sub)
    assert services.deliveries_sweep() == 0
    assert receiver.received == []
    assert WebhookDelivery.objects.get().status == DeliveryStatus.FAILED

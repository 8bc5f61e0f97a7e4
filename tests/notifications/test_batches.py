"""notify_many() in a constant number of queries, and batched delivery: one mail connection per batch, rows
claimed under a token and a lease so two workers, a re-run and a killed worker send each e-mail once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.utils import timezone

from notifications import services, tasks
from notifications.models import Delivery, DeliveryStatus, DigestSchedule, Notification, Preference
from tests import factories as f

OPENED: list[int] = []


class CountingBackend(LocmemBackend):
    """locmem, counting how many connections were opened."""

    def open(self):
        OPENED.append(1)
        return True


def _users(count, **kwargs):
    return [f.UserFactory(**kwargs) for _ in range(count)]


def test_notify_many_costs_the_same_queries_for_five_or_fifty_people(db, django_assert_num_queries):
    few, many = _users(5), _users(50)
    Preference.objects.create(user=many[0], event="", email=False)
    Preference.objects.create(user=many[1], event="b.event", cadence="daily")
    # preferences, notifications, deliveries (+ digest schedules when someone takes a digest), savepoints
    with django_assert_num_queries(5):
        services.notify_many([services.Notice(few, "a.event", "A")])
    with django_assert_num_queries(6):
        services.notify_many(
            [services.Notice(many, "a.event", "A"), services.Notice(many[:10], "b.event", "B", url="/b/")]
        )
    assert Notification.objects.count() == 5 + 50 + 10
    assert Delivery.objects.filter(status=DeliveryStatus.PENDING).count() == 5 + 49 + 8
    assert Delivery.objects.get(status=DeliveryStatus.HELD).recipient == many[1]
    assert DigestSchedule.objects.filter(user=many[1]).exists()


def test_notify_many_tells_each_person_once_per_notice_and_skips_inactive_people(db):
    a, b = f.UserFactory(), f.UserFactory(is_active=False)
    made = services.notify_many(
        [services.Notice([a, a, b, None], "e", "one"), services.Notice([a], "e", "two", data={"k": 1})]
    )
    assert [(n.recipient_id, n.title) for n in made] == [(a.pk, "one"), (a.pk, "two")]
    assert services.notify_many([services.Notice([b, None], "e", "none")]) == []


def test_a_batch_goes_out_over_one_connection_and_is_marked_sent(db, mailoutbox, settings):
    settings.EMAIL_BACKEND = "tests.notifications.test_batches.CountingBackend"
    OPENED.clear()
    services.notify(recipients=_users(45), event="e", title="Hello")
    ids = list(Delivery.objects.values_list("pk", flat=True))

    assert services.deliveries_send(ids=ids, token="task:1") == {"sent": 45, "failed": 0}
    assert len(OPENED) == 1
    assert len(mailoutbox) == 45
    assert Delivery.objects.filter(status=DeliveryStatus.SENT, attempts=1, claim_token="").count() == 45
    assert services.deliveries_send(ids=ids, token="task:1") == {"sent": 0, "failed": 0}  # a repeat sends nothing
    assert services.outbox_sweep() == 0


def test_one_failing_message_does_not_stop_the_batch(db, mailoutbox, monkeypatch):
    users = _users(3)
    services.notify(recipients=users, event="e", title="Hello")
    bad = Delivery.objects.get(recipient=users[1])
    real = services._message

    def message(delivery):
        if delivery.pk == bad.pk:
            raise ValueError("cannot render")
        return real(delivery)

    monkeypatch.setattr(services, "_message", message)
    assert services.outbox_sweep() == 2
    bad.refresh_from_db()
    assert (bad.status, bad.attempts, bad.claim_token) == (DeliveryStatus.PENDING, 1, "")
    assert "cannot render" in bad.last_error
    assert bad.next_attempt_at > timezone.now()


def test_rows_another_worker_holds_are_left_alone_until_its_lease_runs_out(db, mailoutbox):
    services.notify(recipients=_users(3), event="e", title="Hello")
    now = timezone.now()
    held = services._claim(token="task:dead", now=now)  # a worker claimed them, then was killed
    assert len(held) == 3
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENDING}

    assert services.outbox_sweep(now=now) == 0  # its lease holds: no one else sends them
    assert services.deliveries_send(ids=held, token="task:other", now=now)["sent"] == 0
    assert mailoutbox == []

    assert services.deliveries_send(ids=held, token="task:dead", now=now)["sent"] == 3  # the same task, re-run
    assert len(mailoutbox) == 3


def test_the_sweeper_takes_over_a_dead_workers_rows_after_the_lease(db, mailoutbox):
    services.notify(recipients=_users(2), event="e", title="Hello")
    now = timezone.now()
    services._claim(token="task:dead", now=now)
    assert services.outbox_sweep(now=now + services.LEASE + timedelta(seconds=1)) == 2
    assert Delivery.objects.filter(status=DeliveryStatus.SENT, attempts=1).count() == 2
    assert len(mailoutbox) == 2


def test_the_task_sends_its_batch_under_its_own_id(db, mailoutbox):
    services.notify(recipients=_users(2), event="e", title="Hello")
    ids = list(Delivery.objects.values_list("pk", flat=True))
    assert tasks.deliver_batch.apply(args=(ids,), task_id="abc").get() == {"sent": 2, "failed": 0}
    assert len(mailoutbox) == 2


@pytest.mark.django_db(transaction=True)
def test_two_workers_claiming_at_once_take_disjoint_rows(mailoutbox):
    import threading

    from django.db import connections

    services.notify(recipients=_users(40), event="e", title="Hello")
    barrier = threading.Barrier(2)
    results: list[dict[str, int]] = []

    def worker(token):
        try:
            barrier.wait(10)
            results.append(services.deliveries_send(token=token, limit=30))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(f"task:{i}",)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sum(r["sent"] for r in results) == 40
    assert len(mailoutbox) == 40
    assert len({m.extra_headers["X-Gongjian-Delivery"] for m in mailoutbox}) == 40


def test_digests_for_many_people_cost_a_constant_number_of_queries(db, mailoutbox, django_assert_num_queries):
    from collections import Counter

    users = _users(12, preferred_language="en")
    Preference.objects.bulk_create([Preference(user=u, event="", cadence="daily") for u in users])
    services.notify(recipients=users, event="e", title="One")
    services.notify(recipients=users[:5], event="e", title="Two")
    later = max(DigestSchedule.objects.values_list("next_due_at", flat=True)) + timedelta(minutes=1)
    # claim, who holds e-mails, digests (INSERT .. ON CONFLICT .. RETURNING), attach, count, digest e-mails,
    # schedules, and the savepoint and its release
    with django_assert_num_queries(9):
        assert services.digests_send_due(now=later) == 12
    assert services.digests_send_due(now=later) == 0
    services.outbox_sweep(now=later)
    assert Counter(m.subject for m in mailoutbox) == {
        "Your Gongjian digest: 2 notifications": 5,
        "Your Gongjian digest: 1 notifications": 7,
    }
    assert not Delivery.objects.filter(status=DeliveryStatus.HELD).exists()


class RefusingBackend(LocmemBackend):
    """A mail server that refuses connections."""

    def open(self):
        OPENED.append(1)
        raise ConnectionRefusedError("SMTP is down")


def test_a_refused_connection_fails_the_batch_without_trying_each_message(db, mailoutbox, settings):
    settings.EMAIL_BACKEND = "tests.notifications.test_batches.RefusingBackend"
    OPENED.clear()
    services.notify(recipients=_users(5), event="e", title="Hello")
    assert services.deliveries_send(ids=list(Delivery.objects.values_list("pk", flat=True))) == {
        "sent": 0,
        "failed": 5,
    }
    assert len(OPENED) == 1
    rows = Delivery.objects.all()
    assert {(d.status, d.attempts) for d in rows} == {(DeliveryStatus.PENDING, 1)}
    assert all("SMTP is down" in d.last_error for d in rows)

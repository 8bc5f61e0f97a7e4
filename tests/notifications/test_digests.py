"""Daily digests: one per person and day, however often and however many sweepers run."""

from __future__ import annotations

import threading
from datetime import timedelta

from django.core import mail
from django.db import connections
from django.utils import timezone

from notifications import services
from notifications.models import Delivery, DeliveryStatus, Digest, DigestSchedule, Preference
from tests import factories as f


def _digest_reader():
    user = f.UserFactory(email="digest@example.org", preferred_language="en")
    Preference.objects.create(user=user, event="", cadence="daily")
    for title in ("Trial opens", "Feedback answered"):
        services.notify(recipients=[user], event="test.event", title=title, url="/x/")
    return user


def test_digest_preference_holds_emails_until_the_digest(db, mailoutbox):
    user = _digest_reader()
    assert set(Delivery.objects.filter(recipient=user).values_list("status", flat=True)) == {DeliveryStatus.HELD}
    assert DigestSchedule.objects.get(user=user).next_due_at > timezone.now()
    assert services.digests_send_due() == 0  # not due yet
    assert Digest.objects.count() == 0


def test_digest_sweeper_run_twice_sends_one_digest(db, mailoutbox):
    user = _digest_reader()
    later = DigestSchedule.objects.get(user=user).next_due_at + timedelta(minutes=1)

    assert services.digests_send_due(now=later) == 1
    assert services.digests_send_due(now=later) == 0
    services.outbox_sweep(now=later)
    services.outbox_sweep(now=later)

    assert Digest.objects.filter(user=user).count() == 1
    assert len(mailoutbox) == 1
    assert "Trial opens" in mailoutbox[0].body and "Feedback answered" in mailoutbox[0].body
    assert mailoutbox[0].subject == "Your Gongjian digest: 2 notifications"
    assert DigestSchedule.objects.get(user=user).next_due_at > later


def test_two_digest_sweepers_at_once_send_one_digest(transactional_db):
    user = _digest_reader()
    later = DigestSchedule.objects.get(user=user).next_due_at + timedelta(minutes=1)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run():
        try:
            barrier.wait()
            services.digests_send_due(now=later)
            services.outbox_sweep(now=later)
        except Exception as exc:  # noqa: BLE001 - surfaced by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=20)

    assert errors == []
    assert Digest.objects.filter(user=user).count() == 1
    assert len(mail.outbox) == 1


def test_a_digest_already_recorded_for_the_period_is_not_sent_again(db, mailoutbox):
    user = _digest_reader()
    schedule = DigestSchedule.objects.get(user=user)
    later = schedule.next_due_at + timedelta(minutes=1)
    Digest.objects.create(user=user, period=timezone.localtime(schedule.next_due_at).date().isoformat())

    services.digests_send_due(now=later)
    services.outbox_sweep(now=later)

    assert mailoutbox == []
    assert DigestSchedule.objects.get(user=user).next_due_at > later

"""notify(), preferences and the outbox without a worker: the sweeper is called directly."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from core.exceptions import ConflictError, NotAllowed
from notifications import selectors, services
from notifications.models import Delivery, DeliveryStatus, Notification, Preference
from tests import factories as f


def test_notify_writes_one_in_app_row_and_one_email_per_recipient(db, mailoutbox):
    a, b = f.UserFactory(), f.UserFactory()
    services.notify(recipients=[a, b, a, None], event="test.event", title="Hello", url="/x/")

    assert Notification.objects.filter(in_app=True).count() == 2
    assert Delivery.objects.filter(status=DeliveryStatus.PENDING).count() == 2
    assert services.outbox_sweep() == 2
    assert services.outbox_sweep() == 0
    assert sorted(m.to[0] for m in mailoutbox) == sorted([a.email, b.email])
    assert all(m.extra_headers["X-Gongjian-Delivery"].startswith("notification:") for m in mailoutbox)


def test_lazy_titles_are_rendered_in_each_recipients_language(db):
    zh = f.UserFactory(preferred_language="zh-hans")
    en = f.UserFactory(preferred_language="en")
    services.notify(recipients=[zh, en], event="test.event", title=gettext_lazy("Enter a valid URL."))
    titles = dict(Notification.objects.values_list("recipient_id", "title"))
    assert titles[en.pk] == "Enter a valid URL."
    assert titles[zh.pk] != titles[en.pk]


def test_preferences_turn_channels_off_per_event(db, mailoutbox):
    user = f.UserFactory()
    Preference.objects.create(user=user, event="", email=False)
    Preference.objects.create(user=user, event="quiet.event", in_app=False, email=True)

    services.notify(recipients=[user], event="loud.event", title="A")
    services.notify(recipients=[user], event="quiet.event", title="B")
    services.outbox_sweep()

    assert [n.title for n in selectors.notification_list_for(user)] == ["A"]
    assert [m.subject for m in mailoutbox] == ["B"]


def test_users_without_an_email_address_get_only_the_in_app_notification(db):
    user = f.UserFactory(email="")
    services.notify(recipients=[user], event="test.event", title="A")
    assert selectors.unread_count(user) == 1
    assert not Delivery.objects.exists()


def test_failing_sends_back_off_then_stay_failed_for_operators(db, mailoutbox, settings):
    settings.EMAIL_BACKEND = "tests.notifications.broken_mail.EmailBackend"
    services.notify_address(address="x@example.org", subject="Invite", body="Join us", event="test.invite")
    delivery = Delivery.objects.get()

    now = timezone.now()
    for attempt in range(1, services.MAX_ATTEMPTS + 1):
        services.outbox_sweep(now=now)
        delivery.refresh_from_db()
        assert delivery.attempts == attempt
        assert services.outbox_sweep(now=now) == 0  # backing off: not due again yet
        now = delivery.next_attempt_at + timedelta(seconds=1)

    assert delivery.status == DeliveryStatus.FAILED
    assert "SMTP is down" in delivery.last_error

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    services.delivery_retry(user=f.UserFactory(is_staff=True), delivery=delivery)
    assert services.outbox_sweep() == 1
    assert [m.subject for m in mailoutbox] == ["Invite"]


def test_only_operators_retry_and_only_failed_deliveries(db):
    delivery = services.notify_address(address="x@example.org", subject="s", body="b", event="test.invite")
    with pytest.raises(NotAllowed):
        services.delivery_retry(user=f.UserFactory(), delivery=delivery)
    with pytest.raises(ConflictError):
        services.delivery_retry(user=f.UserFactory(is_staff=True), delivery=delivery)


def test_mark_read_touches_only_the_readers_own_notifications(db):
    me, other = f.UserFactory(), f.UserFactory()
    mine = services.notify(recipients=[me], event="e", title="mine")[0]
    theirs = services.notify(recipients=[other], event="e", title="theirs")[0]

    assert services.notification_mark_read(user=me, notification_ids=[mine.pk, theirs.pk]) == 1
    assert selectors.unread_count(me) == 0
    assert selectors.unread_count(other) == 1
    services.notify(recipients=[me], event="e", title="again")
    assert services.notification_mark_all_read(user=me) == 1
    assert selectors.unread_count(me) == 0


def test_a_rolled_back_change_leaves_no_notification_and_sends_nothing(db, mailoutbox):
    user = f.UserFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        services.notify(recipients=[user], event="e", title="never happened")
        raise RuntimeError("the domain write failed")
    assert not Notification.objects.exists()
    assert not Delivery.objects.exists()
    services.outbox_sweep()
    assert mailoutbox == []


def test_emails_are_framed_in_each_recipients_language(db, mailoutbox, settings):
    settings.SITE_URL = "https://gongjian.example.cn"
    zh = f.UserFactory(preferred_language="zh-hans")
    en = f.UserFactory(preferred_language="en")
    services.notify(recipients=[zh, en], event="e", title="Trial opens", url="/trials/3/")
    services.outbox_sweep()

    body = {m.to[0]: m.body for m in mailoutbox}
    assert "Open in Gongjian: https://gongjian.example.cn/trials/3/" in body[en.email]
    assert "在共建平台中打开： https://gongjian.example.cn/trials/3/" in body[zh.email]
    html = {m.to[0]: m.alternatives[0][0] for m in mailoutbox}
    assert 'href="https://gongjian.example.cn/trials/3/"' in html[en.email]

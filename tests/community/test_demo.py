"""The demo has a discussion with replies and a mention, a policy acknowledged by some, and an inactive webhook."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from community.demo import POLICY_TITLE
from community.models import Acknowledgement, Post, Thread
from notifications.models import Notification
from webhooks.models import Subscription

pytestmark = pytest.mark.django_db


def test_demo_seeds_community_and_webhooks():
    call_command("seed_demo", "--once", stdout=StringIO())
    thread = Thread.objects.get(alliance__isnull=False)
    assert thread.reply_count == 2 and Post.objects.filter(thread=thread).count() == 3
    assert Thread.objects.filter(alliance__isnull=True).count() == 1
    zhitu = get_user_model().objects.get(username="zhitu-manager")
    assert Notification.objects.filter(recipient=zhitu, event="community.mention").exists()
    acks = Acknowledgement.objects.filter(document__title=POLICY_TITLE)
    assert acks.filter(acknowledged_at__isnull=False).count() == 2
    assert acks.filter(acknowledged_at__isnull=True).count() >= 3
    sub = Subscription.objects.get()
    assert not sub.is_active and sub.url.startswith("http://localhost")

"""The sweeper helpers: claim only due rows, skip rows another sweeper holds, do keyed work once."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from django.db import connections, transaction
from django.utils import timezone

from core.sweepers import claim_due, create_once
from notifications.models import Digest, DigestSchedule
from tests import factories as f


def _schedule(minutes: int) -> DigestSchedule:
    user: Any = f.UserFactory()
    return DigestSchedule.objects.create(user=user, next_due_at=timezone.now() + timedelta(minutes=minutes))


def test_claim_due_must_run_in_a_transaction(transactional_db):
    with pytest.raises(RuntimeError):
        claim_due(DigestSchedule.objects.all())


def test_claim_due_returns_only_rows_that_are_due(db):
    due, _later = _schedule(-5), _schedule(+5)
    with transaction.atomic():
        assert claim_due(DigestSchedule.objects.all()) == [due]


def test_a_row_held_by_another_sweeper_is_skipped(transactional_db):
    first, second = _schedule(-10), _schedule(-5)
    held = threading.Event()
    release = threading.Event()
    taken: list[DigestSchedule] = []

    def other_sweeper():
        with transaction.atomic():
            taken.extend(claim_due(DigestSchedule.objects.all(), limit=1))
            held.set()
            release.wait(10)
        connections.close_all()

    thread = threading.Thread(target=other_sweeper)
    thread.start()
    try:
        assert held.wait(10)
        assert taken == [first]
        with transaction.atomic():
            assert claim_due(DigestSchedule.objects.all()) == [second]
    finally:
        release.set()
        thread.join(10)


def test_create_once_does_keyed_work_once(db):
    user = f.UserFactory()
    with transaction.atomic():
        assert create_once(Digest, user=user, period="2026-12-04") is not None
        assert create_once(Digest, user=user, period="2026-12-04") is None
        assert Digest.objects.filter(user=user).count() == 1  # the transaction is still usable

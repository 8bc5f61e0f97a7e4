"""Service levels: a breach is flagged and escalated to the responsible person, then their manager, once each."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from core.exceptions import DomainError, NotAllowed
from feedback import services, tasks
from feedback.models import Feedback, ServiceLevelBreach
from notifications.models import Notification

from .conftest import act, give


@pytest.fixture
def limits(library, staff_manager):
    services.service_level_set(actor=act(staff_manager), library=library, status="new", max_hours=24)
    services.service_level_set(actor=act(staff_manager), library=library, status="triaged", max_hours=48)


def _breach_notes(user):
    return Notification.objects.filter(recipient=user, event="feedback.sla_breach").count()


def test_breach_goes_to_the_responsible_person_then_the_manager_exactly_once(limits, reader, staff, staff_manager):
    fb = give(reader)
    services.feedback_triage(actor=act(staff), feedback=fb, assignee=staff)
    fb.refresh_from_db()
    entered = fb.state_entered_at
    assert fb.sla_due_at == entered + timedelta(hours=48)

    assert services.sla_sweep(now=entered + timedelta(hours=47)) == 0
    assert services.sla_sweep(now=entered + timedelta(hours=49)) == 1
    assert _breach_notes(staff) == 1 and _breach_notes(staff_manager) == 0
    # Run again at the same moment: nothing new.
    assert services.sla_sweep(now=entered + timedelta(hours=49)) == 0
    fb.refresh_from_db()
    assert fb.sla_level == 1 and fb.sla_breached_at is not None

    assert services.sla_sweep(now=entered + timedelta(hours=97)) == 1
    assert _breach_notes(staff_manager) == 1
    # Level 2 is the last: any number of later sweeps change nothing.
    assert services.sla_sweep(now=entered + timedelta(days=30)) == 0
    assert services.sla_sweep(now=entered + timedelta(days=60)) == 0
    assert list(ServiceLevelBreach.objects.values_list("level", flat=True).order_by("level")) == [1, 2]
    assert _breach_notes(staff) == 1 and _breach_notes(staff_manager) == 1


def test_breach_key_holds_even_if_the_clock_fields_are_rewound(limits, reader, staff_manager):
    fb = give(reader)
    later = fb.state_entered_at + timedelta(hours=25)
    services.sla_sweep(now=later)
    # Simulate a second worker that read the row before the first one saved it.
    Feedback.objects.filter(pk=fb.pk).update(sla_level=0, sla_due_at=fb.sla_due_at)
    services.sla_sweep(now=later)
    assert ServiceLevelBreach.objects.filter(feedback=fb, level=1).count() == 1
    assert _breach_notes(staff_manager) == 1


def test_a_new_state_starts_a_new_clock(limits, reader, staff):
    fb = give(reader)
    services.sla_sweep(now=fb.state_entered_at + timedelta(hours=25))
    services.feedback_answer(actor=act(staff), feedback=fb, answer="已处理")
    fb.refresh_from_db()
    assert fb.sla_level == 0 and fb.sla_breached_at is None
    assert fb.sla_due_at is None  # no limit for "answered" in this library
    assert services.sla_sweep(now=timezone.now() + timedelta(days=10)) == 0


def test_beat_task_runs_the_sweeper(limits, reader, staff_manager, settings):
    assert (
        settings.CELERY_BEAT_SCHEDULE["feedback-sweep-service-levels"]["task"] == "feedback.tasks.sweep_service_levels"
    )
    fb = give(reader)
    Feedback.objects.filter(pk=fb.pk).update(sla_due_at=timezone.now() - timedelta(minutes=1))
    assert tasks.sweep_service_levels() == 1
    assert tasks.sweep_service_levels() == 0


def test_only_managers_set_service_levels(library, staff, staff_manager):
    with pytest.raises(NotAllowed):
        services.service_level_set(actor=act(staff), library=library, status="new", max_hours=1)
    with pytest.raises(DomainError):
        services.service_level_set(actor=act(staff_manager), library=library, status="confirmed", max_hours=1)

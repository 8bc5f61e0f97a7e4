"""Reminder sweepers: a due milestone or an overdue correction is announced once per period, never twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from alliance import services, tasks
from alliance.services.reminders import morning_of
from notifications.models import Notification
from tests.alliance.flow import act, deliver, new_project, start_trial, to_development

pytestmark = pytest.mark.django_db


def _count(event, user):
    return Notification.objects.filter(event=event, recipient=user).count()


def test_a_due_milestone_is_announced_once_then_weekly_until_done(p):
    project = new_project(p)
    today = timezone.localdate()
    milestone = services.milestone_add(actor=act(p.librarian), project=project, title="设备安装", due_on=today)
    services.milestone_add(actor=act(p.librarian), project=project, title="下月验收", due_on=today + timedelta(days=30))
    at = morning_of(today) + timedelta(minutes=1)
    assert services.milestones_review_due(now=at) == 1
    assert services.milestones_review_due(now=at + timedelta(hours=1)) == 0  # a second beat changes nothing
    assert _count("alliance.milestone.due", p.manager) == 1
    assert services.milestones_review_due(now=at + timedelta(days=7)) == 1
    assert _count("alliance.milestone.overdue", p.manager) == 1
    services.milestone_complete(actor=act(p.librarian), milestone=milestone)
    assert services.milestones_review_due(now=at + timedelta(days=14)) == 0


def test_an_unanswered_correction_nudges_the_provider_after_its_due_date(p):
    project = new_project(p)
    to_development(p, project)
    trial = start_trial(p, project, deliver(p, project))
    due = timezone.localdate()
    correction = services.correction_raise(
        actor=act(p.librarian), project=project, trial=trial, title="识别慢", severity="high", due_on=due
    )
    assert services.corrections_remind_overdue(now=morning_of(due)) == 0  # not overdue on its due date
    after = morning_of(due + timedelta(days=1))
    assert services.corrections_remind_overdue(now=after) == 1
    assert services.corrections_remind_overdue(now=after) == 0
    assert _count("alliance.correction.overdue", p.supplier) == 1
    assert _count("alliance.correction.overdue", p.librarian) == 1
    services.correction_answer(actor=act(p.supplier), correction=correction, answer="已修复")
    assert services.corrections_remind_overdue(now=after + timedelta(days=3)) == 0


def test_the_beat_task_runs_both_sweepers(p):
    project = new_project(p)
    services.milestone_add(
        actor=act(p.librarian), project=project, title="早已到期", due_on=timezone.localdate() - timedelta(days=2)
    )
    assert tasks.sweep_reminders() == 1
    assert tasks.sweep_reminders() == 0


def test_beat_runs_the_reminder_sweeper_by_a_name_celery_knows():
    from django.conf import settings

    from config.celery import app

    assert settings.CELERY_BEAT_SCHEDULE["alliance-sweep-reminders"]["task"] == tasks.sweep_reminders.name
    assert tasks.sweep_reminders.name in app.tasks

"""The pre-assessment guard of the alliance cycle, and the review sweeper's exactly-once reminders."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connections
from django.utils import timezone

from alliance import hooks
from core.exceptions import ConflictError, NotAllowed
from notifications.models import Notification
from risk import services
from risk.models import ReviewReminder, Risk
from risk.services import preassessment_check
from tests.alliance.flow import act, move
from tests.risk.conftest import project_with_provider

CATEGORIES = ["technology", "ethics", "funding", "copyright", "security", "partner", "compliance", "other"]


def _refused(p, project):
    with pytest.raises(ConflictError) as exc, hooks.passing(hooks.CONTRACT_SIGNED):
        move(p.manager, project, "start_development")
    project.refresh_from_db()
    assert project.status == "seeking_partners"
    return str(exc.value)


def _assess(p, assessment, categories):
    for category in categories:
        services.preassessment_assess(
            actor=act(p.librarian), assessment=assessment, category=category, finding="已评估", likelihood=2, impact=3
        )


def test_the_risk_check_is_plugged_into_the_development_guard():
    assert preassessment_check in hooks.registered(hooks.RISK_PREASSESSED)


@pytest.mark.django_db
def test_development_is_refused_naming_missing_categories_and_signatures_then_passes_when_complete(p):
    project = project_with_provider(p)
    assert "risk pre-assessment missing" in _refused(p, project)
    assessment = services.preassessment_start(actor=act(p.librarian), project=project)
    _assess(p, assessment, CATEGORIES[:6])
    message = _refused(p, project)
    assert "categories not assessed: Policy and compliance, Other" in message
    assert "library signature missing" in message and "provider signature missing" in message
    with pytest.raises(ConflictError, match="Categories not yet assessed"):
        services.preassessment_sign(actor=act(p.manager), assessment=assessment, side="library")
    _assess(p, assessment, CATEGORIES[6:])
    with pytest.raises(NotAllowed):  # a member does not sign for the library
        services.preassessment_sign(actor=act(p.librarian), assessment=assessment, side="library")
    services.preassessment_sign(actor=act(p.manager), assessment=assessment, side="library")
    message = _refused(p, project)
    assert "categories" not in message and "library signature" not in message
    assert "provider signature missing" in message
    with pytest.raises(NotAllowed):  # the supplier is a member of the provider, not its manager
        services.preassessment_sign(actor=act(p.supplier), assessment=assessment, side="provider")
    provider_manager = _provider_manager(p)
    signed = services.preassessment_sign(actor=act(provider_manager), assessment=assessment, side="provider")
    assert signed.status == "completed"
    with hooks.passing(hooks.CONTRACT_SIGNED):
        assert move(p.manager, project, "start_development").status == "in_development"


def _provider_manager(p):
    from tests import factories as f

    return f.member_of(p.enterprise, "manager")


@pytest.mark.django_db
def test_a_change_after_signing_voids_the_signatures(p):
    project = project_with_provider(p)
    assessment = services.preassessment_start(actor=act(p.librarian), project=project)
    _assess(p, assessment, CATEGORIES)
    services.preassessment_sign(actor=act(p.manager), assessment=assessment, side="library")
    services.preassessment_sign(actor=act(_provider_manager(p)), assessment=assessment, side="provider")
    assert preassessment_check(project) is None
    _assess(p, assessment, ["ethics"])
    assert "library signature missing; provider signature missing" in preassessment_check(project)


# --- the sweeper --------------------------------------------------------------------------------------------------


def _due(risk, days_ago):
    due = timezone.now() - timedelta(days=days_ago)
    Risk.objects.filter(pk=risk.pk).update(next_review_at=due, sweep_at=due)


@pytest.mark.django_db
def test_sweeper_reminds_once_when_due_and_escalates_once_when_overdue(w):
    _due(w.risk, 1)
    assert services.reviews_sweep() == 1
    assert services.reviews_sweep() == 0  # run twice: nothing more
    reminders = Notification.objects.filter(event="risk.review.due")
    assert sorted(reminders.values_list("recipient", flat=True)) == sorted([w.p.librarian.pk, w.p.manager.pk])
    later = timezone.now() + timedelta(days=7)
    assert services.reviews_sweep(now=later) == 1
    assert services.reviews_sweep(now=later) == 0
    escalations = Notification.objects.filter(event="risk.review.overdue")
    assert sorted(escalations.values_list("recipient", flat=True)) == sorted([w.p.librarian.pk, w.p.manager.pk])
    assert Risk.objects.get(pk=w.risk.pk).sweep_at is None  # nothing more until someone reviews it
    assert ReviewReminder.objects.filter(risk=w.risk).count() == 2
    services.review_record(
        actor=act(w.p.librarian), risk=w.risk, likelihood=3, impact=3, residual_likelihood=3, residual_impact=3
    )
    assert services.reviews_sweep(now=later) == 0
    w.risk.refresh_from_db()
    assert w.risk.sweep_at == w.risk.next_review_at > later  # a new period, with its own reminders


@pytest.mark.django_db
def test_a_reminder_already_recorded_for_the_period_is_not_sent_again(w):
    _due(w.risk, 1)
    w.risk.refresh_from_db()
    ReviewReminder.objects.create(risk=w.risk, period=w.risk.next_review_at, level="due")
    assert services.reviews_sweep() == 1
    assert not Notification.objects.filter(event="risk.review.due").exists()


@pytest.mark.django_db(transaction=True)
def test_two_sweepers_at_once_remind_exactly_once(w):
    _due(w.risk, 1)
    barrier = threading.Barrier(2)
    counts: list[int] = []

    def sweeper():
        try:
            barrier.wait(10)
            counts.append(services.reviews_sweep())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sweeper) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert sorted(counts) == [0, 1]  # the second skips the locked row, or finds it no longer due
    assert ReviewReminder.objects.filter(risk=w.risk, level="due").count() == 1
    assert Notification.objects.filter(event="risk.review.due").count() == 2  # the library's two people, once each


@pytest.mark.django_db
def test_the_beat_task_expires_acceptances_and_sweeps_reviews(w):
    from risk.tasks import sweep_reviews

    _due(w.risk, 1)
    assert sweep_reviews() == {"expired": 0, "reminded": 1}


def test_beat_runs_the_review_sweeper_and_celery_knows_it(settings):
    from config.celery import app
    from risk import tasks

    assert settings.CELERY_BEAT_SCHEDULE["risk-sweep-reviews"]["task"] == tasks.sweep_reviews.name
    assert tasks.sweep_reviews.name in app.tasks


def _many_due(w, count, days_ago):
    """`count` more risks of the register, owned by no one in particular (so the library's people), all due."""
    for i in range(count):
        services.risk_create(
            actor=act(w.p.librarian),
            register=w.register,
            category="security",
            title=f"风险 {i}",
            likelihood=2,
            impact=2,
        )
    due = timezone.now() - timedelta(days=days_ago)
    Risk.objects.filter(register=w.register).update(next_review_at=due, sweep_at=due)


@pytest.mark.django_db
def test_one_sweep_costs_the_same_few_queries_however_many_risks_are_due(w, django_assert_num_queries):
    # Set-based: claim, reminders (INSERT .. ON CONFLICT .. RETURNING), sweep times, named owners, memberships,
    # then notify_many (preferences, notifications, deliveries), plus two savepoints; no risk has a named owner.
    _many_due(w, 29, days_ago=1)
    with django_assert_num_queries(11):
        assert services.reviews_sweep() == 30
    assert ReviewReminder.objects.filter(level="due").count() == 30
    assert Notification.objects.filter(event="risk.review.due").count() == 60  # the library's two people, per risk
    assert services.reviews_sweep() == 0

    later = timezone.now() + timedelta(days=7)
    with django_assert_num_queries(11):
        assert services.reviews_sweep(now=later) == 30
    assert Notification.objects.filter(event="risk.review.overdue").count() == 60
    assert not Risk.objects.filter(register=w.register, sweep_at__isnull=False).exists()


@pytest.mark.django_db
def test_a_sweep_over_overdue_risks_escalates_to_the_lead_librarys_managers_once(w):
    _many_due(w, 4, days_ago=10)  # already past the escalation: straight to overdue, no "due" reminder
    assert services.reviews_sweep() == 5
    assert services.reviews_sweep() == 0
    assert not Notification.objects.filter(event="risk.review.due").exists()
    overdue = Notification.objects.filter(event="risk.review.overdue")
    assert overdue.count() == 10
    assert set(overdue.values_list("recipient", flat=True)) == {w.p.librarian.pk, w.p.manager.pk}
    assert ReviewReminder.objects.filter(level="overdue").count() == 5

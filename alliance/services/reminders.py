"""Reminder sweepers: milestones that fall due and corrections the provider has let run past their date.

Each row carries when it is next looked at (``Milestone.next_review_at``, ``CorrectionRequest.next_reminder_at``).
``core.sweepers.sweep`` claims due rows with ``SKIP LOCKED`` and moves that time forward in the same
transaction as the notification, so two beats, or a re-run, remind once per period.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy

from core.sweepers import sweep
from notifications.services import notify

from ..choices import CorrectionStatus, ParticipantRole
from ..cycle import TERMINAL
from ..models import CorrectionRequest, Milestone, ProjectParticipant
from ..parties import notice, organization_users, project_recipients, url_or_blank

MILESTONE_REMINDER_EVERY = timedelta(days=7)
CORRECTION_REMINDER_EVERY = timedelta(days=3)
REMINDER_HOUR = 9


def morning_of(day: date) -> datetime:
    """Reminders go out in working hours, local time."""
    return timezone.make_aware(datetime.combine(day, time(REMINDER_HOUR)))


def _remind_milestone(milestone: Milestone, now: datetime) -> datetime:
    project = milestone.project
    overdue = milestone.due_on < timezone.localdate(now)
    notify(
        recipients=project_recipients(project),
        event="alliance.milestone.overdue" if overdue else "alliance.milestone.due",
        title=notice(
            gettext_lazy("Milestone overdue: %(title)s (%(project)s)")
            if overdue
            else gettext_lazy("Milestone due today: %(title)s (%(project)s)"),
            {"title": milestone.title, "project": project.title},
        ),
        url=url_or_blank("alliance:project-detail", project.pk),
        data={"project": project.pk, "milestone": milestone.pk},
    )
    return now + MILESTONE_REMINDER_EVERY


def milestones_review_due(*, now: datetime | None = None) -> int:
    """Tell a running project's parties about each milestone due and not done; weekly while it stays overdue."""
    due = (
        Milestone.objects.active()
        .filter(done_at__isnull=True, project__archived_at__isnull=True)
        .exclude(project__status__in=TERMINAL)
        .select_related("project__alliance")
    )
    return sweep(due, _remind_milestone, now=now, field="next_review_at")


def _remind_correction(correction: CorrectionRequest, now: datetime) -> datetime:
    project = correction.project
    providers = ProjectParticipant.objects.active().filter(project=project, role=ParticipantRole.PROVIDER)
    organizations = [*providers.values_list("organization_id", flat=True), project.alliance.lead_library_id]
    notify(
        recipients=organization_users(organizations),
        event="alliance.correction.overdue",
        title=notice(
            gettext_lazy("Correction overdue since %(date)s: %(title)s"),
            {"date": correction.due_on.isoformat(), "title": correction.title},
        ),
        url=url_or_blank("alliance:correction-detail", correction.pk),
        data={"project": project.pk, "correction": correction.pk, "severity": correction.severity},
    )
    return now + CORRECTION_REMINDER_EVERY


def corrections_remind_overdue(*, now: datetime | None = None) -> int:
    """Nudge the provider (and tell the library) about each unanswered correction past its due date."""
    overdue = (
        CorrectionRequest.objects.active()
        .filter(status=CorrectionStatus.OPEN, project__archived_at__isnull=True)
        .exclude(project__status__in=TERMINAL)
        .select_related("project__alliance")
    )
    return sweep(overdue, _remind_correction, now=now, field="next_reminder_at")

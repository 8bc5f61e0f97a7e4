"""Service levels: feedback that stays too long in a state is flagged and escalated, each level once.

Level 1 reminds the responsible person (the assignee, or the library's managers when nobody is
assigned); level 2, after the same time again, goes to the library's managers. The sweeper claims due
rows with ``SELECT ... FOR UPDATE SKIP LOCKED`` (core.sweepers) and records each escalation under the
unique key (feedback, state, time the state was entered, level), so two beats or a re-run notify nobody
twice. A move to another state starts a new clock (services.feedback._start_clock).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from alliance.parties import url_or_blank
from core.sweepers import create_once, sweep
from notifications.services import notify
from stakeholders.choices import MANAGING_ROLES

from ..models import Feedback, ServiceLevel, ServiceLevelBreach

LAST_LEVEL = 2


def library_managers(library_id: int) -> list[Any]:
    return list(
        get_user_model()
        .objects.filter(
            is_active=True,
            is_integration=False,
            memberships__organization_id=library_id,
            memberships__archived_at__isnull=True,
            memberships__role__in=MANAGING_ROLES,
        )
        .distinct()
    )


def _escalate(feedback: Feedback, now: datetime) -> datetime | None:
    """Record the next level of the breach, tell its people, and say when the level after it is due."""
    level = feedback.sla_level + 1
    breach = create_once(
        ServiceLevelBreach,
        feedback=feedback,
        status=feedback.status,
        state_entered_at=feedback.state_entered_at,
        level=level,
        created_at=now,
    )
    if breach is not None:
        managers = library_managers(feedback.library_id)
        recipients = [feedback.assignee] if level == 1 and feedback.assignee is not None else managers
        breach.notified.set([u for u in recipients if u is not None])
        notify(
            recipients=recipients,
            event="feedback.sla_breach",
            title=_("Feedback #%(id)s is overdue (%(status)s)")
            % {"id": feedback.pk, "status": feedback.get_status_display()},
            body=_("Escalation level %(level)d.") % {"level": level},
            url=url_or_blank("feedback:detail", feedback.pk),
            data={"feedback": feedback.pk, "level": level, "status": feedback.status},
        )
    feedback.sla_level = level
    feedback.sla_breached_at = feedback.sla_breached_at or now
    feedback.save(update_fields=["sla_level", "sla_breached_at"])
    if level >= LAST_LEVEL:
        return None
    limit = ServiceLevel.objects.filter(library_id=feedback.library_id, status=feedback.status).first()
    return now + timedelta(hours=limit.max_hours) if limit else None


def sla_sweep(*, now: datetime | None = None, limit: int = 200) -> int:
    """Escalate every feedback whose service level ran out; returns how many rows were handled."""
    rows = Feedback.objects.filter(archived_at__isnull=True).select_related("assignee")
    return sweep(rows, _escalate, now=now, limit=limit, field="sla_due_at")  # type: ignore[arg-type]

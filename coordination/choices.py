"""Closed sets of values of alliance coordination: meeting kinds, recurrence, statuses."""

from __future__ import annotations

from datetime import timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class MeetingKind(models.TextChoices):
    JOINT_CONFERENCE = "joint_conference", _("Joint conference")
    PROJECT_REVIEW = "project_review", _("Project review")
    WORKSHOP = "workshop", _("Workshop")
    TRAINING = "training", _("Training")


class MeetingVisibility(models.TextChoices):
    INVITED = "invited", _("Invited organisations only")
    ALLIANCE = "alliance", _("Every member of the alliance")


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    HELD = "held", _("Held (minutes recorded)")
    CANCELLED = "cancelled", _("Cancelled")


class Recurrence(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")


class AgendaTarget(models.TextChoices):
    """What an agenda item may point at (app_label.model of the linked object)."""

    PROJECT = "alliance.project", _("Project")
    NEED = "alliance.need", _("Need")
    RISK = "risk.risk", _("Risk")
    FEEDBACK = "feedback.feedback", _("Feedback")


class ActionStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("action item status", "Open")
    DONE = "done", pgettext_lazy("action item status", "Done")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_ACTION_STATUSES = (ActionStatus.OPEN,)


class ReminderLevel(models.TextChoices):
    DUE = "due", _("Due soon")
    OVERDUE = "overdue", _("Overdue")


# The owner is reminded this long before the due date, and escalated this long after it passes.
REMIND_BEFORE = timedelta(days=2)
ESCALATE_AFTER = timedelta(days=1)


class PlanStatus(models.TextChoices):
    SIGNING = "signing", _("Awaiting signatures")
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")


class OutputKind(models.TextChoices):
    PAPER = "paper", _("Paper")
    PATENT = "patent", _("Patent")
    SOFTWARE = "software", _("Software")
    STANDARD = "standard", _("Standard")
    DATASET = "dataset", _("Data set")
    REPORT = "report", _("Report")

"""Alliance coordination: meetings with agenda, minutes, decisions and action items; co-signed research plans."""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from alliance.models import Alliance, IPAsset, Project
from core.models import Archivable, TimeStamped
from stakeholders.models import Organization

from .choices import (
    ActionStatus,
    AgendaTarget,
    MeetingKind,
    MeetingStatus,
    MeetingVisibility,
    OutputKind,
    PlanStatus,
    Recurrence,
    ReminderLevel,
)


@pghistory.track(exclude=["updated_at"])
class MeetingSeries(TimeStamped, Archivable):
    """A recurring meeting (a weekly stand-up of a project, a monthly alliance council): one row per rule."""

    alliance = models.ForeignKey(Alliance, on_delete=models.PROTECT, related_name="meeting_series")
    title = models.CharField(_("title"), max_length=200)
    recurrence = models.CharField(_("recurrence"), max_length=10, choices=Recurrence.choices)
    occurrences = models.PositiveSmallIntegerField(_("occurrences"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("meeting series")
        verbose_name_plural = _("meeting series")
        constraints = [
            models.CheckConstraint(condition=Q(recurrence__in=Recurrence.values), name="meeting_series_recurrence"),
            models.CheckConstraint(
                condition=Q(occurrences__gte=2, occurrences__lte=52), name="meeting_series_occurrences"
            ),
        ]
        indexes = [models.Index(fields=["alliance", "archived_at"], name="meeting_series_alliance")]

    def __str__(self) -> str:
        return self.title


@pghistory.track(exclude=["updated_at"])
class Meeting(TimeStamped, Archivable):
    """A meeting of an alliance or one of its projects: who is invited, what is discussed, what was decided."""

    alliance = models.ForeignKey(Alliance, on_delete=models.PROTECT, related_name="meetings")
    project = models.ForeignKey(Project, null=True, blank=True, on_delete=models.PROTECT, related_name="meetings")
    series = models.ForeignKey(MeetingSeries, null=True, blank=True, on_delete=models.PROTECT, related_name="meetings")
    kind = models.CharField(_("kind"), max_length=20, choices=MeetingKind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    # The organiser's zone, for showing the time as they meant it; the instants above are absolute.
    timezone = models.CharField(_("time zone"), max_length=60, default="Asia/Shanghai")
    place = models.CharField(_("place"), max_length=200, blank=True)
    online_url = models.URLField(_("online link"), blank=True)
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=MeetingVisibility.choices, default=MeetingVisibility.INVITED
    )
    status = models.CharField(
        _("status"), max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED
    )
    organizer = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="organized_meetings")
    minutes = models.TextField(_("minutes"), blank=True)
    minutes_recorded_at = models.DateTimeField(_("minutes recorded at"), null=True, blank=True)
    # RFC 5545 SEQUENCE: bumped on every change of time or place, so calendar apps replace the old copy.
    sequence = models.PositiveIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="meeting_ends_after_start"),
            models.CheckConstraint(condition=Q(kind__in=MeetingKind.values), name="meeting_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=MeetingStatus.values), name="meeting_status_valid"),
            models.CheckConstraint(
                condition=Q(visibility__in=MeetingVisibility.values), name="meeting_visibility_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["alliance", "visibility", "archived_at"], name="meeting_alliance"),
            models.Index(fields=["starts_at"], name="meeting_starts"),
            models.Index(fields=["organizer", "starts_at"], name="meeting_organizer"),
            models.Index(fields=["project"], name="meeting_project"),
            models.Index(fields=["series"], name="meeting_series"),
        ]

    def __str__(self) -> str:
        return self.title


@pghistory.track(exclude=["updated_at"])
class MeetingInvitation(TimeStamped):
    """An organisation invited to a meeting: its members see the meeting and may register."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="invitations")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="meeting_invitations")

    class Meta:
        verbose_name = _("meeting invitation")
        verbose_name_plural = _("meeting invitations")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "organization"], name="meeting_invitation_once"),
        ]
        indexes = [models.Index(fields=["organization"], name="meeting_invitation_org")]

    def __str__(self) -> str:
        return f"{self.organization} → {self.meeting}"


@pghistory.track(exclude=["updated_at"])
class MeetingAttendee(TimeStamped):
    """A person at a meeting: invited by name or registered themselves, and whether they attended."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="attendees")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="meeting_attendances")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    invited = models.BooleanField(_("invited by name"), default=False)
    registered_at = models.DateTimeField(_("registered at"), null=True, blank=True)
    attended = models.BooleanField(_("attended"), default=False)

    class Meta:
        verbose_name = _("meeting attendee")
        verbose_name_plural = _("meeting attendees")
        constraints = [models.UniqueConstraint(fields=["meeting", "user"], name="meeting_attendee_once")]
        indexes = [models.Index(fields=["user"], name="meeting_attendee_user")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.meeting}"


@pghistory.track(exclude=["updated_at"])
class AgendaItem(TimeStamped, Archivable):
    """One point of a meeting's agenda, optionally about a project, need, risk or piece of feedback.

    A point taken off the agenda is archived, not deleted: the history keeps what was once planned."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="agenda_items")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    title = models.CharField(_("title"), max_length=200)
    notes = models.TextField(_("notes"), blank=True)
    # A generic link kept as (kind, id) rather than a content type: only four kinds are allowed and the
    # service checks that the organiser could see the object when it was linked.
    target_kind = models.CharField(
        pgettext_lazy("agenda item", "about"), max_length=30, choices=AgendaTarget.choices, blank=True
    )
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
    target_label = models.CharField(max_length=200, blank=True, editable=False)

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["meeting_id", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(target_kind="") & Q(target_id__isnull=True))
                | (Q(target_kind__in=AgendaTarget.values) & Q(target_id__isnull=False)),
                name="agenda_item_target_pair",
            ),
        ]
        indexes = [
            models.Index(fields=["target_kind", "target_id"], name="agenda_item_target"),
            models.Index(fields=["meeting", "archived_at"], name="agenda_item_meeting"),
        ]

    def __str__(self) -> str:
        return self.title


@pghistory.track(exclude=["updated_at"])
class Decision(TimeStamped):
    """Something the meeting decided, recorded with its minutes."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="decisions")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    text = models.TextField(_("decision"))

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["meeting_id", "position", "id"]

    def __str__(self) -> str:
        return self.text[:80]


@pghistory.track(exclude=["updated_at"])
class ActionItem(TimeStamped, Archivable):
    """Work a meeting handed to a person of an organisation, with a due date the sweeper watches."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="action_items")
    decision = models.ForeignKey(Decision, null=True, blank=True, on_delete=models.PROTECT, related_name="actions")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="action_items")
    owner_organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="action_items")
    due_on = models.DateField(_("due on"))
    status = models.CharField(_("status"), max_length=10, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    # When the sweeper should next look (reminder, then escalation); null once nothing is pending.
    sweep_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        ordering = ["due_on", "id"]
        constraints = [models.CheckConstraint(condition=Q(status__in=ActionStatus.values), name="action_item_status")]
        indexes = [
            models.Index(fields=["owner", "status"], name="action_item_owner"),
            models.Index(fields=["owner_organization", "status"], name="action_item_owner_org"),
            models.Index(fields=["sweep_at"], condition=Q(sweep_at__isnull=False), name="action_item_sweep"),
            models.Index(fields=["meeting"], name="action_item_meeting"),
        ]

    def __str__(self) -> str:
        return self.title


class ActionReminder(models.Model):
    """The sweeper's record that an action item's owner was reminded (or escalated) for one due date."""

    action_item = models.ForeignKey(ActionItem, on_delete=models.CASCADE, related_name="reminders")
    level = models.CharField(max_length=10, choices=ReminderLevel.choices)
    due_on = models.DateField()
    sent_at = models.DateTimeField()

    class Meta:
        verbose_name = _("action item reminder")
        verbose_name_plural = _("action item reminders")
        constraints = [
            models.UniqueConstraint(fields=["action_item", "level", "due_on"], name="action_reminder_once"),
        ]

    def __str__(self) -> str:
        return f"{self.action_item} · {self.level} · {self.due_on}"


class CalendarFeed(TimeStamped):
    """A person's secret calendar address: only the token's SHA-256 is stored, the token is shown once."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed")
    token_hash = models.CharField(max_length=64, unique=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return f"{self.user}"


@pghistory.track(exclude=["updated_at"])
class ResearchPlan(TimeStamped, Archivable):
    """A joint research plan of alliance members: objectives, milestones, outputs and budget, co-signed."""

    alliance = models.ForeignKey(Alliance, on_delete=models.PROTECT, related_name="research_plans")
    lead_organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="led_research_plans")
    title = models.CharField(_("title"), max_length=200)
    objectives = models.TextField(_("objectives"))
    budget = models.DecimalField(_("budget (CNY)"), max_digits=14, decimal_places=2, default=0)
    status = models.CharField(_("status"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.SIGNING)
    # Every change to the signed content makes a new version; signatures count only for the current one.
    version = models.PositiveIntegerField(_("version"), default=1)
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("research plan")
        verbose_name_plural = _("research plans")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=PlanStatus.values), name="research_plan_status"),
            models.CheckConstraint(condition=Q(budget__gte=0), name="research_plan_budget_positive"),
        ]
        indexes = [
            models.Index(fields=["alliance", "status"], name="research_plan_alliance"),
            models.Index(fields=["lead_organization", "status"], name="research_plan_lead"),
        ]

    def __str__(self) -> str:
        return self.title


@pghistory.track(exclude=["updated_at"])
class PlanParticipant(TimeStamped):
    """An organisation taking part in a research plan (the lead is one too): each must sign."""

    plan = models.ForeignKey(ResearchPlan, on_delete=models.PROTECT, related_name="participants")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="research_plans")
    contribution = models.TextField(_("contribution"), blank=True)

    class Meta:
        verbose_name = _("plan participant")
        verbose_name_plural = _("plan participants")
        constraints = [models.UniqueConstraint(fields=["plan", "organization"], name="plan_participant_once")]
        indexes = [models.Index(fields=["organization"], name="plan_participant_org")]

    def __str__(self) -> str:
        return f"{self.organization} · {self.plan}"


@pghistory.track(exclude=["updated_at"])
class PlanMilestone(TimeStamped):
    """A dated step of a research plan."""

    plan = models.ForeignKey(ResearchPlan, on_delete=models.PROTECT, related_name="milestones")
    title = models.CharField(_("title"), max_length=200)
    due_on = models.DateField(_("due on"))

    class Meta:
        verbose_name = _("plan milestone")
        verbose_name_plural = _("plan milestones")
        ordering = ["plan_id", "due_on", "id"]

    def __str__(self) -> str:
        return self.title


@pghistory.track(exclude=["updated_at"])
class PlanOutput(TimeStamped):
    """An output a research plan promises (a paper, a patent, software...)."""

    plan = models.ForeignKey(ResearchPlan, on_delete=models.PROTECT, related_name="outputs")
    kind = models.CharField(_("kind"), max_length=10, choices=OutputKind.choices)
    title = models.CharField(_("title"), max_length=200)
    # The IP asset this output became (registered on a project of the plan's alliance); the service checks that.
    ip_asset = models.ForeignKey(
        IPAsset,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="plan_outputs",
        verbose_name=_("IP asset"),
    )

    class Meta:
        verbose_name = _("plan output")
        verbose_name_plural = _("plan outputs")
        ordering = ["plan_id", "id"]
        constraints = [models.CheckConstraint(condition=Q(kind__in=OutputKind.values), name="plan_output_kind")]

    def __str__(self) -> str:
        return self.title


@pghistory.track()
class PlanSignature(models.Model):
    """An organisation's signature of one version of a research plan: who signed, when. Never changed."""

    plan = models.ForeignKey(ResearchPlan, on_delete=models.PROTECT, related_name="signatures")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField()
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("plan signature")
        verbose_name_plural = _("plan signatures")
        ordering = ["plan_id", "version", "signed_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "organization", "version"], name="plan_signature_once"),
        ]

    def __str__(self) -> str:
        return f"{self.organization} v{self.version}"


# django-guardian with direct foreign keys: restrict() joins one indexed table.
class MeetingUserObjectPermission(UserObjectPermissionBase):
    """A person's permission on one meeting (invited by name without their organisation)."""

    content_object = models.ForeignKey(Meeting, on_delete=models.CASCADE)


class MeetingGroupObjectPermission(GroupObjectPermissionBase):
    """An organisation group's permission on one meeting: the organiser and invited organisations."""

    content_object = models.ForeignKey(Meeting, on_delete=models.CASCADE)

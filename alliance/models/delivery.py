"""What the provider delivers, how readers try it, and the deviations sent back for correction."""

from __future__ import annotations

from decimal import Decimal

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import Archivable, TimeStamped
from stakeholders.models import ReaderProfile

from ..choices import CorrectionSource, CorrectionStatus, Severity, TrialStatus
from ..validators import validate_deliverable_file
from .projects import Project


@pghistory.track(exclude=["updated_at"])
class Deliverable(TimeStamped, Archivable):
    """Something the provider builds for a project: a system, a device set-up, a service."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="deliverables")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("deliverable")
        verbose_name_plural = _("deliverables")
        ordering = ["project_id", "id"]
        indexes = [models.Index(fields=["project", "archived_at"], name="deliverable_project")]

    def __str__(self) -> str:
        return self.title


def version_upload_to(instance: DeliverableVersion, filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower()[:5] if "." in filename else "bin"
    return f"deliverables/{instance.deliverable_id}/v{instance.number}-{timezone.now():%Y%m%d%H%M%S}.{ext}"


@pghistory.track(exclude=["updated_at"])
class DeliverableVersion(TimeStamped, Archivable):
    """One released version of a deliverable, uploaded by the provider; each trial round tests one."""

    deliverable = models.ForeignKey(Deliverable, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    file = models.FileField(_("file"), upload_to=version_upload_to, validators=[validate_deliverable_file])
    notes = models.TextField(_("release notes"), blank=True)
    released_on = models.DateField(_("released on"), default=timezone.localdate)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("deliverable version")
        verbose_name_plural = _("deliverable versions")
        ordering = ["deliverable_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["deliverable", "number"], name="version_number_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="version_number_positive"),
        ]
        indexes = [models.Index(fields=["deliverable", "-created_at"], name="version_latest")]

    def __str__(self) -> str:
        return f"{self.deliverable} v{self.number}"


@pghistory.track(exclude=["updated_at"])
class Trial(TimeStamped, Archivable):
    """Readers try one deliverable version for a period, judged against acceptance criteria."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="trials")
    version = models.ForeignKey(DeliverableVersion, on_delete=models.PROTECT, related_name="trials")
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    min_satisfaction = models.DecimalField(
        _("minimum mean satisfaction"), max_digits=3, decimal_places=2, default=Decimal("4.00"), help_text=_("1–5")
    )
    max_open_deviations = models.PositiveSmallIntegerField(_("maximum open deviations"), default=0)
    status = models.CharField(_("status"), max_length=10, choices=TrialStatus.choices, default=TrialStatus.PLANNED)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # Frozen when the trial closes, so later corrections do not rewrite the verdict of a past round.
    open_deviations_at_close = models.PositiveSmallIntegerField(_("open deviations at close"), null=True, blank=True)
    met_criteria = models.BooleanField(_("met the acceptance criteria"), null=True, blank=True)
    readers: models.ManyToManyField[ReaderProfile, TrialInvitation] = models.ManyToManyField(
        ReaderProfile, through="TrialInvitation", related_name="trials", blank=True
    )

    class Meta:
        verbose_name = _("trial")
        verbose_name_plural = _("trials")
        ordering = ["project_id", "created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_satisfaction__gte=1) & Q(min_satisfaction__lte=5), name="trial_min_satisfaction_1_5"
            ),
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="trial_ends_after_start"),
            models.CheckConstraint(condition=Q(status__in=TrialStatus.values), name="trial_status_valid"),
            # At most one trial of a project is being planned or run at a time: a round is one trial.
            models.UniqueConstraint(
                fields=["project"],
                condition=Q(status__in=["planned", "running"], archived_at__isnull=True),
                name="trial_one_open_per_project",
            ),
        ]
        indexes = [
            models.Index(fields=["project", "status"], name="trial_project_status"),
            models.Index(fields=["status", "ends_on"], name="trial_status_ends"),
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.version}"


@pghistory.track(exclude=["updated_at"])
class TrialInvitation(TimeStamped):
    """A reader who agreed to take part in trials is invited to this one."""

    trial = models.ForeignKey(Trial, on_delete=models.PROTECT, related_name="invitations")
    reader = models.ForeignKey(ReaderProfile, on_delete=models.PROTECT, related_name="trial_invitations")

    class Meta:
        verbose_name = _("trial invitation")
        verbose_name_plural = _("trial invitations")
        constraints = [models.UniqueConstraint(fields=["trial", "reader"], name="trial_invitation_unique")]
        indexes = [models.Index(fields=["reader", "trial"], name="trial_invitation_reader")]

    def __str__(self) -> str:
        return f"{self.reader} @ {self.trial}"


@pghistory.track(exclude=["updated_at"])
class TrialResponse(TimeStamped):
    """An invited reader's verdict on the trialled version: satisfaction 1–5 and a comment."""

    trial = models.ForeignKey(Trial, on_delete=models.PROTECT, related_name="responses")
    reader = models.ForeignKey(ReaderProfile, on_delete=models.PROTECT, related_name="trial_responses")
    satisfaction = models.PositiveSmallIntegerField(_("satisfaction"), help_text=_("1–5"))
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("trial response")
        verbose_name_plural = _("trial responses")
        constraints = [
            models.UniqueConstraint(fields=["trial", "reader"], name="trial_response_once"),
            models.CheckConstraint(
                condition=Q(satisfaction__gte=1) & Q(satisfaction__lte=5), name="trial_response_satisfaction_1_5"
            ),
        ]
        indexes = [models.Index(fields=["reader"], name="trial_response_reader")]

    def __str__(self) -> str:
        return f"{self.reader}: {self.satisfaction}"


@pghistory.track(exclude=["updated_at", "next_reminder_at"])
class CorrectionRequest(TimeStamped, Archivable):
    """A deviation found in a trial or in reader feedback, sent to the provider to correct by a date."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="corrections")
    trial = models.ForeignKey(Trial, null=True, blank=True, on_delete=models.PROTECT, related_name="corrections")
    source = models.CharField(_("source"), max_length=20, choices=CorrectionSource.choices)
    # The feedback app links the reader feedback this came from by id.
    feedback_reference = models.CharField(_("feedback reference"), max_length=64, blank=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"), max_length=10, choices=CorrectionStatus.choices, default=CorrectionStatus.OPEN
    )
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    answer = models.TextField(_("provider's answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    fixed_in = models.ForeignKey(
        DeliverableVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="corrections_fixed"
    )
    verified_in = models.ForeignKey(
        Trial, null=True, blank=True, on_delete=models.PROTECT, related_name="corrections_verified"
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # When the reminder sweeper next nudges the provider: the day after the due date, then every few days
    # until answered.
    next_reminder_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("correction request")
        verbose_name_plural = _("correction requests")
        ordering = ["project_id", "due_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(severity__in=Severity.values), name="correction_severity_valid"),
            models.CheckConstraint(condition=Q(status__in=CorrectionStatus.values), name="correction_status_valid"),
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(closed_at__isnull=False, verified_in__isnull=False),
                name="correction_closed_is_verified",
            ),
            models.CheckConstraint(
                condition=Q(source="reader_feedback") | Q(trial__isnull=False), name="correction_trial_source"
            ),
        ]
        indexes = [
            models.Index(fields=["project", "status", "severity"], name="correction_project_status"),
            models.Index(fields=["status", "due_on"], name="correction_due_sweep"),
            models.Index(fields=["next_reminder_at"], name="correction_reminder_due"),
            models.Index(fields=["trial"], name="correction_trial"),
            models.Index(fields=["verified_in"], name="correction_verified_in"),
            models.Index(fields=["feedback_reference"], name="correction_feedback"),
        ]

    def __str__(self) -> str:
        return self.title

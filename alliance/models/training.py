"""Universities and research institutes train library staff: programmes, sessions, enrolment, attendance."""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.models import Archivable, TimeStamped
from stakeholders.models import Organization

from .alliances import Alliance


@pghistory.track(exclude=["updated_at"])
class TrainingProgram(TimeStamped, Archivable):
    """A course a university or research institute runs for an alliance's library staff."""

    alliance = models.ForeignKey(Alliance, on_delete=models.PROTECT, related_name="training_programs")
    trainer = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="training_programs")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    required_sessions = models.PositiveSmallIntegerField(
        _("sessions required to complete"), default=1, help_text=_("How many sessions a trainee must attend.")
    )

    class Meta:
        verbose_name = _("training programme")
        verbose_name_plural = _("training programmes")
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(required_sessions__gte=1), name="training_required_min_1")]
        indexes = [
            models.Index(fields=["alliance", "archived_at"], name="training_alliance"),
            models.Index(fields=["trainer", "archived_at"], name="training_trainer"),
        ]

    def __str__(self) -> str:
        return self.title


@pghistory.track(exclude=["updated_at"])
class TrainingSession(TimeStamped, Archivable):
    """One class of a training programme."""

    program = models.ForeignKey(TrainingProgram, on_delete=models.PROTECT, related_name="sessions")
    topic = models.CharField(_("topic"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    location = models.CharField(_("location"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        ordering = ["program_id", "starts_at", "id"]
        constraints = [models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="session_ends_after_start")]
        indexes = [models.Index(fields=["program", "starts_at"], name="session_program_start")]

    def __str__(self) -> str:
        return f"{self.topic} ({self.starts_at:%Y-%m-%d})"


@pghistory.track(exclude=["updated_at"])
class TrainingEnrolment(TimeStamped, Archivable):
    """A member of library staff enrolled in a programme; completed once enough sessions were attended."""

    program = models.ForeignKey(TrainingProgram, on_delete=models.PROTECT, related_name="enrolments")
    trainee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="training_enrolments")
    library = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("training enrolment")
        verbose_name_plural = _("training enrolments")
        constraints = [
            models.UniqueConstraint(
                fields=["program", "trainee"], condition=Q(archived_at__isnull=True), name="enrolment_once_active"
            )
        ]
        indexes = [
            models.Index(fields=["trainee", "archived_at"], name="enrolment_trainee"),
            models.Index(fields=["program", "completed_at"], name="enrolment_program_done"),
        ]

    def __str__(self) -> str:
        return f"{self.trainee} @ {self.program}"


@pghistory.track(exclude=["updated_at"])
class TrainingAttendance(TimeStamped):
    """Whether an enrolled trainee attended one session."""

    session = models.ForeignKey(TrainingSession, on_delete=models.PROTECT, related_name="attendance")
    enrolment = models.ForeignKey(TrainingEnrolment, on_delete=models.PROTECT, related_name="attendance")
    attended = models.BooleanField(_("attended"), default=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [models.UniqueConstraint(fields=["session", "enrolment"], name="attendance_once")]
        indexes = [models.Index(fields=["enrolment", "attended"], name="attendance_enrolment")]

    def __str__(self) -> str:
        return f"{self.enrolment} · {self.session}"

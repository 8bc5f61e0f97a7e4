"""Period reports of an alliance, generated in the background and kept for download."""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from alliance.models import Alliance
from core.models import Archivable, TimeStamped
from stakeholders.models import Organization

from .choices import ReportStatus


def report_upload_to(instance: ReportJob, filename: str) -> str:
    return f"insight/reports/{instance.alliance_id}/{filename}"


@pghistory.track(exclude=["updated_at", "progress"])
class ReportJob(TimeStamped, Archivable):
    """A requested period report (quarter or year) of one alliance: its progress, and the XLSX when ready."""

    alliance = models.ForeignKey(Alliance, on_delete=models.PROTECT, related_name="insight_reports")
    period = models.CharField(_("period"), max_length=8, help_text=_("A year (2026) or a quarter (2026Q3)."))
    status = models.CharField(_("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The organisation the person acted for: the report is that organisation's to read again.
    requested_for = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(_("file"), upload_to=report_upload_to, blank=True)
    error = models.TextField(_("error"), blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("insight report")
        verbose_name_plural = _("insight reports")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ReportStatus.values), name="report_job_status_valid"),
            models.CheckConstraint(condition=Q(progress__lte=100), name="report_job_progress_max"),
        ]
        indexes = [
            models.Index(fields=["alliance", "-created_at"], name="report_job_alliance"),
            models.Index(fields=["requested_for", "-created_at"], name="report_job_org"),
            models.Index(fields=["status", "created_at"], name="report_job_status"),
        ]

    def __str__(self) -> str:
        return f"{self.alliance} · {self.period} ({self.get_status_display()})"

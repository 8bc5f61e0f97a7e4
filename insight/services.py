"""Writes of the insight app: requesting a period report and recording how its generation goes."""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliance.models import Alliance
from alliance.parties import notice
from core.exceptions import ConflictError, NotAllowed
from notifications.services import notify
from stakeholders.access import Actor

from .choices import ReportStatus
from .models import ReportJob
from .selectors import insight_alliances, period_parse

REPORT_READY_EVENT = "insight.report_ready"


def report_request(actor: Actor, *, alliance: Alliance, period: str, enqueue: bool = True) -> ReportJob:
    """Queue the period report of an alliance the actor reads insight of; the worker builds it after commit.

    ``enqueue=False`` leaves the building to the caller (the demo seed builds its report in place).
    """
    parsed = period_parse(period)
    if actor.organization is None or not insight_alliances(actor).filter(pk=alliance.pk).exists():
        raise NotAllowed(_("Only the alliance's libraries and its guiding or funding government bodies get reports."))
    with transaction.atomic():
        job = ReportJob.objects.create(
            alliance=alliance, period=parsed.label, requested_by=actor.user, requested_for=actor.organization
        )
        if enqueue:
            from .tasks import generate_report

            transaction.on_commit(lambda: generate_report.delay(job.pk))
    return job


def report_claim(job_id: int) -> ReportJob | None:
    """Move a queued report to running, once: a second worker (or a retry) finds it taken and does nothing."""
    with transaction.atomic():
        claimed = ReportJob.objects.filter(pk=job_id, status=ReportStatus.QUEUED).update(
            status=ReportStatus.RUNNING, started_at=timezone.now(), progress=1
        )
        return ReportJob.objects.select_related("alliance", "requested_by").get(pk=job_id) if claimed else None


def report_progress(job: ReportJob, progress: int) -> None:
    """Record how far the generation got (a plain update: the page polls it, history need not keep each step)."""
    ReportJob.objects.filter(pk=job.pk, status=ReportStatus.RUNNING).update(progress=min(max(progress, 0), 99))


def report_finish(job: ReportJob, *, content: bytes, filename: str) -> ReportJob:
    """Keep the file, mark the report ready and tell the person who asked for it."""
    with transaction.atomic():
        job = ReportJob.objects.select_for_update().get(pk=job.pk)
        if job.status != ReportStatus.RUNNING:
            raise ConflictError(_("This report is not being generated."))
        job.file.save(filename, ContentFile(content), save=False)
        job.status = ReportStatus.DONE
        job.progress = 100
        job.finished_at = timezone.now()
        job.save(update_fields=["file", "status", "progress", "finished_at", "updated_at"])
        params = {"alliance": job.alliance.name, "period": job.period}
        notify(
            recipients=[job.requested_by],
            event=REPORT_READY_EVENT,
            title=notice(_("Your insight report of %(alliance)s for %(period)s is ready"), params),
            body=notice(_("The period report you asked for can be downloaded now."), {}),
            url=reverse("insight:report-detail", args=[job.pk]),
            data={"report": job.pk, "alliance": job.alliance_id, "period": job.period},
        )
    return job


def report_fail(job: ReportJob, error: str) -> None:
    ReportJob.objects.filter(pk=job.pk).update(
        status=ReportStatus.FAILED, error=error[:2000], finished_at=timezone.now()
    )

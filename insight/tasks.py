"""Celery tasks of the insight app: thin, and safe to run twice (the report is claimed before it is built)."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.utils import translation

from . import services
from .reports import build_report_xlsx

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def generate_report(job_id: int) -> str:
    """Build the XLSX of a queued report, recording progress, and notify its requester when ready."""
    job = services.report_claim(job_id)
    if job is None:
        return "taken"
    language = getattr(job.requested_by, "preferred_language", "") or settings.LANGUAGE_CODE
    try:
        with translation.override(language):
            content = build_report_xlsx(job.alliance, job.period, progress=lambda p: services.report_progress(job, p))
    except Exception as exc:  # the job must not stay "running" for ever; the error is kept for the operators
        logger.exception("insight report %s failed", job_id)
        services.report_fail(job, repr(exc))
        return "failed"
    services.report_finish(job, content=content, filename=f"insight-{job.alliance_id}-{job.period}.xlsx")
    return "done"

"""Celery tasks: thin, idempotent; the services do the work."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def sweep_service_levels() -> int:
    """Beat, every five minutes: flag and escalate feedback past its library's service level, each level once."""
    return services.sla_sweep()

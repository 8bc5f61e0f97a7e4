from __future__ import annotations

from celery import shared_task

from core.api.idempotency import sweep_expired
from core.health import record_heartbeat


@shared_task(ignore_result=True)
def heartbeat() -> None:
    """Beat schedules this every 30 s; the worker that runs it proves the worker and beat are alive."""
    record_heartbeat()


@shared_task(ignore_result=True)
def sweep_idempotency_keys() -> int:
    """Hourly: forget the API idempotency keys whose time is up."""
    return sweep_expired()

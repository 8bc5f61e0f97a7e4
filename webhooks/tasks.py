"""Celery tasks: thin, idempotent, ids in; the services do the work."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def deliver(delivery_id: int) -> str:
    """Send one webhook delivery now; a repeat or a race with the sweeper sends nothing more."""
    return services.delivery_send(delivery_id=delivery_id)


@shared_task(ignore_result=True)
def sweep_deliveries() -> int:
    """Beat, every minute: send webhook deliveries still pending and due (retries with backoff)."""
    return services.deliveries_sweep()

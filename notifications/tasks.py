"""Celery tasks: thin, idempotent, ids in; the services do the work."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def deliver(delivery_id: int) -> str:
    """Send one outbox delivery now; a repeat or a race with the sweeper sends nothing more."""
    return services.delivery_send(delivery_id=delivery_id)


@shared_task(ignore_result=True)
def sweep_outbox() -> int:
    """Beat, every minute: send deliveries still pending (broker was down, or a retry is due)."""
    return services.outbox_sweep()


@shared_task(ignore_result=True)
def send_due_digests() -> int:
    """Beat, every five minutes: send the daily digests that are due."""
    return services.digests_send_due()

"""Celery tasks: thin, idempotent, ids in; the services do the work."""

from __future__ import annotations

import uuid

from celery import Task, shared_task

from . import services


@shared_task(bind=True, ignore_result=True)
def deliver_batch(self: Task, delivery_ids: list[int]) -> dict[str, int]:
    """Send up to BATCH_SIZE outbox deliveries over one mail connection; a repeat or a race sends nothing more.

    The task id is the claim token: re-run after its worker was killed, the task takes its own rows back.
    """
    return services.deliveries_send(ids=list(delivery_ids), token=f"task:{self.request.id or uuid.uuid4().hex}")


@shared_task(bind=True, ignore_result=True)
def deliver(self: Task, delivery_id: int) -> str:
    """Send one outbox delivery now (messages queued before batches existed, and operators' retries)."""
    return services.delivery_send(delivery_id=delivery_id, token=f"task:{self.request.id or uuid.uuid4().hex}")


@shared_task(ignore_result=True)
def sweep_outbox() -> int:
    """Beat, every minute: send deliveries still pending (broker was down, or a retry is due)."""
    return services.outbox_sweep()


@shared_task(ignore_result=True)
def send_due_digests() -> int:
    """Beat, every five minutes: send the daily digests that are due."""
    return services.digests_send_due()

"""Celery tasks of the risk register: thin and safe to run twice (the services claim rows and key reminders)."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def sweep_reviews() -> dict[str, int]:
    """Expire lapsed acceptances (their risks come back for review), then remind and escalate due reviews."""
    return {"expired": services.acceptances_expire(), "reminded": services.reviews_sweep()}

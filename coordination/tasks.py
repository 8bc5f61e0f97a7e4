"""Celery tasks of coordination: thin and safe to run twice (the service claims rows and keys reminders)."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def sweep_action_items() -> int:
    """Remind owners of action items before they fall due, and escalate once when overdue."""
    return services.action_items_sweep()

"""Celery tasks of the cycle: thin and idempotent; the services do the work."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def sweep_reminders() -> int:
    """Beat, hourly: remind of milestones falling due and of corrections overdue, each once per period."""
    return services.milestones_review_due() + services.corrections_remind_overdue()


@shared_task(ignore_result=True)
def sweep_financial_reports() -> int:
    """Beat, hourly: remind of financial reports falling due and escalate overdue ones, each exactly once."""
    from .services.funding import financial_reports_sweep

    return financial_reports_sweep()


def sweep_contract_reminders() -> int:
    """Beat, hourly: remind a binding contract's parties before its end and on it, once each."""
    from .services.contracts import contracts_remind_expiry

    return contracts_remind_expiry()

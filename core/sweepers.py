"""The sweeper pattern every scheduled job follows.

A row that needs periodic work carries ``next_due_at``. A sweeper (a Celery beat task) claims the rows
that are due with ``SELECT ... FOR UPDATE SKIP LOCKED`` inside one transaction, so two beats, two
workers or a re-run never pick the same row at the same time, and records what it produced under a
unique key per (object, period), so a second run that slips past the lock still changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from django.db import IntegrityError, models, transaction
from django.db.models import QuerySet
from django.utils import timezone

M = TypeVar("M", bound=models.Model)


def claim_due(
    queryset: QuerySet[M], *, now: datetime | None = None, limit: int = 100, field: str = "next_due_at"
) -> list[M]:
    """Lock and return up to `limit` rows whose `field` has passed; rows another sweeper holds are skipped.

    Must run inside ``transaction.atomic()``: the locks last until that transaction ends.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("claim_due() must run inside transaction.atomic()")
    now = now or timezone.now()
    return list(
        queryset.filter(**{f"{field}__lte": now})
        .order_by(field, "pk")
        # Lock only the swept rows, not rows joined by select_related (a person editing their profile
        # must not make the digest sweeper skip them).
        .select_for_update(skip_locked=True, of=("self",))[:limit]
    )


def create_once(model: type[M], **values: Any) -> M | None:
    """Insert a row guarded by a unique key; None when the key is already taken (the work was done)."""
    try:
        with transaction.atomic():  # a savepoint, so a duplicate does not spoil the caller's transaction
            return model._default_manager.create(**values)
    except IntegrityError:
        return None


def sweep(
    queryset: QuerySet[M],
    handle: Callable[[M, datetime], datetime],
    *,
    now: datetime | None = None,
    limit: int = 100,
    field: str = "next_due_at",
) -> int:
    """Claim due rows and call `handle(row, now)` for each; it does the work and returns the next due time.

    All in one transaction per batch: if a handler fails the batch rolls back, the rows stay due and
    the next beat tries again.
    """
    now = now or timezone.now()
    with transaction.atomic():
        rows = claim_due(queryset, now=now, limit=limit, field=field)
        for row in rows:
            setattr(row, field, handle(row, now))
            row.save(update_fields=[field])
    return len(rows)

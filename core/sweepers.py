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


def insert_once(model: type[models.Model], rows: list[dict[str, Any]], returning: list[str]) -> list[tuple[Any, ...]]:
    """Insert many rows guarded by a unique key in one statement; return `returning` of the rows that were new.

    ``INSERT .. ON CONFLICT DO NOTHING RETURNING``: the set-based `create_once()`. A row whose key is already
    taken (a re-run, a second sweeper) is left out of the answer, so its work is not done again. Every row
    has the same keys, model field names (a foreign key by name, its value the id); fields left out get their
    model default.
    """
    if not rows:
        return []
    connection = transaction.get_connection()
    quote = connection.ops.quote_name
    given = [model._meta.get_field(name) for name in rows[0]]
    # Fields left out take their model default (``sent_at = now``): Django's defaults are not the database's.
    defaults = [f for f in model._meta.concrete_fields if f not in given and not f.primary_key and f.has_default()]
    fields = [*given, *defaults]
    rows = [{**row, **{f.name: f.get_default() for f in defaults}} for row in rows]
    columns = ", ".join(quote(f.column) for f in fields if isinstance(f, models.Field))
    back = ", ".join(quote(f.column) for f in map(model._meta.get_field, returning) if isinstance(f, models.Field))
    params = [
        f.get_db_prep_save(row[f.name], connection) for row in rows for f in fields if isinstance(f, models.Field)
    ]
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    table = quote(model._meta.db_table)
    sql = (
        f"INSERT INTO {table} ({columns}) VALUES {', '.join([one] * len(rows))} ON CONFLICT DO NOTHING RETURNING {back}"  # noqa: S608 - names from the model, values are parameters
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [tuple(row) for row in cursor.fetchall()]

"""Readable history: who changed what, from what to what, when, in which request and why.

Every tracked model (``@pghistory.track``) gets a row in its event table for each insert and each update
— database triggers, so bulk and queryset updates are caught too — with the request's context (user,
url, request id, and a reason where a service gave one). ``timeline()`` turns consecutive snapshots into
"field: old → new" lines.

History is shown only for objects the reader may see: each model registers the scoped selector that
decides that (``register_history(Model, selector)`` from its app's ``ready()``); core knows no domain app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy as _

# Bookkeeping columns that change with every save and tell a reader nothing.
IGNORED_FIELDS = {"id", "updated_at", "created_at"}

Selector = Callable[[HttpRequest], QuerySet[Any]]
_REGISTRY: dict[str, tuple[type[models.Model], Selector]] = {}


def register_history(model: type[models.Model], selector: Selector) -> None:
    """Show `model`'s history to whoever `selector(request)` lets see the object."""
    _REGISTRY[model._meta.label_lower] = (model, selector)


def visible_object(request: HttpRequest, app_label: str, model_name: str, pk: Any) -> models.Model:
    """The object whose history was asked for, through its scoped selector; 404 when missing or hidden."""
    entry = _REGISTRY.get(f"{app_label}.{model_name}".lower())
    if entry is None:
        raise Http404
    _model, selector = entry
    try:
        return selector(request).get(pk=pk)
    except (ValueError, TypeError, models.ObjectDoesNotExist) as exc:
        raise Http404 from exc


def is_registered(obj: models.Model) -> bool:
    return obj._meta.label_lower in _REGISTRY


@dataclass
class Change:
    field: str
    label: str
    old: str
    new: str


@dataclass
class Entry:
    at: datetime
    action: str  # "create" or "update"
    actor: str
    actor_id: int | None
    request_id: str
    reason: str
    changes: list[Change] = field(default_factory=list)


def _tracked_fields(model: type[models.Model], event_model: type[models.Model]) -> list[models.Field[Any, Any]]:
    names = {f.name for f in event_model._meta.fields}
    return [f for f in model._meta.concrete_fields if f.name in names and f.name not in IGNORED_FIELDS]


def _display(f: models.Field[Any, Any], value: Any, related: dict[tuple[str, Any], str]) -> str:
    if value is None or value == "":
        return "—"
    if f.is_relation:
        return related.get((f.name, value), f"#{value}")
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, datetime):
        from django.utils import timezone

        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return str(value)


def timeline(obj: models.Model, *, limit: int = 200) -> list[Entry]:
    """The object's changes, newest first, each with its actor and the fields it changed."""
    model = type(obj)
    event_model = model.pgh_event_model  # type: ignore[attr-defined]
    fields = _tracked_fields(model, event_model)
    # Oldest first to diff each snapshot against the one before; the newest `limit` are kept.
    events = list(
        event_model.objects.filter(pgh_obj_id=obj.pk)
        .select_related("pgh_context")
        .order_by("-pgh_created_at", "-pgh_id")[: limit + 1]
    )[::-1]
    attnames = {f.name: f.attname for f in fields}
    related = _related_names(fields, events, attnames)
    users = _actors(events)

    truncated = len(events) > limit
    entries: list[Entry] = []
    previous: Any = None
    for index, event in enumerate(events):
        if truncated and index == 0:  # fetched only to diff the oldest shown event against
            previous = event
            continue
        meta = event.pgh_context.metadata if event.pgh_context_id else {}
        user_id = meta.get("user")
        changes = []
        if previous is not None:
            for f in fields:
                old, new = getattr(previous, attnames[f.name]), getattr(event, attnames[f.name])
                if old != new:
                    changes.append(
                        Change(f.name, str(f.verbose_name), _display(f, old, related), _display(f, new, related))
                    )
        if previous is None or changes or event.pgh_label != "update":
            entries.append(
                Entry(
                    at=event.pgh_created_at,
                    action="create" if event.pgh_label == "insert" else str(event.pgh_label),
                    actor=users.get(user_id, str(_("system"))) if user_id else str(_("system")),
                    actor_id=user_id,
                    request_id=str(meta.get("request_id") or ""),
                    reason=str(meta.get("reason") or ""),
                    changes=changes,
                )
            )
        previous = event
    return entries[::-1]


def _actors(events: list[Any]) -> dict[int, str]:
    ids = {e.pgh_context.metadata.get("user") for e in events if e.pgh_context_id}
    ids.discard(None)
    return {u.pk: u.shown_name for u in get_user_model().objects.filter(pk__in=ids)} if ids else {}


def _related_names(fields: list[Any], events: list[Any], attnames: dict[str, str]) -> dict[tuple[str, Any], str]:
    """str() of every object a foreign key pointed at: one query per related model, not per event."""
    out: dict[tuple[str, Any], str] = {}
    for f in fields:
        if not f.is_relation:
            continue
        ids = {getattr(e, attnames[f.name]) for e in events} - {None}
        if ids:
            for pk, target in f.related_model._default_manager.in_bulk(list(ids)).items():
                out[(f.name, pk)] = str(target)
    return out

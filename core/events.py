"""A tiny in-process event bus: a service says what happened, listeners in other apps react.

A service calls ``emit("project.transitioned", obj=project, organization_ids=[...], data={...})`` inside its
own transaction. Every listener registered for that name (or for ``"*"``) runs right away, in the same
transaction, so what it writes (webhook deliveries, acknowledgement requests) commits or rolls back with the
change itself. Listeners must only write rows (an outbox), never call the network.

``organization_ids`` are the organisations that may see the object: a listener that tells the outside world
(webhooks) tells only those. ``data`` carries ids and codes, never private data (names, contact details).
Lower apps emit; higher apps listen from their ``AppConfig.ready()``, so the import direction stays as it is.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils import timezone

# Every event the platform emits (webhook subscriptions choose among these). "meeting.scheduled" and
# "tranche.released" are emitted by the coordination and funding apps.
PROJECT_TRANSITIONED = "project.transitioned"
FEEDBACK_ROUTED = "feedback.routed"
RISK_LEVEL_CHANGED = "risk.level_changed"
GUIDANCE_PUBLISHED = "guidance.published"
MEETING_SCHEDULED = "meeting.scheduled"
TRANCHE_RELEASED = "tranche.released"
EVENTS: tuple[str, ...] = (
    PROJECT_TRANSITIONED,
    FEEDBACK_ROUTED,
    RISK_LEVEL_CHANGED,
    GUIDANCE_PUBLISHED,
    MEETING_SCHEDULED,
    TRANCHE_RELEASED,
)
ANY = "*"


@dataclass(frozen=True)
class Event:
    name: str
    obj: Any
    organization_ids: frozenset[int]
    data: dict[str, Any]
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    at: datetime = field(default_factory=timezone.now)

    @property
    def object_type(self) -> str:
        meta = getattr(self.obj, "_meta", None)
        return f"{meta.app_label}.{meta.model_name}" if meta is not None else type(self.obj).__name__.lower()

    @property
    def object_id(self) -> Any:
        return getattr(self.obj, "pk", None)


Listener = Callable[[Event], None]
_listeners: dict[str, list[Listener]] = {}


def listen(name: str, listener: Listener) -> None:
    """Call ``listener(event)`` for each event ``name`` (``"*"``: every event); twice is the same as once."""
    if name != ANY and name not in EVENTS:
        raise ValueError(f"unknown event {name!r}")
    listeners = _listeners.setdefault(name, [])
    if listener not in listeners:
        listeners.append(listener)


def unlisten(name: str, listener: Listener) -> None:
    if listener in _listeners.get(name, []):
        _listeners[name].remove(listener)


def emit(name: str, *, obj: Any, organization_ids: Iterable[int | None], data: dict[str, Any]) -> Event:
    """Tell every listener that ``name`` happened to ``obj``; returns the event (with its id)."""
    if name not in EVENTS:
        raise ValueError(f"unknown event {name!r}")
    event = Event(
        name=name, obj=obj, organization_ids=frozenset(i for i in organization_ids if i is not None), data=dict(data)
    )
    for listener in [*_listeners.get(name, []), *_listeners.get(ANY, [])]:
        listener(event)
    return event

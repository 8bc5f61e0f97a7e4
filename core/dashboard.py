"""Panels other apps add to the dashboard. Apps register them in AppConfig.ready(); core knows no domain app.

A panel is a template and a function ``context(actor) -> dict | None``; None (or an empty dict) leaves the
panel out for this actor. Each function must do a constant number of queries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe


@dataclass(frozen=True)
class Panel:
    template: str
    context: Callable[[Any], dict[str, Any] | None]
    order: int = 50


_PANELS: list[Panel] = []


def register_panel(template: str, context: Callable[[Any], dict[str, Any] | None], *, order: int = 50) -> None:
    if all(p.template != template for p in _PANELS):
        _PANELS.append(Panel(template, context, order))


def panels_for(request: Any, actor: Any) -> list[SafeString]:
    """The rendered panels that have something to show this actor, in order."""
    out = []
    for panel in sorted(_PANELS, key=lambda p: p.order):
        context = panel.context(actor)
        if context:
            out.append(mark_safe(render_to_string(panel.template, {**context, "actor": actor}, request=request)))  # noqa: S308
    return out

"""Panels that later apps add to an organisation's page.

``stakeholders`` knows nothing of alliances or contracts, yet an organisation's page should show what
they say about it (its credibility from the record, next to the foundation's assessments). A later app
registers a panel from its ``AppConfig.ready()``; the panel renders its own HTML for the viewer, or
returns ``None`` when the viewer may not see it::

    from stakeholders import panels
    panels.register("credibility", credibility_panel)
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest
from django.utils.safestring import SafeString

from .models import Organization

Panel = Callable[[HttpRequest, Organization], SafeString | None]

_panels: dict[str, Panel] = {}


def register(name: str, panel: Panel) -> None:
    """Add (or replace) the named panel; registering again under the same name has no further effect."""
    _panels[name] = panel


def render_panels(request: HttpRequest, organization: Organization) -> list[SafeString]:
    """The panels the viewer may see on this organisation's page, in the order they were registered."""
    shown = (panel(request, organization) for panel in _panels.values())
    return [html for html in shown if html]

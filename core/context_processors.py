from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def platform(request: HttpRequest) -> dict[str, Any]:
    """Who is acting, for which organisation, and the navigation for their portal."""
    from core.navigation import entries_for
    from stakeholders.access import actor_for

    actor = actor_for(request)
    return {"actor": actor, "nav_entries": entries_for(request, actor)}

"""Template helpers of the co-construction pages."""

from __future__ import annotations

from typing import Any

from django import template

from ..views.projects import STATUS_COLOURS

register = template.Library()

SEVERITY_COLOURS = {"low": "secondary", "medium": "info", "high": "warning", "critical": "danger"}
CORRECTION_COLOURS = {"open": "danger", "answered": "warning", "closed": "success"}
PRIORITY_COLOURS = {"low": "secondary", "medium": "info", "high": "warning", "urgent": "danger"}
NEED_COLOURS = {"open": "secondary", "analysed": "info", "met": "success", "dropped": "dark"}
TRIAL_COLOURS = {"planned": "info", "running": "warning", "closed": "secondary"}
INVITATION_COLOURS = {"pending": "info", "accepted": "success", "declined": "secondary"}


@register.filter
def status_colour(status: Any) -> str:
    """The Bootstrap colour of a project state."""
    return STATUS_COLOURS.get(str(status), "secondary")


@register.filter
def colour(value: Any, palette: str) -> str:
    """The Bootstrap colour of a severity, correction, priority, need, trial or invitation status."""
    table = {
        "severity": SEVERITY_COLOURS,
        "correction": CORRECTION_COLOURS,
        "priority": PRIORITY_COLOURS,
        "need": NEED_COLOURS,
        "trial": TRIAL_COLOURS,
        "invitation": INVITATION_COLOURS,
    }.get(palette, {})
    return table.get(str(value), "secondary")


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    return mapping.get(key) if hasattr(mapping, "get") else None

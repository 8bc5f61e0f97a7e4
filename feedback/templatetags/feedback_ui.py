"""Colours of the feedback states in the pages."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()

STATUS_COLOURS = {
    "new": "primary",
    "triaged": "info",
    "routed": "warning",
    "answered": "success",
    "resolved": "success",
    "confirmed": "dark",
    "reopened": "danger",
}


@register.filter
def feedback_colour(status: Any) -> str:
    return STATUS_COLOURS.get(str(status), "secondary")

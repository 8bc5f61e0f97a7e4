"""Small formatting filters of the insight pages: shares as percentages, unknown figures as a dash."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def pct(value: Any) -> str:
    return "—" if value is None else f"{float(value) * 100:.0f}%"


@register.filter
def figure(value: Any) -> Any:
    return "—" if value is None or value == "" else value


@register.filter
def get(mapping: Any, key: Any) -> Any:
    return mapping.get(key, 0) if hasattr(mapping, "get") else 0

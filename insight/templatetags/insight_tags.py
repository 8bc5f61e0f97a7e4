"""Small formatting filters of the insight pages: shares as percentages, unknown figures as a dash."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django import template
from django.utils import timezone

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


@register.filter
def cell(value: Any) -> Any:
    """A drill-down cell: dates as ISO dates, times in the local zone to the minute, amounts grouped, none as a dash."""
    if value is None or value == "":
        return "—"
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    return value

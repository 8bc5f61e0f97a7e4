from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Model
from django.urls import reverse
from django.utils.http import urlencode

from core.history import Entry, is_registered, timeline

register = template.Library()


@register.simple_tag
def history_for(obj: Model, limit: int = 10) -> list[Entry]:
    """The newest `limit` changes of `obj`. The page including it has already checked the reader may see `obj`."""
    return timeline(obj, limit=limit) if is_registered(obj) else []


@register.simple_tag
def history_url(obj: Model, back: str = "") -> str:
    """The full history page of `obj`; `back` (the page linking to it) becomes its breadcrumb."""
    meta: Any = obj._meta
    url = reverse("core:history", args=[meta.app_label, meta.model_name, obj.pk])
    return f"{url}?{urlencode({'back': back})}" if back else url

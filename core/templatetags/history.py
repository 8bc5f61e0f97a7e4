from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Model

from core.history import Entry, is_registered, timeline

register = template.Library()


@register.simple_tag
def history_for(obj: Model, limit: int = 10) -> list[Entry]:
    """The newest `limit` changes of `obj`. The page including it has already checked the reader may see `obj`."""
    return timeline(obj, limit=limit) if is_registered(obj) else []


@register.simple_tag
def history_url(obj: Model) -> str:
    from django.urls import reverse

    meta: Any = obj._meta
    return reverse("core:history", args=[meta.app_label, meta.model_name, obj.pk])

"""The main menu. Apps register their entries in AppConfig.ready(); core knows no domain app."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest
from django.urls import reverse


@dataclass(frozen=True)
class NavEntry:
    label: Any
    url_name: str
    order: int = 50
    visible: Callable[[Any], bool] = field(default=lambda actor: True)
    icon: str = ""


_ENTRIES: list[NavEntry] = []


def register(entry: NavEntry) -> None:
    if all(e.url_name != entry.url_name for e in _ENTRIES):
        _ENTRIES.append(entry)


def entries_for(request: HttpRequest, actor: Any) -> list[dict[str, Any]]:
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return []
    out = []
    for entry in sorted(_ENTRIES, key=lambda e: e.order):
        if entry.visible(actor):
            url = reverse(entry.url_name)
            out.append({"label": entry.label, "url": url, "active": False, "icon": entry.icon})
    # Only the most specific entry is active: /org/capabilities/ lights "Capabilities", not also "Directory" (/org/).
    matching = [item for item in out if request.path.startswith(item["url"])]
    if matching:
        max(matching, key=lambda item: len(item["url"]))["active"] = True
    return out

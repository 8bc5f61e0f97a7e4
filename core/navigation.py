"""The main menu. Apps register their entries in AppConfig.ready(); core knows no domain app.

An entry may name a menu ``group``; a group with two or more visible entries shows as one dropdown, so
the menu of a library's staff (who see nearly everything) stays on one line in both languages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

# The dropdowns, by key: label and place in the menu (the place of the group, not of its entries).
GROUPS: dict[str, tuple[Any, int]] = {
    "organisations": (_("Organisations"), 20),
    "cycle": (_("Co-construction"), 30),
    "agreements": (_("Agreements"), 34),
    "coordination": (_("Coordination"), 42),
}


@dataclass(frozen=True)
class NavEntry:
    label: Any
    url_name: str
    order: int = 50
    visible: Callable[[Any], bool] = field(default=lambda actor: True)
    icon: str = ""
    group: str = ""


_ENTRIES: list[NavEntry] = []


def in_organisation(actor: Any) -> bool:
    """Whether the person acts for an organisation (or operates the site): the menus of the partner apps."""
    return bool(actor.memberships) or bool(actor.is_superuser)


def register(entry: NavEntry) -> None:
    if all(e.url_name != entry.url_name for e in _ENTRIES):
        _ENTRIES.append(entry)


def entries_for(request: HttpRequest, actor: Any) -> list[dict[str, Any]]:
    """The visible menu: entries, and dropdowns (``children``) for groups with more than one visible entry."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return []
    visible = [entry for entry in sorted(_ENTRIES, key=lambda e: e.order) if entry.visible(actor)]
    items = [{"label": e.label, "url": reverse(e.url_name), "active": False, "icon": e.icon} for e in visible]
    # Only the most specific entry is active: /org/capabilities/ lights "Capabilities", not also "Directory" (/org/).
    matching = [item for item in items if request.path.startswith(item["url"])]
    if matching:
        max(matching, key=lambda item: len(item["url"]))["active"] = True
    grouped: dict[str, list[dict[str, Any]]] = {}
    for entry, item in zip(visible, items, strict=True):
        if entry.group in GROUPS:
            grouped.setdefault(entry.group, []).append(item)
    out: list[tuple[int, dict[str, Any]]] = []
    for entry, item in zip(visible, items, strict=True):
        children = grouped.get(entry.group, [])
        if len(children) < 2:
            out.append((entry.order, item))
        elif item is children[0]:
            label, order = GROUPS[entry.group]
            active = any(child["active"] for child in children)
            out.append((order, {"label": label, "url": "", "icon": "", "active": active, "children": children}))
    return [item for _, item in sorted(out, key=lambda pair: pair[0])]

"""Helpers shared by the alliance services: validation into DomainError and the recurring permission checks."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.exceptions import ConflictError, DomainError, NotAllowed
from stakeholders.access import Actor

from ..cycle import TERMINAL
from ..models import Alliance, Project
from ..parties import project_parties


def full_clean(obj: Any, exclude: list[str] | None = None) -> None:
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        fields = exc.message_dict if hasattr(exc, "error_dict") else {}
        raise DomainError("; ".join(exc.messages), fields=fields) from exc


def require_lead(actor: Actor, alliance: Alliance, *, manager: bool = False) -> None:
    """Library staff of the alliance's lead library (its managers, with ``manager``)."""
    allowed = actor.manages(alliance.lead_library_id) if manager else actor.writes_for(alliance.lead_library_id)
    if not allowed:
        if manager:
            raise NotAllowed(_("Only managers of the alliance's lead library may do this."))
        raise NotAllowed(_("Only staff of the alliance's lead library may do this."))


def require_party(actor: Actor, project: Project, *parties: str) -> set[str]:
    held = project_parties(actor, project)
    if not held & set(parties):
        raise NotAllowed(_("Your organisation does not have the role in this project to do this."))
    return held


def require_live(project: Project) -> None:
    if project.is_archived or project.status in TERMINAL:
        raise ConflictError(_("The project is %(status)s.") % {"status": project.get_status_display()})


def require_active(obj: Any, what: str) -> None:
    if getattr(obj, "archived_at", None) is not None:
        raise ConflictError(_("The %(what)s is archived.") % {"what": what})

"""Who an actor is to an alliance or a project, and who is told when something happens to it."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise, lazy

from stakeholders.access import Actor
from stakeholders.choices import MANAGING_ROLES
from stakeholders.models import Membership

from .choices import GOVERNMENT_ROLES, ParticipantRole
from .models import Alliance, AllianceMember, Project, ProjectParticipant

# Parties to a project, as the cycle's actor checks name them.
LEAD = "lead"  # anyone who writes for the lead library
LEAD_MANAGER = "lead_manager"  # owners and managers of the lead library
PROVIDER = "provider"
ASSISTANT = "assistant"
GOVERNMENT = "government"  # a guide or funder of the project or of its alliance


def alliance_parties(actor: Actor, alliance: Alliance) -> set[str]:
    """The parties the actor may act as in this alliance (one query unless the actor leads it)."""
    if actor.is_superuser:
        return {LEAD, LEAD_MANAGER, PROVIDER, ASSISTANT, GOVERNMENT}
    parties: set[str] = set()
    if actor.writes_for(alliance.lead_library_id):
        parties.add(LEAD)
    if actor.manages(alliance.lead_library_id):
        parties.add(LEAD_MANAGER)
    writable = [org_id for org_id in actor.organization_ids if actor.writes_for(org_id)]
    roles = AllianceMember.objects.active().filter(alliance=alliance, organization_id__in=writable)
    for role in roles.values_list("role", flat=True):
        if role in GOVERNMENT_ROLES:
            parties.add(GOVERNMENT)
        elif role in (ParticipantRole.PROVIDER, ParticipantRole.ASSISTANT):
            parties.add(str(role))
    return parties


def project_parties(actor: Actor, project: Project) -> set[str]:
    """The parties the actor may act as in this project: provider and assistant come from the project itself."""
    if actor.is_superuser:
        return {LEAD, LEAD_MANAGER, PROVIDER, ASSISTANT, GOVERNMENT}
    lead_id = project.alliance.lead_library_id
    parties: set[str] = set()
    if actor.writes_for(lead_id):
        parties.add(LEAD)
    if actor.manages(lead_id):
        parties.add(LEAD_MANAGER)
    writable = [org_id for org_id in actor.organization_ids if actor.writes_for(org_id)]
    if not writable:
        return parties
    in_project = ProjectParticipant.objects.active().filter(project=project, organization_id__in=writable)
    for role in in_project.values_list("role", flat=True):
        parties.add(GOVERNMENT if role in GOVERNMENT_ROLES else str(role))
    guides = AllianceMember.objects.active().filter(
        alliance_id=project.alliance_id, organization_id__in=writable, role__in=GOVERNMENT_ROLES
    )
    if guides.exists():
        parties.add(GOVERNMENT)
    return parties


def organization_users(organization_ids: set[int] | list[int]) -> list[Any]:
    """Everyone currently acting for these organisations (one query)."""
    User = get_user_model()
    return list(
        User.objects.filter(
            is_active=True,
            memberships__organization_id__in=list(organization_ids),
            memberships__archived_at__isnull=True,
        ).distinct()
    )


def organization_people(organization_ids: set[int]) -> tuple[dict[int, list[Any]], dict[int, list[Any]]]:
    """Everyone acting for each organisation, and its managers (by organisation id): one query for any number."""
    everyone: dict[int, dict[int, Any]] = {}
    managers: dict[int, dict[int, Any]] = {}
    memberships = Membership.objects.filter(
        organization_id__in=organization_ids, archived_at__isnull=True, user__is_active=True
    ).select_related("user")
    for m in memberships:
        everyone.setdefault(m.organization_id, {})[m.user_id] = m.user
        if m.role in MANAGING_ROLES:
            managers.setdefault(m.organization_id, {})[m.user_id] = m.user
    return (
        {org: list(users.values()) for org, users in everyone.items()},
        {org: list(users.values()) for org, users in managers.items()},
    )


def project_organization_ids(project: Project) -> set[int]:
    ids = set(ProjectParticipant.objects.active().filter(project=project).values_list("organization_id", flat=True))
    ids.add(project.alliance.lead_library_id)
    return ids


def project_recipients(project: Project) -> list[Any]:
    """The people of every organisation taking part in the project, and of the lead library."""
    return organization_users(project_organization_ids(project))


def url_or_blank(name: str, *args: Any) -> str:
    """A link for a notification; blank while the UI that owns the route is not installed."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def notice(message: str | Promise, params: dict[str, Any]) -> str:
    """A notification text rendered lazily, so ``notify()`` shows it in each recipient's own language.

    ``message`` is a ``gettext_lazy`` msgid; ``params`` may hold lazy labels (a role, a status) too.
    """
    return _render_lazily(message, params)


def _render(message: str | Promise, params: dict[str, Any]) -> str:
    return str(message) % {key: str(v) if isinstance(v, Promise) else v for key, v in params.items()}


# Built once: each lazy() call creates a proxy class (~0.4 ms), which a sweeper telling about 1,000 risks felt.
_render_lazily = lazy(_render, str)

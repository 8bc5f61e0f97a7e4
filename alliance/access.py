"""Who may see an alliance or a project, kept in django-guardian object permissions on organisation groups.

Rather than granting and revoking piecemeal in every service (and forgetting one case), services call
``sync_*_access`` after a change: it works out from the rows whether the organisation should see the
object now, and grants or revokes to match. ``core.permissions.restrict`` then reads the direct-FK tables.
"""

from __future__ import annotations

from core.permissions import grant, revoke
from stakeholders.models import Organization

from .choices import GOVERNMENT_ROLES
from .models import Alliance, AllianceMember, Project, ProjectParticipant

VIEW_ALLIANCE = "view_alliance"
CHANGE_ALLIANCE = "change_alliance"
VIEW_PROJECT = "view_project"
CHANGE_PROJECT = "change_project"


def _set(codename: str, organization: Organization, obj: Alliance | Project, allowed: bool) -> None:
    if allowed:
        grant(codename, organization.group, obj)
    else:
        revoke(codename, organization.group, obj)


def sync_alliance_access(alliance: Alliance, organization: Organization) -> None:
    """Active members see the alliance; the lead library also changes it."""
    lead = alliance.lead_library_id == organization.pk
    member = AllianceMember.objects.active().filter(alliance=alliance, organization=organization).exists()
    _set(VIEW_ALLIANCE, organization, alliance, lead or member)
    _set(CHANGE_ALLIANCE, organization, alliance, lead)


def should_see_project(project: Project, organization: Organization) -> bool:
    """The lead library, the project's active participants, and the alliance's guides and funders."""
    if project.alliance.lead_library_id == organization.pk:
        return True
    if ProjectParticipant.objects.active().filter(project=project, organization=organization).exists():
        return True
    return (
        AllianceMember.objects.active()
        .filter(alliance_id=project.alliance_id, organization=organization, role__in=GOVERNMENT_ROLES)
        .exists()
    )


def sync_project_access(project: Project, organization: Organization) -> None:
    lead = project.alliance.lead_library_id == organization.pk
    _set(VIEW_PROJECT, organization, project, should_see_project(project, organization))
    _set(CHANGE_PROJECT, organization, project, lead)


def sync_alliance_projects_access(alliance: Alliance, organization: Organization) -> None:
    for project in Project.objects.filter(alliance=alliance).select_related("alliance"):
        sync_project_access(project, organization)

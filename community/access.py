"""Who sees and who may act in the community.

- An alliance's discussions are seen by whoever sees the alliance; its member organisations' people write in
  them; managers of the alliance's lead library moderate them.
- Public topics are read by every signed-in person (readers included); people acting for an organisation
  write in them; managers of any library moderate them.
- A hidden thread leaves the lists of everyone but its moderators; a hidden post stays in its thread with the
  reason shown instead of its text (the text stays in the history).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from alliance.models import AllianceMember
from alliance.selectors import visible_alliances
from stakeholders.access import Actor
from stakeholders.choices import MANAGING_ROLES, OrganizationKind

from .models import Thread


def managed_ids(actor: Actor) -> list[int]:
    return [m.organization_id for m in actor.memberships if m.role in MANAGING_ROLES]


def manages_a_library(actor: Actor) -> bool:
    return actor.is_superuser or any(
        m.role in MANAGING_ROLES and m.organization.kind == OrganizationKind.LIBRARY for m in actor.memberships
    )


def visible_threads(actor: Actor) -> QuerySet[Thread]:
    if not actor.is_authenticated:
        return Thread.objects.none()
    if actor.is_superuser:
        return Thread.objects.all()
    seen = Q(alliance__isnull=True) | Q(alliance__in=visible_alliances(actor))
    moderated = Q(alliance__lead_library_id__in=managed_ids(actor))
    if manages_a_library(actor):
        moderated |= Q(alliance__isnull=True)
    return Thread.objects.filter(seen & (Q(is_hidden=False) | moderated))


def may_moderate(actor: Actor, thread: Thread) -> bool:
    if thread.alliance is None:
        return manages_a_library(actor)
    return actor.manages(thread.alliance.lead_library_id)


def may_write(actor: Actor, alliance_id: int | None) -> bool:
    """People acting for an organisation write in public topics, and in an alliance's when it is a member."""
    if actor.is_superuser:
        return True
    if actor.organization is None or not actor.writes_for(actor.organization.pk):
        return False
    if alliance_id is None:
        return True
    return (
        AllianceMember.objects.active().filter(alliance_id=alliance_id, organization_id=actor.organization.pk).exists()
    )

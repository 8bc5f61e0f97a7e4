"""Who may see a risk register and who may act on it.

A project's register is seen by whoever sees the project (the lead library, the project's participants
and the alliance's guiding and funding government bodies). An alliance's own register is seen by the
lead library and the alliance's government guides and funders: partners see the risks of their projects.
The lead library's staff keep the registers; partners act on what they own (mitigations, reviews of
risks they own) and sign pre-assessments as providers.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from alliance.choices import GOVERNMENT_ROLES
from alliance.models import AllianceMember
from alliance.parties import LEAD, LEAD_MANAGER, alliance_parties, project_parties
from alliance.selectors import visible_projects
from core.exceptions import NotAllowed
from stakeholders.access import Actor

from .models import RiskRegister


def visible_registers(actor: Actor) -> QuerySet[RiskRegister]:
    """Registers the actor may see, unannotated (for use inside other filters)."""
    if not actor.is_authenticated:
        return RiskRegister.objects.none()
    if actor.is_superuser:
        return RiskRegister.objects.all()
    orgs = list(actor.organization_ids)
    governed = AllianceMember.objects.active().filter(organization_id__in=orgs, role__in=GOVERNMENT_ROLES)
    return RiskRegister.objects.filter(
        Q(project__in=visible_projects(actor))
        | Q(project__isnull=True)
        & (Q(alliance__lead_library_id__in=orgs) | Q(alliance_id__in=governed.values("alliance_id")))
    )


def visible_register_ids(actor: Actor) -> list[int] | None:
    """The ids of the registers the actor sees, in one query; None for a superuser (every register).

    List reads filter with this literal list instead of nesting visible_registers(): PostgreSQL estimates
    its OR of hashed subplans at most of the table and then scans every risk (docs/performance.md).
    """
    if actor.is_authenticated and actor.is_superuser:
        return None
    return list(visible_registers(actor).values_list("pk", flat=True))


def register_parties(actor: Actor, register: RiskRegister) -> set[str]:
    """The parties (alliance.parties names) the actor may act as on this register."""
    if register.project is not None:
        return project_parties(actor, register.project)
    return alliance_parties(actor, register.alliance)


def require_keeper(actor: Actor, register: RiskRegister, *, manager: bool = False) -> None:
    """The lead library's staff keep the register (its managers, with ``manager``)."""
    lead = register.alliance.lead_library_id
    if manager and not actor.manages(lead):
        raise NotAllowed(_("Only managers of the alliance's lead library may do this."))
    if not actor.writes_for(lead):
        raise NotAllowed(_("Only staff of the alliance's lead library keep its risk registers."))


def is_keeper(actor: Actor, register: RiskRegister) -> bool:
    return actor.writes_for(register.alliance.lead_library_id)


__all__ = [
    "LEAD",
    "LEAD_MANAGER",
    "is_keeper",
    "register_parties",
    "require_keeper",
    "visible_register_ids",
    "visible_registers",
]

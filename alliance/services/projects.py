"""Setting up a project: its needs, who takes part, milestones, budget. Status moves only in ``alliance.cycle``."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.exceptions import ConflictError, DomainError
from notifications.services import notify
from stakeholders.access import Actor
from stakeholders.models import Organization

from ..access import sync_project_access
from ..choices import GOVERNMENT_ROLES, ParticipantRole
from ..models import Alliance, AllianceMember, Milestone, Need, Project, ProjectNeed, ProjectParticipant
from ..parties import LEAD, notice, organization_users, url_or_blank
from ._common import full_clean, require_active, require_lead, require_live, require_party
from .alliances import check_role_fits
from .reminders import morning_of

PROJECT_FIELDS = ("title", "summary", "budget", "starts_on", "ends_on")


@transaction.atomic
def project_create(
    *,
    actor: Actor,
    alliance: Alliance,
    title: str,
    summary: str = "",
    budget: Decimal | int = 0,
    starts_on: date | None = None,
    ends_on: date | None = None,
    needs: list[Need] | None = None,
) -> Project:
    """Library staff open a project (in draft) under their alliance; its guides and funders can see it at once."""
    locked = Alliance.objects.select_for_update(of=("self",)).select_related("lead_library").get(pk=alliance.pk)
    require_lead(actor, locked)
    require_active(locked, _("alliance"))
    project = Project(
        alliance=locked,
        title=title.strip(),
        summary=summary,
        budget=Decimal(budget),
        starts_on=starts_on,
        ends_on=ends_on,
        created_by=actor.user,
    )
    full_clean(project, exclude=["needs"])
    project.save()
    sync_project_access(project, locked.lead_library)
    government = AllianceMember.objects.active().filter(alliance=locked, role__in=GOVERNMENT_ROLES)
    for member in government.select_related("organization"):
        sync_project_access(project, member.organization)
    for need in needs or []:
        _link_need(project, need)
    return project


@transaction.atomic
def project_update(*, actor: Actor, project: Project, **data: Any) -> Project:
    locked = Project.objects.select_for_update(of=("self",)).select_related("alliance").get(pk=project.pk)
    require_party(actor, locked, LEAD)
    require_live(locked)
    for key, value in data.items():
        if key in PROJECT_FIELDS:
            setattr(locked, key, value)
    full_clean(locked, exclude=["needs"])
    locked.save()
    return locked


@transaction.atomic
def project_archive(*, actor: Actor, project: Project) -> Project:
    """Archive a project that has been closed or cancelled."""
    locked = Project.objects.select_for_update(of=("self",)).select_related("alliance").get(pk=project.pk)
    require_lead(actor, locked.alliance, manager=True)
    require_active(locked, _("project"))
    if locked.status not in ("closed", "cancelled"):
        raise ConflictError(_("Only a closed or cancelled project can be archived."))
    locked.archived_at = timezone.now()
    locked.save(update_fields=["archived_at", "updated_at"])
    return locked


def _link_need(project: Project, need: Need) -> ProjectNeed:
    need = Need.objects.get(pk=need.pk)
    if need.library_id != project.alliance.lead_library_id and need.alliance_id != project.alliance_id:
        raise DomainError(_("The need belongs to a library outside this alliance."))
    if need.is_archived:
        raise ConflictError(_("The need is archived."))
    link, _created = ProjectNeed.objects.get_or_create(project=project, need=need)
    return link


@transaction.atomic
def project_link_need(*, actor: Actor, project: Project, need: Need) -> ProjectNeed:
    """Say which need the project sets out to meet."""
    locked = Project.objects.select_for_update(of=("self",)).select_related("alliance").get(pk=project.pk)
    require_party(actor, locked, LEAD)
    require_live(locked)
    return _link_need(locked, need)


@transaction.atomic
def project_add_participant(
    *,
    actor: Actor,
    project: Project,
    organization: Organization,
    role: str,
    responsibilities: str = "",
    funding_amount: Decimal | int = 0,
) -> ProjectParticipant:
    """Staff a project with an alliance member: the provider (one), assistants, a guide, funders."""
    locked = Project.objects.select_for_update(of=("self",)).select_related("alliance").get(pk=project.pk)
    require_lead(actor, locked.alliance, manager=True)
    require_live(locked)
    if role not in ParticipantRole.values:
        raise DomainError(_("Unknown project role."), fields={"role": [_("Unknown role.")]})
    check_role_fits(organization, role)
    if not AllianceMember.objects.active().filter(alliance_id=locked.alliance_id, organization=organization).exists():
        raise ConflictError(_("%(org)s must join the alliance first.") % {"org": organization.name_zh})
    if role == ParticipantRole.PROVIDER and locked.participants.active().filter(role=role).exists():
        raise ConflictError(_("The project already has a provider."))
    participant = ProjectParticipant(
        project=locked,
        organization=organization,
        role=role,
        responsibilities=responsibilities,
        funding_amount=Decimal(funding_amount),
    )
    full_clean(participant, exclude=["project", "organization"])
    try:
        with transaction.atomic():
            participant.save()
    except IntegrityError as exc:
        raise ConflictError(_("%(org)s already has this role in the project.") % {"org": organization.name_zh}) from exc
    sync_project_access(locked, organization)
    notify(
        recipients=organization_users([organization.pk]),
        event="alliance.project.participant_added",
        title=notice(
            gettext_lazy("%(org)s takes part in %(project)s as %(role)s"),
            {"org": organization.name_zh, "project": locked.title, "role": ParticipantRole(role).label},
        ),
        url=url_or_blank("alliance:project-detail", locked.pk),
        actor=actor.user,
        data={"project": locked.pk, "organization": organization.pk, "role": role},
    )
    return participant


@transaction.atomic
def project_remove_participant(*, actor: Actor, participant: ProjectParticipant) -> ProjectParticipant:
    """End a participation; the organisation loses sight of the project unless it still has a reason to see it."""
    locked = (
        ProjectParticipant.objects.select_for_update(of=("self",))
        .select_related("project__alliance", "organization")
        .get(pk=participant.pk)
    )
    project = locked.project
    require_lead(actor, project.alliance, manager=True)
    require_active(locked, _("participation"))
    if locked.role == ParticipantRole.PROVIDER and project.status in (
        "in_development",
        "delivered",
        "in_trial",
        "correcting",
    ):
        raise ConflictError(_("The provider cannot be removed while it is developing or correcting; suspend the project first."))  # fmt: skip
    locked.archived_at = timezone.now()
    locked.save(update_fields=["archived_at", "updated_at"])
    sync_project_access(project, locked.organization)
    return locked


@transaction.atomic
def milestone_add(*, actor: Actor, project: Project, title: str, due_on: date) -> Milestone:
    locked = Project.objects.select_for_update(of=("self",)).select_related("alliance").get(pk=project.pk)
    require_party(actor, locked, LEAD)
    require_live(locked)
    milestone = Milestone(project=locked, title=title.strip(), due_on=due_on, next_review_at=morning_of(due_on))
    full_clean(milestone)
    milestone.save()
    return milestone


@transaction.atomic
def milestone_complete(*, actor: Actor, milestone: Milestone) -> Milestone:
    locked = Milestone.objects.select_for_update(of=("self",)).select_related("project__alliance").get(pk=milestone.pk)
    require_party(actor, locked.project, LEAD, "provider")
    require_active(locked, _("milestone"))
    if locked.done_at is not None:
        raise ConflictError(_("The milestone is already done."))
    locked.done_at = timezone.now()
    locked.next_review_at = None
    locked.save(update_fields=["done_at", "next_review_at", "updated_at"])
    return locked


@transaction.atomic
def milestone_archive(*, actor: Actor, milestone: Milestone) -> Milestone:
    locked = Milestone.objects.select_for_update(of=("self",)).select_related("project__alliance").get(pk=milestone.pk)
    require_party(actor, locked.project, LEAD)
    require_active(locked, _("milestone"))
    locked.archived_at = timezone.now()
    locked.save(update_fields=["archived_at", "updated_at"])
    return locked

"""Forming an alliance: creating it, members joining and leaving with their terms, inviting partners."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.exceptions import ConflictError, DomainError, NotAllowed
from notifications.services import notify
from stakeholders.access import Actor
from stakeholders.choices import OrganizationKind
from stakeholders.models import Organization

from ..access import sync_alliance_access, sync_alliance_projects_access, sync_project_access
from ..choices import KINDS_BY_ROLE, AllianceRole, InvitationStatus, ParticipantRole
from ..cycle import TERMINAL
from ..models import Alliance, AllianceMember, Need, PartnerInvitation, Project, ProjectParticipant
from ..parties import notice, organization_users, url_or_blank
from ._common import full_clean, require_active, require_lead

ALLIANCE_FIELDS = ("name", "description", "charter", "founded_on")
# From development until acceptance the provider owes the project its deliverable and corrections.
PROVIDER_BOUND = ("in_development", "delivered", "in_trial", "correcting", "suspended")


def check_role_fits(organization: Organization, role: str) -> None:
    """The paper's division of labour: libraries demand, enterprises provide, academia assists, government guides."""
    if role not in KINDS_BY_ROLE:
        raise DomainError(_("Unknown alliance role."), fields={"role": [_("Unknown role.")]})
    if organization.kind not in KINDS_BY_ROLE[role]:
        raise DomainError(
            _("A %(kind)s cannot be the %(role)s of an alliance.")
            % {"kind": organization.get_kind_display(), "role": AllianceRole(role).label},
            fields={"role": [_("Does not fit the organisation's kind.")]},
        )


@transaction.atomic
def alliance_create(
    *,
    actor: Actor,
    lead_library: Organization,
    name: str,
    description: str = "",
    charter: str = "",
    founded_on: date | None = None,
    contributes: str = "",
    receives: str = "",
) -> Alliance:
    """A library's managers found an alliance; the library joins it as the demand side."""
    if lead_library.kind != OrganizationKind.LIBRARY or lead_library.is_archived:
        raise DomainError(_("An alliance is led by an active library."))
    if not actor.manages(lead_library.pk):
        raise NotAllowed(_("Only the library's managers may found an alliance."))
    alliance = Alliance(lead_library=lead_library, name=name.strip(), description=description, charter=charter)
    if founded_on:
        alliance.founded_on = founded_on
    full_clean(alliance)
    alliance.save()
    AllianceMember.objects.create(
        alliance=alliance,
        organization=lead_library,
        role=AllianceRole.DEMAND,
        contributes=contributes,
        receives=receives,
    )
    sync_alliance_access(alliance, lead_library)
    return alliance


@transaction.atomic
def alliance_update(*, actor: Actor, alliance: Alliance, **data: Any) -> Alliance:
    locked = Alliance.objects.select_for_update(of=("self",)).get(pk=alliance.pk)
    require_lead(actor, locked, manager=True)
    require_active(locked, _("alliance"))
    for key, value in data.items():
        if key in ALLIANCE_FIELDS:
            setattr(locked, key, value)
    full_clean(locked)
    locked.save()
    return locked


@transaction.atomic
def alliance_archive(*, actor: Actor, alliance: Alliance) -> Alliance:
    """Archive an alliance whose projects have all ended."""
    locked = Alliance.objects.select_for_update(of=("self",)).get(pk=alliance.pk)
    require_lead(actor, locked, manager=True)
    require_active(locked, _("alliance"))
    if locked.projects.filter(archived_at__isnull=True).exclude(status__in=TERMINAL).exists():
        raise ConflictError(_("Close or cancel the alliance's projects before archiving it."))
    locked.archived_at = timezone.now()
    locked.save(update_fields=["archived_at", "updated_at"])
    return locked


@transaction.atomic
def alliance_join(
    *,
    actor: Actor,
    alliance: Alliance,
    organization: Organization,
    role: str,
    contributes: str = "",
    receives: str = "",
) -> AllianceMember:
    """The lead library's managers admit an organisation in a role; its people see the alliance from now on."""
    locked = Alliance.objects.select_for_update(of=("self",)).get(pk=alliance.pk)
    require_lead(actor, locked, manager=True)
    require_active(locked, _("alliance"))
    return _join(locked, organization, role, contributes, receives, actor)


def _join(
    alliance: Alliance, organization: Organization, role: str, contributes: str, receives: str, actor: Actor
) -> AllianceMember:
    if organization.is_archived:
        raise DomainError(_("An archived organisation cannot join an alliance."))
    check_role_fits(organization, role)
    if AllianceMember.objects.active().filter(alliance=alliance, organization=organization).exists():
        raise ConflictError(_("%(org)s is already a member of this alliance.") % {"org": organization.name_zh})
    member = AllianceMember.objects.create(
        alliance=alliance, organization=organization, role=role, contributes=contributes, receives=receives
    )
    sync_alliance_access(alliance, organization)
    if role in (AllianceRole.GUIDE, AllianceRole.FUNDER):
        # Guides and funders supervise every project of the alliance, not only those they take part in.
        sync_alliance_projects_access(alliance, organization)
    notify(
        recipients=organization_users([organization.pk]),
        event="alliance.member.joined",
        title=notice(
            gettext_lazy("%(org)s joined %(alliance)s as %(role)s"),
            {"org": organization.name_zh, "alliance": alliance.name, "role": AllianceRole(role).label},
        ),
        url=url_or_blank("alliance:alliance-detail", alliance.pk),
        actor=actor.user if actor.is_authenticated else None,
        data={"alliance": alliance.pk, "organization": organization.pk, "role": role},
    )
    return member


@transaction.atomic
def alliance_member_update_terms(
    *, actor: Actor, member: AllianceMember, contributes: str | None = None, receives: str | None = None
) -> AllianceMember:
    """Record what a member contributes and receives (the benefit mechanism), as agreed with the lead library."""
    locked = AllianceMember.objects.select_for_update(of=("self",)).select_related("alliance").get(pk=member.pk)
    require_lead(actor, locked.alliance, manager=True)
    require_active(locked, _("membership"))
    if contributes is not None:
        locked.contributes = contributes
    if receives is not None:
        locked.receives = receives
    locked.save(update_fields=["contributes", "receives", "updated_at"])
    return locked


@transaction.atomic
def alliance_leave(*, actor: Actor, member: AllianceMember) -> AllianceMember:
    """An organisation leaves (its managers decide) or is removed (by the lead library's managers).

    It leaves the alliance's projects with it, and its people lose sight of both in the same transaction.
    The provider of a running project cannot walk away from it: end or re-staff the project first.
    """
    locked = (
        AllianceMember.objects.select_for_update(of=("self",))
        .select_related("alliance", "organization")
        .get(pk=member.pk)
    )
    alliance, organization = locked.alliance, locked.organization
    if not (actor.manages(organization.pk) or actor.manages(alliance.lead_library_id)):
        raise NotAllowed(_("Only the organisation's managers or the lead library's managers may end a membership."))
    require_active(locked, _("membership"))
    if organization.pk == alliance.lead_library_id:
        raise ConflictError(_("The lead library cannot leave its own alliance; archive the alliance instead."))
    participations = ProjectParticipant.objects.active().filter(project__alliance=alliance, organization=organization)
    providing = participations.filter(role=ParticipantRole.PROVIDER, project__status__in=PROVIDER_BOUND)
    if providing.exists():
        raise ConflictError(
            _("%(org)s is the provider of a running project of this alliance.") % {"org": organization.name_zh}
        )
    now = timezone.now()
    participations.update(archived_at=now, updated_at=now)
    locked.archived_at = now
    locked.save(update_fields=["archived_at", "updated_at"])
    sync_alliance_access(alliance, organization)
    sync_alliance_projects_access(alliance, organization)
    PartnerInvitation.objects.filter(
        alliance=alliance, organization=organization, status=InvitationStatus.PENDING
    ).update(status=InvitationStatus.DECLINED, responded_at=now, updated_at=now)
    notify(
        recipients=organization_users([organization.pk, alliance.lead_library_id]),
        event="alliance.member.left",
        title=notice(
            gettext_lazy("%(org)s left %(alliance)s"), {"org": organization.name_zh, "alliance": alliance.name}
        ),
        actor=actor.user if actor.is_authenticated else None,
        data={"alliance": alliance.pk, "organization": organization.pk},
    )
    return locked


# --- inviting suggested partners -----------------------------------------------------------------------


@transaction.atomic
def partner_invite(
    *,
    actor: Actor,
    alliance: Alliance,
    organization: Organization,
    role: str,
    project: Project | None = None,
    need: Need | None = None,
    message: str = "",
) -> PartnerInvitation:
    """Invite an organisation (typically one ``partner_suggestions`` found for a need) to join in a role.

    With a project, accepting also makes it the project's provider or assistant.
    """
    require_lead(actor, alliance)
    require_active(alliance, _("alliance"))
    check_role_fits(organization, role)
    if project is not None and project.alliance_id != alliance.pk:
        raise DomainError(_("The project belongs to another alliance."))
    if need is not None and need.library_id != alliance.lead_library_id and need.alliance_id != alliance.pk:
        raise DomainError(_("The need belongs to another library."))
    if AllianceMember.objects.active().filter(alliance=alliance, organization=organization).exists() and not project:
        raise ConflictError(_("%(org)s is already a member of this alliance.") % {"org": organization.name_zh})
    invitation = PartnerInvitation(
        alliance=alliance,
        organization=organization,
        role=role,
        project=project,
        need=need,
        message=message,
        invited_by=actor.user,
    )
    try:
        with transaction.atomic():
            invitation.save()
    except IntegrityError as exc:
        raise ConflictError(_("%(org)s already has a pending invitation.") % {"org": organization.name_zh}) from exc
    notify(
        recipients=organization_users([organization.pk]),
        event="alliance.partner.invited",
        title=notice(
            gettext_lazy("%(library)s invites %(org)s to %(alliance)s"),
            {"library": alliance.lead_library.name_zh, "org": organization.name_zh, "alliance": alliance.name},
        ),
        body=message,
        url=url_or_blank("alliance:invitation-detail", invitation.pk),
        actor=actor.user,
        data={"invitation": invitation.pk, "alliance": alliance.pk},
    )
    return invitation


def _respond(actor: Actor, invitation: PartnerInvitation) -> PartnerInvitation:
    locked = (
        PartnerInvitation.objects.select_for_update(of=("self",))
        .select_related("alliance", "organization", "project")
        .get(pk=invitation.pk)
    )
    if not actor.manages(locked.organization_id):
        raise NotAllowed(_("Only the invited organisation's managers may answer the invitation."))
    if locked.status != InvitationStatus.PENDING:
        raise ConflictError(_("This invitation was already answered."))
    return locked


@transaction.atomic
def partner_invitation_accept(*, actor: Actor, invitation: PartnerInvitation) -> PartnerInvitation:
    """The invited organisation's managers accept: it joins the alliance (and the project) in the role offered."""
    locked = _respond(actor, invitation)
    alliance, organization = locked.alliance, locked.organization
    require_active(alliance, _("alliance"))
    if not AllianceMember.objects.active().filter(alliance=alliance, organization=organization).exists():
        _join(alliance, organization, locked.role, "", "", actor)
    if locked.project is not None and locked.role in ParticipantRole.values:
        project = locked.project
        if project.status in TERMINAL:
            raise ConflictError(_("The project has ended."))
        if locked.role == ParticipantRole.PROVIDER and project.participants.active().filter(role="provider").exists():
            raise ConflictError(_("The project already has a provider."))
        ProjectParticipant.objects.get_or_create(
            project=project, organization=organization, role=locked.role, archived_at=None
        )
        sync_project_access(project, organization)
    locked.status = InvitationStatus.ACCEPTED
    locked.responded_at = timezone.now()
    locked.responded_by = actor.user
    locked.save(update_fields=["status", "responded_at", "responded_by", "updated_at"])
    notify(
        recipients=organization_users([alliance.lead_library_id]),
        event="alliance.partner.accepted",
        title=notice(
            gettext_lazy("%(org)s accepted the invitation to %(alliance)s"),
            {"org": organization.name_zh, "alliance": alliance.name},
        ),
        actor=actor.user,
        data={"invitation": locked.pk},
    )
    return locked


@transaction.atomic
def partner_invitation_decline(*, actor: Actor, invitation: PartnerInvitation, reason: str = "") -> PartnerInvitation:
    locked = _respond(actor, invitation)
    locked.status = InvitationStatus.DECLINED
    locked.responded_at = timezone.now()
    locked.responded_by = actor.user
    locked.save(update_fields=["status", "responded_at", "responded_by", "updated_at"])
    notify(
        recipients=organization_users([locked.alliance.lead_library_id]),
        event="alliance.partner.declined",
        title=notice(
            gettext_lazy("%(org)s declined the invitation to %(alliance)s"),
            {"org": locked.organization.name_zh, "alliance": locked.alliance.name},
        ),
        body=reason,
        actor=actor.user,
        data={"invitation": locked.pk},
    )
    return locked

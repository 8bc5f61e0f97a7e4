"""Alliances, the organisations in them with their roles and benefit terms, and invitations to join."""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from core.models import Archivable, TimeStamped
from stakeholders.models import Organization

from ..choices import AllianceRole, InvitationStatus


@pghistory.track(exclude=["updated_at"])
class Alliance(TimeStamped, Archivable):
    """A co-construction alliance led by a library, binding its partners to shared goals and terms."""

    name = models.CharField(_("name"), max_length=200)
    lead_library = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="led_alliances")
    description = models.TextField(_("description"), blank=True)
    charter = models.TextField(_("charter"), blank=True, help_text=_("Shared goals and rules of the alliance."))
    founded_on = models.DateField(_("founded on"), default=timezone.localdate)

    class Meta:
        verbose_name = _("alliance")
        verbose_name_plural = _("alliances")
        ordering = ["name"]
        indexes = [
            models.Index(fields=["lead_library", "archived_at"], name="alliance_lead_active"),
            models.Index(fields=["archived_at"], name="alliance_archived"),
        ]

    def __str__(self) -> str:
        return self.name


@pghistory.track(exclude=["updated_at"])
class AllianceMember(TimeStamped, Archivable):
    """An organisation's place in an alliance: its role and what it contributes and receives."""

    alliance = models.ForeignKey(Alliance, on_delete=models.PROTECT, related_name="members")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="alliance_memberships")
    role = models.CharField(_("alliance role"), max_length=20, choices=AllianceRole.choices)
    contributes = models.TextField(_("contributes"), blank=True, help_text=_("What the member brings."))
    receives = models.TextField(_("receives"), blank=True, help_text=_("What the member gains in return."))
    joined_at = models.DateTimeField(_("joined at"), default=timezone.now)

    class Meta:
        verbose_name = _("alliance member")
        verbose_name_plural = _("alliance members")
        ordering = ["alliance_id", "role", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["alliance", "organization"],
                condition=Q(archived_at__isnull=True),
                name="alliance_member_one_active",
            ),
            models.CheckConstraint(condition=Q(role__in=AllianceRole.values), name="alliance_member_role_valid"),
        ]
        indexes = [
            models.Index(fields=["alliance", "role", "archived_at"], name="alliance_member_role"),
            models.Index(fields=["organization", "archived_at"], name="alliance_member_org"),
        ]

    def __str__(self) -> str:
        return f"{self.organization} · {self.get_role_display()} @ {self.alliance}"


@pghistory.track(exclude=["updated_at"])
class PartnerInvitation(TimeStamped):
    """The library asks a suggested organisation to join an alliance (and a project) in a role."""

    alliance = models.ForeignKey(Alliance, on_delete=models.PROTECT, related_name="invitations")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="alliance_invitations")
    role = models.CharField(_("alliance role"), max_length=20, choices=AllianceRole.choices)
    project = models.ForeignKey(
        "alliance.Project", null=True, blank=True, on_delete=models.PROTECT, related_name="invitations"
    )
    need = models.ForeignKey(
        "alliance.Need", null=True, blank=True, on_delete=models.PROTECT, related_name="invitations"
    )
    message = models.TextField(_("message"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=InvitationStatus.choices, default=InvitationStatus.PENDING
    )
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("partner invitation")
        verbose_name_plural = _("partner invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["alliance", "organization"],
                condition=Q(status="pending"),
                name="partner_invitation_one_pending",
            ),
            models.CheckConstraint(condition=Q(status__in=InvitationStatus.values), name="partner_invitation_status"),
        ]
        indexes = [
            models.Index(fields=["organization", "status"], name="partner_invitation_org"),
            models.Index(fields=["alliance", "status"], name="partner_invitation_alliance"),
        ]

    def __str__(self) -> str:
        return f"{self.organization} → {self.alliance} ({self.get_status_display()})"


# django-guardian with direct foreign keys: restrict() joins one indexed table per model.
class AllianceUserObjectPermission(UserObjectPermissionBase):
    """A person's object permission on one alliance (rare: sight normally comes through the organisation)."""

    content_object = models.ForeignKey(Alliance, on_delete=models.CASCADE)


class AllianceGroupObjectPermission(GroupObjectPermissionBase):
    """An organisation group's object permission on one alliance, granted on joining and revoked on leaving."""

    content_object = models.ForeignKey(Alliance, on_delete=models.CASCADE)

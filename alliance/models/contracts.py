"""Agreements of the cycle: contracts among several organisations, and the intellectual property a project produces."""

from __future__ import annotations

from decimal import Decimal

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from core.models import Archivable, TimeStamped
from stakeholders.models import Organization

from ..validators import validate_deliverable_file
from .alliances import Alliance
from .delivery import Deliverable
from .projects import Project


class ContractStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SIGNED = "signed", _("Signed by every party")
    ACTIVE = "active", _("Active")
    COMPLETED = "completed", _("Completed")
    TERMINATED = "terminated", _("Terminated")


class ContractPartyRole(models.TextChoices):
    LIBRARY = "library", _("Library")
    PROVIDER = "provider", _("Provider")
    ASSISTANT = "assistant", _("Assistant")
    FUNDER = "funder", _("Funder")
    GUIDE = "guide", _("Guide")


class ReminderKind(models.TextChoices):
    BEFORE_END = "before_end", _("Ends soon")
    EXPIRED = "expired", _("Expired")


class IPKind(models.TextChoices):
    SOFTWARE = "software", _("Software")
    DATA = "data", _("Data")
    CONTENT = "content", _("Content")
    PATENT = "patent", _("Patent")
    STANDARD = "standard", _("Standard")


@pghistory.track(exclude=["updated_at", "next_reminder_at"])
class Contract(TimeStamped, Archivable):
    """An agreement among several organisations of an alliance, usually for one project, with its value and term."""

    alliance = models.ForeignKey(Alliance, on_delete=models.PROTECT, related_name="contracts")
    project = models.ForeignKey(Project, null=True, blank=True, on_delete=models.PROTECT, related_name="contracts")
    title = models.CharField(_("title"), max_length=200)
    terms = models.TextField(_("terms"), blank=True)
    value = models.DecimalField(_("value (CNY)"), max_digits=14, decimal_places=2, default=Decimal("0"))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    remind_days_before = models.PositiveSmallIntegerField(
        _("remind days before the end"), default=30, help_text=_("The parties are reminded this many days ahead.")
    )
    # Written only by the contract services: draft → signed (by every party) → active → completed/terminated.
    status = models.CharField(
        _("status"), max_length=12, choices=ContractStatus.choices, default=ContractStatus.DRAFT, editable=False
    )
    signed_at = models.DateTimeField(_("signed by every party at"), null=True, blank=True, editable=False)
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(_("completed or terminated at"), null=True, blank=True, editable=False)
    termination_reason = models.TextField(_("termination reason"), blank=True)
    # The party whose breach ended the contract: counts against its contract compliance.
    breached_by = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("breached by")
    )
    # When the expiry sweeper next looks at it: N days before the end, then on the end date; cleared after.
    next_reminder_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ContractStatus.values), name="contract_status_valid"),
            models.CheckConstraint(condition=Q(value__gte=0), name="contract_value_not_negative"),
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="contract_ends_after_start"),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(signed_at__isnull=False), name="contract_signed_has_date"
            ),
        ]
        indexes = [
            models.Index(fields=["alliance", "status"], name="contract_alliance_status"),
            models.Index(fields=["project", "status"], name="contract_project_status"),
            models.Index(fields=["next_reminder_at"], name="contract_reminder_due"),
            models.Index(fields=["archived_at"], name="contract_archived"),
        ]

    def __str__(self) -> str:
        return self.title


# A party dropped from a draft (or a share from an asset) is deleted with a history row, not archived: it is
# part of its contract's terms, whose changes the history keeps.
@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent(), exclude=["updated_at"])
class ContractParty(TimeStamped):
    """An organisation bound by a contract, in a role, with its obligations and its signature (who, when)."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="parties")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="contract_parties")
    role = models.CharField(_("role"), max_length=12, choices=ContractPartyRole.choices)
    obligations = models.TextField(_("obligations"), blank=True)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("contract party")
        verbose_name_plural = _("contract parties")
        ordering = ["contract_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "organization"], name="contract_party_once"),
            models.CheckConstraint(condition=Q(role__in=ContractPartyRole.values), name="contract_party_role_valid"),
            models.CheckConstraint(
                condition=Q(signed_at__isnull=True, signed_by__isnull=True)
                | Q(signed_at__isnull=False, signed_by__isnull=False),
                name="contract_party_signature_whole",
            ),
        ]
        indexes = [models.Index(fields=["organization", "contract"], name="contract_party_org")]

    def __str__(self) -> str:
        return f"{self.organization} · {self.get_role_display()} @ {self.contract}"


def contract_upload_to(instance: ContractDocument, filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower()[:5] if "." in filename else "bin"
    return f"contracts/{instance.contract_id}/{timezone.now():%Y%m%d%H%M%S%f}.{ext}"


@pghistory.track(exclude=["updated_at"])
class ContractDocument(TimeStamped, Archivable):
    """A document of a contract: the signed text, an annex, an amendment (checked by content on upload)."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="documents")
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=contract_upload_to, validators=[validate_deliverable_file])
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("contract document")
        verbose_name_plural = _("contract documents")
        ordering = ["contract_id", "created_at", "id"]
        indexes = [models.Index(fields=["contract", "archived_at"], name="contract_document_contract")]

    def __str__(self) -> str:
        return self.title


class ContractReminder(models.Model):
    """One expiry reminder sent for a contract's end date; the unique key makes a re-run send nothing."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=12, choices=ReminderKind.choices)
    ends_on = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("contract reminder")
        verbose_name_plural = _("contract reminders")
        constraints = [
            models.UniqueConstraint(fields=["contract", "kind", "ends_on"], name="contract_reminder_once"),
        ]

    def __str__(self) -> str:
        return f"{self.contract} · {self.kind} · {self.ends_on}"


class ContractUserObjectPermission(UserObjectPermissionBase):
    """A person's object permission on one contract (rare: sight normally comes through the organisation)."""

    content_object = models.ForeignKey(Contract, on_delete=models.CASCADE)


class ContractGroupObjectPermission(GroupObjectPermissionBase):
    """An organisation group's object permission on one contract, kept in step by the contract services."""

    content_object = models.ForeignKey(Contract, on_delete=models.CASCADE)


@pghistory.track(exclude=["updated_at"])
class IPAsset(TimeStamped, Archivable):
    """Intellectual property a project produces (software, data, content, a patent, a standard) and its terms."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="ip_assets")
    deliverable = models.ForeignKey(
        Deliverable, null=True, blank=True, on_delete=models.PROTECT, related_name="ip_assets"
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=IPKind.choices)
    description = models.TextField(_("description"), blank=True)
    licence = models.TextField(_("licence terms"), blank=True)
    third_party_cleared = models.BooleanField(
        _("third-party copyright cleared"), default=False, help_text=_("Rights to any third-party work are settled.")
    )
    clearance_note = models.TextField(_("clearance note"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("IP asset")
        verbose_name_plural = _("IP assets")
        ordering = ["project_id", "id"]
        constraints = [models.CheckConstraint(condition=Q(kind__in=IPKind.values), name="ip_asset_kind_valid")]
        indexes = [
            models.Index(fields=["project", "archived_at"], name="ip_asset_project"),
            models.Index(fields=["deliverable"], name="ip_asset_deliverable"),
        ]

    def __str__(self) -> str:
        return self.title


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent(), exclude=["updated_at"])
class IPShare(TimeStamped):
    """An owner's share of an IP asset in percent; an asset's shares add up to 100 (kept so by the services)."""

    asset = models.ForeignKey(IPAsset, on_delete=models.CASCADE, related_name="shares")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="ip_shares")
    percent = models.DecimalField(_("share (%)"), max_digits=5, decimal_places=2)

    class Meta:
        verbose_name = _("IP share")
        verbose_name_plural = _("IP shares")
        ordering = ["asset_id", "-percent", "id"]
        constraints = [
            models.UniqueConstraint(fields=["asset", "organization"], name="ip_share_once"),
            models.CheckConstraint(condition=Q(percent__gt=0) & Q(percent__lte=100), name="ip_share_percent_range"),
        ]
        indexes = [models.Index(fields=["organization"], name="ip_share_org")]

    def __str__(self) -> str:
        return f"{self.organization} {self.percent}% of {self.asset}"

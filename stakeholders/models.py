"""The five kinds of stakeholder, the people who act for them, and what they bring."""

from __future__ import annotations

import hashlib

import pghistory
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.postgres.indexes import GinIndex
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from core.models import Archivable, TimeStamped

from .choices import CapabilityCategory, MembershipRole, OrganizationKind, VerificationStatus
from .validators import validate_document, validate_uscc


@pghistory.track(exclude=["updated_at"])
class Organization(TimeStamped, Archivable):
    """A party to co-construction: a library, government body, enterprise, university or research institute."""

    kind = models.CharField(_("kind"), max_length=20, choices=OrganizationKind.choices)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    region = models.CharField(_("region"), max_length=100, blank=True)
    uscc = models.CharField(_("unified social credit code"), max_length=18, blank=True, validators=[validate_uscc])
    contact_name = models.CharField(_("contact person"), max_length=100, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=32, blank=True)
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)
    verification_status = models.CharField(
        _("verification"), max_length=20, choices=VerificationStatus.choices, default=VerificationStatus.UNVERIFIED
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    group = models.OneToOneField(Group, on_delete=models.PROTECT, related_name="organization", editable=False)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name_zh"]
        constraints = [
            models.UniqueConstraint(fields=["uscc"], condition=~Q(uscc=""), name="organization_unique_uscc"),
        ]
        indexes = [
            models.Index(fields=["kind", "name_zh"], name="org_kind_name"),
            models.Index(fields=["verification_status"], name="org_verification"),
            models.Index(fields=["region"], name="org_region"),
            models.Index(fields=["archived_at"], name="org_archived"),
            GinIndex(fields=["name_zh"], name="org_name_zh_trgm", opclasses=["gin_trgm_ops"]),
            GinIndex(fields=["name_en"], name="org_name_en_trgm", opclasses=["gin_trgm_ops"]),
        ]

    def __str__(self) -> str:
        return self.name_zh

    @property
    def display_name(self) -> str:
        from django.utils.translation import get_language

        if (get_language() or "").startswith("en") and self.name_en:
            return self.name_en
        return self.name_zh


@pghistory.track(exclude=["updated_at"])
class Membership(TimeStamped, Archivable):
    """A person acting for an organisation, with a role; ending a membership archives it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=MembershipRole.choices, default=MembershipRole.MEMBER)
    title = models.CharField(_("job title"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization"],
                condition=Q(archived_at__isnull=True),
                name="membership_one_active_per_user_org",
            )
        ]
        indexes = [
            models.Index(fields=["organization", "role"], name="membership_org_role"),
            models.Index(fields=["user", "archived_at"], name="membership_user_active"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization} ({self.get_role_display()})"


def hash_secret(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@pghistory.track(exclude=["updated_at", "token_hash"])
class Invitation(TimeStamped):
    """An e-mailed, expiring invitation to join an organisation with a role."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="invitations")
    email = models.EmailField(_("e-mail"))
    role = models.CharField(_("role"), max_length=20, choices=MembershipRole.choices, default=MembershipRole.MEMBER)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        indexes = [models.Index(fields=["organization", "-created_at"], name="invitation_org_created")]

    def __str__(self) -> str:
        return f"{self.email} → {self.organization}"

    @property
    def status(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"


@pghistory.track(exclude=["updated_at", "card_number_hash"])
class ReaderProfile(TimeStamped):
    """A reader of a home library. The card number is kept only as a hash and a masked form."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reader_profile")
    home_library = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="readers",
        limit_choices_to={"kind": OrganizationKind.LIBRARY},
    )
    card_number_hash = models.CharField(max_length=64, editable=False)
    card_number_masked = models.CharField(_("library card"), max_length=32, editable=False)
    consent_contact = models.BooleanField(_("may be contacted"), default=False)
    consent_trials = models.BooleanField(_("takes part in trials"), default=False)
    consented_at = models.DateTimeField(_("consent given at"), null=True, blank=True)

    class Meta:
        verbose_name = _("reader profile")
        verbose_name_plural = _("reader profiles")
        constraints = [
            models.UniqueConstraint(fields=["home_library", "card_number_hash"], name="reader_unique_card_per_library")
        ]
        indexes = [models.Index(fields=["home_library", "consent_trials"], name="reader_library_trials")]

    def __str__(self) -> str:
        return f"{self.user} ({self.card_number_masked})"

    @staticmethod
    def hash_card(home_library_id: int, card_number: str) -> str:
        # Peppered with the secret key and the library, so a leaked table cannot be reversed by enumerating cards.
        raw = f"{settings.SECRET_KEY}:{home_library_id}:{card_number.strip().upper()}"
        return hashlib.sha256(raw.encode()).hexdigest()

    @staticmethod
    def mask_card(card_number: str) -> str:
        card = card_number.strip()
        if len(card) <= 4:
            return "*" * len(card)
        return "*" * (len(card) - 4) + card[-4:]


@pghistory.track(exclude=["updated_at"])
class Capability(TimeStamped, Archivable):
    """What an organisation brings: a product, technology, research field, standard or remit."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="capabilities")
    category = models.CharField(_("category"), max_length=20, choices=CapabilityCategory.choices)
    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    keywords = models.CharField(_("keywords"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("capability")
        verbose_name_plural = _("capabilities")
        ordering = ["organization_id", "category", "title_zh"]
        indexes = [
            models.Index(fields=["category"], name="capability_category"),
            models.Index(fields=["organization", "archived_at"], name="capability_org_active"),
            GinIndex(fields=["title_zh"], name="capability_title_zh_trgm", opclasses=["gin_trgm_ops"]),
            GinIndex(fields=["title_en"], name="capability_title_en_trgm", opclasses=["gin_trgm_ops"]),
            GinIndex(fields=["keywords"], name="capability_keywords_trgm", opclasses=["gin_trgm_ops"]),
        ]

    def __str__(self) -> str:
        return self.title_zh

    @property
    def display_title(self) -> str:
        from django.utils.translation import get_language

        if (get_language() or "").startswith("en") and self.title_en:
            return self.title_en
        return self.title_zh


def assessment_upload_to(instance: CredibilityAssessment, filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower()[:5] if "." in filename else "bin"
    return f"assessments/{instance.organization_id}/{timezone.now():%Y%m%d%H%M%S}.{ext}"


@pghistory.track(exclude=["updated_at"])
class CredibilityAssessment(TimeStamped, Archivable):
    """A library's assessment of a partner's strength and credibility, with its evidence."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="assessments")
    assessed_by = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="assessments_made")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    qualifications = models.TextField(_("qualifications"))
    score = models.PositiveSmallIntegerField(
        _("score"), validators=[MinValueValidator(0), MaxValueValidator(100)], help_text=_("0–100")
    )
    assessed_on = models.DateField(_("assessed on"), default=timezone.localdate)
    document = models.FileField(
        _("supporting document"), upload_to=assessment_upload_to, blank=True, validators=[validate_document]
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("credibility assessment")
        verbose_name_plural = _("credibility assessments")
        ordering = ["-assessed_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=0) & Q(score__lte=100), name="assessment_score_0_100")
        ]
        indexes = [models.Index(fields=["organization", "-assessed_on"], name="assessment_org_date")]

    def __str__(self) -> str:
        return f"{self.organization} · {self.score}"


# django-guardian with direct foreign keys: one indexed join instead of the generic table.
class OrganizationUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Organization, on_delete=models.CASCADE)


class OrganizationGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Organization, on_delete=models.CASCADE)


class CredibilityAssessmentUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(CredibilityAssessment, on_delete=models.CASCADE)


class CredibilityAssessmentGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(CredibilityAssessment, on_delete=models.CASCADE)


@pghistory.track(exclude=["updated_at", "key_hash", "last_used_at"])
class ApiToken(TimeStamped):
    """A revocable API token of a person, or of an organisation's integration (no person behind it)."""

    name = models.CharField(_("name"), max_length=100)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_tokens")
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="integration_tokens"
    )
    prefix = models.CharField(max_length=12, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        indexes = [models.Index(fields=["user", "revoked_at"], name="token_user_active")]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > timezone.now())


from .privacy_models import ReaderDataAccess, ReaderErasure  # noqa: E402, F401 - reader privacy records

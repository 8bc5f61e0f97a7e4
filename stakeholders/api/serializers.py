"""Thin serializers: input serializers validate a request body for a service; output serializers only read.

Output serializers read only fields the selector already loaded (select_related / annotations), so a
list never queries per row. No serializer saves anything: the views call stakeholders.services.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import password_validation
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from stakeholders import selectors
from stakeholders.access import actor_for
from stakeholders.choices import CapabilityCategory, MembershipRole, OrganizationKind
from stakeholders.models import (
    ApiToken,
    Capability,
    CredibilityAssessment,
    Invitation,
    Membership,
    Organization,
    ReaderProfile,
)
from stakeholders.validators import validate_document, validate_uscc


@extend_schema_field(OpenApiTypes.INT)
class ScopedOrganizationField(serializers.PrimaryKeyRelatedField):  # type: ignore[type-arg]
    """An organisation id, looked up only among the organisations the actor can see (else "does not exist")."""

    def get_queryset(self) -> Any:
        return selectors.organization_list_for(actor_for(self.context["request"]))


@extend_schema_field(OpenApiTypes.INT)
class PublicLibraryField(serializers.PrimaryKeyRelatedField):  # type: ignore[type-arg]
    """A home library chosen at sign-up, before the reader has any account."""

    def get_queryset(self) -> Any:
        return selectors.library_list_public()


# --- small nested shapes ---------------------------------------------------------------------------


class UserBriefSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True)
    display_name = serializers.CharField(source="shown_name", read_only=True)


class OrganizationBriefSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = Organization
        fields = ("id", "kind", "name_zh", "name_en")
        read_only_fields = fields


# --- organisations ---------------------------------------------------------------------------------


class OrganizationSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    member_count = serializers.IntegerField(read_only=True, default=0)
    capability_count = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = Organization
        fields = (
            "id", "kind", "name_zh", "name_en", "region", "uscc", "contact_name", "contact_email",
            "contact_phone", "website", "description", "verification_status", "verified_at", "archived_at",
            "member_count", "capability_count", "created_at", "updated_at",
        )  # fmt: skip
        read_only_fields = fields


class OrganizationUpdateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """What a manager may change. The kind is fixed at registration: alliances depend on it."""

    name_zh = serializers.CharField(max_length=200)
    name_en = serializers.CharField(max_length=200, required=False, allow_blank=True)
    region = serializers.CharField(max_length=100, required=False, allow_blank=True)
    uscc = serializers.CharField(max_length=18, required=False, allow_blank=True, validators=[validate_uscc])
    contact_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    contact_email = serializers.EmailField(required=False, allow_blank=True)
    contact_phone = serializers.CharField(max_length=32, required=False, allow_blank=True)
    website = serializers.URLField(required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)


class OrganizationCreateSerializer(OrganizationUpdateSerializer):
    kind = serializers.ChoiceField(choices=OrganizationKind.choices)


class OrganizationVerifySerializer(serializers.Serializer):  # type: ignore[type-arg]
    approve = serializers.BooleanField(default=True)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


# --- memberships and invitations ------------------------------------------------------------------


class MembershipSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    user = UserBriefSerializer(read_only=True)
    organization = OrganizationBriefSerializer(read_only=True)

    class Meta:
        model = Membership
        fields = ("id", "user", "organization", "role", "title", "created_at", "archived_at")
        read_only_fields = fields


class MembershipRoleSerializer(serializers.Serializer):  # type: ignore[type-arg]
    role = serializers.ChoiceField(choices=MembershipRole.choices)


class InvitationSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """Never carries the token: it exists only in the e-mail sent to the invitee."""

    organization = OrganizationBriefSerializer(read_only=True)
    invited_by = UserBriefSerializer(read_only=True)
    status = serializers.CharField(read_only=True)

    class Meta:
        model = Invitation
        fields = (
            "id", "organization", "email", "role", "status", "invited_by", "expires_at", "accepted_at",
            "revoked_at", "created_at",
        )  # fmt: skip
        read_only_fields = fields


class InvitationCreateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    organization = ScopedOrganizationField()
    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=MembershipRole.choices, default=MembershipRole.MEMBER)


class InvitationAcceptSerializer(serializers.Serializer):  # type: ignore[type-arg]
    token = serializers.CharField(max_length=200, trim_whitespace=True)


# --- capabilities ------------------------------------------------------------------------------------


class CapabilitySerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    organization = OrganizationBriefSerializer(read_only=True)

    class Meta:
        model = Capability
        fields = (
            "id", "organization", "category", "title_zh", "title_en", "description", "keywords",
            "archived_at", "created_at", "updated_at",
        )  # fmt: skip
        read_only_fields = fields


class CapabilityUpdateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    category = serializers.ChoiceField(choices=CapabilityCategory.choices)
    title_zh = serializers.CharField(max_length=200)
    title_en = serializers.CharField(max_length=200, required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)
    keywords = serializers.CharField(max_length=300, required=False, allow_blank=True)


class CapabilityCreateSerializer(CapabilityUpdateSerializer):
    organization = ScopedOrganizationField()


# --- credibility assessments ---------------------------------------------------------------------------


class AssessmentSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    organization = OrganizationBriefSerializer(read_only=True)
    assessed_by = OrganizationBriefSerializer(read_only=True)
    reviewer = UserBriefSerializer(read_only=True)
    has_document = serializers.SerializerMethodField()

    class Meta:
        model = CredibilityAssessment
        fields = (
            "id", "organization", "assessed_by", "reviewer", "qualifications", "score", "assessed_on",
            "has_document", "notes", "archived_at", "created_at",
        )  # fmt: skip
        read_only_fields = fields

    # The evidence itself is not linked: uploaded documents are private to the two parties.
    @extend_schema_field(serializers.BooleanField())
    def get_has_document(self, obj: CredibilityAssessment) -> bool:
        return bool(obj.document)


class AssessmentCreateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    organization = ScopedOrganizationField()
    qualifications = serializers.CharField()
    score = serializers.IntegerField(min_value=0, max_value=100)
    assessed_on = serializers.DateField(required=False)
    document = serializers.FileField(required=False, validators=[validate_document])  # type: ignore[list-item]
    notes = serializers.CharField(required=False, allow_blank=True, default="")


# --- readers -------------------------------------------------------------------------------------------


class ReaderSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """Only the masked card: the card hash never leaves the database."""

    user = UserBriefSerializer(read_only=True)
    home_library = OrganizationBriefSerializer(read_only=True)

    class Meta:
        model = ReaderProfile
        fields = (
            "id", "user", "home_library", "card_number_masked", "consent_contact", "consent_trials",
            "consented_at", "created_at",
        )  # fmt: skip
        read_only_fields = fields


class ReaderRegisterSerializer(serializers.Serializer):  # type: ignore[type-arg]
    username = serializers.CharField(max_length=150)
    email = serializers.EmailField()
    password = serializers.CharField(write_only=True, style={"input_type": "password"})
    display_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    home_library = PublicLibraryField()
    card_number = serializers.CharField(write_only=True, max_length=32)
    consent_contact = serializers.BooleanField(default=False)
    consent_trials = serializers.BooleanField(default=False)

    def validate_password(self, value: str) -> str:
        password_validation.validate_password(value)
        return value


class ReaderConsentSerializer(serializers.Serializer):  # type: ignore[type-arg]
    consent_contact = serializers.BooleanField()
    consent_trials = serializers.BooleanField()


# --- API tokens ----------------------------------------------------------------------------------------


class TokenSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """Only the prefix identifies a token after creation: the key is stored as a hash."""

    user = UserBriefSerializer(read_only=True)
    organization = OrganizationBriefSerializer(read_only=True, allow_null=True)
    is_active = serializers.BooleanField(read_only=True)

    class Meta:
        model = ApiToken
        fields: tuple[str, ...] = (
            "id", "name", "prefix", "user", "organization", "is_active", "expires_at", "last_used_at",
            "revoked_at", "created_at",
        )  # fmt: skip
        read_only_fields = fields


class TokenCreatedSerializer(TokenSerializer):
    key = serializers.CharField(read_only=True, help_text=_("Shown once; store it now."))

    class Meta(TokenSerializer.Meta):
        fields = (*TokenSerializer.Meta.fields, "key")
        read_only_fields = fields  # type: ignore[assignment]


class TokenCreateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    name = serializers.CharField(max_length=100)
    organization = ScopedOrganizationField(
        required=False, allow_null=True, help_text=_("Give an organisation for an integration token acting for it.")
    )
    expires_at = serializers.DateTimeField(required=False, allow_null=True)

    def validate_expires_at(self, value: Any) -> Any:
        if value is not None and value <= timezone.now():
            raise serializers.ValidationError(_("Choose a time in the future."))
        return value


# --- the acting person -----------------------------------------------------------------------------------


class MeMembershipSerializer(serializers.Serializer):  # type: ignore[type-arg]
    organization = OrganizationBriefSerializer(read_only=True)
    role = serializers.ChoiceField(choices=MembershipRole.choices, read_only=True)


class MeReaderSerializer(serializers.Serializer):  # type: ignore[type-arg]
    home_library = OrganizationBriefSerializer(read_only=True)
    card_number_masked = serializers.CharField(read_only=True)
    consent_contact = serializers.BooleanField(read_only=True)
    consent_trials = serializers.BooleanField(read_only=True)


class MeUserSerializer(UserBriefSerializer):
    email = serializers.EmailField(read_only=True)
    preferred_language = serializers.CharField(read_only=True)
    is_integration = serializers.BooleanField(read_only=True)


class MeSerializer(serializers.Serializer):  # type: ignore[type-arg]
    user = MeUserSerializer(read_only=True)
    portal = serializers.CharField(read_only=True)
    acting_organization = OrganizationBriefSerializer(read_only=True, source="organization", allow_null=True)
    role = serializers.CharField(read_only=True, allow_null=True)
    memberships = MeMembershipSerializer(many=True, read_only=True)
    reader_profile = MeReaderSerializer(read_only=True, allow_null=True)


class SwitchSerializer(serializers.Serializer):  # type: ignore[type-arg]
    organization = serializers.IntegerField()

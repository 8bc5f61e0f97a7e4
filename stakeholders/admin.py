"""Operators' view of stakeholders: read-mostly. Domain changes go through the services (the UI and API)."""

from django.contrib import admin

from .models import ApiToken, Capability, CredibilityAssessment, Invitation, Membership, Organization, ReaderProfile


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Organization)
class OrganizationAdmin(ReadOnlyAdmin):
    list_display = ("name_zh", "name_en", "kind", "region", "verification_status", "archived_at")
    list_filter = ("kind", "verification_status", "region")
    search_fields = ("name_zh", "name_en", "uscc")


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ("user", "organization", "role", "archived_at")
    list_filter = ("role",)
    list_select_related = ("user", "organization")
    search_fields = ("user__username", "organization__name_zh")


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    list_display = ("email", "organization", "role", "expires_at", "accepted_at", "revoked_at")
    list_select_related = ("organization",)


@admin.register(ReaderProfile)
class ReaderProfileAdmin(ReadOnlyAdmin):
    list_display = ("user", "home_library", "card_number_masked", "consent_contact", "consent_trials")
    list_select_related = ("user", "home_library")
    exclude = ("card_number_hash",)


@admin.register(Capability)
class CapabilityAdmin(ReadOnlyAdmin):
    list_display = ("title_zh", "organization", "category", "archived_at")
    list_filter = ("category",)
    list_select_related = ("organization",)
    search_fields = ("title_zh", "title_en", "keywords")


@admin.register(CredibilityAssessment)
class CredibilityAssessmentAdmin(ReadOnlyAdmin):
    list_display = ("organization", "assessed_by", "score", "assessed_on", "reviewer")
    list_select_related = ("organization", "assessed_by", "reviewer")


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ("name", "prefix", "user", "organization", "last_used_at", "revoked_at")
    list_select_related = ("user", "organization")
    exclude = ("key_hash",)

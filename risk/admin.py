"""Operators' view of the risk registers: read-only. Every change goes through risk.services."""

from django.contrib import admin

from stakeholders.admin import ReadOnlyAdmin

from .models import Acceptance, Incident, Mitigation, PreAssessment, Review, Risk, RiskRegister, RiskTemplate


@admin.register(RiskRegister)
class RiskRegisterAdmin(ReadOnlyAdmin):
    list_display = ("title", "alliance", "project", "archived_at")
    list_select_related = ("alliance", "project")
    search_fields = ("title",)


@admin.register(RiskTemplate)
class RiskTemplateAdmin(ReadOnlyAdmin):
    list_display = ("code", "category", "title_zh", "title_en", "likelihood", "impact")
    list_filter = ("category",)


@admin.register(Risk)
class RiskAdmin(ReadOnlyAdmin):
    list_display = ("title", "register", "category", "inherent_score", "residual_score", "status", "next_review_at")
    list_filter = ("category", "status", "residual_level")
    list_select_related = ("register",)
    search_fields = ("title",)


@admin.register(Mitigation)
class MitigationAdmin(ReadOnlyAdmin):
    list_display = ("title", "risk", "owner_organization", "due_on", "progress")
    list_select_related = ("risk", "owner_organization")


@admin.register(Acceptance)
class AcceptanceAdmin(ReadOnlyAdmin):
    list_display = ("risk", "approver", "residual_level", "accepted_at", "expires_at", "ended_at")
    list_select_related = ("risk", "approver")


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = ("risk", "reviewed_by", "reviewed_at", "residual_score")
    list_select_related = ("risk", "reviewed_by")


@admin.register(Incident)
class IncidentAdmin(ReadOnlyAdmin):
    list_display = ("title", "register", "occurred_at")
    list_select_related = ("register",)


@admin.register(PreAssessment)
class PreAssessmentAdmin(ReadOnlyAdmin):
    list_display = ("project", "status", "library_signed_at", "provider_signed_at", "completed_at")
    list_select_related = ("project",)

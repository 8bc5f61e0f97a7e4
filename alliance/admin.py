"""Operators' view of the co-construction cycle: read-only. Every change goes through the services."""

from django.contrib import admin

from stakeholders.admin import ReadOnlyAdmin

from .models import (
    Alliance,
    AllianceMember,
    CorrectionRequest,
    Deliverable,
    DeliverableVersion,
    GuidanceDocument,
    Need,
    PartnerInvitation,
    Project,
    ProjectParticipant,
    Signoff,
    TrainingProgram,
    Transition,
    Trial,
)


@admin.register(Alliance)
class AllianceAdmin(ReadOnlyAdmin):
    list_display = ("name", "lead_library", "founded_on", "archived_at")
    list_select_related = ("lead_library",)
    search_fields = ("name",)


@admin.register(AllianceMember)
class AllianceMemberAdmin(ReadOnlyAdmin):
    list_display = ("organization", "alliance", "role", "joined_at", "archived_at")
    list_filter = ("role",)
    list_select_related = ("organization", "alliance")


@admin.register(PartnerInvitation)
class PartnerInvitationAdmin(ReadOnlyAdmin):
    list_display = ("organization", "alliance", "role", "status", "created_at")
    list_filter = ("status", "role")
    list_select_related = ("organization", "alliance")


@admin.register(Need)
class NeedAdmin(ReadOnlyAdmin):
    list_display = ("title", "library", "category", "priority", "status", "archived_at")
    list_filter = ("status", "priority", "category")
    list_select_related = ("library",)
    search_fields = ("title", "keywords")


@admin.register(Project)
class ProjectAdmin(ReadOnlyAdmin):
    list_display = ("title", "alliance", "status", "status_changed_at", "budget", "archived_at")
    list_filter = ("status",)
    list_select_related = ("alliance",)
    search_fields = ("title",)


@admin.register(ProjectParticipant)
class ProjectParticipantAdmin(ReadOnlyAdmin):
    list_display = ("organization", "project", "role", "funding_amount", "archived_at")
    list_filter = ("role",)
    list_select_related = ("organization", "project")


@admin.register(Transition)
class TransitionAdmin(ReadOnlyAdmin):
    list_display = ("project", "name", "from_status", "to_status", "actor", "at")
    list_filter = ("name", "to_status")
    list_select_related = ("project", "actor")


@admin.register(Deliverable)
class DeliverableAdmin(ReadOnlyAdmin):
    list_display = ("title", "project", "archived_at")
    list_select_related = ("project",)


@admin.register(DeliverableVersion)
class DeliverableVersionAdmin(ReadOnlyAdmin):
    list_display = ("deliverable", "number", "released_on", "uploaded_by")
    list_select_related = ("deliverable", "uploaded_by")


@admin.register(Trial)
class TrialAdmin(ReadOnlyAdmin):
    list_display = ("project", "version", "status", "starts_on", "ends_on", "met_criteria")
    list_filter = ("status",)
    list_select_related = ("project", "version")


@admin.register(CorrectionRequest)
class CorrectionRequestAdmin(ReadOnlyAdmin):
    list_display = ("title", "project", "severity", "status", "due_on")
    list_filter = ("status", "severity", "source")
    list_select_related = ("project",)


@admin.register(Signoff)
class SignoffAdmin(ReadOnlyAdmin):
    list_display = ("project", "trial", "organization", "role", "signed_by", "created_at")
    list_select_related = ("project", "trial", "organization", "signed_by")


@admin.register(TrainingProgram)
class TrainingProgramAdmin(ReadOnlyAdmin):
    list_display = ("title", "alliance", "trainer", "required_sessions", "archived_at")
    list_select_related = ("alliance", "trainer")


@admin.register(GuidanceDocument)
class GuidanceDocumentAdmin(ReadOnlyAdmin):
    list_display = ("title", "kind", "code", "version", "issuer", "effective_on", "archived_at")
    list_filter = ("kind",)
    list_select_related = ("issuer",)
    search_fields = ("title", "code")

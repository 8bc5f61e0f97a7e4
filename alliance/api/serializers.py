"""Thin serializers of the co-construction cycle: input serializers validate a body for a service, output ones read.

Output serializers read only what the selectors loaded (select_related, prefetches into ``*_list`` attributes,
annotations), so a list never queries per row. Ids given in a body are looked up among the rows the actor may
see (the ``Scoped*Field`` classes), so a body cannot reach an alliance, project or reader the actor cannot see:
such an id is "does not exist", as a 404 would be for a URL.
"""

from __future__ import annotations

import os
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from alliance import selectors
from alliance.choices import (
    AllianceRole,
    EvidenceKind,
    GuidanceKind,
    NeedCategory,
    NeedPriority,
    ParticipantRole,
    ProjectStatus,
    Severity,
)
from alliance.models import (
    Alliance,
    AllianceMember,
    CorrectionRequest,
    Deliverable,
    DeliverableVersion,
    GuidanceDocument,
    Milestone,
    Need,
    NeedEvidence,
    PartnerInvitation,
    Project,
    ProjectParticipant,
    ProjectStandard,
    Signoff,
    TrainingAttendance,
    TrainingEnrolment,
    TrainingProgram,
    TrainingSession,
    Transition,
    Trial,
    TrialResponse,
)
from alliance.validators import validate_deliverable_file
from stakeholders import selectors as stakeholder_selectors
from stakeholders.access import actor_for
from stakeholders.api.serializers import OrganizationBriefSerializer, ScopedOrganizationField, UserBriefSerializer
from stakeholders.validators import validate_document

# --- ids looked up among what the actor sees ----------------------------------------------------------------


class _Scoped(serializers.PrimaryKeyRelatedField):  # type: ignore[type-arg]
    def actor(self) -> Any:
        return actor_for(self.context["request"])


@extend_schema_field(OpenApiTypes.INT)
class ScopedAllianceField(_Scoped):
    def get_queryset(self) -> Any:
        return selectors.visible_alliances(self.actor()).filter(archived_at__isnull=True)


@extend_schema_field(OpenApiTypes.INT)
class ScopedProjectField(_Scoped):
    def get_queryset(self) -> Any:
        return selectors.visible_projects(self.actor()).select_related("alliance")


@extend_schema_field(OpenApiTypes.INT)
class ScopedNeedField(_Scoped):
    def get_queryset(self) -> Any:
        return selectors.need_list_for(self.actor())


@extend_schema_field(OpenApiTypes.INT)
class ScopedVersionField(_Scoped):
    def get_queryset(self) -> Any:
        projects = selectors.visible_projects(self.actor())
        return (
            DeliverableVersion.objects.active().filter(deliverable__project__in=projects).select_related("deliverable")
        )


@extend_schema_field(OpenApiTypes.INT)
class ScopedTrialField(_Scoped):
    def get_queryset(self) -> Any:
        return selectors.trial_list_for(self.actor())


@extend_schema_field(OpenApiTypes.INT)
class ScopedCorrectionField(_Scoped):
    def get_queryset(self) -> Any:
        return selectors.correction_list_for(self.actor())


@extend_schema_field(OpenApiTypes.INT)
class ScopedReaderField(_Scoped):
    """A reader profile among those the actor's libraries hold."""

    def get_queryset(self) -> Any:
        return stakeholder_selectors.reader_list_for(self.actor())


@extend_schema_field(OpenApiTypes.INT)
class ScopedStandardField(_Scoped):
    def get_queryset(self) -> Any:
        return selectors.guidance_list_for(self.actor(), kind=GuidanceKind.STANDARD)


@extend_schema_field(OpenApiTypes.INT)
class ScopedSessionField(_Scoped):
    def get_queryset(self) -> Any:
        programs = selectors.training_program_list_for(self.actor())
        return TrainingSession.objects.active().filter(program__in=programs.values("pk")).select_related("program")


@extend_schema_field(OpenApiTypes.INT)
class ScopedUserField(_Scoped):
    """A person acting for one of the actor's organisations (whom a manager may enrol)."""

    def get_queryset(self) -> Any:
        ids = self.actor().organization_ids
        return get_user_model().objects.filter(memberships__organization_id__in=ids).distinct()


# --- alliances ----------------------------------------------------------------------------------------------


class AllianceBriefSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = Alliance
        fields = ("id", "name")
        read_only_fields = fields


class AllianceSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    lead_library = OrganizationBriefSerializer(read_only=True)
    member_count = serializers.IntegerField(read_only=True, default=0)
    project_count = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = Alliance
        fields = (
            "id", "name", "lead_library", "description", "charter", "founded_on", "member_count", "project_count",
            "archived_at", "created_at", "updated_at",
        )  # fmt: skip
        read_only_fields = fields


class AllianceUpdateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True)
    charter = serializers.CharField(required=False, allow_blank=True)
    founded_on = serializers.DateField(required=False)


class AllianceCreateSerializer(AllianceUpdateSerializer):
    lead_library = ScopedOrganizationField()
    contributes = serializers.CharField(required=False, allow_blank=True, help_text=_("What the library brings."))
    receives = serializers.CharField(required=False, allow_blank=True, help_text=_("What the library gains."))


class AllianceMemberSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    organization = OrganizationBriefSerializer(read_only=True)

    class Meta:
        model = AllianceMember
        fields = ("id", "alliance", "organization", "role", "contributes", "receives", "joined_at", "archived_at")
        read_only_fields = fields


class AllianceJoinSerializer(serializers.Serializer):  # type: ignore[type-arg]
    organization = ScopedOrganizationField()
    role = serializers.ChoiceField(choices=AllianceRole.choices)
    contributes = serializers.CharField(required=False, allow_blank=True, default="")
    receives = serializers.CharField(required=False, allow_blank=True, default="")


class BenefitTermsSerializer(serializers.Serializer):  # type: ignore[type-arg]
    contributes = serializers.CharField(required=False, allow_blank=True)
    receives = serializers.CharField(required=False, allow_blank=True)


# --- partner invitations ------------------------------------------------------------------------------------


class PartnerInvitationSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    alliance = AllianceBriefSerializer(read_only=True)
    organization = OrganizationBriefSerializer(read_only=True)
    invited_by = UserBriefSerializer(read_only=True)

    class Meta:
        model = PartnerInvitation
        fields = (
            "id", "alliance", "organization", "role", "project", "need", "message", "status", "invited_by",
            "responded_at", "created_at",
        )  # fmt: skip
        read_only_fields = fields


class PartnerInviteSerializer(serializers.Serializer):  # type: ignore[type-arg]
    alliance = ScopedAllianceField()
    organization = ScopedOrganizationField(help_text=_("Usually one of the need's suggestions."))
    role = serializers.ChoiceField(choices=AllianceRole.choices)
    need = ScopedNeedField(required=False, allow_null=True)
    project = ScopedProjectField(required=False, allow_null=True)
    message = serializers.CharField(required=False, allow_blank=True, default="")


class DeclineSerializer(serializers.Serializer):  # type: ignore[type-arg]
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


# --- needs ----------------------------------------------------------------------------------------------------


class NeedSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    library = OrganizationBriefSerializer(read_only=True)
    alliance = AllianceBriefSerializer(read_only=True, allow_null=True)
    evidence_count = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = Need
        fields = (
            "id", "library", "alliance", "title", "description", "keywords", "category", "priority", "status",
            "analysis", "analysed_at", "evidence_count", "archived_at", "created_at", "updated_at",
        )  # fmt: skip
        read_only_fields = fields


class NeedUpdateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    title = serializers.CharField(max_length=200)
    category = serializers.ChoiceField(choices=NeedCategory.choices)
    description = serializers.CharField(required=False, allow_blank=True)
    keywords = serializers.CharField(max_length=300, required=False, allow_blank=True)
    priority = serializers.ChoiceField(choices=NeedPriority.choices, required=False)


class NeedCreateSerializer(NeedUpdateSerializer):
    library = ScopedOrganizationField()
    alliance = ScopedAllianceField(required=False, allow_null=True)


class EvidenceSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = NeedEvidence
        fields = ("id", "need", "kind", "summary", "reference_id", "reference_url", "archived_at", "created_at")
        read_only_fields = fields


class EvidenceCreateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    kind = serializers.ChoiceField(choices=EvidenceKind.choices)
    summary = serializers.CharField()
    reference_id = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    reference_url = serializers.URLField(required=False, allow_blank=True, default="")


class EvidenceArchiveSerializer(serializers.Serializer):  # type: ignore[type-arg]
    evidence = serializers.IntegerField(help_text=_("The id of an active piece of evidence of this need."))


class AnalyseSerializer(serializers.Serializer):  # type: ignore[type-arg]
    analysis = serializers.CharField()


class DropSerializer(serializers.Serializer):  # type: ignore[type-arg]
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class SuggestionSerializer(serializers.Serializer):  # type: ignore[type-arg]
    organization = OrganizationBriefSerializer(read_only=True)
    capability_id = serializers.IntegerField(source="capability.pk", read_only=True)
    capability_title = serializers.CharField(source="capability.title_zh", read_only=True)
    similarity = serializers.FloatField(read_only=True)
    credibility = serializers.IntegerField(read_only=True, allow_null=True)
    record_credibility = serializers.IntegerField(
        read_only=True, allow_null=True, help_text=_("Credibility computed from the partner's record (0–100).")
    )
    score = serializers.FloatField(read_only=True)
    in_alliance = serializers.BooleanField(read_only=True)


# --- projects -------------------------------------------------------------------------------------------------


class ParticipantSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    organization = OrganizationBriefSerializer(read_only=True)

    class Meta:
        model = ProjectParticipant
        fields = ("id", "organization", "role", "responsibilities", "funding_amount", "archived_at", "created_at")
        read_only_fields = fields


class ProjectSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    alliance = AllianceBriefSerializer(read_only=True)
    lead_library = OrganizationBriefSerializer(source="alliance.lead_library", read_only=True)
    participants = ParticipantSerializer(source="active_participants", many=True, read_only=True, default=list)
    open_correction_count = serializers.IntegerField(read_only=True, default=0)
    need_count = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = Project
        fields = (
            "id", "alliance", "lead_library", "title", "summary", "status", "suspended_from", "status_changed_at",
            "budget", "starts_on", "ends_on", "participants", "open_correction_count", "need_count", "archived_at",
            "created_at", "updated_at",
        )  # fmt: skip
        read_only_fields = fields


class ProjectUpdateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    title = serializers.CharField(max_length=200)
    summary = serializers.CharField(required=False, allow_blank=True)
    budget = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False)  # type: ignore[arg-type]
    starts_on = serializers.DateField(required=False, allow_null=True)
    ends_on = serializers.DateField(required=False, allow_null=True)


class ProjectCreateSerializer(ProjectUpdateSerializer):
    alliance = ScopedAllianceField()
    needs = ScopedNeedField(many=True, required=False)


class LinkNeedSerializer(serializers.Serializer):  # type: ignore[type-arg]
    need = ScopedNeedField()


class ParticipantAddSerializer(serializers.Serializer):  # type: ignore[type-arg]
    organization = ScopedOrganizationField()
    role = serializers.ChoiceField(choices=ParticipantRole.choices)
    responsibilities = serializers.CharField(required=False, allow_blank=True, default="")
    funding_amount = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        min_value=0,  # type: ignore[arg-type]
        required=False,
        default=Decimal("0"),
    )


class ParticipantRemoveSerializer(serializers.Serializer):  # type: ignore[type-arg]
    participant = serializers.IntegerField(help_text=_("The id of an active participation of this project."))


class TransitionRequestSerializer(serializers.Serializer):  # type: ignore[type-arg]
    to = serializers.ChoiceField(choices=ProjectStatus.choices, help_text=_("The status to move the project to."))
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)


class TransitionSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    actor = UserBriefSerializer(read_only=True, allow_null=True)
    organization = OrganizationBriefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Transition
        fields = ("id", "name", "from_status", "to_status", "actor", "organization", "note", "at")
        read_only_fields = fields


class OptionSerializer(serializers.Serializer):  # type: ignore[type-arg]
    name = serializers.CharField(read_only=True)
    label = serializers.CharField(read_only=True)  # type: ignore[assignment]  # the metaclass pops it
    target = serializers.ChoiceField(choices=ProjectStatus.choices, read_only=True)
    permitted = serializers.BooleanField(read_only=True, help_text=_("May the actor take this transition?"))
    failures = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text=_("The guards that would refuse it now.")
    )
    possible = serializers.BooleanField(read_only=True)


class TransitionsSerializer(serializers.Serializer):  # type: ignore[type-arg]
    status = serializers.ChoiceField(choices=ProjectStatus.choices, read_only=True)
    available = OptionSerializer(many=True, read_only=True)
    recorded = TransitionSerializer(many=True, read_only=True)


class RoundSerializer(serializers.Serializer):  # type: ignore[type-arg]
    number = serializers.IntegerField(read_only=True)
    trial = serializers.IntegerField(source="trial.pk", read_only=True)
    trial_status = serializers.CharField(source="trial.status", read_only=True)
    version = serializers.IntegerField(source="version.pk", read_only=True)
    version_number = serializers.IntegerField(source="version.number", read_only=True)
    deliverable = serializers.CharField(source="version.deliverable.title", read_only=True)
    response_count = serializers.IntegerField(read_only=True)
    mean_satisfaction = serializers.DecimalField(max_digits=3, decimal_places=2, read_only=True, allow_null=True)
    open_deviations = serializers.IntegerField(read_only=True)
    meets_criteria = serializers.BooleanField(read_only=True)
    deviations_opened = serializers.IntegerField(read_only=True)
    deviations_closed = serializers.IntegerField(read_only=True)
    days_taken = serializers.IntegerField(read_only=True)


class TimelineEntrySerializer(serializers.Serializer):  # type: ignore[type-arg]
    at = serializers.DateTimeField(read_only=True)
    kind = serializers.CharField(read_only=True, help_text=_("transition, version, trial or correction"))
    event = serializers.CharField(read_only=True)
    object_id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)
    detail = serializers.CharField(read_only=True, allow_blank=True)


class StandardDeclareSerializer(serializers.Serializer):  # type: ignore[type-arg]
    standard = ScopedStandardField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class StandardWithdrawSerializer(serializers.Serializer):  # type: ignore[type-arg]
    standard = serializers.IntegerField(help_text=_("The standard whose declaration is withdrawn."))


class ProjectStandardSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = ProjectStandard
        fields = ("id", "project", "standard", "note", "archived_at", "created_at")
        read_only_fields = fields


class SignoffSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    organization = OrganizationBriefSerializer(read_only=True)
    signed_by = UserBriefSerializer(read_only=True)

    class Meta:
        model = Signoff
        fields = ("id", "project", "trial", "organization", "role", "signed_by", "note", "created_at")
        read_only_fields = fields


class SignoffCreateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)


# --- milestones -----------------------------------------------------------------------------------------------


class MilestoneSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = Milestone
        fields = ("id", "project", "title", "due_on", "done_at", "accepted_at", "archived_at", "created_at")
        read_only_fields = fields


class MilestoneCreateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    project = ScopedProjectField()
    title = serializers.CharField(max_length=200)
    due_on = serializers.DateField()


# --- deliverables and versions ----------------------------------------------------------------------------------


class VersionSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    uploaded_by = UserBriefSerializer(read_only=True)
    file_name = serializers.SerializerMethodField()

    class Meta:
        model = DeliverableVersion
        fields = ("id", "deliverable", "number", "file_name", "notes", "released_on", "uploaded_by", "created_at")
        read_only_fields = fields

    # The file itself is not linked: deliverables are private to the project's parties.
    @extend_schema_field(serializers.CharField())
    def get_file_name(self, obj: DeliverableVersion) -> str:
        return os.path.basename(obj.file.name or "")


class DeliverableSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    versions = VersionSerializer(source="version_list", many=True, read_only=True, default=list)

    class Meta:
        model = Deliverable
        fields = ("id", "project", "title", "description", "versions", "archived_at", "created_at")
        read_only_fields = fields


class DeliverableCreateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    project = ScopedProjectField()
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")


class VersionUploadSerializer(serializers.Serializer):  # type: ignore[type-arg]
    file = serializers.FileField(
        validators=[validate_deliverable_file],  # type: ignore[list-item]
        help_text=_("PDF, PNG, JPEG, ZIP, DOCX or XLSX, at most 50 MB."),
    )
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    released_on = serializers.DateField(required=False)
    fixes = ScopedCorrectionField(many=True, required=False, help_text=_("Correction requests this version fixes."))


# --- trials -------------------------------------------------------------------------------------------------


class TrialSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    project_title = serializers.CharField(source="project.title", read_only=True)
    deliverable = serializers.CharField(source="version.deliverable.title", read_only=True)
    version_number = serializers.IntegerField(source="version.number", read_only=True)
    response_count = serializers.IntegerField(read_only=True, default=0)
    invited_count = serializers.IntegerField(read_only=True, default=0)
    mean_satisfaction = serializers.DecimalField(
        max_digits=3, decimal_places=2, read_only=True, allow_null=True, default=None
    )
    has_responded = serializers.BooleanField(
        read_only=True, allow_null=True, default=None, help_text=_("For an invited reader: have you responded?")
    )

    class Meta:
        model = Trial
        fields = (
            "id", "project", "project_title", "version", "deliverable", "version_number", "starts_on", "ends_on",
            "min_satisfaction", "max_open_deviations", "status", "started_at", "closed_at", "met_criteria",
            "response_count", "invited_count", "mean_satisfaction", "has_responded", "created_at",
        )  # fmt: skip
        read_only_fields = fields


class TrialPlanSerializer(serializers.Serializer):  # type: ignore[type-arg]
    project = ScopedProjectField()
    version = ScopedVersionField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    min_satisfaction = serializers.DecimalField(
        max_digits=3,
        decimal_places=2,
        min_value=1,  # type: ignore[arg-type]
        max_value=5,  # type: ignore[arg-type]
        required=False,
        default=Decimal("4.00"),
    )
    max_open_deviations = serializers.IntegerField(min_value=0, required=False, default=0)
    readers = ScopedReaderField(many=True, required=False, help_text=_("Reader profile ids to invite."))


class TrialInviteSerializer(serializers.Serializer):  # type: ignore[type-arg]
    readers = ScopedReaderField(many=True, allow_empty=False)


class InvitedCountSerializer(serializers.Serializer):  # type: ignore[type-arg]
    invited = serializers.IntegerField(read_only=True, help_text=_("Readers newly invited."))


class TrialRespondSerializer(serializers.Serializer):  # type: ignore[type-arg]
    satisfaction = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)


class TrialResponseSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = TrialResponse
        fields = ("id", "trial", "satisfaction", "comment", "created_at")
        read_only_fields = fields


class TrialResultSerializer(serializers.Serializer):  # type: ignore[type-arg]
    trial_id = serializers.IntegerField(read_only=True)
    response_count = serializers.IntegerField(read_only=True)
    invited_count = serializers.IntegerField(read_only=True)
    mean_satisfaction = serializers.DecimalField(max_digits=3, decimal_places=2, read_only=True, allow_null=True)
    open_deviations = serializers.IntegerField(read_only=True)
    meets_criteria = serializers.BooleanField(read_only=True)
    shortfalls = serializers.ListField(child=serializers.CharField(), read_only=True)


# --- corrections ------------------------------------------------------------------------------------------


class CorrectionSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    raised_by = UserBriefSerializer(read_only=True)
    answered_by = UserBriefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = CorrectionRequest
        fields = (
            "id", "project", "trial", "source", "feedback_reference", "title", "description", "severity", "due_on",
            "status", "raised_by", "answer", "answered_at", "answered_by", "fixed_in", "verified_in", "closed_at",
            "created_at",
        )  # fmt: skip
        read_only_fields = fields


class CorrectionRaiseSerializer(serializers.Serializer):  # type: ignore[type-arg]
    project = ScopedProjectField()
    title = serializers.CharField(max_length=200)
    severity = serializers.ChoiceField(choices=Severity.choices)
    due_on = serializers.DateField()
    description = serializers.CharField(required=False, allow_blank=True, default="")
    trial = ScopedTrialField(required=False, allow_null=True, help_text=_("The trial that found it, if any."))
    feedback_reference = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")


class CorrectionAnswerSerializer(serializers.Serializer):  # type: ignore[type-arg]
    answer = serializers.CharField()
    fixed_in = ScopedVersionField(required=False, allow_null=True)


class CorrectionVerifySerializer(serializers.Serializer):  # type: ignore[type-arg]
    trial = ScopedTrialField(help_text=_("The later, running trial in which the fix was confirmed."))
    note = serializers.CharField(required=False, allow_blank=True, default="")


# --- training -----------------------------------------------------------------------------------------------


class TrainingProgramSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    alliance = AllianceBriefSerializer(read_only=True)
    trainer = OrganizationBriefSerializer(read_only=True)
    session_count = serializers.IntegerField(read_only=True, default=0)
    enrolment_count = serializers.IntegerField(read_only=True, default=0)
    completed_count = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = TrainingProgram
        fields = (
            "id", "alliance", "trainer", "title", "description", "required_sessions", "session_count",
            "enrolment_count", "completed_count", "archived_at", "created_at",
        )  # fmt: skip
        read_only_fields = fields


class TrainingProgramCreateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    alliance = ScopedAllianceField()
    trainer = ScopedOrganizationField()
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    required_sessions = serializers.IntegerField(min_value=1, required=False, default=1)


class TrainingSessionSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = TrainingSession
        fields = ("id", "program", "topic", "starts_at", "ends_at", "location")
        read_only_fields = fields


class TrainingSessionCreateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    topic = serializers.CharField(max_length=200)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    location = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class EnrolSerializer(serializers.Serializer):  # type: ignore[type-arg]
    trainee = ScopedUserField(required=False, allow_null=True, help_text=_("Default: yourself."))


class TrainingEnrolmentSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    trainee = UserBriefSerializer(read_only=True)
    library = OrganizationBriefSerializer(read_only=True)
    attended_count = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = TrainingEnrolment
        fields = ("id", "program", "trainee", "library", "attended_count", "completed_at", "created_at")
        read_only_fields = fields


class AttendanceSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = TrainingAttendance
        fields = ("id", "session", "enrolment", "attended", "created_at")
        read_only_fields = fields


class AttendanceRecordSerializer(serializers.Serializer):  # type: ignore[type-arg]
    session = ScopedSessionField()
    attended = serializers.BooleanField(default=True)


# --- guidance and compliance ------------------------------------------------------------------------------------


class GuidanceSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    issuer = OrganizationBriefSerializer(read_only=True)
    project_count = serializers.IntegerField(read_only=True, default=0)
    has_document = serializers.SerializerMethodField()

    class Meta:
        model = GuidanceDocument
        fields = (
            "id", "kind", "issuer", "code", "title", "version", "effective_on", "scope", "summary", "has_document",
            "project_count", "archived_at", "created_at",
        )  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(serializers.BooleanField())
    def get_has_document(self, obj: GuidanceDocument) -> bool:
        return bool(obj.document)


class GuidanceIssueSerializer(serializers.Serializer):  # type: ignore[type-arg]
    kind = serializers.ChoiceField(choices=GuidanceKind.choices)
    title = serializers.CharField(max_length=300)
    effective_on = serializers.DateField()
    version = serializers.CharField(max_length=30, required=False, default="1.0")
    code = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    scope = serializers.CharField(required=False, allow_blank=True, default="")
    summary = serializers.CharField(required=False, allow_blank=True, default="")
    document = serializers.FileField(required=False, validators=[validate_document])  # type: ignore[list-item]


class DeclaredStandardSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    code = serializers.CharField(source="standard.code", read_only=True)
    title = serializers.CharField(source="standard.title", read_only=True)
    version = serializers.CharField(source="standard.version", read_only=True)
    issuer = OrganizationBriefSerializer(source="standard.issuer", read_only=True)

    class Meta:
        model = ProjectStandard
        fields = ("id", "standard", "code", "title", "version", "issuer", "note", "created_at")
        read_only_fields = fields


class ComplianceSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    alliance = AllianceBriefSerializer(read_only=True)
    lead_library = OrganizationBriefSerializer(source="alliance.lead_library", read_only=True)
    standards = DeclaredStandardSerializer(source="standards_declared", many=True, read_only=True, default=list)
    open_correction_count = serializers.IntegerField(read_only=True, default=0)
    critical_open_count = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = Project
        fields = (
            "id", "alliance", "lead_library", "title", "status", "standards", "open_correction_count",
            "critical_open_count",
        )  # fmt: skip
        read_only_fields = fields

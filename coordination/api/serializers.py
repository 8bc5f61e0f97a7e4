"""Thin serializers of the coordination API: input ones validate a body for a service; output ones only read.

Output serializers read only what the selectors loaded, so lists never query per row. Ids in a body are
looked up by the views through scoped selectors.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.urls import reverse
from rest_framework import serializers

from coordination.choices import ActionStatus, AgendaTarget, MeetingKind, MeetingVisibility, OutputKind, Recurrence
from coordination.models import (
    ActionItem,
    AgendaItem,
    Decision,
    Meeting,
    MeetingAttendee,
    PlanMilestone,
    PlanOutput,
    PlanSignature,
    ResearchPlan,
)
from stakeholders.api.serializers import OrganizationBriefSerializer, UserBriefSerializer

# --- meetings ---------------------------------------------------------------------------------------------------


class MeetingSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    alliance_name = serializers.CharField(source="alliance.name", read_only=True)
    organizer = OrganizationBriefSerializer(read_only=True)
    invited_organizations = serializers.SerializerMethodField()
    recurrence = serializers.CharField(source="series.recurrence", read_only=True, default=None)

    class Meta:
        model = Meeting
        fields = (
            "id", "alliance", "alliance_name", "project", "series", "recurrence", "kind", "title", "description",
            "starts_at", "ends_at", "timezone", "place", "online_url", "visibility", "status", "organizer",
            "invited_organizations", "minutes", "minutes_recorded_at", "sequence", "archived_at", "created_at",
        )  # fmt: skip
        read_only_fields = fields

    def get_invited_organizations(self, obj: Meeting) -> list[dict[str, Any]]:
        return [OrganizationBriefSerializer(i.organization).data for i in obj.invitations.all()]


class AgendaItemSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = AgendaItem
        fields = ("id", "position", "title", "notes", "target_kind", "target_id", "target_label")
        read_only_fields = fields


class DecisionSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = Decision
        fields = ("id", "position", "text")
        read_only_fields = fields


class AttendeeSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    user = UserBriefSerializer(read_only=True)

    class Meta:
        model = MeetingAttendee
        fields = ("id", "user", "organization", "invited", "registered_at", "attended")
        read_only_fields = fields


class ActionItemSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    owner = UserBriefSerializer(read_only=True)
    owner_organization = OrganizationBriefSerializer(read_only=True)
    meeting_title = serializers.CharField(source="meeting.title", read_only=True)

    class Meta:
        model = ActionItem
        fields = (
            "id", "meeting", "meeting_title", "decision", "title", "description", "owner", "owner_organization",
            "due_on", "status", "done_at", "archived_at", "created_at",
        )  # fmt: skip
        read_only_fields = fields


class MeetingDetailSerializer(MeetingSerializer):
    agenda_items = AgendaItemSerializer(many=True, read_only=True)
    decisions = DecisionSerializer(many=True, read_only=True)
    action_items = ActionItemSerializer(many=True, read_only=True)
    attendees = AttendeeSerializer(many=True, read_only=True)

    class Meta(MeetingSerializer.Meta):
        fields: tuple[str, ...] = (  # type: ignore[assignment]
            *MeetingSerializer.Meta.fields, "agenda_items", "decisions", "action_items", "attendees",
        )  # fmt: skip
        read_only_fields = fields  # type: ignore[assignment]


class MeetingCreateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    alliance = serializers.IntegerField()
    project = serializers.IntegerField(required=False, allow_null=True)
    kind = serializers.ChoiceField(choices=MeetingKind.choices)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    timezone = serializers.CharField(max_length=60, default="Asia/Shanghai")
    place = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    online_url = serializers.URLField(required=False, allow_blank=True, default="")
    visibility = serializers.ChoiceField(choices=MeetingVisibility.choices, default=MeetingVisibility.INVITED)
    organizations = serializers.ListField(child=serializers.IntegerField(), required=False, default=list, max_length=50)
    people = serializers.ListField(child=serializers.IntegerField(), required=False, default=list, max_length=200)
    recurrence = serializers.ChoiceField(choices=Recurrence.choices, required=False, allow_blank=True, default="")
    occurrences = serializers.IntegerField(min_value=1, max_value=52, default=1)


class MeetingUpdateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    kind = serializers.ChoiceField(choices=MeetingKind.choices)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(allow_blank=True)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    timezone = serializers.CharField(max_length=60)
    place = serializers.CharField(max_length=200, allow_blank=True)
    online_url = serializers.URLField(allow_blank=True)
    visibility = serializers.ChoiceField(choices=MeetingVisibility.choices)


class InviteSerializer(serializers.Serializer):  # type: ignore[type-arg]
    organizations = serializers.ListField(child=serializers.IntegerField(), required=False, default=list, max_length=50)
    people = serializers.ListField(child=serializers.IntegerField(), required=False, default=list, max_length=200)


class AttendanceSerializer(serializers.Serializer):  # type: ignore[type-arg]
    people = serializers.ListField(child=serializers.IntegerField(), min_length=1, max_length=500)


class AgendaItemCreateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    title = serializers.CharField(max_length=200)
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    target_kind = serializers.ChoiceField(choices=AgendaTarget.choices, required=False, allow_blank=True, default="")
    target_id = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1)


class AgendaItemUpdateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """PATCH of one agenda item: any of the fields; an empty target_kind with a null target_id unlinks it."""

    title = serializers.CharField(max_length=200)
    notes = serializers.CharField(allow_blank=True)
    target_kind = serializers.ChoiceField(choices=AgendaTarget.choices, allow_blank=True)
    target_id = serializers.IntegerField(allow_null=True, min_value=1)


class ActionItemInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    owner = serializers.IntegerField()
    owner_organization = serializers.IntegerField()
    due_on = serializers.DateField()
    decision = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1)


class MinutesSerializer(serializers.Serializer):  # type: ignore[type-arg]
    minutes = serializers.CharField()
    decisions = serializers.ListField(
        child=serializers.CharField(max_length=2000), required=False, default=list, max_length=50
    )
    action_items = ActionItemInputSerializer(many=True, required=False, default=list)


class ActionItemUpdateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    status = serializers.ChoiceField(choices=ActionStatus.choices, required=False)
    due_on = serializers.DateField(required=False)


# --- research plans -------------------------------------------------------------------------------------------


class PlanMilestoneSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = PlanMilestone
        fields = ("id", "title", "due_on")
        read_only_fields = fields


class PlanOutputSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    ip_asset_url = serializers.SerializerMethodField(help_text="The IP asset on its project's IP page, or null.")

    class Meta:
        model = PlanOutput
        fields = ("id", "kind", "title", "ip_asset", "ip_asset_url")
        read_only_fields = fields

    def get_ip_asset_url(self, obj: PlanOutput) -> str | None:
        if obj.ip_asset is None:
            return None
        return f"{reverse('alliance:ip-asset-list', args=[obj.ip_asset.project_id])}#ip-asset-{obj.ip_asset_id}"


class PlanSignatureSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    organization = OrganizationBriefSerializer(read_only=True)
    signed_by = UserBriefSerializer(read_only=True)

    class Meta:
        model = PlanSignature
        fields = ("id", "organization", "version", "signed_by", "signed_at")
        read_only_fields = fields


class ResearchPlanSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    lead_organization = OrganizationBriefSerializer(read_only=True)
    participants = serializers.SerializerMethodField()
    milestones = PlanMilestoneSerializer(many=True, read_only=True)
    outputs = PlanOutputSerializer(many=True, read_only=True)
    signatures = PlanSignatureSerializer(many=True, read_only=True)

    class Meta:
        model = ResearchPlan
        fields = (
            "id", "alliance", "lead_organization", "title", "objectives", "budget", "status", "version",
            "activated_at", "participants", "milestones", "outputs", "signatures", "archived_at", "created_at",
        )  # fmt: skip
        read_only_fields = fields

    def get_participants(self, obj: ResearchPlan) -> list[dict[str, Any]]:
        return [OrganizationBriefSerializer(p.organization).data for p in obj.participants.all()]


class MilestoneInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    title = serializers.CharField(max_length=200)
    due_on = serializers.DateField()


class OutputInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    kind = serializers.ChoiceField(choices=OutputKind.choices)
    title = serializers.CharField(max_length=200)
    ip_asset = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="An IP asset on a project of the plan's alliance."
    )


class PlanCreateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    alliance = serializers.IntegerField()
    lead_organization = serializers.IntegerField(required=False, allow_null=True, default=None)
    title = serializers.CharField(max_length=200)
    objectives = serializers.CharField()
    budget = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, default=Decimal(0))
    participants = serializers.ListField(child=serializers.IntegerField(), min_length=1, max_length=50)
    milestones = MilestoneInputSerializer(many=True, required=False, default=list)
    outputs = OutputInputSerializer(many=True, required=False, default=list)


class PlanUpdateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    title = serializers.CharField(max_length=200)
    objectives = serializers.CharField()
    budget = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    milestones = MilestoneInputSerializer(many=True)
    outputs = OutputInputSerializer(many=True)


class PlanSignSerializer(serializers.Serializer):  # type: ignore[type-arg]
    organization = serializers.IntegerField(required=False, allow_null=True, default=None)

"""Thin serializers of the risk API: input serializers validate a body for a service; output ones only read.

Output serializers read only what the selectors loaded (select_related / prefetch / annotations), so lists
never query per row. Ids in a body are looked up by the views through the scoped selectors.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from risk.choices import RiskCategory, Treatment
from risk.models import (
    Acceptance,
    Drill,
    EmergencyPlan,
    Incident,
    Mitigation,
    PreAssessment,
    PreAssessmentItem,
    Review,
    Risk,
    RiskRegister,
    RiskTemplate,
)
from stakeholders.api.serializers import OrganizationBriefSerializer, UserBriefSerializer


def _score(**kwargs: Any) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=5, **kwargs)


def _labels(**kwargs: Any) -> serializers.ListField:
    return serializers.ListField(child=serializers.CharField(max_length=60), min_length=5, max_length=5, **kwargs)


# --- registers and templates -----------------------------------------------------------------------------


class RegisterSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    alliance_name = serializers.CharField(source="alliance.name", read_only=True)
    project_title = serializers.CharField(source="project.title", read_only=True, default=None)
    risk_count = serializers.IntegerField(read_only=True, default=0)
    open_count = serializers.IntegerField(read_only=True, default=0)
    likelihood_labels = serializers.ListField(child=serializers.CharField(), read_only=True)
    impact_labels = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = RiskRegister
        fields = (
            "id", "alliance", "alliance_name", "project", "project_title", "title", "likelihood_labels",
            "impact_labels", "risk_count", "open_count", "archived_at", "created_at", "updated_at",
        )  # fmt: skip
        read_only_fields = fields


class RegisterCreateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    alliance = serializers.IntegerField()
    project = serializers.IntegerField(required=False, allow_null=True)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    likelihood_labels = _labels(required=False)
    impact_labels = _labels(required=False)


class RegisterUpdateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    title = serializers.CharField(max_length=200, required=False)
    likelihood_labels = _labels(required=False)
    impact_labels = _labels(required=False)


class AdoptSerializer(serializers.Serializer):  # type: ignore[type-arg]
    # Empty is let through here so the service answers with its own clear message (code nothing_to_adopt).
    templates = serializers.ListField(child=serializers.IntegerField(), allow_empty=True)
    owner_organization = serializers.IntegerField(required=False)
    language = serializers.ChoiceField(choices=("zh-hans", "en"), required=False)


class TemplateSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = RiskTemplate
        fields = (
            "id", "code", "domain", "category", "title_zh", "title_en", "cause_zh", "cause_en", "consequence_zh",
            "consequence_en", "mitigation_zh", "mitigation_en", "likelihood", "impact", "treatment",
        )  # fmt: skip
        read_only_fields = fields


class HeatMapSerializer(serializers.Serializer):  # type: ignore[type-arg]
    likelihood_labels = serializers.ListField(child=serializers.CharField())
    impact_labels = serializers.ListField(child=serializers.CharField())
    inherent = serializers.ListField(
        child=serializers.ListField(child=serializers.IntegerField()), help_text="[likelihood-1][impact-1] counts"
    )
    residual = serializers.ListField(child=serializers.ListField(child=serializers.IntegerField()))


class TrendPointSerializer(serializers.Serializer):  # type: ignore[type-arg]
    month = serializers.CharField()
    identified = serializers.IntegerField()
    reviewed = serializers.IntegerField()
    reviewed_high = serializers.IntegerField()


# --- risks ----------------------------------------------------------------------------------------------------


class RiskSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    owner = UserBriefSerializer(read_only=True, allow_null=True)
    owner_organization = OrganizationBriefSerializer(read_only=True)
    template_code = serializers.CharField(source="template.code", read_only=True, default=None)

    class Meta:
        model = Risk
        fields = (
            "id", "register", "template_code", "category", "title", "cause", "consequence", "owner",
            "owner_organization", "likelihood", "impact", "inherent_score", "inherent_level", "treatment",
            "residual_likelihood", "residual_impact", "residual_score", "residual_level", "status",
            "next_review_at", "last_reviewed_at", "archived_at", "created_at", "updated_at",
        )  # fmt: skip
        read_only_fields = fields


class RiskCreateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    register = serializers.IntegerField()
    category = serializers.ChoiceField(choices=RiskCategory.choices)
    title = serializers.CharField(max_length=200)
    cause = serializers.CharField(required=False, allow_blank=True)
    consequence = serializers.CharField(required=False, allow_blank=True)
    owner = serializers.IntegerField(required=False, allow_null=True)
    owner_organization = serializers.IntegerField(required=False)
    likelihood = _score()
    impact = _score()
    treatment = serializers.ChoiceField(choices=Treatment.choices, required=False)
    residual_likelihood = _score(required=False)
    residual_impact = _score(required=False)


class RiskUpdateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    category = serializers.ChoiceField(choices=RiskCategory.choices, required=False)
    title = serializers.CharField(max_length=200, required=False)
    cause = serializers.CharField(required=False, allow_blank=True)
    consequence = serializers.CharField(required=False, allow_blank=True)
    owner = serializers.IntegerField(required=False, allow_null=True)
    owner_organization = serializers.IntegerField(required=False)
    likelihood = _score(required=False)
    impact = _score(required=False)
    treatment = serializers.ChoiceField(choices=Treatment.choices, required=False)
    residual_likelihood = _score(required=False)
    residual_impact = _score(required=False)


class ReviewCreateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    likelihood = _score()
    impact = _score()
    residual_likelihood = _score()
    residual_impact = _score()
    notes = serializers.CharField(required=False, allow_blank=True)
    close = serializers.BooleanField(required=False, default=False)


class AcceptanceCreateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    rationale = serializers.CharField()
    expires_at = serializers.DateTimeField()


class ReviewSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    reviewed_by = UserBriefSerializer(read_only=True)

    class Meta:
        model = Review
        fields = (
            "id", "risk", "reviewed_by", "reviewed_at", "likelihood", "impact", "residual_likelihood",
            "residual_impact", "residual_score", "notes", "incident",
        )  # fmt: skip
        read_only_fields = fields


class AcceptanceSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    approver = UserBriefSerializer(read_only=True)
    approver_organization = OrganizationBriefSerializer(read_only=True)

    class Meta:
        model = Acceptance
        fields = (
            "id", "risk", "approver", "approver_organization", "residual_score", "residual_level", "rationale",
            "accepted_at", "expires_at", "ended_at",
        )  # fmt: skip
        read_only_fields = fields


# --- treatment -------------------------------------------------------------------------------------------------


class MitigationSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    owner = UserBriefSerializer(read_only=True, allow_null=True)
    owner_organization = OrganizationBriefSerializer(read_only=True)

    class Meta:
        model = Mitigation
        fields = (
            "id", "risk", "title", "description", "owner", "owner_organization", "due_on", "progress", "done_at",
            "archived_at", "created_at", "updated_at",
        )  # fmt: skip
        read_only_fields = fields


class MitigationCreateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    risk = serializers.IntegerField()
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True)
    owner = serializers.IntegerField(required=False, allow_null=True)
    owner_organization = serializers.IntegerField()
    due_on = serializers.DateField()


class MitigationUpdateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    progress = serializers.IntegerField(min_value=0, max_value=100, required=False)
    title = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    due_on = serializers.DateField(required=False)


class DrillSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    recorded_by = UserBriefSerializer(read_only=True)

    class Meta:
        model = Drill
        fields = ("id", "held_on", "participants", "outcome", "recorded_by", "created_at")
        read_only_fields = fields


class DrillCreateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    held_on = serializers.DateField()
    participants = serializers.CharField(required=False, allow_blank=True)
    outcome = serializers.CharField()


class EmergencyPlanSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    drills = DrillSerializer(many=True, read_only=True)

    class Meta:
        model = EmergencyPlan
        fields = (
            "id", "risk", "title", "trigger_conditions", "steps", "contacts", "drills", "archived_at", "created_at",
            "updated_at",
        )  # fmt: skip
        read_only_fields = fields


class EmergencyPlanCreateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    risk = serializers.IntegerField()
    title = serializers.CharField(max_length=200)
    trigger_conditions = serializers.CharField()
    steps = serializers.CharField()
    contacts = serializers.CharField()


class EmergencyPlanUpdateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    title = serializers.CharField(max_length=200, required=False)
    trigger_conditions = serializers.CharField(required=False)
    steps = serializers.CharField(required=False)
    contacts = serializers.CharField(required=False)


# --- incidents --------------------------------------------------------------------------------------------------


class IncidentSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    reviews = ReviewSerializer(many=True, read_only=True)

    class Meta:
        model = Incident
        fields = (
            "id", "register", "title", "occurred_at", "what_happened", "impact", "response", "lessons", "reviews",
            "created_at",
        )  # fmt: skip
        read_only_fields = fields


class RescoreSerializer(serializers.Serializer):  # type: ignore[type-arg]
    risk = serializers.IntegerField()
    likelihood = _score()
    impact = _score()
    residual_likelihood = _score(required=False)
    residual_impact = _score(required=False)
    notes = serializers.CharField(required=False, allow_blank=True)


class IncidentCreateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    register = serializers.IntegerField()
    title = serializers.CharField(max_length=200)
    occurred_at = serializers.DateTimeField()
    what_happened = serializers.CharField()
    impact = serializers.CharField()
    response = serializers.CharField()
    lessons = serializers.CharField(required=False, allow_blank=True)
    rescores = RescoreSerializer(many=True, required=False)


# --- pre-assessments ------------------------------------------------------------------------------------------


class PreAssessmentItemSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = PreAssessmentItem
        fields = ("id", "category", "finding", "likelihood", "impact")
        read_only_fields = fields


class PreAssessmentSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    items = PreAssessmentItemSerializer(many=True, read_only=True)
    project_title = serializers.CharField(source="project.title", read_only=True)
    provider = OrganizationBriefSerializer(read_only=True, allow_null=True)
    library_signed_by = UserBriefSerializer(read_only=True, allow_null=True)
    provider_signed_by = UserBriefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = PreAssessment
        fields = (
            "id", "project", "project_title", "status", "summary", "items", "library_signed_by",
            "library_signed_at", "provider", "provider_signed_by", "provider_signed_at", "completed_at",
            "created_at", "updated_at",
        )  # fmt: skip
        read_only_fields = fields


class PreAssessmentCreateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    project = serializers.IntegerField()
    summary = serializers.CharField(required=False, allow_blank=True)


class PreAssessmentItemCreateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    category = serializers.ChoiceField(choices=RiskCategory.choices)
    finding = serializers.CharField()
    likelihood = _score()
    impact = _score()


class SignSerializer(serializers.Serializer):  # type: ignore[type-arg]
    side = serializers.ChoiceField(choices=(("library", "library"), ("provider", "provider")))

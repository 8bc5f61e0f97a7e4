"""Thin serializers. Output ones read only what the selectors loaded; input ones validate a body for a service.

Three shapes of feedback, because three audiences: library staff (everything, reader included),
the reader who gave it (their words, the state and the library's answer) and partners it was routed to
(the words and their context, never who said them).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from alliance.choices import Severity
from alliance.models import Deliverable, Need, Project, Trial
from feedback.choices import Channel, FeedbackKind, FeedbackStatus, QuestionKind, Theme
from feedback.models import Feedback, FeedbackPolicy, Survey, SurveyQuestion
from feedback.states import READER, STAFF, allowed
from stakeholders.access import actor_for
from stakeholders.choices import OrganizationKind
from stakeholders.models import Organization


@extend_schema_field(OpenApiTypes.INT)
class LibraryField(serializers.PrimaryKeyRelatedField):  # type: ignore[type-arg]
    def get_queryset(self) -> Any:
        return Organization.objects.filter(kind=OrganizationKind.LIBRARY, archived_at__isnull=True)


# --- output --------------------------------------------------------------------------------------------------


class _Brief(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField(read_only=True)


class FeedbackPersonSerializer(_Brief):
    display_name = serializers.CharField(source="shown_name", read_only=True)


class TitledBriefSerializer(_Brief):
    title = serializers.CharField(read_only=True)


class CorrectionBriefSerializer(TitledBriefSerializer):
    status = serializers.CharField(read_only=True)
    due_on = serializers.DateField(read_only=True)


class ReaderBriefSerializer(_Brief):
    card = serializers.CharField(source="card_number_masked", read_only=True)
    display_name = serializers.CharField(source="user.shown_name", read_only=True)
    consent_contact = serializers.BooleanField(read_only=True)


class MyFeedbackSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """What the reader who gave the feedback sees: their words, where it stands, the library's answer."""

    library_name = serializers.CharField(source="library.name_zh", read_only=True)
    support_count = serializers.IntegerField(read_only=True)
    moves = serializers.SerializerMethodField(help_text="Moves the caller may make now (reader or staff).")

    class Meta:
        model = Feedback
        fields: tuple[str, ...] = (
            "id", "library", "library_name", "kind", "text", "rating", "attachment", "consent_contact", "is_public",
            "subject", "project", "deliverable", "trial", "status", "answer", "provider_answer", "provider_answered_at",
            "first_answered_at", "resolved_at",
            "confirmed_at", "reopen_count", "support_count", "created_at", "moves",
        )  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_moves(self, obj: Feedback) -> list[str]:
        actor = actor_for(self.context["request"])
        moves: list[str] = []
        if actor.writes_for(obj.library_id):
            moves += allowed(obj, STAFF)
        if actor.reader_profile is not None and obj.reader_id == actor.reader_profile.pk:
            moves += allowed(obj, READER)
        return moves


class FeedbackSerializer(MyFeedbackSerializer):
    """What the library's staff see, the reader (masked card) and moderation included."""

    reader = ReaderBriefSerializer(read_only=True, allow_null=True)
    assignee = FeedbackPersonSerializer(read_only=True, allow_null=True)
    answered_by = FeedbackPersonSerializer(read_only=True, allow_null=True)
    hidden_by = FeedbackPersonSerializer(read_only=True, allow_null=True)
    routed_to_name = serializers.CharField(source="routed_to.name_zh", read_only=True, allow_null=True, default=None)

    class Meta(MyFeedbackSerializer.Meta):
        fields = (
            *MyFeedbackSerializer.Meta.fields, "reader", "channel", "theme", "tags", "assignee", "answered_by",
            "duplicate_of", "need", "correction", "routed_to", "routed_to_name", "state_entered_at", "sla_due_at",
            "sla_level", "sla_breached_at", "hidden_at", "hidden_by", "hidden_reason",
        )  # fmt: skip
        read_only_fields = fields


def _shown_text(obj: Feedback) -> str | None:
    return None if obj.hidden_at is not None else obj.text


class PartnerFeedbackSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """Feedback routed to a partner: no reader, no submitter, no contact consent, no attachment."""

    text = serializers.SerializerMethodField()
    project = TitledBriefSerializer(read_only=True, allow_null=True)
    deliverable = TitledBriefSerializer(read_only=True, allow_null=True)
    correction = CorrectionBriefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Feedback
        fields = (
            "id", "kind", "text", "rating", "theme", "tags", "status", "subject", "created_at", "project",
            "deliverable", "correction",
        )  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True, help_text="Null when the library hid it."))
    def get_text(self, obj: Feedback) -> str | None:
        return _shown_text(obj)


class PublicNeedSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """A public need other readers may support; anonymous by design."""

    support_count = serializers.IntegerField(read_only=True)
    supported_by_me = serializers.BooleanField(read_only=True, default=False)

    class Meta:
        model = Feedback
        fields = ("id", "library", "text", "subject", "status", "support_count", "supported_by_me", "created_at")
        read_only_fields = fields


class FeedbackTransitionSerializer(serializers.Serializer):  # type: ignore[type-arg]
    name = serializers.CharField()
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    actor = FeedbackPersonSerializer(allow_null=True)
    at = serializers.DateTimeField()
    note = serializers.CharField()


class SimilarSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField()
    text = serializers.CharField()
    status = serializers.CharField()
    similarity = serializers.FloatField()


class QuestionSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = SurveyQuestion
        fields = ("id", "position", "kind", "text", "options", "required")
        read_only_fields = fields


class SurveySerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    questions = QuestionSerializer(many=True, read_only=True)
    response_count = serializers.IntegerField(read_only=True)
    answered_by_me = serializers.BooleanField(read_only=True, default=False)

    class Meta:
        model = Survey
        fields = (
            "id", "library", "trial", "title", "description", "status", "opened_at", "closed_at", "questions",
            "response_count", "answered_by_me", "created_at",
        )  # fmt: skip
        read_only_fields = fields


class SurveyResultSerializer(serializers.Serializer):  # type: ignore[type-arg]
    question = serializers.IntegerField()
    position = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=QuestionKind.choices)
    text = serializers.CharField()
    count = serializers.IntegerField()
    mean = serializers.FloatField(required=False, allow_null=True)
    distribution = serializers.DictField(child=serializers.IntegerField(), required=False)
    options = serializers.DictField(child=serializers.IntegerField(), required=False)
    samples = serializers.ListField(child=serializers.CharField(), required=False)


class InsightsSerializer(serializers.Serializer):  # type: ignore[type-arg]
    total = serializers.IntegerField()
    volume_by_kind = serializers.ListField(child=serializers.DictField())
    volume_by_theme = serializers.ListField(child=serializers.DictField())
    satisfaction = serializers.ListField(child=serializers.DictField())
    hours_to_first_answer = serializers.FloatField(allow_null=True)
    hours_to_resolution = serializers.FloatField(allow_null=True)
    confirmed_share = serializers.FloatField(allow_null=True)
    reopen_rate = serializers.FloatField(allow_null=True)
    top_supported_needs = serializers.ListField(child=serializers.DictField())


class SurveyResponseSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField()
    survey = serializers.IntegerField()


class FeedbackCountSerializer(serializers.Serializer):  # type: ignore[type-arg]
    count = serializers.IntegerField()


class CorrectionCreatedSerializer(serializers.Serializer):  # type: ignore[type-arg]
    correction = serializers.IntegerField()
    routed = serializers.IntegerField()


class ServiceLevelSerializer(serializers.Serializer):  # type: ignore[type-arg]
    status = serializers.ChoiceField(choices=FeedbackStatus.choices)
    max_hours = serializers.IntegerField(allow_null=True, min_value=1)


class PolicySerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    library_name = serializers.CharField(source="library.name_zh", read_only=True)
    service_levels = ServiceLevelSerializer(source="library.levels", many=True, read_only=True)

    class Meta:
        model = FeedbackPolicy
        fields = ("id", "library", "library_name", "allow_anonymous", "service_levels", "updated_at")
        read_only_fields = fields


class PolicyConfigureSerializer(serializers.Serializer):  # type: ignore[type-arg]
    library = LibraryField()
    allow_anonymous = serializers.BooleanField()
    service_levels = ServiceLevelSerializer(many=True, required=False, default=list)


# --- input ---------------------------------------------------------------------------------------------------


class FeedbackSubmitSerializer(serializers.Serializer):  # type: ignore[type-arg]
    library = LibraryField(required=False, help_text="Defaults to a signed-in reader's home library.")
    kind = serializers.ChoiceField(choices=FeedbackKind.choices)
    # Blank text reaches the service, which answers 400 with the same message the UI shows.
    text = serializers.CharField(allow_blank=True, trim_whitespace=False, max_length=10000)
    rating = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=5)
    attachment = serializers.FileField(required=False, allow_null=True, help_text="PDF, PNG or JPEG, at most 10 MB.")
    consent_contact = serializers.BooleanField(required=False, default=False)
    is_public = serializers.BooleanField(required=False, default=False)
    subject = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    deliverable = serializers.PrimaryKeyRelatedField(
        queryset=Deliverable.objects.filter(archived_at__isnull=True), required=False, allow_null=True
    )
    trial = serializers.PrimaryKeyRelatedField(
        queryset=Trial.objects.filter(archived_at__isnull=True), required=False, allow_null=True
    )
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)


@extend_schema_field(OpenApiTypes.INT)
class StaffUserField(serializers.PrimaryKeyRelatedField):  # type: ignore[type-arg]
    def get_queryset(self) -> Any:
        return get_user_model().objects.filter(is_active=True)


class TriageSerializer(serializers.Serializer):  # type: ignore[type-arg]
    theme = serializers.ChoiceField(choices=Theme.choices, required=False, allow_blank=True)
    tags = serializers.ListField(child=serializers.CharField(max_length=40), required=False, max_length=10)
    assignee = StaffUserField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class AnswerSerializer(serializers.Serializer):  # type: ignore[type-arg]
    answer = serializers.CharField(allow_blank=True, trim_whitespace=False)


class ResolveSerializer(serializers.Serializer):  # type: ignore[type-arg]
    answer = serializers.CharField(required=False, allow_blank=True, default="")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ReopenSerializer(serializers.Serializer):  # type: ignore[type-arg]
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class HideSerializer(serializers.Serializer):  # type: ignore[type-arg]
    reason = serializers.CharField(allow_blank=True, max_length=300)


class MergeSerializer(serializers.Serializer):  # type: ignore[type-arg]
    duplicates = serializers.ListField(child=serializers.IntegerField(), min_length=1, max_length=100)


class BulkSerializer(serializers.Serializer):  # type: ignore[type-arg]
    ACTIONS = (("categorise", "categorise"), ("link_need", "link_need"))

    action = serializers.ChoiceField(choices=ACTIONS)
    feedback = serializers.ListField(child=serializers.IntegerField(), min_length=1, max_length=200)
    theme = serializers.ChoiceField(choices=Theme.choices, required=False, allow_blank=True)
    add_tags = serializers.ListField(child=serializers.CharField(max_length=40), required=False, default=list)
    need = serializers.PrimaryKeyRelatedField(queryset=Need.objects.filter(archived_at__isnull=True), required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["action"] == "link_need" and attrs.get("need") is None:
            raise serializers.ValidationError({"need": "Required to link feedback to a need."})
        return attrs


class RouteSerializer(serializers.Serializer):  # type: ignore[type-arg]
    feedback = serializers.ListField(child=serializers.IntegerField(), min_length=1, max_length=200)
    project = serializers.PrimaryKeyRelatedField(queryset=Project.objects.filter(archived_at__isnull=True))
    title = serializers.CharField(max_length=200)
    severity = serializers.ChoiceField(choices=Severity.choices)
    due_on = serializers.DateField()


class QuestionInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    kind = serializers.ChoiceField(choices=QuestionKind.choices)
    text = serializers.CharField(max_length=300)
    options = serializers.ListField(child=serializers.CharField(max_length=100), required=False, default=list)
    required = serializers.BooleanField(required=False, default=True)  # type: ignore[assignment]


class SurveyCreateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    library = LibraryField()
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    trial = serializers.PrimaryKeyRelatedField(
        queryset=Trial.objects.filter(archived_at__isnull=True), required=False, allow_null=True
    )
    questions = QuestionInputSerializer(many=True)


class SurveyRespondSerializer(serializers.Serializer):  # type: ignore[type-arg]
    answers = serializers.DictField(child=serializers.JSONField(), help_text='{"<question id>": 5 | "option" | "text"}')
    respondent = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=200,
        help_text="Kiosks and library systems: their own key for the respondent (hashed), so each answers once.",
    )  # fmt: skip

    def validate_answers(self, value: dict[str, Any]) -> dict[int, Any]:
        try:
            return {int(k): v for k, v in value.items()}
        except (TypeError, ValueError) as exc:
            raise serializers.ValidationError("Keys are question ids.") from exc

"""Webhook API serializers. The signing secret is shown to managers (they configure the receiver with it)."""

from __future__ import annotations

from rest_framework import serializers

from core.events import EVENTS
from stakeholders.api.serializers import OrganizationBriefSerializer
from webhooks.models import Attempt, Subscription, WebhookDelivery


class SubscriptionSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    organization = OrganizationBriefSerializer(read_only=True)
    events = serializers.ListField(source="event_types", child=serializers.CharField(), read_only=True)
    pending_count = serializers.IntegerField(read_only=True, default=0)
    failed_count = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = Subscription
        fields = (
            "id", "organization", "name", "url", "events", "is_active", "secret", "pending_count", "failed_count",
            "archived_at", "created_at", "updated_at",
        )  # fmt: skip
        read_only_fields = fields


class SubscriptionCreateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    organization = serializers.IntegerField(required=False, help_text="Default: the organisation acted for.")
    name = serializers.CharField(max_length=100)
    url = serializers.CharField(max_length=500)
    events = serializers.ListField(child=serializers.ChoiceField(choices=EVENTS), min_length=1)
    is_active = serializers.BooleanField(default=True)


class SubscriptionUpdateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    name = serializers.CharField(max_length=100, required=False)
    url = serializers.CharField(max_length=500, required=False)
    events = serializers.ListField(child=serializers.ChoiceField(choices=EVENTS), min_length=1, required=False)
    is_active = serializers.BooleanField(required=False)


class AttemptSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = Attempt
        fields = ("at", "response_status", "response_body", "duration_ms", "error")
        read_only_fields = fields


class WebhookDeliverySerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    subscription_name = serializers.CharField(source="subscription.name", read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = (
            "id", "subscription", "subscription_name", "event", "event_id", "status", "attempts", "next_attempt_at",
            "response_status", "response_body", "duration_ms", "last_error", "created_at", "sent_at",
        )  # fmt: skip
        read_only_fields = fields


class DeliveryDetailSerializer(WebhookDeliverySerializer):
    attempt_log = AttemptSerializer(many=True, read_only=True)

    class Meta(WebhookDeliverySerializer.Meta):
        fields = (*WebhookDeliverySerializer.Meta.fields, "payload", "attempt_log")  # type: ignore[assignment]
        read_only_fields = fields  # type: ignore[assignment]

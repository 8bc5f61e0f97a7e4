from __future__ import annotations

from rest_framework import serializers

from ..models import Cadence, Delivery, Notification, Preference


class NotificationSerializer(serializers.ModelSerializer[Notification]):
    actor = serializers.CharField(source="actor.shown_name", default=None, read_only=True)
    is_read = serializers.BooleanField(read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "event", "title", "body", "url", "actor", "data", "created_at", "read_at", "is_read"]
        read_only_fields = fields


class MarkReadSerializer(serializers.Serializer[None]):
    ids = serializers.ListField(child=serializers.IntegerField(), allow_empty=False, max_length=500)


class CountSerializer(serializers.Serializer[None]):
    count = serializers.IntegerField()


class PreferenceSerializer(serializers.ModelSerializer[Preference]):
    event = serializers.CharField(max_length=100, allow_blank=True, default="")
    in_app = serializers.BooleanField(default=True)
    email = serializers.BooleanField(default=True)
    cadence = serializers.ChoiceField(choices=Cadence.choices, default=Cadence.IMMEDIATE)

    class Meta:
        model = Preference
        fields = ["id", "event", "in_app", "email", "cadence"]
        read_only_fields = ["id"]


class DeliverySerializer(serializers.ModelSerializer[Delivery]):
    class Meta:
        model = Delivery
        fields = [
            "id",
            "channel",
            "event",
            "address",
            "notification",
            "idempotency_key",
            "status",
            "attempts",
            "next_attempt_at",
            "last_error",
            "created_at",
            "sent_at",
        ]
        read_only_fields = fields

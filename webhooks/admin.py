"""Operators' view of webhooks: read-only, and the signing secret is never shown here."""

from django.contrib import admin

from stakeholders.admin import ReadOnlyAdmin

from .models import Subscription, WebhookDelivery


@admin.register(Subscription)
class SubscriptionAdmin(ReadOnlyAdmin):
    list_display = ("name", "organization", "url", "is_active", "archived_at")
    list_filter = ("is_active",)
    list_select_related = ("organization",)
    exclude = ("secret",)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = ("event", "subscription", "status", "attempts", "response_status", "created_at", "sent_at")
    list_filter = ("status", "event")
    list_select_related = ("subscription",)

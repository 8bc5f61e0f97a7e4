"""Operators: read the outbox, see why deliveries failed, retry them (through the service)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from core.exceptions import DomainError

from . import services
from .models import Delivery, DeliveryStatus, Digest, Notification, Preference


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "event", "channel", "address", "status", "attempts", "next_attempt_at", "sent_at"]
    list_filter = ["status", "channel", "event"]
    search_fields = ["address", "idempotency_key", "event"]
    list_select_related = ["recipient"]
    readonly_fields = [f.name for f in Delivery._meta.fields]
    actions = ["retry"]

    @admin.action(description=_("Retry the selected failed deliveries"))
    def retry(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        done = 0
        for delivery in queryset.filter(status=DeliveryStatus.FAILED):
            try:
                services.delivery_retry(user=request.user, delivery=delivery)
                done += 1
            except DomainError as exc:
                self.message_user(request, exc.message, messages.ERROR)
        self.message_user(request, _("%(count)d deliveries queued again.") % {"count": done})


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "recipient", "event", "title", "in_app", "read_at"]
    list_filter = ["event", "in_app"]
    search_fields = ["title", "recipient__username", "recipient__email"]
    list_select_related = ["recipient"]


@admin.register(Preference)
class PreferenceAdmin(ReadOnlyAdmin):
    list_display = ["user", "event", "in_app", "email", "cadence"]
    search_fields = ["user__username", "event"]
    list_select_related = ["user"]


@admin.register(Digest)
class DigestAdmin(ReadOnlyAdmin):
    list_display = ["user", "period", "created_at"]
    list_select_related = ["user"]

"""Scoped reads of notifications: a person sees only their own; operators see the delivery outbox."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet

from .models import Delivery, DeliveryStatus, Notification, Preference


def notification_list_for(user: Any) -> QuerySet[Notification]:
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user, in_app=True).select_related("actor")


def unread_count(user: Any) -> int:
    return notification_list_for(user).filter(read_at__isnull=True).count()


def preference_list_for(user: Any) -> QuerySet[Preference]:
    if not getattr(user, "is_authenticated", False):
        return Preference.objects.none()
    return Preference.objects.filter(user=user).order_by("event")


def received_events(user: Any) -> list[str]:
    """The kinds of event a person has been told about: what their preferences can be set for."""
    rows = Notification.objects.filter(recipient=user).values("event").annotate(n=Count("id")).order_by("event")
    return [r["event"] for r in rows]


def is_operator(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and (user.is_staff or user.is_superuser))


def delivery_list_for(user: Any, *, status: str | None = DeliveryStatus.FAILED) -> QuerySet[Delivery]:
    """The outbox for operators (failed deliveries by default); nobody else sees it."""
    if not is_operator(user):
        return Delivery.objects.none()
    qs = Delivery.objects.select_related("recipient", "notification")
    return qs.filter(status=status) if status else qs

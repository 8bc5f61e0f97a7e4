"""Webhooks are the business of an organisation's managers: nobody else sees its subscriptions or log."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from stakeholders.access import Actor
from stakeholders.choices import MANAGING_ROLES

from .models import Attempt, Subscription, WebhookDelivery


def managed_organization_ids(actor: Actor) -> list[int]:
    return [m.organization_id for m in actor.memberships if m.role in MANAGING_ROLES]


def subscription_list_for(actor: Actor, *, include_archived: bool = False) -> QuerySet[Subscription]:
    """Subscriptions of the organisations the actor manages, with counts of pending and failed deliveries."""
    if not actor.is_authenticated:
        return Subscription.objects.none()
    qs = Subscription.objects.select_related("organization")
    if not actor.is_superuser:
        qs = qs.filter(organization_id__in=managed_organization_ids(actor))
    if not include_archived:
        qs = qs.filter(archived_at__isnull=True)
    return qs.annotate(
        pending_count=Count("deliveries", filter=Q(deliveries__status="pending")),
        failed_count=Count("deliveries", filter=Q(deliveries__status="failed")),
    ).order_by("name", "id")


def delivery_list_for(actor: Actor) -> QuerySet[WebhookDelivery]:
    """The delivery log of the subscriptions the actor manages, newest first."""
    if not actor.is_authenticated:
        return WebhookDelivery.objects.none()
    qs = WebhookDelivery.objects.select_related("subscription")
    if not actor.is_superuser:
        qs = qs.filter(subscription__organization_id__in=managed_organization_ids(actor))
    return qs.order_by("-created_at", "-id")


def attempt_list(delivery: WebhookDelivery) -> QuerySet[Attempt]:
    return Attempt.objects.filter(delivery=delivery).order_by("at", "id")

"""The webhooks API: an organisation's managers manage subscriptions and read the delivery log.

Everything is scoped to the organisations the actor manages: anything else is a 404 (absent from lists).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.schema import errors as _errors
from core.api.viewsets import ScopedViewSet
from core.exceptions import DomainError, NotAllowed
from stakeholders.models import Organization
from webhooks import selectors, services

from . import serializers as s


@extend_schema_view(
    list=extend_schema(summary="Webhook subscriptions of the organisations the actor manages"),
    retrieve=extend_schema(
        summary="One webhook subscription", responses={200: s.SubscriptionSerializer, **_errors(404)}
    ),
)
class SubscriptionViewSet(ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Subscribe an organisation's integration to events; deliveries are signed with the secret shown here."""

    serializer_class = s.SubscriptionSerializer
    selector = staticmethod(selectors.subscription_list_for)
    ordering_fields = ("name", "created_at")

    def get_queryset(self) -> QuerySet[Any]:
        archived = self.action != "list" or "archived" in self.request.query_params
        return selectors.subscription_list_for(self.actor, include_archived=archived)

    @extend_schema(
        summary="Subscribe to events",
        request=s.SubscriptionCreateSerializer,
        responses={201: s.SubscriptionSerializer, **_errors(400, 403)},
    )
    def create(self, request: Request) -> Response:
        data = self.validated(s.SubscriptionCreateSerializer)
        org_id = data.pop("organization", None)
        if org_id is None:
            if self.actor.organization is None:
                raise NotAllowed(_("Only the organisation's managers manage its webhooks."))
            org_id = self.actor.organization.pk
        organization = Organization.objects.filter(pk=org_id, archived_at__isnull=True).first()
        if organization is None:
            raise DomainError(
                _("Not found: organisation %(pk)s.") % {"pk": org_id}, fields={"organization": [_("Not found.")]}
            )
        sub = services.subscription_create(actor=self.actor, organization=organization, **data)
        return self.respond(self.reread(sub), created=True)

    @extend_schema(
        summary="Change a subscription (name, URL, events, on/off)",
        request=s.SubscriptionUpdateSerializer,
        responses={200: s.SubscriptionSerializer, **_errors(400, 404, 409)},
    )
    def partial_update(self, request: Request, pk: Any = None) -> Response:
        sub = services.subscription_update(
            actor=self.actor, subscription=self.get_object(), **self.validated_partial(s.SubscriptionUpdateSerializer)
        )
        return self.respond(self.reread(sub))

    @extend_schema(
        summary="A new signing secret", request=None, responses={200: s.SubscriptionSerializer, **_errors(404)}
    )
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request: Request, pk: Any = None) -> Response:
        sub = services.subscription_rotate_secret(actor=self.actor, subscription=self.get_object())
        return self.respond(self.reread(sub))

    @extend_schema(
        summary="Archive a subscription", request=None, responses={200: s.SubscriptionSerializer, **_errors(404, 409)}
    )
    @action(detail=True, methods=["post"])
    def archive(self, request: Request, pk: Any = None) -> Response:
        sub = services.subscription_archive(actor=self.actor, subscription=self.get_object())
        return self.respond(self.reread(sub))


@extend_schema_view(
    list=extend_schema(summary="Delivery log of the actor's subscriptions, newest first"),
    retrieve=extend_schema(
        summary="One delivery with its payload and every attempt",
        responses={200: s.DeliveryDetailSerializer, **_errors(404)},
    ),
)
class DeliveryViewSet(ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """What was sent, what the receiver answered (status, truncated body) and how long it took."""

    serializer_class = s.WebhookDeliverySerializer
    selector = staticmethod(selectors.delivery_list_for)
    filterset_fields = ("subscription", "status", "event")
    ordering_fields = ("created_at",)

    def get_queryset(self) -> QuerySet[Any]:
        qs = super().get_queryset()
        if self.action == "retrieve":
            qs = qs.prefetch_related("attempt_log")
        return qs

    def get_serializer_class(self) -> Any:
        return s.DeliveryDetailSerializer if self.action == "retrieve" else s.WebhookDeliverySerializer

    @extend_schema(
        summary="Try a failed delivery again now",
        request=None,
        responses={200: s.WebhookDeliverySerializer, **_errors(404, 409)},
    )
    @action(detail=True, methods=["post"])
    def retry(self, request: Request, pk: Any = None) -> Response:
        delivery = services.delivery_retry(actor=self.actor, delivery=self.get_object())
        return self.respond(self.get_queryset().get(pk=delivery.pk), s.WebhookDeliverySerializer)

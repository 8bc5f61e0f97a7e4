"""Thin API over the notification selectors and services: everyone their own inbox; operators the outbox."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.pagination import LongListCursorPagination

from .. import selectors, services
from ..models import DeliveryStatus
from .serializers import (
    CountSerializer,
    DeliverySerializer,
    MarkReadSerializer,
    NotificationSerializer,
    PreferenceSerializer,
)


class NotificationPagination(LongListCursorPagination):
    ordering = ("-created_at", "-id")  # type: ignore[assignment]  # DRF accepts a tuple; the id breaks ties


class NotificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    """The signed-in person's in-app notifications, newest first (`?unread=true` for unread only)."""

    serializer_class = NotificationSerializer
    pagination_class = NotificationPagination
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Any]:
        qs = selectors.notification_list_for(self.request.user)
        if self.request.query_params.get("unread") in ("1", "true"):
            qs = qs.filter(read_at__isnull=True)
        return qs

    @extend_schema(
        parameters=[OpenApiParameter("unread", bool, description="Only unread notifications.")],
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: str | None = None) -> Response:
        notification = self.get_object()  # 404 for someone else's
        services.notification_mark_read(user=request.user, notification_ids=[notification.pk])
        notification.refresh_from_db()
        return Response(NotificationSerializer(notification).data)

    @extend_schema(request=MarkReadSerializer, responses=CountSerializer)
    @action(detail=False, methods=["post"], url_path="read-many")
    def read_many(self, request: Request) -> Response:
        body = MarkReadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        count = services.notification_mark_read(user=request.user, notification_ids=body.validated_data["ids"])
        return Response({"count": count})

    @extend_schema(request=None, responses=CountSerializer)
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request: Request) -> Response:
        return Response({"count": services.notification_mark_all_read(user=request.user)})

    @extend_schema(responses=CountSerializer)
    @action(detail=False, methods=["get"], url_path="unread-count")
    def unread_count(self, request: Request) -> Response:
        return Response({"count": selectors.unread_count(request.user)})


class PreferenceViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    """The signed-in person's notification preferences; POST sets one event's (empty event: the default)."""

    serializer_class = PreferenceSerializer
    pagination_class = None
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Any]:
        return selectors.preference_list_for(self.request.user)

    @extend_schema(request=PreferenceSerializer, responses={200: PreferenceSerializer})
    def create(self, request: Request) -> Response:
        body = PreferenceSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        pref = services.preference_set(user=request.user, **body.validated_data)
        return Response(PreferenceSerializer(pref).data, status=status.HTTP_200_OK)


class IsOperator(BasePermission):
    def has_permission(self, request: Any, view: Any) -> bool:
        return selectors.is_operator(request.user)


class DeliveryViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    """Operators: the delivery outbox (failed deliveries by default, `?status=` for others), and retry."""

    serializer_class = DeliverySerializer
    permission_classes = [IsAuthenticated, IsOperator]
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Any]:
        wanted = self.request.query_params.get("status", DeliveryStatus.FAILED)
        return selectors.delivery_list_for(
            self.request.user, status=wanted if wanted in DeliveryStatus.values else DeliveryStatus.FAILED
        )

    @extend_schema(
        parameters=[OpenApiParameter("status", str, enum=list(DeliveryStatus.values), description="Default: failed.")]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(request=None, responses=DeliverySerializer)
    @action(detail=True, methods=["post"])
    def retry(self, request: Request, pk: str | None = None) -> Response:
        delivery = get_object_or_404(selectors.delivery_list_for(request.user, status=None), pk=self.kwargs["pk"])
        return Response(DeliverySerializer(services.delivery_retry(user=request.user, delivery=delivery)).data)

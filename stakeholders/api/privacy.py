"""API for reader personal data: export (self or the library's managers), erasure and the access log (managers)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.schema import errors as _errors
from core.api.viewsets import ScopedViewSet
from stakeholders import privacy
from stakeholders.models import ReaderDataAccess, ReaderErasure


class ReaderDataAccessSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    actor_name = serializers.CharField(source="actor.shown_name", read_only=True)
    reader_card = serializers.CharField(source="reader.card_number_masked", read_only=True)

    class Meta:
        model = ReaderDataAccess
        fields = ("id", "library", "reader", "reader_card", "actor", "actor_name", "view", "path", "at")
        read_only_fields = fields


class EraseSerializer(serializers.Serializer):  # type: ignore[type-arg]
    reason = serializers.CharField(max_length=2000)
    confirm = serializers.CharField(max_length=32, help_text="The reader's masked card number, as shown.")


class ErasureSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = ReaderErasure
        fields = ("id", "reader", "library", "erased_by", "reason", "at", "summary")
        read_only_fields = fields


class ReaderPrivacyMixin:
    """Actions added to the readers endpoint: ``export`` and ``erase``."""

    @extend_schema(
        summary="Everything held about a reader, as JSON (the reader themself, or the library's managers; logged)",
        responses={200: OpenApiTypes.OBJECT, **_errors(403, 404)},
    )
    @action(detail=True, methods=["get"])
    def export(self, request: Request, pk: str) -> Response:
        view: Any = self
        profile = view.get_object()
        return Response(privacy.reader_export(actor=view.actor, profile=profile, request=request))

    @extend_schema(
        summary="Erase a reader's personal data, keeping anonymised feedback (library managers; irreversible)",
        request=EraseSerializer,
        responses={201: ErasureSerializer, **_errors(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def erase(self, request: Request, pk: str) -> Response:
        view: Any = self
        profile = view.get_object()
        erasure = privacy.reader_erase(actor=view.actor, profile=profile, **view.validated(EraseSerializer))
        return Response(ErasureSerializer(erasure).data, status=201)


@extend_schema_view(
    list=extend_schema(summary="Who on the staff opened which reader's data (the library's managers)"),
)
class ReaderDataAccessViewSet(ScopedViewSet, mixins.ListModelMixin):
    serializer_class = ReaderDataAccessSerializer
    ordering_fields = ("at",)
    selector = staticmethod(privacy.access_list_for)

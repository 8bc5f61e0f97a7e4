"""The insight API: the same figures as the pages, as JSON, within the same scope.

Libraries read the alliances they lead or belong to, government bodies those they guide or fund; partners
(enterprises, universities, research institutes) are refused insight: their lists are empty and every
alliance is a 404. An alliance id in a body that is outside the scope is a 400 on that field.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.idempotency import idempotent
from core.api.schema import errors as _errors
from core.api.viewsets import ScopedViewSet
from core.exceptions import DomainError
from stakeholders.access import Actor

from .. import selectors, services
from . import serializers as s

PERIOD = OpenApiParameter(
    "period", OpenApiTypes.STR, description="A year (2026) or a quarter (2026Q3); default: this year"
)


def _period(request: Request) -> Any:
    return selectors.period_parse(request.query_params.get("period"))


@extend_schema_view(
    list=extend_schema(
        summary="Alliances in your insight scope with their synergy index and its parts, and loop totals",
        parameters=[PERIOD],
        responses={200: s.AllianceSummarySerializer(many=True), **_errors(400)},
    ),
    retrieve=extend_schema(
        summary="Every measure of one alliance over the period (participation, network, loop, credibility, risks, funding)",
        parameters=[PERIOD],
        responses={200: OpenApiTypes.OBJECT, **_errors(400, 404)},
    ),
)
class AllianceInsightViewSet(ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    serializer_class = s.AllianceSummarySerializer
    filter_backends: Any = ()

    @staticmethod
    def selector(actor: Actor) -> QuerySet[Any]:
        return selectors.insight_alliances(actor)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        period = _period(request)
        page = self.paginate_queryset(self.get_queryset())
        alliances = list(page if page is not None else self.get_queryset())
        ids = [a.pk for a in alliances]
        synergy = selectors.synergy_for(ids, period)
        loop = selectors.loop_health(ids, period)
        rows = [
            {
                "id": a.pk,
                "name": a.name,
                "lead_library": a.lead_library_id,
                "period": period.label,
                "synergy": synergy[a.pk]["synergy"],
                "members": synergy[a.pk]["members"],
                "possible_pairs": synergy[a.pk]["possible_pairs"],
                "interacting_pairs": synergy[a.pk]["interacting_pairs"],
                "activities": synergy[a.pk]["total"],
                "by_kind": {r["kind"]: r["count"] for r in synergy[a.pk]["by_kind"]},
                "loop": loop[a.pk]["totals"],
            }
            for a in alliances
        ]
        data = s.AllianceSummarySerializer(rows, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        period = _period(request)
        alliance = self.get_object()
        return Response(_jsonable(selectors.alliance_insight(alliance, period)))


def _jsonable(value: Any) -> Any:
    """Plain JSON: durations as hours were made upstream; dict keys become strings, decimals stay strings."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


class OversightViewSet(ScopedViewSet):
    @staticmethod
    def selector(actor: Actor) -> QuerySet[Any]:
        return selectors.insight_alliances(actor)

    @extend_schema(
        summary="Across the alliances in your scope: projects by state, risks by level, satisfaction, overdue items",
        responses={200: OpenApiTypes.OBJECT, **_errors(401)},
    )
    def list(self, request: Request) -> Response:
        alliances = list(self.get_queryset())
        data = selectors.oversight([a.pk for a in alliances])
        names = {a.pk: a.name for a in alliances}
        for row in data["alliances"]:
            row["name"] = names[row["alliance_id"]]
        return Response(_jsonable(data))


@extend_schema_view(
    list=extend_schema(summary="Period reports you asked for (your organisation's), newest first"),
    retrieve=extend_schema(
        summary="One report: status and progress", responses={200: s.ReportSerializer, **_errors(404)}
    ),
)
class ReportViewSet(ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    serializer_class = s.ReportSerializer
    filter_backends: Any = ()

    @staticmethod
    def selector(actor: Actor) -> QuerySet[Any]:
        return selectors.report_list_for(actor)

    @extend_schema(
        summary="Ask for the XLSX period report of an alliance; it is generated in the background and e-mailed",
        request=s.ReportCreateSerializer,
        responses={201: s.ReportSerializer, **_errors(400, 403)},
    )
    @idempotent
    def create(self, request: Request) -> Response:
        data = self.validated(s.ReportCreateSerializer)
        alliance = selectors.insight_alliances(self.actor).filter(pk=data["alliance"]).first()
        if alliance is None:
            raise DomainError(
                _("Not found: %(field)s %(pk)s.") % {"field": "alliance", "pk": data["alliance"]},
                fields={"alliance": [_("Not found.")]},
            )
        job = services.report_request(self.actor, alliance=alliance, period=data["period"])
        return self.respond(self.reread(job), created=True)

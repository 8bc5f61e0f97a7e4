"""The risk API: reads through risk.selectors, writes through risk.services.

Visibility decides 404 (a missing and a forbidden object look the same); an id in a body that the actor
cannot see is a 400 on that field; a visible object the actor may not change answers 403 with the
service's message; a state that does not allow the change answers 409. There is no DELETE: archive instead.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model, QuerySet
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from alliance.selectors import visible_alliances, visible_projects
from core.api.idempotency import idempotent
from core.api.schema import errors as _errors
from core.api.viewsets import ScopedViewSet
from core.exceptions import DomainError
from core.exports import XLSX_TYPE, export_response
from risk import selectors, services
from stakeholders.access import Actor
from stakeholders.models import Organization

from . import filters
from . import serializers as s


def _pick(qs: QuerySet[Any], pk: Any, field: str) -> Any:
    """The object with this id among those the actor may see, else a 400 on the field."""
    if pk is None:
        return None
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise DomainError(
            _("Not found: %(field)s %(pk)s.") % {"field": field, "pk": pk}, fields={field: [_("Not found.")]}
        )
    return obj


def _organization(pk: Any, field: str = "owner_organization") -> Organization | None:
    # Whether it may own the risk is the service's rule (a party of the register); here only existence.
    return _pick(Organization.objects.filter(archived_at__isnull=True), pk, field)


def _user(pk: Any) -> Model | None:
    from django.contrib.auth import get_user_model

    return _pick(get_user_model().objects.filter(is_active=True), pk, "owner")


class _ArchivableList(ScopedViewSet):
    """Archived rows stay reachable by id but leave lists unless ``?archived=`` is given."""

    def get_queryset(self) -> QuerySet[Any]:
        qs = super().get_queryset()
        if self.action == "list" and "archived" not in self.request.query_params:
            qs = qs.filter(archived_at__isnull=True)
        return qs


# --- registers ------------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Risk registers of the alliances and projects the actor sees"),
    retrieve=extend_schema(summary="One risk register", responses={200: s.RegisterSerializer, **_errors(404)}),
)
class RegisterViewSet(_ArchivableList, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """A register per alliance (project empty) and per project, kept by the lead library's staff."""

    serializer_class = s.RegisterSerializer
    filterset_class = filters.RegisterFilter
    ordering_fields = ("title", "created_at", "risk_count", "open_count")

    @staticmethod
    def selector(actor: Actor) -> QuerySet[Any]:
        return selectors.register_list_for(actor, include_archived=True)

    @extend_schema(
        summary="Open the register of an alliance or of one of its projects (lead library managers)",
        request=s.RegisterCreateSerializer,
        responses={201: s.RegisterSerializer, **_errors(400, 403, 409)},
    )
    @idempotent
    def create(self, request: Request) -> Response:
        data = self.validated(s.RegisterCreateSerializer)
        alliance = _pick(visible_alliances(self.actor), data.pop("alliance"), "alliance")
        project = _pick(visible_projects(self.actor), data.pop("project", None), "project")
        register = services.register_create(actor=self.actor, alliance=alliance, project=project, **data)
        return self.respond(self.reread(register), created=True)

    @extend_schema(
        summary="Rename the register or reword its matrix labels (library staff)",
        request=s.RegisterUpdateSerializer,
        responses={200: s.RegisterSerializer, **_errors(400, 403, 404, 409)},
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        register = self.get_object()
        services.register_update(
            actor=self.actor, register=register, **self.validated_partial(s.RegisterUpdateSerializer)
        )
        return self.respond(self.reread(register))

    @extend_schema(
        summary="Archive the register (lead library managers)",
        request=None,
        responses={200: s.RegisterSerializer, **_errors(403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def archive(self, request: Request, pk: str) -> Response:
        register = self.get_object()
        services.register_archive(actor=self.actor, register=register)
        return self.respond(self.reread(register))

    @extend_schema(
        summary="Adopt domain templates as starting risks (library staff); none chosen is a 400",
        request=s.AdoptSerializer,
        responses={201: s.RiskSerializer(many=True), **_errors(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def adopt(self, request: Request, pk: str) -> Response:
        register = self.get_object()
        data = self.validated(s.AdoptSerializer)
        ids = data["templates"]
        templates = list(selectors.template_list_for(self.actor).filter(pk__in=ids))
        unknown = sorted(set(ids) - {t.pk for t in templates})
        if unknown:
            raise DomainError(
                _("Unknown templates: %(ids)s.") % {"ids": ", ".join(map(str, unknown))},
                fields={"templates": [_("Not found.")]},
            )
        risks = services.register_adopt_templates(
            actor=self.actor,
            register=register,
            templates=templates,
            owner_organization=_organization(data.get("owner_organization")),
            language=data.get("language"),
        )
        fresh = selectors.risk_list_for(self.actor).filter(pk__in=[r.pk for r in risks])
        return Response(s.RiskSerializer(fresh, many=True).data, status=201)

    @extend_schema(
        summary="Heat map: active risks per likelihood × impact cell, inherent and residual",
        responses={200: s.HeatMapSerializer, **_errors(404)},
    )
    @action(detail=True, methods=["get"])
    def heatmap(self, request: Request, pk: str) -> Response:
        register = self.get_object()
        data = selectors.heat_map(selectors.risk_list_for(self.actor).filter(register=register), register)
        return Response(s.HeatMapSerializer(data).data)

    @extend_schema(
        summary="Trend by month: risks identified, reviews made, reviews leaving a high risk",
        parameters=[OpenApiParameter("months", OpenApiTypes.INT, description="1 to 36, default 12")],
        responses={200: s.TrendPointSerializer(many=True), **_errors(400, 404)},
    )
    @action(detail=True, methods=["get"])
    def trend(self, request: Request, pk: str) -> Response:
        register = self.get_object()
        try:
            months = int(request.query_params.get("months", 12))
        except ValueError:
            months = 0
        if not 1 <= months <= 36:
            raise DomainError(_("months is 1 to 36."), fields={"months": [_("1 to 36.")]})
        points = selectors.trend(selectors.risk_list_for(self.actor).filter(register=register), months=months)
        return Response(s.TrendPointSerializer(points, many=True).data)


@extend_schema_view(
    list=extend_schema(summary="Domain risk templates (smart-library projects), in Chinese and English"),
    retrieve=extend_schema(summary="One template", responses={200: s.TemplateSerializer, **_errors(404)}),
)
class TemplateViewSet(ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Starting risks any signed-in person may read; library staff adopt them into a register."""

    serializer_class = s.TemplateSerializer
    filterset_fields = ("category", "domain")
    ordering_fields = ("category", "code")
    selector = staticmethod(selectors.template_list_for)


# --- risks ------------------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Risks of the registers the actor sees, worst residual first"),
    retrieve=extend_schema(summary="One risk", responses={200: s.RiskSerializer, **_errors(404)}),
)
class RiskViewSet(_ArchivableList, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Risks with their scores, treatment and review dates."""

    serializer_class = s.RiskSerializer
    filterset_class = filters.RiskFilter
    ordering_fields = ("residual_score", "inherent_score", "next_review_at", "created_at", "title")

    @staticmethod
    def selector(actor: Actor) -> QuerySet[Any]:
        return selectors.risk_list_for(actor, include_archived=True)

    @extend_schema(
        summary="Download the (filtered) risks as CSV or XLSX",
        parameters=[OpenApiParameter("as", OpenApiTypes.STR, enum=["csv", "xlsx"], description="default csv")],
        responses={
            (200, "text/csv"): OpenApiTypes.BINARY,
            (200, XLSX_TYPE): OpenApiTypes.BINARY,
            **_errors(400),
        },
    )
    @action(detail=False, methods=["get"])
    def export(self, request: Request) -> HttpResponse:
        fmt = request.query_params.get("as", "csv")
        if fmt not in ("csv", "xlsx"):
            raise DomainError(_("Export as csv or xlsx."), fields={"as": [_("csv or xlsx.")]})
        rows = self.filter_queryset(self.get_queryset())
        return export_response(rows, selectors.RISK_EXPORT_COLUMNS, filename="risks", fmt=fmt)

    @extend_schema(
        summary="Record a risk (library staff)",
        request=s.RiskCreateSerializer,
        responses={201: s.RiskSerializer, **_errors(400, 403, 409)},
    )
    @idempotent
    def create(self, request: Request) -> Response:
        data = self.validated(s.RiskCreateSerializer)
        register = _pick(selectors.register_list_for(self.actor), data.pop("register"), "register")
        data["owner_organization"] = _organization(data.pop("owner_organization", None))
        data["owner"] = _user(data.pop("owner", None))
        risk = services.risk_create(actor=self.actor, register=register, **data)
        return self.respond(self.reread(risk), created=True)

    @extend_schema(
        summary="Adjust a risk: text, owner, scores, treatment (library staff)",
        request=s.RiskUpdateSerializer,
        responses={200: s.RiskSerializer, **_errors(400, 403, 404, 409)},
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        risk = self.get_object()
        data = self.validated_partial(s.RiskUpdateSerializer)
        if "owner_organization" in data:
            data["owner_organization"] = _organization(data["owner_organization"])
        if "owner" in data:
            data["owner"] = _user(data["owner"])
        services.risk_update(actor=self.actor, risk=risk, **data)
        return self.respond(self.reread(risk))

    @extend_schema(
        summary="Archive a risk recorded by mistake (library staff)",
        request=None,
        responses={200: s.RiskSerializer, **_errors(403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def archive(self, request: Request, pk: str) -> Response:
        risk = self.get_object()
        services.risk_archive(actor=self.actor, risk=risk)
        return self.respond(self.reread(risk))

    @extend_schema(
        summary="Review the risk: new scores and notes; the next review follows its level (keepers or owner)",
        request=s.ReviewCreateSerializer,
        responses={201: s.ReviewSerializer, **_errors(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def review(self, request: Request, pk: str) -> Response:
        risk = self.get_object()
        review = services.review_record(actor=self.actor, risk=risk, **self.validated(s.ReviewCreateSerializer))
        return self.respond(review, s.ReviewSerializer, created=True)

    @extend_schema(
        summary="Accept the residual risk until a date (whoever the residual level's authority names)",
        request=s.AcceptanceCreateSerializer,
        responses={201: s.AcceptanceSerializer, **_errors(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str) -> Response:
        risk = self.get_object()
        acceptance = services.acceptance_give(
            actor=self.actor, risk=risk, **self.validated(s.AcceptanceCreateSerializer)
        )
        return self.respond(acceptance, s.AcceptanceSerializer, created=True)


# --- treatment ----------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Mitigations of visible risks (?overdue=true for late ones)"),
    retrieve=extend_schema(summary="One mitigation", responses={200: s.MitigationSerializer, **_errors(404)}),
)
class MitigationViewSet(_ArchivableList, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Actions against risks, each owned by a person of an organisation, due by a date."""

    serializer_class = s.MitigationSerializer
    filterset_class = filters.MitigationFilter
    ordering_fields = ("due_on", "progress", "created_at")

    @staticmethod
    def selector(actor: Actor) -> QuerySet[Any]:
        return selectors.mitigation_list_for(actor, include_archived=True)

    @extend_schema(
        summary="Plan a mitigation and give it to an owner (library staff)",
        request=s.MitigationCreateSerializer,
        responses={201: s.MitigationSerializer, **_errors(400, 403, 409)},
    )
    @idempotent
    def create(self, request: Request) -> Response:
        data = self.validated(s.MitigationCreateSerializer)
        risk = _pick(selectors.risk_list_for(self.actor), data.pop("risk"), "risk")
        owner_organization: Any = _organization(data.pop("owner_organization"))
        owner = _user(data.pop("owner", None))
        mitigation = services.mitigation_create(
            actor=self.actor, risk=risk, owner_organization=owner_organization, owner=owner, **data
        )
        return self.respond(self.reread(mitigation), created=True)

    @extend_schema(
        summary="Report progress (the owner) or re-plan (library staff); progress 100 marks it done",
        request=s.MitigationUpdateSerializer,
        responses={200: s.MitigationSerializer, **_errors(400, 403, 404, 409)},
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        mitigation = self.get_object()
        data = self.validated_partial(s.MitigationUpdateSerializer)
        services.mitigation_update(actor=self.actor, mitigation=mitigation, **data)
        return self.respond(self.reread(mitigation))

    @extend_schema(
        summary="Drop a planned mitigation (library staff)",
        request=None,
        responses={200: s.MitigationSerializer, **_errors(403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def archive(self, request: Request, pk: str) -> Response:
        mitigation = self.get_object()
        services.mitigation_archive(actor=self.actor, mitigation=mitigation)
        return self.respond(self.reread(mitigation))


@extend_schema_view(
    list=extend_schema(summary="Emergency plans of visible risks, with their drills"),
    retrieve=extend_schema(summary="One emergency plan", responses={200: s.EmergencyPlanSerializer, **_errors(404)}),
)
class EmergencyPlanViewSet(_ArchivableList, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """What to do should a risk happen: triggers, steps, contacts, and the drills that rehearsed it."""

    serializer_class = s.EmergencyPlanSerializer
    filterset_class = filters.EmergencyPlanFilter
    ordering_fields = ("created_at", "title")

    @staticmethod
    def selector(actor: Actor) -> QuerySet[Any]:
        return selectors.emergency_plan_list_for(actor, include_archived=True)

    @extend_schema(
        summary="Write an emergency plan for a risk (library staff)",
        request=s.EmergencyPlanCreateSerializer,
        responses={201: s.EmergencyPlanSerializer, **_errors(400, 403, 409)},
    )
    @idempotent
    def create(self, request: Request) -> Response:
        data = self.validated(s.EmergencyPlanCreateSerializer)
        risk = _pick(selectors.risk_list_for(self.actor), data.pop("risk"), "risk")
        plan = services.emergency_plan_create(actor=self.actor, risk=risk, **data)
        return self.respond(self.reread(plan), created=True)

    @extend_schema(
        summary="Change the plan (library staff)",
        request=s.EmergencyPlanUpdateSerializer,
        responses={200: s.EmergencyPlanSerializer, **_errors(400, 403, 404, 409)},
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        plan = self.get_object()
        services.emergency_plan_update(
            actor=self.actor, plan=plan, **self.validated_partial(s.EmergencyPlanUpdateSerializer)
        )
        return self.respond(self.reread(plan))

    @extend_schema(
        summary="Record a drill of the plan (library staff or the risk's owner)",
        request=s.DrillCreateSerializer,
        responses={201: s.DrillSerializer, **_errors(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def drills(self, request: Request, pk: str) -> Response:
        plan = self.get_object()
        drill = services.drill_record(actor=self.actor, plan=plan, **self.validated(s.DrillCreateSerializer))
        return self.respond(drill, s.DrillSerializer, created=True)


# --- records ------------------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Acceptances of visible risks (?in_force=true for those still holding)"),
    retrieve=extend_schema(summary="One acceptance", responses={200: s.AcceptanceSerializer, **_errors(404)}),
)
class AcceptanceViewSet(ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    serializer_class = s.AcceptanceSerializer
    filterset_class = filters.AcceptanceFilter
    ordering_fields = ("accepted_at", "expires_at")
    selector = staticmethod(selectors.acceptance_list_for)


@extend_schema_view(
    list=extend_schema(summary="Reviews of visible risks, newest first"),
    retrieve=extend_schema(summary="One review", responses={200: s.ReviewSerializer, **_errors(404)}),
)
class ReviewViewSet(ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    serializer_class = s.ReviewSerializer
    filterset_class = filters.ReviewFilter
    ordering_fields = ("reviewed_at", "residual_score")
    selector = staticmethod(selectors.review_list_for)


@extend_schema_view(
    list=extend_schema(summary="Incidents in visible registers, latest first"),
    retrieve=extend_schema(summary="One incident with the reviews that re-scored its risks",
                           responses={200: s.IncidentSerializer, **_errors(404)}),
)  # fmt: skip
class IncidentViewSet(_ArchivableList, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    serializer_class = s.IncidentSerializer
    filterset_class = filters.IncidentFilter
    ordering_fields = ("occurred_at",)

    @staticmethod
    def selector(actor: Actor) -> QuerySet[Any]:
        return selectors.incident_list_for(actor, include_archived=True)

    @extend_schema(
        summary="Record a risk that happened and re-score its linked risks (library staff or the provider)",
        request=s.IncidentCreateSerializer,
        responses={201: s.IncidentSerializer, **_errors(400, 403, 409)},
    )
    @idempotent
    def create(self, request: Request) -> Response:
        data = self.validated(s.IncidentCreateSerializer)
        register = _pick(selectors.register_list_for(self.actor), data.pop("register"), "register")
        risks = selectors.risk_list_for(self.actor).filter(register=register)
        rescores = [{**item, "risk": _pick(risks, item["risk"], "rescores")} for item in data.pop("rescores", [])]
        incident = services.incident_record(actor=self.actor, register=register, rescores=rescores, **data)
        return self.respond(self.reread(incident), created=True)


# --- pre-assessments ---------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Risk pre-assessments of the projects the actor sees"),
    retrieve=extend_schema(summary="One pre-assessment", responses={200: s.PreAssessmentSerializer, **_errors(404)}),
)
class PreAssessmentViewSet(ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Before development: every category judged, then signed by the library and by the provider."""

    serializer_class = s.PreAssessmentSerializer
    filterset_class = filters.PreAssessmentFilter
    ordering_fields = ("created_at",)
    selector = staticmethod(selectors.preassessment_list_for)

    @extend_schema(
        summary="Open the project's pre-assessment (library staff)",
        request=s.PreAssessmentCreateSerializer,
        responses={201: s.PreAssessmentSerializer, **_errors(400, 403, 409)},
    )
    @idempotent
    def create(self, request: Request) -> Response:
        data = self.validated(s.PreAssessmentCreateSerializer)
        project = _pick(visible_projects(self.actor), data.pop("project"), "project")
        assessment = services.preassessment_start(actor=self.actor, project=project, **data)
        return self.respond(self.reread(assessment), created=True)

    @extend_schema(
        summary="Judge one category (library staff or the provider); a change voids signatures",
        request=s.PreAssessmentItemCreateSerializer,
        responses={200: s.PreAssessmentSerializer, **_errors(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def items(self, request: Request, pk: str) -> Response:
        assessment = self.get_object()
        services.preassessment_assess(
            actor=self.actor, assessment=assessment, **self.validated(s.PreAssessmentItemCreateSerializer)
        )
        return self.respond(self.reread(assessment))

    @extend_schema(
        summary="Sign as the library (its managers) or as the provider (its managers); 409 until complete",
        request=s.SignSerializer,
        responses={200: s.PreAssessmentSerializer, **_errors(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def sign(self, request: Request, pk: str) -> Response:
        assessment = self.get_object()
        services.preassessment_sign(actor=self.actor, assessment=assessment, **self.validated(s.SignSerializer))
        return self.respond(self.reread(assessment))

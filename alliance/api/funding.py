"""The funding API: sources, allocations, tranches, spending, financial reports and the burn-down.

Reads go through ``alliance.selectors_funding`` (an object the actor may not see is a 404), writes through
``alliance.services.funding``; a release whose milestone is not accepted answers 409 with code
``milestone_not_accepted`` and a message naming the milestone.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from alliance import selectors
from alliance import selectors_funding as sf
from alliance.models import (
    Allocation,
    Expenditure,
    ExpenditureCategory,
    FinancialReport,
    FundingKind,
    FundingSource,
    Milestone,
    Project,
    ReportCadence,
    Tranche,
)
from alliance.services import funding as services
from core.api.idempotency import idempotent
from core.api.schema import errors as _errors
from core.api.viewsets import ScopedViewSet
from core.files import document_response
from stakeholders.access import Actor, actor_for
from stakeholders.api.serializers import OrganizationBriefSerializer, ScopedOrganizationField, UserBriefSerializer

from .serializers import ScopedAllianceField, _Scoped


def _money(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=14, decimal_places=2, **kwargs)


# --- ids looked up among what the actor sees ----------------------------------------------------------------


@extend_schema_field(OpenApiTypes.INT)
class ScopedSourceField(_Scoped):
    def get_queryset(self) -> Any:
        return sf.funding_source_list_for(self.actor())


@extend_schema_field(OpenApiTypes.INT)
class AllianceProjectField(_Scoped):
    """A project of an alliance the actor belongs to (a funder may fund a project it does not take part in)."""

    def get_queryset(self) -> Any:
        return Project.objects.filter(alliance__in=selectors.visible_alliances(self.actor())).select_related("alliance")


@extend_schema_field(OpenApiTypes.INT)
class ScopedAllocationField(_Scoped):
    def get_queryset(self) -> Any:
        return sf.visible_allocations(self.actor()).filter(archived_at__isnull=True)


@extend_schema_field(OpenApiTypes.INT)
class FundedMilestoneField(_Scoped):
    def get_queryset(self) -> Any:
        projects = sf.visible_allocations(self.actor()).values("project_id")
        return Milestone.objects.active().filter(project_id__in=projects)


# --- output -------------------------------------------------------------------------------------------------------


class SourceBriefSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    organization = OrganizationBriefSerializer(read_only=True)

    class Meta:
        model = FundingSource
        fields = ("id", "title", "kind", "organization")
        read_only_fields = fields


class FundingSourceSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    organization = OrganizationBriefSerializer(read_only=True)
    allocated = _money(read_only=True, default=0)

    class Meta:
        model = FundingSource
        fields = (
            "id", "alliance", "organization", "kind", "title", "amount", "currency", "allocated",
            "starts_on", "ends_on", "archived_at", "created_at",
        )  # fmt: skip
        read_only_fields = fields


class AllocationSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    source = SourceBriefSerializer(read_only=True)  # type: ignore[assignment]
    planned = _money(read_only=True, default=0)
    released = _money(read_only=True, default=0)
    spent = _money(read_only=True, default=0)

    class Meta:
        model = Allocation
        fields = (
            "id", "source", "project", "amount", "starts_on", "report_cadence", "planned", "released", "spent",
            "archived_at", "created_at",
        )  # fmt: skip
        read_only_fields = fields


class TrancheSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    project = serializers.IntegerField(source="allocation.project_id", read_only=True)
    milestone_title = serializers.CharField(source="milestone.title", read_only=True)
    milestone_accepted_at = serializers.DateTimeField(source="milestone.accepted_at", read_only=True, allow_null=True)
    released_by = UserBriefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Tranche
        fields = (
            "id", "allocation", "project", "milestone", "milestone_title", "milestone_accepted_at", "amount",
            "status", "released_at", "released_by", "created_at",
        )  # fmt: skip
        read_only_fields = fields


class ExpenditureSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    organization = OrganizationBriefSerializer(read_only=True)
    recorded_by = UserBriefSerializer(read_only=True)
    has_receipt = serializers.SerializerMethodField()

    class Meta:
        model = Expenditure
        fields = (
            "id", "project", "allocation", "amount", "category", "spent_on", "description", "has_receipt",
            "organization", "recorded_by", "created_at",
        )  # fmt: skip
        read_only_fields = fields

    # The receipt itself is not linked: it is private to the project's parties.
    @extend_schema_field(serializers.BooleanField())
    def get_has_receipt(self, obj: Expenditure) -> bool:
        return bool(obj.receipt)


class FinancialReportSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    project = serializers.IntegerField(source="allocation.project_id", read_only=True)
    organization = OrganizationBriefSerializer(read_only=True)
    submitted_by = UserBriefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = FinancialReport
        fields = (
            "id", "allocation", "project", "organization", "period_start", "period_end", "due_on", "summary",
            "submitted_at", "submitted_by", "reminded_at", "escalated_at",
        )  # fmt: skip
        read_only_fields = fields


class BurnDownSerializer(serializers.Serializer):  # type: ignore[type-arg]
    dates = serializers.ListField(child=serializers.DateField())
    allocated = serializers.ListField(child=_money())
    released = serializers.ListField(child=_money())
    spent = serializers.ListField(child=_money())
    remaining = serializers.ListField(child=_money())


# --- input --------------------------------------------------------------------------------------------------------


class FundingSourceCreateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    alliance = ScopedAllianceField()
    organization = ScopedOrganizationField()
    kind = serializers.ChoiceField(choices=FundingKind.choices)
    title = serializers.CharField(max_length=200)
    amount = _money(min_value=Decimal("0.01"))
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()


class AllocationCreateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    source = ScopedSourceField()  # type: ignore[assignment]  # a body field, not Field.source
    project = AllianceProjectField()
    amount = _money(min_value=Decimal("0.01"))
    report_cadence = serializers.ChoiceField(choices=ReportCadence.choices, default=ReportCadence.QUARTERLY)
    starts_on = serializers.DateField(required=False)


class TranchePlanSerializer(serializers.Serializer):  # type: ignore[type-arg]
    allocation = ScopedAllocationField()
    milestone = FundedMilestoneField()
    amount = _money(min_value=Decimal("0.01"))


class ExpenditureCreateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    allocation = ScopedAllocationField()
    amount = _money(min_value=Decimal("0.01"))
    category = serializers.ChoiceField(choices=ExpenditureCategory.choices)
    spent_on = serializers.DateField()
    description = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)
    receipt = serializers.FileField()


class ReportSubmitSerializer(serializers.Serializer):  # type: ignore[type-arg]
    summary = serializers.CharField(max_length=5000)


# --- views --------------------------------------------------------------------------------------------------------

ARCHIVED = OpenApiParameter("archived", bool, description="true: only archived rows (they leave the list otherwise).")


class _ArchivedByQuery(ScopedViewSet):
    """Archived rows stay reachable by id; lists show the active ones, or the archived ones with ?archived=true."""

    def get_queryset(self) -> QuerySet[Any]:
        qs = super().get_queryset()
        if self.action == "list":
            qs = qs.filter(archived_at__isnull=self.request.query_params.get("archived") != "true")
        return qs


@extend_schema_view(
    list=extend_schema(
        summary="Funding sources of the actor's organisation and of its library's alliances", parameters=[ARCHIVED]
    ),
    retrieve=extend_schema(summary="One funding source", responses={200: FundingSourceSerializer, **_errors(404)}),
)
class FundingSourceViewSet(_ArchivedByQuery, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Money an organisation puts into an alliance: a government grant, an enterprise investment, a library budget."""

    serializer_class = FundingSourceSerializer
    ordering_fields = ("starts_on", "amount", "created_at")

    @staticmethod
    def selector(actor: Actor) -> QuerySet[Any]:
        return sf.funding_source_list_for(actor, include_archived=True)

    @extend_schema(
        summary="Record a funding source (the funding organisation's managers)",
        request=FundingSourceCreateSerializer,
        responses={201: FundingSourceSerializer, **_errors(400, 403, 409)},
    )
    @idempotent
    def create(self, request: Request) -> Response:
        source = services.funding_source_create(actor=self.actor, **self.validated(FundingSourceCreateSerializer))
        return self.respond(self.reread(source), created=True)

    @extend_schema(
        summary="Archive a source that has no active allocation (the funding organisation's managers); "
        "it stays readable by id and with ?archived=true",
        request=None,
        responses={200: FundingSourceSerializer, **_errors(403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def archive(self, request: Request, pk: str) -> Response:
        source = services.funding_source_archive(actor=self.actor, source=self.get_object())
        return self.respond(self.reread(source))


@extend_schema_view(
    list=extend_schema(
        summary="Allocations of funding to projects the actor sees, with planned, released and spent",
        parameters=[OpenApiParameter("project", int, description="Only this project's allocations."), ARCHIVED],
    ),
    retrieve=extend_schema(summary="One allocation", responses={200: AllocationSerializer, **_errors(404)}),
)
class AllocationViewSet(_ArchivedByQuery, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Part of a funding source set aside for one project."""

    serializer_class = AllocationSerializer
    ordering_fields = ("amount", "created_at")

    @staticmethod
    def selector(actor: Actor) -> QuerySet[Any]:
        return sf.allocation_list_for(actor, include_archived=True)

    def get_queryset(self) -> QuerySet[Any]:
        qs = super().get_queryset()
        project = self.request.query_params.get("project")
        if self.action == "list" and project:
            qs = qs.filter(project_id=project) if project.isdigit() else qs.none()
        return qs

    @extend_schema(
        summary="Allocate part of a source to a project (the funding organisation's managers)",
        request=AllocationCreateSerializer,
        responses={201: AllocationSerializer, **_errors(400, 403, 409)},
    )
    @idempotent
    def create(self, request: Request) -> Response:
        allocation = services.allocation_create(actor=self.actor, **self.validated(AllocationCreateSerializer))
        return self.respond(self.reread(allocation), created=True)

    @extend_schema(
        summary="Archive an allocation nothing of which is released yet, with its planned tranches "
        "(the funding organisation's managers)",
        request=None,
        responses={200: AllocationSerializer, **_errors(403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def archive(self, request: Request, pk: str) -> Response:
        allocation = services.allocation_archive(actor=self.actor, allocation=self.get_object())
        return self.respond(self.reread(allocation))


@extend_schema_view(
    list=extend_schema(summary="Tranches of the allocations the actor sees"),
    retrieve=extend_schema(summary="One tranche", responses={200: TrancheSerializer, **_errors(404)}),
)
class TrancheViewSet(ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Parts of an allocation paid out when their milestone is accepted."""

    serializer_class = TrancheSerializer
    ordering_fields = ("amount", "created_at", "released_at")
    selector = staticmethod(sf.tranche_list_for)

    @extend_schema(
        summary="Tie part of an allocation to a milestone (the funding organisation's managers)",
        request=TranchePlanSerializer,
        responses={201: TrancheSerializer, **_errors(400, 403, 409)},
    )
    @idempotent
    def create(self, request: Request) -> Response:
        tranche = services.tranche_plan(actor=self.actor, **self.validated(TranchePlanSerializer))
        return self.respond(self.reread(tranche), created=True)

    @extend_schema(
        summary="Release a tranche whose milestone is accepted (the funding organisation's managers); "
        "releasing it again changes nothing",
        request=None,
        responses={200: TrancheSerializer, **_errors(403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def release(self, request: Request, pk: str) -> Response:
        tranche = services.tranche_release(actor=self.actor, tranche=self.get_object())
        return self.respond(self.reread(tranche))


@extend_schema_view(
    list=extend_schema(summary="Spending of the projects the actor sees"),
    retrieve=extend_schema(summary="One expenditure", responses={200: ExpenditureSerializer, **_errors(404)}),
)
class ExpenditureViewSet(ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """What a project spent out of released money, with its receipt."""

    serializer_class = ExpenditureSerializer
    ordering_fields = ("spent_on", "amount", "created_at")
    parser_classes = (JSONParser, MultiPartParser, FormParser)
    selector = staticmethod(sf.expenditure_list_for)

    @extend_schema(
        summary="Record spending with its receipt (the project's library or provider); multipart, "
        "PDF/PNG/JPEG up to 10 MB",
        request={"multipart/form-data": ExpenditureCreateSerializer},
        responses={201: ExpenditureSerializer, **_errors(400, 403, 409)},
    )
    @idempotent
    def create(self, request: Request) -> Response:
        expenditure = services.expenditure_record(actor=self.actor, **self.validated(ExpenditureCreateSerializer))
        return self.respond(self.reread(expenditure), created=True)

    @extend_schema(
        summary="Download the receipt (whoever sees the allocation); always an attachment, typed by its content",
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            (200, "image/png"): OpenApiTypes.BINARY,
            (200, "image/jpeg"): OpenApiTypes.BINARY,
            **_errors(404),
        },
    )
    @action(detail=True, methods=["get"])
    def receipt(self, request: Request, pk: str) -> FileResponse:
        expenditure = self.get_object()
        return document_response(expenditure.receipt, f"receipt-{expenditure.pk}")


@extend_schema_view(
    list=extend_schema(summary="Financial reports owed on the allocations the actor sees, earliest due first"),
    retrieve=extend_schema(summary="One financial report", responses={200: FinancialReportSerializer, **_errors(404)}),
)
class FinancialReportViewSet(ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Reports the project's lead library owes the funder per allocation, monthly or quarterly."""

    serializer_class = FinancialReportSerializer
    ordering_fields = ("due_on", "submitted_at")
    selector = staticmethod(sf.financial_report_list_for)

    @extend_schema(
        summary="Submit the report (the project's lead library); the next period's report is then owed",
        request=ReportSubmitSerializer,
        responses={200: FinancialReportSerializer, **_errors(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def submit(self, request: Request, pk: str) -> Response:
        summary = self.validated(ReportSubmitSerializer)["summary"]
        report = services.financial_report_submit(actor=self.actor, report=self.get_object(), summary=summary)
        return self.respond(self.reread(report))


class BurnDownView(APIView):
    """Budget against money released and spent over time, for one project or for one alliance."""

    permission_classes = (IsAuthenticated,)

    @extend_schema(
        summary="Burn-down of a project (?project=) or an alliance (?alliance=): cumulative allocated, "
        "released, spent and remaining per day something happened; only what the actor may see",
        parameters=[
            OpenApiParameter("project", int, description="A project's id."),
            OpenApiParameter("alliance", int, description="An alliance's id."),
        ],
        responses={200: BurnDownSerializer, **_errors(400, 404)},
    )
    def get(self, request: Request) -> Response:
        actor = actor_for(request)
        project, alliance = request.query_params.get("project", ""), request.query_params.get("alliance", "")
        if bool(project) == bool(alliance):
            raise ValidationError({"project": [_("Give either a project or an alliance.")]})
        if project:
            if not project.isdigit():
                raise NotFound()
            found = sf.funding_visible_projects(actor).filter(pk=project).first()
            if found is None:
                raise NotFound()
            allocations = sf.allocation_list_for(actor, project=found)
        else:
            if not alliance.isdigit():
                raise NotFound()
            found_alliance = selectors.visible_alliances(actor).filter(pk=alliance).first()
            if found_alliance is None:
                raise NotFound()
            allocations = sf.allocation_list_for(actor, alliance=found_alliance)
        data = sf.burn_down(allocations)
        return Response(
            BurnDownSerializer(
                {
                    "dates": data.dates,
                    "allocated": data.allocated,
                    "released": data.released,
                    "spent": data.spent,
                    "remaining": data.remaining,
                }
            ).data
        )

"""The agreements API: contracts (with signatures, transitions and documents), IP assets, and partner credibility.

Reads go through ``alliance.selectors_contracts``, writes through ``alliance.services.contracts``. As in the rest
of the alliance API, a contract the actor may not see is a 404; a visible one the actor may not change is a 403
with the rule; a move its status does not allow is a 409; shares that do not add up to 100% are a 400 naming the
total.
"""

from __future__ import annotations

import os
from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from alliance import selectors, selectors_contracts
from alliance.models import Contract, ContractDocument, ContractParty, IPAsset, IPShare
from alliance.models.contracts import ContractPartyRole, ContractStatus, IPKind
from alliance.services import contracts as services
from alliance.validators import validate_deliverable_file
from core.api.idempotency import idempotent
from core.api.schema import errors as _errors
from core.api.viewsets import ScopedViewSet
from stakeholders import selectors as stakeholder_selectors
from stakeholders.access import Actor, actor_for
from stakeholders.api.serializers import OrganizationBriefSerializer, ScopedOrganizationField, UserBriefSerializer

from .serializers import ScopedAllianceField, ScopedProjectField
from .views import UPLOAD_PARSERS

# --- serializers --------------------------------------------------------------------------------------------------


@extend_schema_field(OpenApiTypes.INT)
class ScopedDeliverableField(serializers.PrimaryKeyRelatedField):  # type: ignore[type-arg]
    def get_queryset(self) -> Any:
        return selectors.deliverable_list_for(actor_for(self.context["request"]))


class ContractPartySerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    organization = OrganizationBriefSerializer(read_only=True)
    signed_by = UserBriefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = ContractParty
        fields = ("id", "organization", "role", "obligations", "signed_at", "signed_by")
        read_only_fields = fields


class ContractDocumentSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    file_name = serializers.SerializerMethodField()
    uploaded_by = UserBriefSerializer(read_only=True)

    class Meta:
        model = ContractDocument
        fields = ("id", "contract", "title", "file_name", "uploaded_by", "created_at")
        read_only_fields = fields

    # The file itself is not linked: contracts are private to their parties.
    @extend_schema_field(serializers.CharField())
    def get_file_name(self, obj: ContractDocument) -> str:
        return os.path.basename(obj.file.name or "")


class ContractSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    parties = ContractPartySerializer(source="party_list", many=True, read_only=True, default=list)
    documents = ContractDocumentSerializer(source="document_list", many=True, read_only=True, default=list)

    class Meta:
        model = Contract
        fields = (
            "id", "alliance", "project", "title", "terms", "value", "starts_on", "ends_on", "remind_days_before",
            "status", "signed_at", "activated_at", "closed_at", "termination_reason", "breached_by", "parties",
            "documents", "archived_at", "created_at",
        )  # fmt: skip
        read_only_fields = fields


class PartyInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    organization = ScopedOrganizationField()
    role = serializers.ChoiceField(choices=ContractPartyRole.choices)
    obligations = serializers.CharField(required=False, allow_blank=True, default="")


class ContractCreateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    alliance = ScopedAllianceField()
    project = ScopedProjectField(required=False, allow_null=True, default=None)
    title = serializers.CharField(max_length=200)
    terms = serializers.CharField(required=False, allow_blank=True, default="")
    value = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False, default=0)  # type: ignore[arg-type]
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    remind_days_before = serializers.IntegerField(min_value=0, max_value=3650, required=False, default=30)
    parties = PartyInputSerializer(many=True, help_text=_("Every party with its role and obligations."))


class ContractUpdateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    project = ScopedProjectField(required=False, allow_null=True)
    title = serializers.CharField(max_length=200, required=False)
    terms = serializers.CharField(required=False, allow_blank=True)
    value = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False)  # type: ignore[arg-type]
    starts_on = serializers.DateField(required=False)
    ends_on = serializers.DateField(required=False)
    remind_days_before = serializers.IntegerField(min_value=0, max_value=3650, required=False)
    parties = PartyInputSerializer(many=True, required=False)


class ContractSignSerializer(serializers.Serializer):  # type: ignore[type-arg]
    organization = ScopedOrganizationField(
        required=False, allow_null=True, default=None, help_text=_("The party signed for (default: your own).")
    )


class ContractTerminateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    reason = serializers.CharField(max_length=4000)
    breached_by = ScopedOrganizationField(required=False, allow_null=True, default=None)


class ContractDocumentUploadSerializer(serializers.Serializer):  # type: ignore[type-arg]
    title = serializers.CharField(max_length=200)
    file = serializers.FileField(
        validators=[validate_deliverable_file],  # type: ignore[list-item]
        help_text=_("PDF, PNG, JPEG, ZIP, DOCX or XLSX, at most 50 MB."),
    )


class IPShareSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    organization = OrganizationBriefSerializer(read_only=True)

    class Meta:
        model = IPShare
        fields = ("organization", "percent")
        read_only_fields = fields


class IPAssetSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    shares = IPShareSerializer(source="share_list", many=True, read_only=True, default=list)

    class Meta:
        model = IPAsset
        fields = (
            "id", "project", "deliverable", "title", "kind", "description", "licence", "third_party_cleared",
            "clearance_note", "shares", "archived_at", "created_at",
        )  # fmt: skip
        read_only_fields = fields


class ShareInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    organization = ScopedOrganizationField()
    percent = serializers.DecimalField(max_digits=5, decimal_places=2)


class IPAssetCreateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    project = ScopedProjectField()
    deliverable = ScopedDeliverableField(required=False, allow_null=True, default=None)
    title = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=IPKind.choices)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    licence = serializers.CharField(required=False, allow_blank=True, default="")
    third_party_cleared = serializers.BooleanField(required=False, default=False)
    clearance_note = serializers.CharField(required=False, allow_blank=True, default="")
    shares = ShareInputSerializer(many=True, help_text=_("Owners and their shares in percent; they add up to 100."))


class IPAssetUpdateSerializer(serializers.Serializer):  # type: ignore[type-arg]
    deliverable = ScopedDeliverableField(required=False, allow_null=True)
    title = serializers.CharField(max_length=200, required=False)
    kind = serializers.ChoiceField(choices=IPKind.choices, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    licence = serializers.CharField(required=False, allow_blank=True)
    third_party_cleared = serializers.BooleanField(required=False)
    clearance_note = serializers.CharField(required=False, allow_blank=True)
    shares = ShareInputSerializer(many=True, required=False)


class CredibilityPartSerializer(serializers.Serializer):  # type: ignore[type-arg]
    name = serializers.CharField()
    numerator = serializers.DecimalField(max_digits=8, decimal_places=2)
    denominator = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True)
    weight = serializers.FloatField()


class CredibilitySerializer(serializers.Serializer):  # type: ignore[type-arg]
    organization = serializers.IntegerField()
    score = serializers.IntegerField(allow_null=True, help_text=_("0–100, or null with no record yet."))
    parts = CredibilityPartSerializer(many=True)


# --- filters ---------------------------------------------------------------------------------------------------


class ContractFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ContractStatus.choices)
    organization = django_filters.NumberFilter(field_name="parties__organization_id", label=_("Party"))

    class Meta:
        model = Contract
        fields = ("alliance", "project", "status", "organization")


class IPAssetFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=IPKind.choices)

    class Meta:
        model = IPAsset
        fields = ("project", "deliverable", "kind")


# --- views ---------------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Contracts the actor's organisation is party to, leads or guides"),
    retrieve=extend_schema(summary="One contract", responses={200: ContractSerializer, **_errors(404)}),
)
class ContractViewSet(ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Contracts among an alliance's organisations: drafted by the lead library, signed by every party."""

    serializer_class = ContractSerializer
    filterset_class = ContractFilter
    ordering_fields = ("created_at", "ends_on", "value")
    parser_classes = UPLOAD_PARSERS

    @staticmethod
    def selector(actor: Actor) -> QuerySet[Any]:
        return selectors_contracts.contract_list_for(actor)

    @extend_schema(
        summary="Draft a contract (the lead library's staff); every party then signs",
        request=ContractCreateSerializer,
        responses={201: ContractSerializer, **_errors(400, 403, 409)},
    )
    @idempotent
    def create(self, request: Request) -> Response:
        contract = services.contract_create(actor=self.actor, **self.validated(ContractCreateSerializer))
        return self.respond(self.reread(contract), created=True)

    @extend_schema(
        summary="Change a draft or signed contract (the lead library's staff); changed terms wipe the signatures",
        request=ContractUpdateSerializer,
        responses={200: ContractSerializer, **_errors(400, 403, 404, 409)},
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        contract = self.get_object()
        data = self.validated_partial(ContractUpdateSerializer)
        contract = services.contract_update(actor=self.actor, contract=contract, **data)
        return self.respond(self.reread(contract))

    @extend_schema(
        summary="Sign for your organisation (a manager of a party); the last signature makes it signed",
        request=ContractSignSerializer,
        responses={200: ContractSerializer, **_errors(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def sign(self, request: Request, pk: str) -> Response:
        contract = self.get_object()
        contract = services.contract_sign(actor=self.actor, contract=contract, **self.validated(ContractSignSerializer))
        return self.respond(self.reread(contract))

    @extend_schema(
        summary="Put a signed contract in force (the lead library's managers)",
        request=None,
        responses={200: ContractSerializer, **_errors(403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def activate(self, request: Request, pk: str) -> Response:
        return self.respond(self.reread(services.contract_activate(actor=self.actor, contract=self.get_object())))

    @extend_schema(
        summary="Record an active contract as completed (the lead library's managers)",
        request=None,
        responses={200: ContractSerializer, **_errors(403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: str) -> Response:
        return self.respond(self.reread(services.contract_complete(actor=self.actor, contract=self.get_object())))

    @extend_schema(
        summary="Terminate a signed or active contract, naming a party in breach if any (the lead library's managers)",
        request=ContractTerminateSerializer,
        responses={200: ContractSerializer, **_errors(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def terminate(self, request: Request, pk: str) -> Response:
        contract = self.get_object()
        data = self.validated(ContractTerminateSerializer)
        return self.respond(self.reread(services.contract_terminate(actor=self.actor, contract=contract, **data)))

    @extend_schema(
        summary="Archive a draft or a closed contract (the lead library's staff)",
        request=None,
        responses={200: ContractSerializer, **_errors(403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def archive(self, request: Request, pk: str) -> Response:
        contract = services.contract_archive(actor=self.actor, contract=self.get_object())
        qs = selectors_contracts.contract_list_for(self.actor, include_archived=True)
        return self.respond(qs.get(pk=contract.pk))

    @extend_schema(
        summary="Attach a document (staff of a party or of the lead library); multipart, checked by content",
        request={"multipart/form-data": ContractDocumentUploadSerializer},
        responses={201: ContractDocumentSerializer, **_errors(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"], serializer_class=ContractDocumentSerializer)
    def documents(self, request: Request, pk: str) -> Response:
        contract = self.get_object()
        data = self.validated(ContractDocumentUploadSerializer)
        document = services.contract_document_add(actor=self.actor, contract=contract, **data)
        return self.respond(document, ContractDocumentSerializer, created=True)


@extend_schema_view(
    list=extend_schema(summary="IP assets of the projects the actor sees, with owners' shares"),
    retrieve=extend_schema(summary="One IP asset", responses={200: IPAssetSerializer, **_errors(404)}),
)
class IPAssetViewSet(ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """What a project produces, who owns what share, its licence and third-party clearance."""

    serializer_class = IPAssetSerializer
    filterset_class = IPAssetFilter
    ordering_fields = ("created_at", "title")

    @staticmethod
    def selector(actor: Actor) -> QuerySet[Any]:
        return selectors_contracts.ip_asset_list_for(actor)

    def get_queryset(self) -> QuerySet[Any]:
        qs = super().get_queryset()
        if self.action == "list":
            qs = qs.filter(archived_at__isnull=True)
        return qs

    @extend_schema(
        summary="Record an IP asset (the lead library's staff or the provider); shares must add up to 100%",
        request=IPAssetCreateSerializer,
        responses={201: IPAssetSerializer, **_errors(400, 403, 409)},
    )
    @idempotent
    def create(self, request: Request) -> Response:
        asset = services.ip_asset_create(actor=self.actor, **self.validated(IPAssetCreateSerializer))
        return self.respond(self.reread(asset), created=True)

    @extend_schema(
        summary="Change an IP asset (the lead library's staff or the provider); new shares must add up to 100%",
        request=IPAssetUpdateSerializer,
        responses={200: IPAssetSerializer, **_errors(400, 403, 404, 409)},
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        asset = self.get_object()
        asset = services.ip_asset_update(
            actor=self.actor, asset=asset, **self.validated_partial(IPAssetUpdateSerializer)
        )
        return self.respond(self.reread(asset))

    @extend_schema(
        summary="Archive an IP asset recorded by mistake (the lead library's staff)",
        request=None,
        responses={200: IPAssetSerializer, **_errors(403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def archive(self, request: Request, pk: str) -> Response:
        return self.respond(self.reread(services.ip_asset_archive(actor=self.actor, asset=self.get_object())))


class CredibilityViewSet(ScopedViewSet):
    """Credibility computed from an organisation's record, each part with its numerator and denominator."""

    serializer_class = CredibilitySerializer
    filter_backends = ()  # type: ignore[assignment]
    pagination_class = None

    @staticmethod
    def selector(actor: Actor) -> QuerySet[Any]:
        return stakeholder_selectors.organization_list_for(actor)

    @extend_schema(
        summary="An organisation's credibility from the record (libraries, government and the organisation itself)",
        responses={200: CredibilitySerializer, **_errors(404)},
    )
    def retrieve(self, request: Request, pk: str) -> Response:
        organization = self.get_object()
        if not selectors_contracts.may_read_credibility(self.actor, organization.pk):
            raise NotFound()
        cred = selectors_contracts.partner_credibility([organization.pk])[organization.pk]
        return Response(CredibilitySerializer(credibility_data(cred)).data)


def credibility_data(cred: selectors_contracts.Credibility) -> dict[str, Any]:
    return {
        "organization": cred.organization_id,
        "score": cred.score,
        "parts": [
            {
                "name": name,
                "numerator": part.numerator,
                "denominator": part.denominator,
                "rate": part.rate,
                "weight": selectors_contracts.WEIGHTS[name],
            }
            for name, part in cred.parts
        ],
    }

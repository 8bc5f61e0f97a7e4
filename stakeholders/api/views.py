"""The stakeholders API: reads through stakeholders.selectors, writes through stakeholders.services.

Visibility decides 404 (a missing and a forbidden object look the same); a visible object the actor may
not change answers 403 with the service's message. There is no DELETE: archive instead.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.idempotency import idempotent
from core.api.schema import errors as _errors
from core.api.viewsets import ScopedViewSet
from stakeholders import privacy, selectors, services
from stakeholders.access import ACTING_ORG_SESSION_KEY, Actor, actor_for, reset_actor

from . import filters
from . import serializers as s
from .privacy import ReaderPrivacyMixin

# --- organisations ---------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Organisations the actor can see (active only unless ?archived=true)"),
    retrieve=extend_schema(summary="One organisation", responses={200: s.OrganizationSerializer, **_errors(404)}),
)
class OrganizationViewSet(ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """The directory of organisations: members of any organisation see the active ones, readers see libraries."""

    serializer_class = s.OrganizationSerializer
    filterset_class = filters.OrganizationFilter
    ordering_fields = ("name_zh", "name_en", "kind", "region", "verification_status", "created_at", "member_count")

    @staticmethod
    def selector(actor: Actor) -> QuerySet[Any]:
        return selectors.organization_list_for(actor, include_archived=True)

    def get_queryset(self) -> QuerySet[Any]:
        # The counts make this a GROUP BY query, where Meta.ordering does not apply; `q` re-orders by relevance.
        qs = super().get_queryset().order_by("name_zh", "id")
        # Archived ones stay reachable by id (to restore them) but leave the list unless asked for.
        if self.action == "list" and "archived" not in self.request.query_params:
            qs = qs.filter(archived_at__isnull=True)
        return qs

    @extend_schema(
        summary="Register an organisation (the caller becomes its owner)",
        request=s.OrganizationCreateSerializer,
        responses={201: s.OrganizationSerializer, **_errors(400, 409)},
    )
    @idempotent
    def create(self, request: Request) -> Response:
        org = services.organization_create(actor=self.actor, **self.validated(s.OrganizationCreateSerializer))
        return self.respond(self.reread(org, fresh_actor=True), created=True)

    @extend_schema(
        summary="Change an organisation (its managers)",
        request=s.OrganizationUpdateSerializer,
        responses={200: s.OrganizationSerializer, **_errors(400, 403, 404, 409)},
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        org = self.get_object()
        data = self.validated_partial(s.OrganizationUpdateSerializer)
        services.organization_update(actor=self.actor, organization=org, **data)
        return self.respond(self.reread(org))

    @extend_schema(
        summary="Verify or reject an organisation's identity (library managers)",
        request=s.OrganizationVerifySerializer,
        responses={200: s.OrganizationSerializer, **_errors(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def verify(self, request: Request, pk: str) -> Response:
        org = self.get_object()
        services.organization_verify(
            actor=self.actor, organization=org, **self.validated(s.OrganizationVerifySerializer)
        )
        return self.respond(self.reread(org))

    @extend_schema(
        summary="Archive an organisation (its owners)",
        request=None,
        responses={200: s.OrganizationSerializer, **_errors(403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def archive(self, request: Request, pk: str) -> Response:
        org = self.get_object()
        services.organization_archive(actor=self.actor, organization=org)
        return self.respond(self.reread(org))

    @extend_schema(
        summary="Restore an archived organisation (its owners)",
        request=None,
        responses={200: s.OrganizationSerializer, **_errors(403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def restore(self, request: Request, pk: str) -> Response:
        org = self.get_object()
        services.organization_restore(actor=self.actor, organization=org)
        return self.respond(self.reread(org))


# --- memberships -------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Members of the actor's organisations"),
    retrieve=extend_schema(summary="One membership", responses={200: s.MembershipSerializer, **_errors(404)}),
)
class MembershipViewSet(ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """People acting for the actor's organisations, with their roles."""

    serializer_class = s.MembershipSerializer
    filterset_class = filters.MembershipFilter
    ordering_fields = ("created_at", "role", "user__username")
    selector = staticmethod(selectors.membership_list_for)

    @extend_schema(
        summary="Change a member's role (managers; only owners name owners)",
        request=s.MembershipRoleSerializer,
        responses={200: s.MembershipSerializer, **_errors(400, 403, 404, 409)},
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        membership = self.get_object()
        role = self.validated(s.MembershipRoleSerializer)["role"]
        return self.respond(services.membership_change_role(actor=self.actor, membership=membership, role=role))

    @extend_schema(
        summary="End a membership (managers, or the member leaving)",
        request=None,
        responses={200: s.MembershipSerializer, **_errors(403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def end(self, request: Request, pk: str) -> Response:
        membership = self.get_object()
        return self.respond(services.membership_end(actor=self.actor, membership=membership))


# --- invitations -------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Invitations of the organisations the actor manages"),
    retrieve=extend_schema(summary="One invitation", responses={200: s.InvitationSerializer, **_errors(404)}),
)
class InvitationViewSet(ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """E-mailed invitations to join an organisation; visible to its managers."""

    serializer_class = s.InvitationSerializer
    filterset_class = filters.InvitationFilter
    ordering_fields = ("created_at", "expires_at", "email")
    selector = staticmethod(selectors.invitation_list_for)

    @extend_schema(
        summary="Invite someone by e-mail (managers). The link goes only to the e-mail address.",
        request=s.InvitationCreateSerializer,
        responses={201: s.InvitationSerializer, **_errors(400, 403, 409)},
    )
    @idempotent
    def create(self, request: Request) -> Response:
        invitation, _raw = services.invitation_create(actor=self.actor, **self.validated(s.InvitationCreateSerializer))
        return self.respond(invitation, created=True)

    @extend_schema(
        summary="Revoke a pending invitation (managers)",
        request=None,
        responses={200: s.InvitationSerializer, **_errors(403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, pk: str) -> Response:
        return self.respond(services.invitation_revoke(actor=self.actor, invitation=self.get_object()))

    @extend_schema(
        summary="Accept an invitation with the token from the e-mail",
        request=s.InvitationAcceptSerializer,
        responses={200: s.MembershipSerializer, **_errors(400, 403, 409)},
    )
    @action(detail=False, methods=["post"])
    def accept(self, request: Request) -> Response:
        token = self.validated(s.InvitationAcceptSerializer)["token"]
        membership = services.invitation_accept(user=request.user, raw_token=token)
        reset_actor(request)
        return self.respond(membership, s.MembershipSerializer)


# --- capabilities --------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="What the visible organisations offer"),
    retrieve=extend_schema(summary="One capability", responses={200: s.CapabilitySerializer, **_errors(404)}),
)
class CapabilityViewSet(ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """What organisations bring: products, technology, research fields, standards, remits."""

    serializer_class = s.CapabilitySerializer
    filterset_class = filters.CapabilityFilter
    ordering_fields = ("title_zh", "title_en", "category", "created_at")
    selector = staticmethod(selectors.capability_list_for)

    @extend_schema(
        summary="Describe what an organisation offers (its members)",
        request=s.CapabilityCreateSerializer,
        responses={201: s.CapabilitySerializer, **_errors(400, 403, 409)},
    )
    @idempotent
    def create(self, request: Request) -> Response:
        cap = services.capability_create(actor=self.actor, **self.validated(s.CapabilityCreateSerializer))
        return self.respond(self.reread(cap), created=True)

    @extend_schema(
        summary="Change a capability (the organisation's members)",
        request=s.CapabilityUpdateSerializer,
        responses={200: s.CapabilitySerializer, **_errors(400, 403, 404, 409)},
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        cap = self.get_object()
        data = self.validated_partial(s.CapabilityUpdateSerializer)
        return self.respond(services.capability_update(actor=self.actor, capability=cap, **data))

    @extend_schema(
        summary="Archive a capability (the organisation's members)",
        request=None,
        responses={200: s.CapabilitySerializer, **_errors(403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def archive(self, request: Request, pk: str) -> Response:
        return self.respond(services.capability_archive(actor=self.actor, capability=self.get_object()))


# --- credibility assessments --------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Assessments made by the actor's library or about the actor's organisation"),
    retrieve=extend_schema(summary="One assessment", responses={200: s.AssessmentSerializer, **_errors(404)}),
)
class AssessmentViewSet(ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """A library's assessments of partners' strength and credibility; the two parties see them."""

    serializer_class = s.AssessmentSerializer
    filterset_class = filters.AssessmentFilter
    ordering_fields = ("assessed_on", "score", "created_at")
    parser_classes = (JSONParser, MultiPartParser, FormParser)
    selector = staticmethod(selectors.assessment_list_for)

    @extend_schema(
        summary="Assess a partner (library staff acting for their library); multipart for a document",
        request={"multipart/form-data": s.AssessmentCreateSerializer, "application/json": s.AssessmentCreateSerializer},
        responses={201: s.AssessmentSerializer, **_errors(400, 403)},
    )
    @idempotent
    def create(self, request: Request) -> Response:
        assessment = services.assessment_create(actor=self.actor, **self.validated(s.AssessmentCreateSerializer))
        return self.respond(self.reread(assessment), created=True)

    @extend_schema(
        summary="Archive an assessment (managers of the assessing library)",
        request=None,
        responses={200: s.AssessmentSerializer, **_errors(403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def archive(self, request: Request, pk: str) -> Response:
        return self.respond(services.assessment_archive(actor=self.actor, assessment=self.get_object()))


# --- readers ----------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Readers: yourself, or the readers of the library you work for"),
    retrieve=extend_schema(summary="One reader", responses={200: s.ReaderSerializer, **_errors(404)}),
)
class ReaderViewSet(ReaderPrivacyMixin, ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Reader profiles: a reader sees themself, library staff the readers of their library."""

    serializer_class = s.ReaderSerializer
    filterset_class = filters.ReaderFilter
    ordering_fields = ("created_at",)
    selector = staticmethod(selectors.reader_list_for)

    def get_permissions(self) -> Any:
        if self.action == "register":
            return [AllowAny()]
        return super().get_permissions()

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        profile = self.get_object()
        privacy.access_log(self.actor, profile, "reader profile (API)", request)  # the reader themself: not logged
        return Response(self.get_serializer(profile).data)

    @extend_schema(
        summary="Sign up as a reader with a library card (no account needed)",
        request=s.ReaderRegisterSerializer,
        responses={201: s.ReaderSerializer, **_errors(400, 409)},
    )
    @action(detail=False, methods=["post"])
    def register(self, request: Request) -> Response:
        profile = services.reader_register(**self.validated(s.ReaderRegisterSerializer))
        return self.respond(profile, created=True)

    @extend_schema(
        summary="Change your own consents (readers)",
        request=s.ReaderConsentSerializer,
        responses={200: s.ReaderSerializer, **_errors(400, 403)},
    )
    @action(detail=False, methods=["patch"])
    def consent(self, request: Request) -> Response:
        data = self.validated(s.ReaderConsentSerializer)
        return self.respond(services.reader_update_consent(actor=self.actor, **data))


# --- API tokens -----------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Your tokens and the integration tokens of organisations you manage"),
    retrieve=extend_schema(summary="One token (never its key)", responses={200: s.TokenSerializer, **_errors(404)}),
)
class TokenViewSet(ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """API tokens: personal ones, and integration tokens acting for an organisation."""

    serializer_class = s.TokenSerializer
    filterset_class = filters.TokenFilter
    ordering_fields = ("created_at", "name", "last_used_at")
    selector = staticmethod(selectors.token_list_for)

    @extend_schema(
        summary="Create a token; the response carries the key once",
        request=s.TokenCreateSerializer,
        responses={201: s.TokenCreatedSerializer, **_errors(400, 403)},
    )
    def create(self, request: Request) -> Response:
        token, raw = services.token_create(actor=self.actor, **self.validated(s.TokenCreateSerializer))
        token = self.reread(token)
        token.key = raw
        return self.respond(token, s.TokenCreatedSerializer, created=True)

    @extend_schema(
        summary="Revoke a token",
        request=None,
        responses={200: s.TokenSerializer, **_errors(403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, pk: str) -> Response:
        token = services.token_revoke(actor=self.actor, token=self.get_object())
        return self.respond(self.reread(token))


# --- the acting person ---------------------------------------------------------------------------------------


def _me(request: Request) -> Response:
    return Response(s.MeSerializer(actor_for(request), context={"request": request}).data)


class MeView(APIView):
    """The acting person."""

    @extend_schema(
        summary="Who is acting: the person, acting organisation, memberships, reader card (masked)",
        responses={200: s.MeSerializer},
    )
    def get(self, request: Request) -> Response:
        return _me(request)


class MeSwitchView(APIView):
    """Switch the organisation the person acts for."""

    @extend_schema(
        summary="Act for another of your organisations (session clients; tokens are bound to theirs)",
        request=s.SwitchSerializer,
        responses={200: s.MeSerializer, **_errors(400, 403)},
    )
    def post(self, request: Request) -> Response:
        serializer = s.SwitchSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        org = services.switch_organization(
            actor=actor_for(request), organization_id=serializer.validated_data["organization"]
        )
        request.session[ACTING_ORG_SESSION_KEY] = org.pk
        reset_actor(request)
        return _me(request)

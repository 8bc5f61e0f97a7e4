"""The alliance API: reads through alliance.selectors, writes through alliance.services.

Visibility decides 404 (a missing and a forbidden object look the same); a visible object the actor may not
change answers 403 with the service's message; a move the object's state does not allow answers 409 naming
the rule (for a project transition: every failing guard). There is no DELETE: archive instead.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from alliance import cycle, selectors, services
from alliance.models import Project
from alliance.services import funding
from core.api.idempotency import idempotent
from core.api.schema import errors as _errors
from core.api.viewsets import ScopedViewSet
from core.exceptions import ConflictError, NotAllowed
from stakeholders.access import Actor

from . import filters
from . import serializers as s
from .timeline import project_timeline

UPLOAD_PARSERS = (JSONParser, MultiPartParser, FormParser)
# Lists served by detail actions are paginated like the main lists.
PAGE_PARAMS = [
    OpenApiParameter("page", int, description="A page number within the paginated result set."),
    OpenApiParameter("page_size", int, description="Number of results to return per page."),
]


class _ArchivableList(ScopedViewSet):
    """Archived rows stay reachable by id (to read what was archived) but leave lists unless ``?archived=``."""

    def get_queryset(self) -> QuerySet[Any]:
        qs = super().get_queryset()
        if self.action == "list" and "archived" not in self.request.query_params:
            qs = qs.filter(archived_at__isnull=True)
        return qs


# --- alliances -----------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Alliances the actor belongs to (?archived=true for archived ones)"),
    retrieve=extend_schema(summary="One alliance", responses={200: s.AllianceSerializer, **_errors(404)}),
)
class AllianceViewSet(_ArchivableList, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Co-construction alliances led by a library; members see their own."""

    serializer_class = s.AllianceSerializer
    filterset_class = filters.AllianceFilter
    ordering_fields = ("name", "founded_on", "created_at")

    @staticmethod
    def selector(actor: Actor) -> QuerySet[Any]:
        return selectors.alliance_list_for(actor, include_archived=True)

    @extend_schema(
        summary="Found an alliance (the lead library's managers); the library joins as the demand side",
        request=s.AllianceCreateSerializer,
        responses={201: s.AllianceSerializer, **_errors(400, 403)},
    )
    @idempotent
    def create(self, request: Request) -> Response:
        alliance = services.alliance_create(actor=self.actor, **self.validated(s.AllianceCreateSerializer))
        return self.respond(self.reread(alliance), created=True)

    @extend_schema(
        summary="Change an alliance (the lead library's managers)",
        request=s.AllianceUpdateSerializer,
        responses={200: s.AllianceSerializer, **_errors(400, 403, 404, 409)},
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        alliance = self.get_object()
        services.alliance_update(
            actor=self.actor, alliance=alliance, **self.validated_partial(s.AllianceUpdateSerializer)
        )
        return self.respond(self.reread(alliance))

    @extend_schema(
        summary="Archive an alliance whose projects have ended (the lead library's managers)",
        request=None,
        responses={200: s.AllianceSerializer, **_errors(403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def archive(self, request: Request, pk: str) -> Response:
        alliance = self.get_object()
        services.alliance_archive(actor=self.actor, alliance=alliance)
        return self.respond(self.reread(alliance))

    @extend_schema(
        summary="The alliance's active members with their roles and benefit terms",
        parameters=PAGE_PARAMS,
        responses={200: s.AllianceMemberSerializer(many=True), **_errors(404)},
    )
    @action(detail=True, methods=["get"], serializer_class=s.AllianceMemberSerializer, filter_backends=[])
    def members(self, request: Request, pk: str) -> Response:
        alliance = self.get_object()
        page = self.paginate_queryset(selectors.alliance_member_list_for(self.actor, alliance))
        return self.get_paginated_response(s.AllianceMemberSerializer(page, many=True).data)

    @extend_schema(
        summary="Admit an organisation in a role that fits its kind (the lead library's managers)",
        request=s.AllianceJoinSerializer,
        responses={201: s.AllianceMemberSerializer, **_errors(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"], serializer_class=s.AllianceMemberSerializer)
    def join(self, request: Request, pk: str) -> Response:
        alliance = self.get_object()
        member = services.alliance_join(actor=self.actor, alliance=alliance, **self.validated(s.AllianceJoinSerializer))
        return self.respond(member, s.AllianceMemberSerializer, created=True)


class AllianceMemberViewSet(ScopedViewSet):
    """A member's place in an alliance: its benefit terms, and leaving."""

    serializer_class = s.AllianceMemberSerializer
    selector = staticmethod(selectors.alliance_member_list_for)

    @extend_schema(
        summary="Record what a member contributes and receives (the lead library's managers)",
        request=s.BenefitTermsSerializer,
        responses={200: s.AllianceMemberSerializer, **_errors(400, 403, 404, 409)},
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        member = self.get_object()
        data = self.validated_partial(s.BenefitTermsSerializer)
        return self.respond(services.alliance_member_update_terms(actor=self.actor, member=member, **data))

    @extend_schema(
        summary="Leave the alliance (the member's managers) or remove a member (the lead library's managers)",
        request=None,
        responses={200: s.AllianceMemberSerializer, **_errors(403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def leave(self, request: Request, pk: str) -> Response:
        return self.respond(services.alliance_leave(actor=self.actor, member=self.get_object()))


# --- partner invitations -----------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Invitations to the actor's organisations and those its library sent"),
    retrieve=extend_schema(summary="One invitation", responses={200: s.PartnerInvitationSerializer, **_errors(404)}),
)
class PartnerInvitationViewSet(ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """The lead library invites suggested partners into an alliance (and a project) in a role."""

    serializer_class = s.PartnerInvitationSerializer
    filterset_class = filters.PartnerInvitationFilter
    ordering_fields = ("created_at", "status")
    selector = staticmethod(selectors.partner_invitation_list_for)

    @extend_schema(
        summary="Invite an organisation, typically one of a need's suggestions (the lead library's staff)",
        request=s.PartnerInviteSerializer,
        responses={201: s.PartnerInvitationSerializer, **_errors(400, 403, 409)},
    )
    @idempotent
    def create(self, request: Request) -> Response:
        invitation = services.partner_invite(actor=self.actor, **self.validated(s.PartnerInviteSerializer))
        return self.respond(self.reread(invitation), created=True)

    @extend_schema(
        summary="Accept: the organisation joins the alliance (and the project) (the invited organisation's managers)",
        request=None,
        responses={200: s.PartnerInvitationSerializer, **_errors(403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str) -> Response:
        invitation = services.partner_invitation_accept(actor=self.actor, invitation=self.get_object())
        return self.respond(self.reread(invitation))

    @extend_schema(
        summary="Decline an invitation (the invited organisation's managers)",
        request=s.DeclineSerializer,
        responses={200: s.PartnerInvitationSerializer, **_errors(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: str) -> Response:
        reason = self.validated(s.DeclineSerializer)["reason"]
        invitation = services.partner_invitation_decline(actor=self.actor, invitation=self.get_object(), reason=reason)
        return self.respond(self.reread(invitation))


# --- needs -----------------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Needs of the actor's libraries and of their alliances (?archived=true)"),
    retrieve=extend_schema(summary="One need", responses={200: s.NeedSerializer, **_errors(404)}),
)
class NeedViewSet(_ArchivableList, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """A library's smartification needs, the evidence behind them and their analysis."""

    serializer_class = s.NeedSerializer
    filterset_class = filters.NeedFilter
    ordering_fields = ("created_at", "priority", "status", "title")

    @staticmethod
    def selector(actor: Actor) -> QuerySet[Any]:
        return selectors.need_list_for(actor, include_archived=True)

    @extend_schema(
        summary="Record a need of your library (its staff)",
        request=s.NeedCreateSerializer,
        responses={201: s.NeedSerializer, **_errors(400, 403)},
    )
    @idempotent
    def create(self, request: Request) -> Response:
        need = services.need_create(actor=self.actor, **self.validated(s.NeedCreateSerializer))
        return self.respond(self.reread(need), created=True)

    @extend_schema(
        summary="Change a need (the library's staff)",
        request=s.NeedUpdateSerializer,
        responses={200: s.NeedSerializer, **_errors(400, 403, 404, 409)},
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        need = self.get_object()
        services.need_update(actor=self.actor, need=need, **self.validated_partial(s.NeedUpdateSerializer))
        return self.respond(self.reread(need))

    @extend_schema(
        summary="Attach evidence: reader feedback, a survey, an observation or a statistic (the library's staff)",
        request=s.EvidenceCreateSerializer,
        responses={201: s.EvidenceSerializer, **_errors(400, 403, 404, 409)},
    )
    @action(
        detail=True, methods=["post"], url_path="evidence", serializer_class=s.EvidenceSerializer, filter_backends=[]
    )
    def add_evidence(self, request: Request, pk: str) -> Response:
        need = self.get_object()
        evidence = services.need_add_evidence(actor=self.actor, need=need, **self.validated(s.EvidenceCreateSerializer))
        return self.respond(evidence, s.EvidenceSerializer, created=True)

    @extend_schema(
        summary="The evidence behind a need",
        parameters=PAGE_PARAMS,
        responses={200: s.EvidenceSerializer(many=True), **_errors(404)},
    )
    @add_evidence.mapping.get
    def evidence(self, request: Request, pk: str) -> Response:
        need = self.get_object()
        page = self.paginate_queryset(need.evidence.active().order_by("created_at", "id"))
        return self.get_paginated_response(s.EvidenceSerializer(page, many=True).data)

    @extend_schema(
        summary="Withdraw a piece of evidence recorded by mistake (the library's staff)",
        request=s.EvidenceArchiveSerializer,
        responses={200: s.EvidenceSerializer, **_errors(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"], url_path="evidence/archive", serializer_class=s.EvidenceSerializer)
    def archive_evidence(self, request: Request, pk: str) -> Response:
        need = self.get_object()
        wanted = self.validated(s.EvidenceArchiveSerializer)["evidence"]
        evidence = need.evidence.active().filter(pk=wanted).first()
        if evidence is None:
            raise NotFound(_("No such evidence for this need."))
        return self.respond(services.need_evidence_archive(actor=self.actor, evidence=evidence), s.EvidenceSerializer)

    @extend_schema(
        summary="Conclude from the evidence; an analysed need lets a project seek partners (the library's staff)",
        request=s.AnalyseSerializer,
        responses={200: s.NeedSerializer, **_errors(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def analyse(self, request: Request, pk: str) -> Response:
        need = self.get_object()
        services.need_analyse(actor=self.actor, need=need, **self.validated(s.AnalyseSerializer))
        return self.respond(self.reread(need))

    @extend_schema(
        summary="Drop a need (the library's staff)",
        request=s.DropSerializer,
        responses={200: s.NeedSerializer, **_errors(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def drop(self, request: Request, pk: str) -> Response:
        need = self.get_object()
        services.need_drop(actor=self.actor, need=need, **self.validated(s.DropSerializer))
        return self.respond(self.reread(need))

    @extend_schema(
        summary="Archive a need (the library's staff)",
        request=None,
        responses={200: s.NeedSerializer, **_errors(403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def archive(self, request: Request, pk: str) -> Response:
        need = self.get_object()
        services.need_archive(actor=self.actor, need=need)
        return self.respond(self.reread(need))

    @extend_schema(
        summary="Partners whose capabilities fit the need, best first (the library's staff)",
        responses={200: s.SuggestionSerializer(many=True), **_errors(403, 404)},
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def suggestions(self, request: Request, pk: str) -> Response:
        need = self.get_object()
        # Suggestions carry credibility scores, which only the assessing library's people may read.
        if not self.actor.writes_for(need.library_id):
            raise NotAllowed(_("Only the library's staff see partner suggestions for its needs."))
        data = s.SuggestionSerializer(selectors.partner_suggestions(need), many=True).data
        return Response(data)


# --- projects --------------------------------------------------------------------------------------------------


def _transition_to(project: Project, to: str) -> str:
    """The name of the one transition out of the project's status that leads to ``to``."""
    for rule in cycle.TRANSITIONS:
        target = rule.target if rule.target is not None else project.suspended_from
        if project.status in rule.sources and target == to:
            return rule.name
    raise ConflictError(
        _("A project that is %(status)s cannot move to %(to)s.")
        % {"status": project.get_status_display(), "to": cycle.S(to).label},
        code="no_transition",
    )


@extend_schema_view(
    list=extend_schema(summary="Projects the actor takes part in or supervises (filter by state, alliance)"),
    retrieve=extend_schema(summary="One project", responses={200: s.ProjectSerializer, **_errors(404)}),
)
class ProjectViewSet(_ArchivableList, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Co-construction projects, moved through the cycle only by ``POST .../transition/``."""

    serializer_class = s.ProjectSerializer
    filterset_class = filters.ProjectFilter
    ordering_fields = ("created_at", "status_changed_at", "title", "budget")

    @staticmethod
    def selector(actor: Actor) -> QuerySet[Any]:
        return selectors.project_list_for(actor, include_archived=True)

    @extend_schema(
        summary="Open a project in draft under an alliance (the lead library's staff)",
        request=s.ProjectCreateSerializer,
        responses={201: s.ProjectSerializer, **_errors(400, 403, 409)},
    )
    @idempotent
    def create(self, request: Request) -> Response:
        project = services.project_create(actor=self.actor, **self.validated(s.ProjectCreateSerializer))
        return self.respond(self.reread(project), created=True)

    @extend_schema(
        summary="Change a project's title, summary, budget or dates (the lead library's staff)",
        request=s.ProjectUpdateSerializer,
        responses={200: s.ProjectSerializer, **_errors(400, 403, 404, 409)},
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        project = self.get_object()
        services.project_update(actor=self.actor, project=project, **self.validated_partial(s.ProjectUpdateSerializer))
        return self.respond(self.reread(project))

    @extend_schema(
        summary="Archive a closed or cancelled project (the lead library's managers)",
        request=None,
        responses={200: s.ProjectSerializer, **_errors(403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def archive(self, request: Request, pk: str) -> Response:
        project = self.get_object()
        services.project_archive(actor=self.actor, project=project)
        return self.respond(self.reread(project))

    @extend_schema(
        summary="Link a need the project sets out to meet (the lead library's staff)",
        request=s.LinkNeedSerializer,
        responses={200: s.ProjectSerializer, **_errors(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"], url_path="needs")
    def link_need(self, request: Request, pk: str) -> Response:
        project = self.get_object()
        services.project_link_need(actor=self.actor, project=project, **self.validated(s.LinkNeedSerializer))
        return self.respond(self.reread(project))

    @extend_schema(
        summary="Staff the project with an alliance member: provider, assistant, guide, funder (lead managers)",
        request=s.ParticipantAddSerializer,
        responses={201: s.ParticipantSerializer, **_errors(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"], serializer_class=s.ParticipantSerializer)
    def participants(self, request: Request, pk: str) -> Response:
        project = self.get_object()
        data = self.validated(s.ParticipantAddSerializer)
        participant = services.project_add_participant(actor=self.actor, project=project, **data)
        return self.respond(participant, s.ParticipantSerializer, created=True)

    @extend_schema(
        summary="End a participation (the lead library's managers)",
        request=s.ParticipantRemoveSerializer,
        responses={200: s.ParticipantSerializer, **_errors(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"], url_path="participants/remove", serializer_class=s.ParticipantSerializer)
    def remove_participant(self, request: Request, pk: str) -> Response:
        project = self.get_object()
        wanted = self.validated(s.ParticipantRemoveSerializer)["participant"]
        participant = next((p for p in project.active_participants if p.pk == wanted), None)
        if participant is None:
            raise NotFound(_("No such participant in this project."))
        removed = services.project_remove_participant(actor=self.actor, participant=participant)
        return self.respond(removed, s.ParticipantSerializer)

    @extend_schema(
        summary="Declare that the project follows a standard (the library or the provider)",
        request=s.StandardDeclareSerializer,
        responses={201: s.ProjectStandardSerializer, **_errors(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"], serializer_class=s.ProjectStandardSerializer)
    def standards(self, request: Request, pk: str) -> Response:
        project = self.get_object()
        data = self.validated(s.StandardDeclareSerializer)
        declaration = services.project_declare_standard(actor=self.actor, project=project, **data)
        return self.respond(declaration, s.ProjectStandardSerializer, created=True)

    @extend_schema(
        summary="Withdraw a declared standard (the lead library's staff)",
        request=s.StandardWithdrawSerializer,
        responses={200: s.ProjectStandardSerializer, **_errors(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"], url_path="standards/withdraw", serializer_class=s.ProjectStandardSerializer)
    def withdraw_standard(self, request: Request, pk: str) -> Response:
        project = self.get_object()
        standard_id = self.validated(s.StandardWithdrawSerializer)["standard"]
        declaration = project.declared_standards.active().filter(standard_id=standard_id).first()
        if declaration is None:
            raise NotFound(_("The project does not declare this standard."))
        withdrawn = services.project_withdraw_standard(actor=self.actor, declaration=declaration)
        return self.respond(withdrawn, s.ProjectStandardSerializer)

    @extend_schema(
        summary="Move the project to another status of the cycle; 409 names every failing guard",
        request=s.TransitionRequestSerializer,
        responses={200: s.ProjectSerializer, **_errors(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, pk: str) -> Response:
        project = self.get_object()
        data = self.validated(s.TransitionRequestSerializer)
        name = _transition_to(project, data["to"])
        services.project_transition(actor=self.actor, project=project, name=name, note=data["note"])
        return self.respond(self.reread(project))

    @extend_schema(
        summary="Where the project can go from here (with who may and what blocks it) and where it has been",
        responses={200: s.TransitionsSerializer, **_errors(404)},
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def transitions(self, request: Request, pk: str) -> Response:
        project = self.get_object()
        body = {
            "status": project.status,
            "available": selectors.available_transitions(self.actor, project),
            "recorded": selectors.project_transitions(project),
        }
        return Response(s.TransitionsSerializer(body).data)

    @extend_schema(
        summary="Each trial round: version, readers' verdict, deviations opened and closed",
        responses={200: s.RoundSerializer(many=True), **_errors(404)},
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def rounds(self, request: Request, pk: str) -> Response:
        project = self.get_object()
        return Response(s.RoundSerializer(selectors.project_rounds(project), many=True).data)

    @extend_schema(
        summary="Every transition, version, trial and correction of the project, in order",
        responses={200: s.TimelineEntrySerializer(many=True), **_errors(404)},
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def timeline(self, request: Request, pk: str) -> Response:
        project = self.get_object()
        return Response(s.TimelineEntrySerializer(project_timeline(self.actor, project), many=True).data)

    @extend_schema(
        summary="Sign-offs given on the project's trials",
        parameters=PAGE_PARAMS,
        responses={200: s.SignoffSerializer(many=True), **_errors(404)},
    )
    @action(detail=True, methods=["get"], serializer_class=s.SignoffSerializer, filter_backends=[])
    def signoffs(self, request: Request, pk: str) -> Response:
        project = self.get_object()
        page = self.paginate_queryset(selectors.signoff_list_for(self.actor, project))
        return self.get_paginated_response(s.SignoffSerializer(page, many=True).data)

    @extend_schema(
        summary="Sign the running trial's outcome (lead library managers, or a government funder's managers)",
        request=s.SignoffCreateSerializer,
        responses={201: s.SignoffSerializer, **_errors(400, 403, 404, 409)},
    )
    @signoffs.mapping.post
    def sign(self, request: Request, pk: str) -> Response:
        project = self.get_object()
        note = self.validated(s.SignoffCreateSerializer)["note"]
        signoff = services.signoff_give(actor=self.actor, project=project, note=note)
        return self.respond(signoff, s.SignoffSerializer, created=True)


# --- milestones ------------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Milestones of the projects the actor sees"),
    retrieve=extend_schema(summary="One milestone", responses={200: s.MilestoneSerializer, **_errors(404)}),
)
class MilestoneViewSet(ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Dated steps of a project."""

    serializer_class = s.MilestoneSerializer
    filterset_class = filters.MilestoneFilter
    ordering_fields = ("due_on", "created_at")
    selector = staticmethod(selectors.milestone_list_for)

    @extend_schema(
        summary="Add a milestone (the lead library's staff)",
        request=s.MilestoneCreateSerializer,
        responses={201: s.MilestoneSerializer, **_errors(400, 403, 409)},
    )
    @idempotent
    def create(self, request: Request) -> Response:
        return self.respond(
            services.milestone_add(actor=self.actor, **self.validated(s.MilestoneCreateSerializer)), created=True
        )

    @extend_schema(
        summary="Mark a milestone done (the lead library's staff or the provider)",
        request=None,
        responses={200: s.MilestoneSerializer, **_errors(403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: str) -> Response:
        return self.respond(services.milestone_complete(actor=self.actor, milestone=self.get_object()))

    @extend_schema(
        summary="Accept a done milestone (managers of the project's funder or guiding government); "
        "its tranches can then be released",
        request=None,
        responses={200: s.MilestoneSerializer, **_errors(403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str) -> Response:
        return self.respond(funding.milestone_accept(actor=self.actor, milestone=self.get_object()))

    @extend_schema(
        summary="Archive a milestone set by mistake (the lead library's staff)",
        request=None,
        responses={200: s.MilestoneSerializer, **_errors(403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def archive(self, request: Request, pk: str) -> Response:
        return self.respond(services.milestone_archive(actor=self.actor, milestone=self.get_object()))


# --- deliverables ----------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Deliverables of the projects the actor sees, each with its versions"),
    retrieve=extend_schema(summary="One deliverable", responses={200: s.DeliverableSerializer, **_errors(404)}),
)
class DeliverableViewSet(ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """What the provider builds, and the versions it releases."""

    serializer_class = s.DeliverableSerializer
    filterset_class = filters.DeliverableFilter
    ordering_fields = ("created_at", "title")
    parser_classes = UPLOAD_PARSERS
    selector = staticmethod(selectors.deliverable_list_for)

    @extend_schema(
        summary="Name a deliverable (the lead library's staff or the provider)",
        request=s.DeliverableCreateSerializer,
        responses={201: s.DeliverableSerializer, **_errors(400, 403, 409)},
    )
    @idempotent
    def create(self, request: Request) -> Response:
        deliverable = services.deliverable_create(actor=self.actor, **self.validated(s.DeliverableCreateSerializer))
        return self.respond(self.reread(deliverable), created=True)

    @extend_schema(
        summary="Upload the next version (the provider, while developing); multipart, at most 50 MB",
        request={"multipart/form-data": s.VersionUploadSerializer},
        responses={201: s.VersionSerializer, **_errors(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"], serializer_class=s.VersionSerializer)
    def versions(self, request: Request, pk: str) -> Response:
        deliverable = self.get_object()
        data = self.validated(s.VersionUploadSerializer)
        version = services.deliverable_version_upload(actor=self.actor, deliverable=deliverable, **data)
        return self.respond(version, s.VersionSerializer, created=True)

    @extend_schema(
        summary="Set aside a deliverable not in a trial (the lead library's staff); its versions stay on record",
        request=None,
        responses={200: s.DeliverableSerializer, **_errors(403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def archive(self, request: Request, pk: str) -> Response:
        deliverable = self.get_object()
        archived = services.deliverable_archive(actor=self.actor, deliverable=deliverable)
        archived.version_list = deliverable.version_list  # type: ignore[attr-defined]  # as listed before
        return self.respond(archived)


# --- trials ----------------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Trials of visible projects; readers see the trials they are invited to"),
    retrieve=extend_schema(summary="One trial", responses={200: s.TrialSerializer, **_errors(404)}),
)
class TrialViewSet(ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Readers try a delivered version, judged against acceptance criteria."""

    serializer_class = s.TrialSerializer
    filterset_class = filters.TrialFilter
    ordering_fields = ("created_at", "starts_on")
    selector = staticmethod(selectors.trial_list_for)

    @extend_schema(
        summary="Plan a reader trial of a delivered version, with criteria and invited readers (library staff)",
        request=s.TrialPlanSerializer,
        responses={201: s.TrialSerializer, **_errors(400, 403, 409)},
    )
    @idempotent
    def create(self, request: Request) -> Response:
        trial = services.trial_plan(actor=self.actor, **self.validated(s.TrialPlanSerializer))
        return self.respond(self.reread(trial), created=True)

    @extend_schema(
        summary="Invite more readers who agreed to trials (the lead library's staff)",
        request=s.TrialInviteSerializer,
        responses={200: s.InvitedCountSerializer, **_errors(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def invite(self, request: Request, pk: str) -> Response:
        trial = self.get_object()
        readers = self.validated(s.TrialInviteSerializer)["readers"]
        invited = services.trial_invite_readers(actor=self.actor, trial=trial, readers=readers)
        return Response(s.InvitedCountSerializer({"invited": invited}).data)

    @extend_schema(
        summary="Give your verdict on a running trial (invited readers, once)",
        request=s.TrialRespondSerializer,
        responses={201: s.TrialResponseSerializer, **_errors(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"], url_path="respond", serializer_class=s.TrialResponseSerializer)
    def reader_response(self, request: Request, pk: str) -> Response:
        trial = self.get_object()
        answer = services.trial_respond(actor=self.actor, trial=trial, **self.validated(s.TrialRespondSerializer))
        return self.respond(answer, s.TrialResponseSerializer, created=True)

    @extend_schema(
        summary="The trial's results against its acceptance criteria (the project's parties)",
        responses={200: s.TrialResultSerializer, **_errors(404)},
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def results(self, request: Request, pk: str) -> Response:
        trial = self.get_object()
        # Readers see the trials they are in, not how others judged them.
        if not selectors.visible_projects(self.actor).filter(pk=trial.project_id).exists():
            raise NotFound()
        return Response(s.TrialResultSerializer(selectors.trial_result(trial)).data)


# --- corrections -------------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Correction requests of visible projects, most urgent first"),
    retrieve=extend_schema(summary="One correction request", responses={200: s.CorrectionSerializer, **_errors(404)}),
)
class CorrectionViewSet(ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Deviations sent back to the provider, answered, and verified in a later trial."""

    serializer_class = s.CorrectionSerializer
    filterset_class = filters.CorrectionFilter
    ordering_fields = ("due_on", "created_at", "severity")
    selector = staticmethod(selectors.correction_list_for)

    @extend_schema(
        summary="Send a deviation to the provider (the lead library's staff)",
        request=s.CorrectionRaiseSerializer,
        responses={201: s.CorrectionSerializer, **_errors(400, 403, 409)},
    )
    @idempotent
    def create(self, request: Request) -> Response:
        correction = services.correction_raise(actor=self.actor, **self.validated(s.CorrectionRaiseSerializer))
        return self.respond(self.reread(correction), created=True)

    @extend_schema(
        summary="Say how the deviation was corrected (the provider)",
        request=s.CorrectionAnswerSerializer,
        responses={200: s.CorrectionSerializer, **_errors(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def answer(self, request: Request, pk: str) -> Response:
        correction = self.get_object()
        services.correction_answer(
            actor=self.actor, correction=correction, **self.validated(s.CorrectionAnswerSerializer)
        )
        return self.respond(self.reread(correction))

    @extend_schema(
        summary="Confirm in a later running trial that the deviation is gone (the lead library's staff)",
        request=s.CorrectionVerifySerializer,
        responses={200: s.CorrectionSerializer, **_errors(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def verify(self, request: Request, pk: str) -> Response:
        correction = self.get_object()
        services.correction_verify(
            actor=self.actor, correction=correction, **self.validated(s.CorrectionVerifySerializer)
        )
        return self.respond(self.reread(correction))


# --- training ------------------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Training programmes of the actor's alliances and those it runs"),
    retrieve=extend_schema(summary="One programme", responses={200: s.TrainingProgramSerializer, **_errors(404)}),
)
class TrainingProgramViewSet(ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Universities and research institutes train the alliance's library staff."""

    serializer_class = s.TrainingProgramSerializer
    filterset_class = filters.TrainingProgramFilter
    ordering_fields = ("created_at", "title")
    selector = staticmethod(selectors.training_program_list_for)

    @extend_schema(
        summary="Offer a programme (the trainer's people or the lead library's managers)",
        request=s.TrainingProgramCreateSerializer,
        responses={201: s.TrainingProgramSerializer, **_errors(400, 403, 409)},
    )
    @idempotent
    def create(self, request: Request) -> Response:
        program = services.training_program_create(
            actor=self.actor, **self.validated(s.TrainingProgramCreateSerializer)
        )
        return self.respond(self.reread(program), created=True)

    @extend_schema(
        summary="Add a session (the trainer's people)",
        request=s.TrainingSessionCreateSerializer,
        responses={201: s.TrainingSessionSerializer, **_errors(400, 403, 404, 409)},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="sessions",
        serializer_class=s.TrainingSessionSerializer,
        filter_backends=[],
    )
    def add_session(self, request: Request, pk: str) -> Response:
        program = self.get_object()
        data = self.validated(s.TrainingSessionCreateSerializer)
        session = services.training_session_add(actor=self.actor, program=program, **data)
        return self.respond(session, s.TrainingSessionSerializer, created=True)

    @extend_schema(
        summary="The programme's sessions",
        parameters=PAGE_PARAMS,
        responses={200: s.TrainingSessionSerializer(many=True), **_errors(404)},
    )
    @add_session.mapping.get
    def sessions(self, request: Request, pk: str) -> Response:
        program = self.get_object()
        page = self.paginate_queryset(program.sessions.active().order_by("starts_at", "id"))
        return self.get_paginated_response(s.TrainingSessionSerializer(page, many=True).data)

    @extend_schema(
        summary="Enrol yourself, or a member of your library (its managers)",
        request=s.EnrolSerializer,
        responses={201: s.TrainingEnrolmentSerializer, **_errors(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"], serializer_class=s.TrainingEnrolmentSerializer)
    def enrol(self, request: Request, pk: str) -> Response:
        program = self.get_object()
        trainee = self.validated(s.EnrolSerializer).get("trainee") or request.user
        enrolment = services.training_enrol(actor=self.actor, program=program, trainee=trainee)
        reread = selectors.training_enrolment_list_for(self.actor).get(pk=enrolment.pk)
        return self.respond(reread, s.TrainingEnrolmentSerializer, created=True)

    @extend_schema(
        summary="Close a programme (the trainer's people or the lead library's managers)",
        request=None,
        responses={200: s.TrainingProgramSerializer, **_errors(403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def archive(self, request: Request, pk: str) -> Response:
        program = self.get_object()
        archived = services.training_program_archive(actor=self.actor, program=program)
        # The list shows active programmes only; the answer keeps the counts it had.
        for name in ("session_count", "enrolment_count", "completed_count"):
            setattr(archived, name, getattr(program, name))
        return self.respond(archived)


@extend_schema_view(
    list=extend_schema(summary="Your enrolments, those of programmes you run, and your library's staff's"),
    retrieve=extend_schema(summary="One enrolment", responses={200: s.TrainingEnrolmentSerializer, **_errors(404)}),
)
class TrainingEnrolmentViewSet(ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Trainees of a programme, their attendance and completion."""

    serializer_class = s.TrainingEnrolmentSerializer
    filterset_class = filters.TrainingEnrolmentFilter
    ordering_fields = ("created_at", "completed_at")
    selector = staticmethod(selectors.training_enrolment_list_for)

    @extend_schema(
        summary="Record whether the trainee attended a session (the trainer's people)",
        request=s.AttendanceRecordSerializer,
        responses={200: s.AttendanceSerializer, **_errors(400, 403, 404)},
    )
    @action(detail=True, methods=["post"], serializer_class=s.AttendanceSerializer)
    def attendance(self, request: Request, pk: str) -> Response:
        enrolment = self.get_object()
        data = self.validated(s.AttendanceRecordSerializer)
        record = services.training_record_attendance(actor=self.actor, enrolment=enrolment, **data)
        return self.respond(record, s.AttendanceSerializer)

    @extend_schema(
        summary="Mark the trainee complete once enough sessions were attended (the trainer's people)",
        request=None,
        responses={200: s.TrainingEnrolmentSerializer, **_errors(403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: str) -> Response:
        enrolment = self.get_object()
        services.training_complete(actor=self.actor, enrolment=enrolment)
        return self.respond(self.reread(enrolment))


# --- guidance and compliance ------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Policies and standards in force (?kind=policy|standard, ?archived=true)"),
    retrieve=extend_schema(summary="One policy or standard", responses={200: s.GuidanceSerializer, **_errors(404)}),
)
class GuidanceViewSet(_ArchivableList, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Policies from government bodies and standards from government bodies and research institutes."""

    serializer_class = s.GuidanceSerializer
    filterset_class = filters.GuidanceFilter
    ordering_fields = ("effective_on", "created_at", "title")
    parser_classes = UPLOAD_PARSERS

    @staticmethod
    def selector(actor: Actor) -> QuerySet[Any]:
        return selectors.guidance_list_for(actor, include_archived=True)

    @extend_schema(
        summary="Issue a policy (government) or a standard (government or research); multipart for a document",
        request={"multipart/form-data": s.GuidanceIssueSerializer, "application/json": s.GuidanceIssueSerializer},
        responses={201: s.GuidanceSerializer, **_errors(400, 403, 409)},
    )
    @idempotent
    def create(self, request: Request) -> Response:
        document = services.guidance_issue(actor=self.actor, **self.validated(s.GuidanceIssueSerializer))
        return self.respond(self.reread(document), created=True)

    @extend_schema(
        summary="Withdraw a policy or standard (the issuer's managers)",
        request=None,
        responses={200: s.GuidanceSerializer, **_errors(403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def archive(self, request: Request, pk: str) -> Response:
        document = self.get_object()
        services.guidance_archive(actor=self.actor, document=document)
        return self.respond(self.reread(document))


@extend_schema_view(
    list=extend_schema(summary="For a government body: projects it guides or funds, with their declared standards"),
)
class ComplianceViewSet(ScopedViewSet, mixins.ListModelMixin):
    """What a guiding or funding government body supervises."""

    serializer_class = s.ComplianceSerializer
    filterset_class = filters.ComplianceFilter
    ordering_fields = ("created_at", "title")
    selector = staticmethod(selectors.government_compliance)

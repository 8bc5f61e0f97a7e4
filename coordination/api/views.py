"""The coordination API: reads through coordination.selectors, writes through coordination.services.

Visibility decides 404 (a missing and a forbidden object look the same); an id in a body that the actor
cannot see is a 400 on that field; a visible object the actor may not change answers 403 with the
service's message; a state that does not allow the change answers 409. There is no DELETE.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from alliance.selectors import visible_alliances, visible_projects
from coordination import selectors, services
from coordination.models import ActionItem, AgendaItem, MeetingAttendee
from core.api.idempotency import idempotent
from core.api.schema import errors as _errors
from core.api.viewsets import ScopedViewSet
from core.exceptions import DomainError
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


def _pick_many(qs: QuerySet[Any], ids: list[int], field: str) -> list[Any]:
    found = {o.pk: o for o in qs.filter(pk__in=ids)}
    unknown = sorted(set(ids) - set(found))
    if unknown:
        raise DomainError(
            _("Not found: %(field)s %(pk)s.") % {"field": field, "pk": ", ".join(map(str, unknown))},
            fields={field: [_("Not found.")]},
        )
    return [found[i] for i in dict.fromkeys(ids)]


def _organizations() -> QuerySet[Organization]:
    # Whether an organisation may be invited is the service's rule (a member of the alliance).
    return Organization.objects.filter(archived_at__isnull=True)


def _people() -> QuerySet[Any]:
    return get_user_model().objects.filter(is_active=True)


@extend_schema_view(
    list=extend_schema(summary="Meetings the actor may see (invited, organised, or open to their alliance)"),
    retrieve=extend_schema(
        summary="One meeting with agenda, decisions, action items and attendees",
        responses={200: s.MeetingDetailSerializer, **_errors(404)},
    ),
)
class MeetingViewSet(ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Joint conferences, project reviews, workshops and trainings of alliances."""

    serializer_class = s.MeetingSerializer
    filterset_class = filters.MeetingFilter
    ordering_fields = ("starts_at", "created_at")

    @staticmethod
    def selector(actor: Actor) -> QuerySet[Any]:
        return selectors.meeting_list_for(actor, include_archived=True)

    def get_queryset(self) -> QuerySet[Any]:
        qs = super().get_queryset()
        if self.action == "list":
            return qs.filter(archived_at__isnull=True)
        if self.action == "retrieve":
            actions = ActionItem.objects.select_related("owner", "owner_organization").order_by("due_on", "id")
            attendees = MeetingAttendee.objects.select_related("user").order_by("id")
            qs = qs.prefetch_related(
                Prefetch("agenda_items", queryset=AgendaItem.objects.active()),
                "decisions",
                Prefetch("action_items", queryset=actions),
                Prefetch("attendees", queryset=attendees),
            )
        return qs

    def get_serializer_class(self) -> Any:
        return s.MeetingDetailSerializer if self.action == "retrieve" else s.MeetingSerializer

    def _detail(self, meeting: Any) -> Response:
        self.action = "retrieve"
        return self.respond(self.reread(meeting), s.MeetingDetailSerializer)

    @extend_schema(
        summary="Schedule a meeting (or a weekly/monthly series) and invite organisations and people",
        request=s.MeetingCreateSerializer,
        responses={201: s.MeetingSerializer, **_errors(400, 403, 409)},
    )
    @idempotent
    def create(self, request: Request) -> Response:
        data = self.validated(s.MeetingCreateSerializer)
        alliance = _pick(visible_alliances(self.actor), data.pop("alliance"), "alliance")
        project = _pick(visible_projects(self.actor), data.pop("project", None), "project")
        meeting = services.meeting_schedule(
            actor=self.actor,
            alliance=alliance,
            project=project,
            organizations=_pick_many(_organizations(), data.pop("organizations"), "organizations"),
            people=_pick_many(_people(), data.pop("people"), "people"),
            timezone_name=data.pop("timezone"),
            **data,
        )
        return self.respond(self.reread(meeting), s.MeetingSerializer, created=True)

    @extend_schema(
        summary="Change the meeting (organiser's staff); a new time or place tells the invited",
        request=s.MeetingUpdateSerializer,
        responses={200: s.MeetingSerializer, **_errors(400, 403, 404, 409)},
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        meeting = self.get_object()
        services.meeting_update(actor=self.actor, meeting=meeting, **self.validated_partial(s.MeetingUpdateSerializer))
        return self.respond(self.reread(meeting), s.MeetingSerializer)

    @extend_schema(
        summary="Invite more organisations of the alliance, or people of invited organisations (organiser)",
        request=s.InviteSerializer,
        responses={200: s.MeetingSerializer, **_errors(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def invite(self, request: Request, pk: str) -> Response:
        meeting = self.get_object()
        data = self.validated(s.InviteSerializer)
        services.meeting_invite(
            actor=self.actor,
            meeting=meeting,
            organizations=_pick_many(_organizations(), data["organizations"], "organizations"),
            people=_pick_many(_people(), data["people"], "people"),
        )
        return self.respond(self.reread(meeting), s.MeetingSerializer)

    @extend_schema(
        summary="Register to attend (anyone who sees the meeting, for an invited organisation)",
        request=None,
        responses={200: s.AttendeeSerializer, **_errors(403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def register(self, request: Request, pk: str) -> Response:
        attendee = services.meeting_register(actor=self.actor, meeting=self.get_object())
        return self.respond(attendee, s.AttendeeSerializer)

    @extend_schema(
        summary="Record who attended (organiser)",
        request=s.AttendanceSerializer,
        responses={200: s.MeetingDetailSerializer, **_errors(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def attendance(self, request: Request, pk: str) -> Response:
        meeting = self.get_object()
        data = self.validated(s.AttendanceSerializer)
        people = _pick_many(_people(), data["people"], "people")
        services.meeting_record_attendance(actor=self.actor, meeting=meeting, people=people)
        return self._detail(meeting)

    @extend_schema(
        summary="Add an agenda item, optionally about a project, need, risk or feedback you can see (organiser)",
        request=s.AgendaItemCreateSerializer,
        responses={201: s.AgendaItemSerializer, **_errors(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def agenda(self, request: Request, pk: str) -> Response:
        meeting = self.get_object()
        item = services.agenda_item_add(
            actor=self.actor, meeting=meeting, **self.validated(s.AgendaItemCreateSerializer)
        )
        return self.respond(item, s.AgendaItemSerializer, created=True)

    @extend_schema(
        methods=["PATCH"],
        summary="Change an agenda item's title, notes or what it is about (organiser); the history keeps the old",
        request=s.AgendaItemUpdateSerializer,
        responses={200: s.AgendaItemSerializer, **_errors(400, 403, 404, 409)},
    )
    @extend_schema(
        methods=["DELETE"],
        summary="Take an item off the agenda (organiser): it is archived and stays in the meeting's history",
        responses={204: None, **_errors(403, 404, 409)},
    )
    @action(detail=True, methods=["patch", "delete"], url_path=r"agenda/(?P<item_id>\d+)")
    def agenda_item(self, request: Request, pk: str, item_id: str) -> Response:
        meeting = self.get_object()
        item = get_object_or_404(AgendaItem.objects.active().filter(meeting=meeting), pk=item_id)
        if request.method == "DELETE":
            services.agenda_item_remove(actor=self.actor, item=item)
            return Response(status=status.HTTP_204_NO_CONTENT)
        item = services.agenda_item_update(
            actor=self.actor, item=item, **self.validated_partial(s.AgendaItemUpdateSerializer)
        )
        return self.respond(item, s.AgendaItemSerializer)

    @extend_schema(
        summary="Record the minutes with decisions and action items (organiser); owners are told",
        request=s.MinutesSerializer,
        responses={200: s.MeetingDetailSerializer, **_errors(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def minutes(self, request: Request, pk: str) -> Response:
        meeting = self.get_object()
        data = self.validated(s.MinutesSerializer)
        items = []
        for n, spec in enumerate(data["action_items"]):
            field = f"action_items[{n}]"
            items.append(
                {
                    **spec,
                    "owner": _pick(_people(), spec["owner"], field),
                    "owner_organization": _pick(_organizations(), spec["owner_organization"], field),
                }
            )
        services.meeting_record_minutes(
            actor=self.actor, meeting=meeting, minutes=data["minutes"], decisions=data["decisions"], action_items=items
        )
        return self._detail(meeting)

    @extend_schema(
        summary="Cancel a scheduled meeting (organiser); the invited are told",
        request=None,
        responses={200: s.MeetingSerializer, **_errors(403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        meeting = self.get_object()
        services.meeting_cancel(actor=self.actor, meeting=meeting)
        return self.respond(self.reread(meeting), s.MeetingSerializer)


@extend_schema_view(
    list=extend_schema(summary="Action items of meetings the actor sees, and those they or their organisations own"),
    retrieve=extend_schema(summary="One action item", responses={200: s.ActionItemSerializer, **_errors(404)}),
)
class ActionItemViewSet(ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    serializer_class = s.ActionItemSerializer
    filterset_class = filters.ActionItemFilter
    ordering_fields = ("due_on", "created_at")
    selector = staticmethod(selectors.action_item_list_for)

    @extend_schema(
        summary="Mark done or cancelled, or move the due date (owner, their organisation, or the organiser)",
        request=s.ActionItemUpdateSerializer,
        responses={200: s.ActionItemSerializer, **_errors(400, 403, 404, 409)},
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        item = self.get_object()
        services.action_item_update(actor=self.actor, item=item, **self.validated(s.ActionItemUpdateSerializer))
        return self.respond(self.reread(item))


@extend_schema_view(
    list=extend_schema(summary="Research plans the actor's organisations lead or take part in"),
    retrieve=extend_schema(
        summary="One research plan with its signatures", responses={200: s.ResearchPlanSerializer, **_errors(404)}
    ),
)
class ResearchPlanViewSet(ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Joint research plans: active only when every participating organisation has signed the current version."""

    serializer_class = s.ResearchPlanSerializer
    filterset_class = filters.ResearchPlanFilter
    ordering_fields = ("created_at", "title")
    selector = staticmethod(selectors.plan_list_for)

    @extend_schema(
        summary="Draft a research plan for the alliance (lead organisation's staff); participants are asked to sign",
        request=s.PlanCreateSerializer,
        responses={201: s.ResearchPlanSerializer, **_errors(400, 403, 409)},
    )
    @idempotent
    def create(self, request: Request) -> Response:
        data = self.validated(s.PlanCreateSerializer)
        alliance = _pick(visible_alliances(self.actor), data.pop("alliance"), "alliance")
        lead = _pick(_organizations(), data.pop("lead_organization"), "lead_organization")
        participants = _pick_many(_organizations(), data.pop("participants"), "participants")
        plan = services.plan_create(
            actor=self.actor, alliance=alliance, lead_organization=lead, participants=participants, **data
        )
        return self.respond(self.reread(plan), created=True)

    @extend_schema(
        summary="Change the plan or add milestones and outputs (lead's staff); after a signature all sign again",
        request=s.PlanUpdateSerializer,
        responses={200: s.ResearchPlanSerializer, **_errors(400, 403, 404, 409)},
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        plan = self.get_object()
        services.plan_update(actor=self.actor, plan=plan, **self.validated_partial(s.PlanUpdateSerializer))
        return self.respond(self.reread(plan))

    @extend_schema(
        summary="Sign the current version for a participating organisation (its managers)",
        request=s.PlanSignSerializer,
        responses={200: s.ResearchPlanSerializer, **_errors(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def sign(self, request: Request, pk: str) -> Response:
        plan = self.get_object()
        data = self.validated(s.PlanSignSerializer)
        organization = _pick(_organizations(), data["organization"], "organization")
        services.plan_sign(actor=self.actor, plan=plan, organization=organization)
        return self.respond(self.reread(plan))

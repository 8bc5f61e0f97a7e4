"""The feedback API: reads through feedback.selectors, writes through feedback.services.

Submitting feedback and survey answers is open to kiosks, mini-programs and library systems (their
integration token), to signed-in readers and, where the library allows it, to anonymous visitors; those
two operations are throttled per integration/user (scope ``feedback-submit``) and per client address for
anonymous callers (scope ``feedback-anon``). Partners read what was routed to them through a separate
endpoint whose serializer has no reader fields at all. There is no DELETE: staff hide, never erase.
"""

from __future__ import annotations

from typing import Any

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle, BaseThrottle, ScopedRateThrottle

from alliance.models import Deliverable, Project
from core.api.idempotency import idempotent
from core.api.schema import errors as _errors
from core.api.viewsets import ScopedViewSet
from core.exceptions import DomainError, NotAllowed
from feedback import selectors, services
from feedback.models import Feedback
from stakeholders import privacy

from . import filters
from . import serializers as s


class AnonymousSubmitThrottle(AnonRateThrottle):
    """Anonymous submissions, per client address."""

    scope = "feedback-anon"


class SubmitThrottling:
    """Throttle only the submitting operations: reading and triage follow the global rates."""

    throttle_scope = "feedback-submit"
    submit_action = "create"

    def get_throttles(self) -> list[BaseThrottle]:
        if getattr(self, "action", None) == self.submit_action:
            return [ScopedRateThrottle(), AnonymousSubmitThrottle()]
        return super().get_throttles()  # type: ignore[misc]


def _moved(view: ScopedViewSet, feedback: Feedback) -> Response:
    return view.respond(view.reread(feedback))


# --- feedback -------------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Feedback: a reader's own; staff their library's (filters, `q` searches the text)",
    ),
    retrieve=extend_schema(summary="One feedback", responses={200: s.FeedbackSerializer, **_errors(404)}),
)
class FeedbackViewSet(SubmitThrottling, ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Reader feedback and its path: submit, triage, route, answer, resolve, confirm or reopen."""

    filterset_class = filters.FeedbackFilter
    ordering_fields = ("created_at", "status", "rating", "sla_due_at", "support_count")
    parser_classes = (JSONParser, MultiPartParser, FormParser)
    selector = staticmethod(selectors.feedback_list_for)

    def get_permissions(self) -> Any:
        if self.action == "create":
            return [AllowAny()]
        return super().get_permissions()

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        feedback = self.get_object()
        if self.actor.writes_for(feedback.library_id):  # staff see who gave it: logged
            privacy.access_log(self.actor, feedback.reader, "feedback detail (API)", request)
        return Response(self.get_serializer(feedback).data)

    def get_serializer_class(self) -> Any:
        # Staff see the reader and the triage fields; a reader (no library membership) sees their own view.
        if self.actor.library_ids or self.actor.is_superuser:
            return s.FeedbackSerializer
        return s.MyFeedbackSerializer

    def _visible(self, ids: list[int]) -> list[Feedback]:
        rows = list(self.get_queryset().filter(pk__in=ids))
        if len(rows) != len(set(ids)):
            raise DomainError(_("Some of the feedback does not exist."), fields={"feedback": [_("Unknown id.")]})
        return rows

    @extend_schema(
        summary="Give feedback (readers; kiosks and library systems with their token; anonymous where allowed)",
        request={"multipart/form-data": s.FeedbackSubmitSerializer, "application/json": s.FeedbackSubmitSerializer},
        responses={201: s.MyFeedbackSerializer, **_errors(400, 403, 429)},
    )
    @idempotent
    def create(self, request: Request) -> Response:
        feedback = services.feedback_submit(actor=self.actor, **self.validated(s.FeedbackSubmitSerializer))
        if not self.actor.is_authenticated:
            # An anonymous giver cannot read it back; the id lets a kiosk refer to it.
            return Response({"id": feedback.pk, "status": feedback.status}, status=status.HTTP_201_CREATED)
        return self.respond(self.reread(feedback), created=True)

    @extend_schema(
        summary="Categorise, tag and name who is responsible (staff); new or reopened feedback becomes triaged",
        request=s.TriageSerializer,
        responses={200: s.FeedbackSerializer, **_errors(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def triage(self, request: Request, pk: str) -> Response:
        data = self.validated(s.TriageSerializer)
        return _moved(self, services.feedback_triage(actor=self.actor, feedback=self.get_object(), **data))

    @extend_schema(
        summary="Answer the reader (staff)",
        request=s.AnswerSerializer,
        responses={200: s.FeedbackSerializer, **_errors(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def answer(self, request: Request, pk: str) -> Response:
        data = self.validated(s.AnswerSerializer)
        return _moved(self, services.feedback_answer(actor=self.actor, feedback=self.get_object(), **data))

    @extend_schema(
        summary="Resolve (staff); the reader is asked whether it is solved",
        request=s.ResolveSerializer,
        responses={200: s.FeedbackSerializer, **_errors(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, pk: str) -> Response:
        data = self.validated(s.ResolveSerializer)
        return _moved(self, services.feedback_resolve(actor=self.actor, feedback=self.get_object(), **data))

    @extend_schema(
        summary="Solved: the reader confirms",
        request=None,
        responses={200: s.MyFeedbackSerializer, **_errors(403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str) -> Response:
        return _moved(self, services.feedback_confirm(actor=self.actor, feedback=self.get_object()))

    @extend_schema(
        summary="Not solved: the reader reopens it",
        request=s.ReopenSerializer,
        responses={200: s.MyFeedbackSerializer, **_errors(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, pk: str) -> Response:
        reason = self.validated(s.ReopenSerializer)["reason"]
        return _moved(self, services.feedback_reopen(actor=self.actor, feedback=self.get_object(), reason=reason))

    @extend_schema(
        summary="Hide abusive content (staff); the text and who hid it are kept",
        request=s.HideSerializer,
        responses={200: s.FeedbackSerializer, **_errors(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def hide(self, request: Request, pk: str) -> Response:
        reason = self.validated(s.HideSerializer)["reason"]
        return _moved(self, services.feedback_hide(actor=self.actor, feedback=self.get_object(), reason=reason))

    @extend_schema(
        summary="Merge duplicates into this feedback (staff)",
        request=s.MergeSerializer,
        responses={200: s.FeedbackSerializer, **_errors(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def merge(self, request: Request, pk: str) -> Response:
        primary = self.get_object()
        duplicates = self._visible(self.validated(s.MergeSerializer)["duplicates"])
        return _moved(self, services.feedback_merge(actor=self.actor, primary=primary, duplicates=duplicates))

    @extend_schema(
        summary="Likely duplicates by text similarity (staff)",
        responses={200: s.SimilarSerializer(many=True), **_errors(403, 404)},
    )
    @action(detail=True, methods=["get"])
    def similar(self, request: Request, pk: str) -> Response:
        feedback = self.get_object()
        if not self.actor.writes_for(feedback.library_id):
            raise _staff_only()
        return Response(s.SimilarSerializer(selectors.feedback_similar(feedback), many=True).data)

    @extend_schema(
        summary="The recorded path of the feedback, oldest first",
        responses={200: s.FeedbackTransitionSerializer(many=True), **_errors(404)},
    )
    @action(detail=True, methods=["get"])
    def transitions(self, request: Request, pk: str) -> Response:
        rows = selectors.feedback_transitions(self.get_object())
        return Response(s.FeedbackTransitionSerializer(rows, many=True).data)

    @extend_schema(
        summary="Bulk: categorise and tag, or link to a library need as evidence (staff)",
        request=s.BulkSerializer,
        responses={200: s.FeedbackCountSerializer, **_errors(400, 403, 409)},
    )
    @action(detail=False, methods=["post"])
    def bulk(self, request: Request) -> Response:
        data = self.validated(s.BulkSerializer)
        rows = self._visible(data["feedback"])
        if data["action"] == "link_need":
            count = services.feedback_link_need(actor=self.actor, feedback=rows, need=data["need"])
        else:
            count = services.feedback_categorise(
                actor=self.actor, feedback=rows, theme=data.get("theme"), add_tags=data.get("add_tags", [])
            )
        return Response({"count": count})

    @extend_schema(
        summary="Route feedback to a project's provider as one correction request, without reader identity (staff)",
        request=s.RouteSerializer,
        responses={201: s.CorrectionCreatedSerializer, **_errors(400, 403, 409)},
    )
    @action(detail=False, methods=["post"])
    def route(self, request: Request) -> Response:
        data = self.validated(s.RouteSerializer)
        rows = self._visible(data.pop("feedback"))
        correction = services.feedback_route(actor=self.actor, feedback=rows, **data)
        return Response({"correction": correction.pk, "routed": len(rows)}, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Insight over the feedback the caller may see (staff): volume, satisfaction, speed, outcomes",
        parameters=[
            OpenApiParameter("library", OpenApiTypes.INT),
            OpenApiParameter("project", OpenApiTypes.INT),
            OpenApiParameter("deliverable", OpenApiTypes.INT),
            OpenApiParameter("since", OpenApiTypes.DATETIME),
            OpenApiParameter("until", OpenApiTypes.DATETIME),
            OpenApiParameter("period", OpenApiTypes.STR, enum=["day", "week", "month"]),
        ],
        responses={200: s.InsightsSerializer, **_errors(400, 403)},
    )
    @action(detail=False, methods=["get"])
    def insights(self, request: Request) -> Response:
        if not (self.actor.library_ids or self.actor.is_superuser):
            raise _staff_only()
        params = request.query_params
        try:
            library_id = int(params["library"]) if params.get("library") else None
            project = Project.objects.get(pk=int(params["project"])) if params.get("project") else None
            deliverable = Deliverable.objects.get(pk=int(params["deliverable"])) if params.get("deliverable") else None
        except (ValueError, Project.DoesNotExist, Deliverable.DoesNotExist) as exc:
            raise DomainError(_("Unknown library, project or deliverable.")) from exc
        data = selectors.feedback_insights(
            self.actor,
            library_id=library_id,
            project=project,
            deliverable=deliverable,
            since=parse_datetime(params["since"]) if params.get("since") else None,
            until=parse_datetime(params["until"]) if params.get("until") else None,
            period=params.get("period", "month"),
        )
        return Response(s.InsightsSerializer(data).data)


def _staff_only() -> DomainError:
    return NotAllowed(_("Only the library's staff may do this."))


# --- partners, public needs -------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Feedback routed to the caller's organisation, without reader identity"),
    retrieve=extend_schema(summary="One routed feedback", responses={200: s.PartnerFeedbackSerializer, **_errors(404)}),
)
class PartnerFeedbackViewSet(ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """What partners (providers) see of reader feedback: the words and context, never who said them."""

    serializer_class = s.PartnerFeedbackSerializer
    filterset_class = filters.PartnerFeedbackFilter
    ordering_fields = ("created_at", "status", "rating")
    selector = staticmethod(selectors.partner_feedback_list_for)


@extend_schema_view(list=extend_schema(summary="Public needs readers may support (anonymous)"))
class PublicNeedViewSet(ScopedViewSet, mixins.ListModelMixin):
    """Readers' public needs of the caller's library, most supported first."""

    serializer_class = s.PublicNeedSerializer
    ordering_fields = ("created_at", "support_count")
    selector = staticmethod(selectors.public_need_list_for)

    @extend_schema(
        summary='Support this need: "me too" (readers, once each)',
        request=None,
        responses={201: s.PublicNeedSerializer, **_errors(403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def support(self, request: Request, pk: str) -> Response:
        need = self.get_object()
        services.feedback_support(actor=self.actor, feedback=need)
        return self.respond(self.reread(need), created=True)


# --- surveys ---------------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Surveys: staff their library's, readers the open ones of their library"),
    retrieve=extend_schema(
        summary="One survey with its questions", responses={200: s.SurveySerializer, **_errors(404)}
    ),
)
class SurveyViewSet(SubmitThrottling, ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Questionnaires of a library, on their own or about a trial; readers answer once."""

    serializer_class = s.SurveySerializer
    submit_action = "answer"
    filterset_class = filters.SurveyFilter
    ordering_fields = ("created_at", "title")
    selector = staticmethod(selectors.survey_list_for)

    def get_permissions(self) -> Any:
        # Anonymous kiosks read open surveys and answer them where the library accepts anonymous feedback.
        if self.action in ("list", "retrieve", "answer"):
            return [AllowAny()]
        return super().get_permissions()

    @extend_schema(
        summary="Build a survey (library staff); it starts as a draft",
        request=s.SurveyCreateSerializer,
        responses={201: s.SurveySerializer, **_errors(400, 403)},
    )
    @idempotent
    def create(self, request: Request) -> Response:
        survey = services.survey_create(actor=self.actor, **self.validated(s.SurveyCreateSerializer))
        return self.respond(self.reread(survey), created=True)

    @extend_schema(summary="Open a draft survey (staff)", request=None, responses={200: s.SurveySerializer, **_errors(403, 404, 409)})  # fmt: skip
    @action(detail=True, methods=["post"])
    def open(self, request: Request, pk: str) -> Response:
        return self.respond(self.reread(services.survey_open(actor=self.actor, survey=self.get_object())))

    @extend_schema(summary="Close an open survey (staff)", request=None, responses={200: s.SurveySerializer, **_errors(403, 404, 409)})  # fmt: skip
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str) -> Response:
        return self.respond(self.reread(services.survey_close(actor=self.actor, survey=self.get_object())))

    @extend_schema(
        summary="Answer a survey (readers once; kiosks and library systems name the respondent)",
        request=s.SurveyRespondSerializer,
        responses={201: s.SurveyResponseSerializer, **_errors(400, 403, 404, 409, 429)},
    )
    @action(detail=True, methods=["post"], url_path="respond")
    @idempotent
    def answer(self, request: Request, pk: str) -> Response:
        # Named "answer": ``respond`` is the base class's helper that writes responses.
        data = self.validated(s.SurveyRespondSerializer)
        response = services.survey_respond(actor=self.actor, survey=self.get_object(), **data)
        return Response({"id": response.pk, "survey": response.survey_id}, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Results by question (staff): ratings, choices and text answers",
        responses={200: s.SurveyResultSerializer(many=True), **_errors(403, 404)},
    )
    @action(detail=True, methods=["get"])
    def results(self, request: Request, pk: str) -> Response:
        survey = self.get_object()
        if not self.actor.writes_for(survey.library_id):
            raise _staff_only()
        return Response(s.SurveyResultSerializer(selectors.survey_results(survey), many=True).data)


# --- the library's rules -----------------------------------------------------------------------------------------


@extend_schema_view(list=extend_schema(summary="Feedback policies of the caller's libraries, with service levels"))
class PolicyViewSet(ScopedViewSet, mixins.ListModelMixin):
    """Whether a library accepts anonymous feedback, and how long feedback may stay in each state."""

    serializer_class = s.PolicySerializer
    selector = staticmethod(selectors.policy_list_for)

    @extend_schema(
        summary="Set a library's policy and service levels (its managers); max_hours null removes a limit",
        request=s.PolicyConfigureSerializer,
        responses={200: s.PolicySerializer, **_errors(400, 403)},
    )
    def create(self, request: Request) -> Response:
        data = self.validated(s.PolicyConfigureSerializer)
        levels = {row["status"]: row["max_hours"] for row in data.pop("service_levels")}
        policy = services.policy_configure(actor=self.actor, service_levels=levels, **data)
        return self.respond(self.reread(policy))

"""The community API: discussions and acknowledgements, read through community.selectors, written by services.

A thread or acknowledgement the actor cannot see is a 404; a visible one the actor may not change is a 403
with the service's message; a state that does not allow the change is a 409.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from alliance.selectors import guidance_list_for, visible_alliances
from community import selectors, services
from community.models import Post
from core.api.idempotency import idempotent
from core.api.schema import errors as _errors
from core.api.viewsets import ScopedViewSet
from core.exceptions import DomainError
from stakeholders.models import Organization

from . import serializers as s


def _not_found(field: str, pk: Any) -> DomainError:
    return DomainError(
        _("Not found: %(field)s %(pk)s.") % {"field": field, "pk": pk}, fields={field: [_("Not found.")]}
    )


@extend_schema_view(
    list=extend_schema(
        summary="Discussions the actor sees (alliances' and public topics), most recently active first",
        parameters=[
            OpenApiParameter("q", OpenApiTypes.STR, description="Search titles and posts, in Chinese or English."),
            OpenApiParameter("alliance", OpenApiTypes.INT),
            OpenApiParameter(
                "public", OpenApiTypes.BOOL, description="Only public topics (true) or alliances' (false)."
            ),
        ],
    ),
    retrieve=extend_schema(
        summary="One discussion with its posts", responses={200: s.ThreadDetailSerializer, **_errors(404)}
    ),
)
class ThreadViewSet(ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Threads with replies, mentions that notify, attachments, follows and moderation."""

    serializer_class = s.ThreadSerializer
    selector = staticmethod(selectors.thread_list_for)
    parser_classes = (JSONParser, MultiPartParser, FormParser)
    ordering_fields = ("last_post_at", "created_at", "reply_count")

    def get_queryset(self) -> QuerySet[Any]:
        params = self.request.query_params
        alliance = params.get("alliance")
        public = params.get("public")
        return selectors.thread_list_for(
            self.actor,
            q=params.get("q", "") if self.action == "list" else "",
            alliance_id=int(alliance) if alliance and alliance.isdigit() else None,
            public=None if public is None else public.lower() in {"1", "true", "yes"},
        )

    def get_serializer_class(self) -> Any:
        return s.ThreadDetailSerializer if self.action == "retrieve" else s.ThreadSerializer

    def retrieve(self, request: Request, pk: Any = None) -> Response:
        thread = self.get_object()
        posts = list(selectors.post_list(thread))
        return Response(s.ThreadDetailSerializer(thread, context={"request": request, "posts": posts}).data)

    @extend_schema(
        summary="Start a discussion",
        request=s.ThreadCreateSerializer,
        responses={201: s.ThreadSerializer, **_errors(400, 403)},
    )
    @idempotent
    def create(self, request: Request) -> Response:
        data = self.validated(s.ThreadCreateSerializer)
        alliance = None
        if data.get("alliance") is not None:
            alliance = visible_alliances(self.actor).filter(pk=data["alliance"]).first()
            if alliance is None:
                raise _not_found("alliance", data["alliance"])
        thread = services.thread_start(
            actor=self.actor,
            title=data["title"],
            body=data["body"],
            alliance=alliance,
            attachment=data.get("attachment"),
        )
        return self.respond(self.get_queryset().get(pk=thread.pk), created=True)

    @extend_schema(
        summary="Reply (mentions with @username notify)",
        request=s.ReplySerializer,
        responses={201: s.PostSerializer, **_errors(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def reply(self, request: Request, pk: Any = None) -> Response:
        data = self.validated(s.ReplySerializer)
        post = services.thread_reply(
            actor=self.actor, thread=self.get_object(), body=data["body"], attachment=data.get("attachment")
        )
        post = selectors.post_list(post.thread).get(pk=post.pk)
        return self.respond(post, s.PostSerializer, created=True)

    @extend_schema(
        summary="Follow: replies notify the actor", request=None, responses={200: s.FollowSerializer, **_errors(404)}
    )
    @action(detail=True, methods=["post"])
    def follow(self, request: Request, pk: Any = None) -> Response:
        services.thread_follow(actor=self.actor, thread=self.get_object())
        return Response({"following": True})

    @extend_schema(summary="Stop following", request=None, responses={200: s.FollowSerializer, **_errors(404)})
    @action(detail=True, methods=["post"])
    def unfollow(self, request: Request, pk: Any = None) -> Response:
        services.thread_unfollow(actor=self.actor, thread=self.get_object())
        return Response({"following": False})

    @extend_schema(
        summary="Moderators hide a post with a reason (the opening post hides the thread)",
        request=s.ThreadHideSerializer,
        responses={200: s.PostSerializer, **_errors(400, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def hide(self, request: Request, pk: Any = None) -> Response:
        thread = self.get_object()
        data = self.validated(s.ThreadHideSerializer)
        post = Post.objects.filter(thread=thread, pk=data["post"]).first()
        if post is None:
            raise _not_found("post", data["post"])
        post = services.post_hide(actor=self.actor, post=post, reason=data["reason"])
        return self.respond(selectors.post_list(thread).get(pk=post.pk), s.PostSerializer)


@extend_schema_view(
    list=extend_schema(
        summary="Acknowledgements asked of the actor's organisations, and of others for the documents it issued",
        parameters=[
            OpenApiParameter("document", OpenApiTypes.INT),
            OpenApiParameter("acknowledged", OpenApiTypes.BOOL),
        ],
    ),
    retrieve=extend_schema(summary="One acknowledgement", responses={200: s.AcknowledgementSerializer, **_errors(404)}),
)
class AcknowledgementViewSet(ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Policy publicity: each concerned organisation acknowledges; the issuer sees who has and has not."""

    serializer_class = s.AcknowledgementSerializer
    selector = staticmethod(selectors.acknowledgement_list_for)

    def get_queryset(self) -> QuerySet[Any]:
        qs = super().get_queryset()
        params = self.request.query_params
        document = params.get("document")
        if document and document.isdigit():
            qs = qs.filter(document_id=int(document))
        done = params.get("acknowledged")
        if done is not None:
            qs = qs.filter(acknowledged_at__isnull=done.lower() not in {"1", "true", "yes"})
        return qs

    @extend_schema(
        summary="The issuer asks more organisations to acknowledge a document",
        request=s.AcknowledgementRequestSerializer,
        responses={201: s.AcknowledgementSerializer(many=True), **_errors(400, 403, 409)},
    )
    @idempotent
    def create(self, request: Request) -> Response:
        data = self.validated(s.AcknowledgementRequestSerializer)
        document = guidance_list_for(self.actor).filter(pk=data["document"]).first()
        if document is None:
            raise _not_found("document", data["document"])
        wanted = set(data["organizations"])
        orgs = list(Organization.objects.filter(pk__in=wanted, archived_at__isnull=True))
        missing = wanted - {o.pk for o in orgs}
        if missing:
            raise _not_found("organizations", min(missing))
        rows = services.acknowledgement_request(actor=self.actor, document=document, organizations=orgs)
        fresh = self.get_queryset().filter(pk__in=[r.pk for r in rows])
        return Response(s.AcknowledgementSerializer(fresh, many=True).data, status=201)

    @extend_schema(
        summary="A manager of the concerned organisation acknowledges",
        request=s.AcknowledgeSerializer,
        responses={200: s.AcknowledgementSerializer, **_errors(403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk: Any = None) -> Response:
        data = self.validated(s.AcknowledgeSerializer)
        ack = services.acknowledgement_acknowledge(
            actor=self.actor, acknowledgement=self.get_object(), note=data["note"]
        )
        return self.respond(self.get_queryset().get(pk=ack.pk))

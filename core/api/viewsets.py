"""Base class for every app's API: reads through the app's scoped selector, writes through its services.

A viewset names its selector (``selector = staticmethod(organization_list_for)``); ``get_queryset`` calls it
with the request's actor, so a row the actor may not see is absent from lists and a 404 on detail routes —
the same answer for "missing" and "forbidden". Writes never save serializers: the view validates the body
with an input serializer (``self.validated(...)``), calls a service with ``actor=self.actor`` and answers
with the output serializer (``self.respond(...)``). Services raise DomainError/ConflictError/NotAllowed,
which core.api.exceptions turns into 400/409/403 with a stable code and a message.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import status, viewsets
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from stakeholders.access import Actor, actor_for, reset_actor


class ScopedViewSet(viewsets.GenericViewSet):  # type: ignore[type-arg]
    """``get_queryset`` = the selector applied to the acting person and organisation.

    Compose with DRF's List/Retrieve mixins; write actions are methods that call services.
    """

    selector: Callable[[Actor], QuerySet[Any]]
    # Free text goes through each selector's own search (a `q` filter), so DRF's SearchFilter is left out.
    filter_backends = (DjangoFilterBackend, OrderingFilter)

    @property
    def actor(self) -> Actor:
        return actor_for(self.request)

    def get_queryset(self) -> QuerySet[Any]:
        return type(self).selector(self.actor)

    def validated(self, serializer_class: type[BaseSerializer[Any]], data: Any = None) -> dict[str, Any]:
        serializer = serializer_class(
            data=self.request.data if data is None else data, context={"request": self.request}
        )
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def validated_partial(self, serializer_class: type[BaseSerializer[Any]]) -> dict[str, Any]:
        """For PATCH: only the fields sent, each validated."""
        serializer = serializer_class(data=self.request.data, partial=True, context={"request": self.request})
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def respond(
        self, instance: Any, serializer_class: type[BaseSerializer[Any]] | None = None, *, created: bool = False
    ) -> Response:
        """Answer with the (re-read, scoped) object, so the response shows what a later GET would show."""
        cls = serializer_class or self.get_serializer_class()
        serializer = cls(instance, context={"request": self.request})
        return Response(serializer.data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    def reread(self, instance: Any, *, fresh_actor: bool = False) -> Any:
        """The object as the selector shows it (annotations included) after a service changed it.

        ``fresh_actor`` reloads the actor first, for writes that change who the actor acts for (registering
        an organisation makes its creator the owner).
        """
        if fresh_actor:
            reset_actor(self.request)
        return self.get_queryset().get(pk=instance.pk)

"""The history page of any registered object, and the same timeline through the API."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.history import timeline, visible_object


@login_required
def history_page(request: HttpRequest, app_label: str, model: str, pk: str) -> HttpResponse:
    obj = visible_object(request, app_label, model, pk)
    back = obj.get_absolute_url() if hasattr(obj, "get_absolute_url") else request.GET.get("back", "")
    # Only a path on this site becomes a link: no open redirect through ?back=.
    if not (back.startswith("/") and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()})):
        back = ""
    return render(
        request,
        "core/history.html",
        {"object": obj, "entries": timeline(obj), "verbose_name": obj._meta.verbose_name, "back": back},
    )


_change = inline_serializer(
    "HistoryChange",
    {
        "field": serializers.CharField(),
        "label": serializers.CharField(),
        "old": serializers.CharField(),
        "new": serializers.CharField(),
    },
    many=True,
)


class HistoryView(APIView):
    """Changes to one object, newest first: who, when, request id, reason, and each field's old and new value."""

    @extend_schema(
        responses=inline_serializer(
            "HistoryEntry",
            {
                "at": serializers.DateTimeField(),
                "action": serializers.CharField(),
                "actor": serializers.CharField(),
                "actor_id": serializers.IntegerField(allow_null=True),
                "request_id": serializers.CharField(),
                "reason": serializers.CharField(),
                "changes": _change,
            },
            many=True,
        )
    )
    def get(self, request: Request, app_label: str, model: str, pk: str) -> Response:
        obj = visible_object(request, app_label, model, pk)  # type: ignore[arg-type]
        data: list[dict[str, Any]] = [asdict(entry) for entry in timeline(obj)]
        return Response(data)

"""The platform's URLs plus the baseline: the same page of rows with ``.values()`` and JsonResponse.

Only reachable with ``bench.settings`` (GONGJIAN_BENCH=1); config.urls never includes it.
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.urls import path

from config.urls import urlpatterns as platform_urlpatterns

PAGE = 25


def baseline(request: HttpRequest, what: str) -> JsonResponse:
    """The cheapest honest answer: one indexed query, no auth, no serializer, no template."""
    from alliance.models import Project
    from feedback.models import Feedback
    from risk.models import Risk

    if what == "projects":
        org = int(request.GET["org"])
        rows = list(
            Project.objects.filter(participants__organization_id=org, archived_at__isnull=True)
            .order_by("-created_at", "-id")
            .values("id", "title", "status", "alliance_id", "budget", "created_at")[:PAGE]
        )
    elif what == "feedback":
        rows = list(
            Feedback.objects.filter(library_id=int(request.GET["library"]), archived_at__isnull=True)
            .order_by("-created_at", "-id")
            .values("id", "kind", "status", "text", "subject", "created_at")[:PAGE]
        )
    else:
        rows = list(
            Risk.objects.filter(register_id=int(request.GET["register"]), archived_at__isnull=True)
            .order_by("-residual_score", "-inherent_score", "id")
            .values("id", "title", "category", "status", "residual_score", "next_review_at")[:PAGE]
        )
    return JsonResponse({"results": rows})


urlpatterns = [path("bench/baseline/<slug:what>/", baseline, name="bench-baseline"), *platform_urlpatterns]

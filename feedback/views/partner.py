"""What a provider sees of feedback routed to it: the readers' words and context, never who said them."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from stakeholders.access import actor_for
from stakeholders.choices import PARTNER_KINDS

from ..selectors import partner_feedback_list_for
from ._common import PAGE_SIZE


def _require_partner(request: HttpRequest) -> None:
    actor = actor_for(request)
    if not (actor.is_superuser or any(m.organization.kind in PARTNER_KINDS for m in actor.memberships)):
        raise Http404


@login_required
def partner_list(request: HttpRequest) -> HttpResponse:
    _require_partner(request)
    page = Paginator(partner_feedback_list_for(actor_for(request)), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "feedback/partner_list.html", {"page": page, "items": page.object_list, "querystring": ""})


@login_required
def partner_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_partner(request)
    feedback = get_object_or_404(partner_feedback_list_for(actor_for(request)), pk=pk)
    return render(request, "feedback/partner_detail.html", {"feedback": feedback})

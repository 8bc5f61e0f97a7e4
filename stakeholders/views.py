from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from .access import ACTING_ORG_SESSION_KEY, actor_for, reset_actor
from .selectors import capability_list_for, organization_list_for, token_list_for
from .services import switch_organization as switch_service


@login_required
def organization_list(request: HttpRequest) -> HttpResponse:
    orgs = organization_list_for(actor_for(request))[:50]
    return render(request, "stakeholders/organization_list.html", {"organizations": orgs})


@login_required
def organization_detail(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_object_or_404(organization_list_for(actor_for(request), include_archived=True), pk=pk)
    return render(request, "stakeholders/organization_detail.html", {"organization": org})


@login_required
def capability_list(request: HttpRequest) -> HttpResponse:
    caps = capability_list_for(actor_for(request))[:50]
    return render(request, "stakeholders/capability_list.html", {"capabilities": caps})


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    return render(request, "stakeholders/invitation_accept.html", {"token": token})


@login_required
@require_POST
def switch_organization(request: HttpRequest) -> HttpResponse:
    org = switch_service(actor=actor_for(request), organization_id=int(request.POST.get("organization", 0)))
    request.session[ACTING_ORG_SESSION_KEY] = org.pk
    reset_actor(request)
    nxt = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        nxt = "/"
    return redirect(nxt)


@login_required
def me(request: HttpRequest) -> HttpResponse:
    return render(request, "stakeholders/me.html")


@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    return render(request, "stakeholders/token_list.html", {"tokens": token_list_for(actor_for(request))})

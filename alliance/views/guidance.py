"""Guidance (policies and standards) and the government's compliance view of the projects it guides or funds."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from core.exceptions import DomainError
from stakeholders.access import Actor, actor_for
from stakeholders.forms import add_domain_error

from .. import services
from ..forms import GuidanceFilterForm, GuidanceForm
from ..selectors import government_compliance, guidance_list_for
from ._common import PAGE_SIZE, querystring
from .projects import STATUS_COLOURS

ISSUER_KINDS = ("government", "research")


def _may_issue(actor: Actor) -> bool:
    return actor.kind in ISSUER_KINDS and actor.organization is not None and actor.writes_for(actor.organization.pk)


@login_required
def guidance_list(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    form = GuidanceFilterForm(request.GET or None)
    kind = form.cleaned_data.get("kind") if form.is_valid() else None
    page = Paginator(guidance_list_for(actor, kind=kind or None), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "documents": page.object_list,
        "querystring": querystring(request),
        "can_issue": _may_issue(actor),
    }
    return render(request, "alliance/guidance_list.html", context)


@login_required
def guidance_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One policy or standard (the page notifications and webhook payloads link to); withdrawn ones stay readable."""
    document = get_object_or_404(guidance_list_for(actor_for(request), include_archived=True), pk=pk)
    return render(request, "alliance/guidance_detail.html", {"document": document})


@login_required
def guidance_issue(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    if not _may_issue(actor):
        raise Http404
    form = GuidanceForm(request.POST or None, request.FILES or None)
    if actor.kind != "government":
        # Research institutes issue standards only; policies come from government bodies.
        form.fields["kind"].choices = [c for c in form.fields["kind"].choices if c[0] == "standard"]  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        try:
            services.guidance_issue(actor=actor, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("The document is published."))
            return redirect("alliance:guidance-list")
    return render(request, "alliance/guidance_form.html", {"form": form})


@login_required
def compliance(request: HttpRequest) -> HttpResponse:
    """For a government body: the projects of the alliances it guides or funds, and the standards they declare."""
    actor = actor_for(request)
    if not (actor.kind == "government" or actor.is_superuser):
        raise Http404
    projects = government_compliance(actor)
    return render(request, "alliance/compliance.html", {"projects": projects, "colours": STATUS_COLOURS})

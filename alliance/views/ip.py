"""Intellectual property pages: a project's IP assets shown per deliverable, and recording or changing an
asset with its owners' shares. ``alliance.services.contracts`` checks the shares (100 % exactly) and writes."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.exceptions import DomainError
from stakeholders.access import Actor, actor_for
from stakeholders.forms import add_domain_error

from ..forms_contracts import IPAssetForm, ShareFormSet
from ..models import Deliverable, IPAsset, Project
from ..parties import LEAD, PROVIDER, project_parties
from ..selectors import deliverable_list_for
from ..selectors_contracts import alliance_organizations, ip_asset_list_for, ip_assets_by_deliverable
from ..services import contracts as services
from ._common import refused
from .projects import visible_project


def may_record_ip(actor: Actor, project: Project, parties: set[str] | None = None) -> bool:
    """The lead library's staff and the project's provider record and change its IP (as the services require)."""
    held = project_parties(actor, project) if parties is None else parties
    return not project.is_archived and bool(held & {LEAD, PROVIDER})


def may_archive_ip(project: Project, parties: set[str]) -> bool:
    """The lead library's staff set an asset aside (services.ip_asset_archive); the provider records, not removes."""
    return not project.is_archived and LEAD in parties


@login_required
def ip_asset_list(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    project = visible_project(actor, pk)
    parties = project_parties(actor, project)
    grouped = ip_assets_by_deliverable(actor, project)
    deliverables = list(deliverable_list_for(actor, project))
    sections = [(None, grouped.get(None, []))] + [(d, grouped.get(d.pk, [])) for d in deliverables]
    context = {
        "project": project,
        "sections": sections,
        "asset_count": sum(len(assets) for assets in grouped.values()),
        "can_record": may_record_ip(actor, project, parties),
        "can_archive": may_archive_ip(project, parties),
    }
    return render(request, "alliance/ip_asset_list.html", context)


def _form_page(request: HttpRequest, actor: Actor, project: Project, asset: IPAsset | None) -> HttpResponse:
    deliverables = Deliverable.objects.active().filter(project=project).order_by("id")
    post = request.POST if request.method == "POST" else None
    if asset is None:
        wanted = request.GET.get("deliverable", "")
        initial: dict[str, Any] = {"deliverable": int(wanted)} if wanted.isdigit() else {}
        share_initial: list[dict[str, Any]] = []
    else:
        initial = {name: getattr(asset, name) for name in services.IP_FIELDS}
        share_initial = [
            {"organization": s.organization_id, "percent": s.percent}
            for s in asset.share_list  # type: ignore[attr-defined]
        ]
    form = IPAssetForm(post, deliverables=deliverables, initial=initial)
    shares = ShareFormSet(
        post,
        organizations=alliance_organizations(project.alliance),
        initial=share_initial if post is None else None,
        prefix="share",
    )
    if post is not None and form.is_valid() and shares.is_valid():
        try:
            if asset is None:
                asset = services.ip_asset_create(
                    actor=actor, project=project, shares=shares.rows(), **form.cleaned_data
                )
            else:
                asset = services.ip_asset_update(actor=actor, asset=asset, shares=shares.rows(), **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("The IP asset is saved."))
            return redirect("alliance:ip-asset-list", pk=project.pk)
    context = {"form": form, "shares": shares, "project": project, "asset": asset}
    return render(request, "alliance/ip_asset_form.html", context, status=400 if post is not None else 200)


def _refuse(request: HttpRequest, project: Project) -> HttpResponse:
    messages.error(request, _("Only the lead library's staff and the project's provider record its IP."))
    return redirect("alliance:ip-asset-list", pk=project.pk)


@login_required
def ip_asset_create(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    project = visible_project(actor, pk)
    if not may_record_ip(actor, project):
        return _refuse(request, project)
    return _form_page(request, actor, project, None)


@login_required
def ip_asset_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    asset = get_object_or_404(ip_asset_list_for(actor).select_related("project__alliance"), pk=pk)
    project = asset.project
    if asset.is_archived or not may_record_ip(actor, project):
        return _refuse(request, project)
    return _form_page(request, actor, project, asset)


@login_required
@require_POST
def ip_asset_archive(request: HttpRequest, pk: int) -> HttpResponse:
    """Set an asset recorded by mistake aside: it leaves the project's IP page, its history stays."""
    actor = actor_for(request)
    asset = get_object_or_404(ip_asset_list_for(actor).select_related("project__alliance"), pk=pk)
    try:
        services.ip_asset_archive(actor=actor, asset=asset)
    except DomainError as exc:
        refused(request, exc)
    else:
        messages.success(request, _("The IP asset is archived; its history stays."))
    return redirect("alliance:ip-asset-list", pk=asset.project_id)

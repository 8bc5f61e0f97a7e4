"""Needs with their evidence, the library's analysis, ranked partner suggestions and invitations to them."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.exceptions import DomainError
from stakeholders.access import Actor, actor_for
from stakeholders.forms import add_domain_error
from stakeholders.models import Organization

from .. import services
from ..choices import AllianceRole, NeedStatus
from ..forms import AnalyseForm, DeclineForm, EvidenceForm, NeedFilterForm, NeedForm, PartnerInviteForm
from ..models import Need, PartnerInvitation
from ..selectors import (
    alliance_list_for,
    need_list_for,
    partner_invitation_list_for,
    partner_suggestions,
    project_list_for,
)
from ._common import PAGE_SIZE, querystring, refused

# The role a suggested organisation is offered by default, from what kind of organisation it is.
ROLE_FOR_KIND = {
    "enterprise": AllianceRole.PROVIDER,
    "university": AllianceRole.ASSISTANT,
    "research": AllianceRole.ASSISTANT,
}


def visible_need(actor: Actor, pk: int) -> Need:
    return get_object_or_404(need_list_for(actor, include_archived=True), pk=pk)


def _writes_for_library(actor: Actor) -> bool:
    return any(actor.writes_for(org_id) for org_id in actor.library_ids)


@login_required
def need_list(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    form = NeedFilterForm(request.GET or None)
    qs = need_list_for(actor)
    data = form.cleaned_data if form.is_valid() else {}
    if data.get("status"):
        qs = qs.filter(status=data["status"])
    if data.get("priority"):
        qs = qs.filter(priority=data["priority"])
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "needs": page.object_list,
        "querystring": querystring(request),
        "can_create": _writes_for_library(actor),
    }
    return render(request, "alliance/need_list.html", context)


@login_required
def need_create(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    alliances = alliance_list_for(actor)
    form = NeedForm(request.POST or None, alliances=alliances)
    if request.method == "POST" and form.is_valid():
        library = actor.organization
        try:
            if library is None:
                raise DomainError(_("Act for a library to record its needs."))
            need = services.need_create(actor=actor, library=library, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("The need is recorded. Add the evidence behind it."))
            return redirect("alliance:need-detail", pk=need.pk)
    return render(request, "alliance/need_form.html", {"form": form})


def _detail_context(actor: Actor, need: Need, **forms: Any) -> dict[str, Any]:
    writes = actor.writes_for(need.library_id) and not need.is_archived
    suggestions = partner_suggestions(need) if writes else []
    projects = project_list_for(actor, alliance=need.alliance) if need.alliance_id and writes else []
    pending = set(
        PartnerInvitation.objects.filter(need=need, status="pending").values_list("organization_id", flat=True)
    )
    return {
        "need": need,
        "evidence": need.evidence.active().select_related("recorded_by"),
        "writes": writes,
        "can_analyse": writes and need.status == NeedStatus.OPEN,
        "suggestions": suggestions,
        "role_for_kind": ROLE_FOR_KIND,
        "pending_org_ids": pending,
        "projects": projects,
        "evidence_form": forms.get("evidence_form") or EvidenceForm(),
        "analyse_form": forms.get("analyse_form") or AnalyseForm(),
        "invite_form": forms.get("invite_form"),
        "role_choices": [c for c in AllianceRole.choices if c[0] != AllianceRole.DEMAND],
    }


@login_required
def need_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    need = visible_need(actor, pk)
    return render(request, "alliance/need_detail.html", _detail_context(actor, need))


@login_required
@require_POST
def need_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    need = visible_need(actor, pk)
    form = EvidenceForm(request.POST)
    if form.is_valid():
        try:
            services.need_add_evidence(actor=actor, need=need, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("The evidence is recorded."))
            return redirect("alliance:need-detail", pk=need.pk)
    return render(request, "alliance/need_detail.html", _detail_context(actor, need, evidence_form=form))


@login_required
@require_POST
def need_analyse(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    need = visible_need(actor, pk)
    form = AnalyseForm(request.POST)
    if form.is_valid():
        try:
            services.need_analyse(actor=actor, need=need, analysis=form.cleaned_data["analysis"])
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("The need is analysed."))
            return redirect("alliance:need-detail", pk=need.pk)
    return render(request, "alliance/need_detail.html", _detail_context(actor, need, analyse_form=form))


@login_required
@require_POST
def need_invite(request: HttpRequest, pk: int) -> HttpResponse:
    """Invite a suggested organisation into the need's alliance (and, if chosen, one of its projects)."""
    actor = actor_for(request)
    need = visible_need(actor, pk)
    form = PartnerInviteForm(request.POST)
    if not form.is_valid() or need.alliance is None:
        messages.error(request, _("Choose a role for the invitation; the need must be shared with an alliance."))
        return redirect("alliance:need-detail", pk=need.pk)
    data = form.cleaned_data
    organization = get_object_or_404(Organization.objects.active(), pk=data["organization"])
    project = None
    if data.get("project"):
        project = get_object_or_404(project_list_for(actor, alliance=need.alliance), pk=data["project"])
    try:
        services.partner_invite(
            actor=actor,
            alliance=need.alliance,
            organization=organization,
            role=data["role"],
            project=project,
            need=need,
            message=data.get("message", ""),
        )
    except DomainError as exc:
        refused(request, exc)
    else:
        messages.success(request, _("%(org)s is invited.") % {"org": organization.display_name})
    return redirect("alliance:need-detail", pk=need.pk)


# --- the partner portal's invitations ------------------------------------------------------------------------


@login_required
def invitation_list(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    invitations = partner_invitation_list_for(actor)
    received = [i for i in invitations[:200] if i.organization_id in actor.organization_ids]
    sent = [i for i in invitations[:200] if i.organization_id not in actor.organization_ids]
    return render(request, "alliance/invitation_list.html", {"received": received, "sent": sent})


@login_required
def invitation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    invitation = get_object_or_404(partner_invitation_list_for(actor), pk=pk)
    can_answer = invitation.status == "pending" and actor.manages(invitation.organization_id)
    context = {"invitation": invitation, "can_answer": can_answer, "decline_form": DeclineForm()}
    return render(request, "alliance/invitation_detail.html", context)


@login_required
@require_POST
def invitation_answer(request: HttpRequest, pk: int, answer: str) -> HttpResponse:
    actor = actor_for(request)
    invitation = get_object_or_404(partner_invitation_list_for(actor), pk=pk)
    form = DeclineForm(request.POST)
    try:
        if answer == "accept":
            services.partner_invitation_accept(actor=actor, invitation=invitation)
            messages.success(request, _("You joined %(alliance)s.") % {"alliance": invitation.alliance.name})
        else:
            reason = form.cleaned_data["reason"] if form.is_valid() else ""
            services.partner_invitation_decline(actor=actor, invitation=invitation, reason=reason)
            messages.info(request, _("The invitation is declined."))
    except DomainError as exc:
        refused(request, exc)
        return redirect("alliance:invitation-detail", pk=invitation.pk)
    if answer == "accept":
        if invitation.project_id:
            return redirect("alliance:project-detail", pk=invitation.project_id)
        return redirect("alliance:alliance-detail", pk=invitation.alliance_id)
    return redirect("alliance:invitation-list")

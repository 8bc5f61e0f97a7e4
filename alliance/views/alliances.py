"""Alliance list and page (members, what each contributes, benefit terms, projects, activity); join and leave."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.exceptions import DomainError
from stakeholders.access import Actor, actor_for
from stakeholders.forms import add_domain_error
from stakeholders.models import Capability, Organization

from .. import services
from ..choices import InvitationStatus
from ..forms import AllianceForm, JoinForm, TermsForm
from ..models import Alliance, Transition
from ..selectors import alliance_list_for, alliance_member_list_for, partner_invitation_list_for, project_list_for
from ._common import refused

# How many recent steps of the alliance's projects its page shows as activity.
ACTIVITY_ROWS = 15


def visible_alliance(actor: Actor, pk: int) -> Alliance:
    return get_object_or_404(alliance_list_for(actor, include_archived=True), pk=pk)


@login_required
def alliance_list(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    alliances = alliance_list_for(actor)
    can_create = bool(actor.managed_library_ids)
    pending = partner_invitation_list_for(actor).filter(
        status=InvitationStatus.PENDING, organization_id__in=actor.organization_ids
    )
    context = {"alliances": alliances, "can_create": can_create, "pending_invitations": pending}
    return render(request, "alliance/alliance_list.html", context)


@login_required
def alliance_create(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    form = AllianceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            library = actor.organization
            if library is None or library.kind != "library":
                raise DomainError(_("Act for a library to found an alliance."))
            alliance = services.alliance_create(actor=actor, lead_library=library, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("The alliance is founded."))
            return redirect("alliance:alliance-detail", pk=alliance.pk)
    return render(request, "alliance/alliance_form.html", {"form": form})


def _candidates(alliance: Alliance) -> Any:
    """Organisations the lead library could admit: active, not the lead, not already members."""
    members = alliance.members.active().values("organization_id")
    return (
        Organization.objects.active()
        .exclude(pk=alliance.lead_library_id)
        .exclude(pk__in=members)
        .order_by("kind", "name_zh")
    )


def _detail_context(request: HttpRequest, alliance: Alliance, join_form: JoinForm | None = None) -> dict[str, Any]:
    actor = actor_for(request)
    members = list(alliance_member_list_for(actor, alliance))
    capabilities: dict[int, list[Capability]] = {}
    for cap in Capability.objects.active().filter(organization_id__in=[m.organization_id for m in members]):
        capabilities.setdefault(cap.organization_id, []).append(cap)
    for member in members:
        member.capabilities = capabilities.get(member.organization_id, [])  # type: ignore[attr-defined]
    projects = project_list_for(actor, alliance=alliance)
    activity = (
        Transition.objects.filter(project__in=projects.values("pk"))
        .select_related("project", "actor", "organization")
        .order_by("-at", "-id")[:ACTIVITY_ROWS]
    )
    manages = actor.manages(alliance.lead_library_id) and not alliance.is_archived
    return {
        "alliance": alliance,
        "members": members,
        "projects": projects,
        "activity": activity,
        "manages": manages,
        "join_form": join_form or (JoinForm(organizations=_candidates(alliance)) if manages else None),
        "my_membership_ids": {m.pk for m in members if actor.manages(m.organization_id)},
    }


@login_required
def alliance_detail(request: HttpRequest, pk: int) -> HttpResponse:
    alliance = visible_alliance(actor_for(request), pk)
    return render(request, "alliance/alliance_detail.html", _detail_context(request, alliance))


@login_required
@require_POST
def alliance_join(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    alliance = visible_alliance(actor, pk)
    form = JoinForm(request.POST, organizations=_candidates(alliance))
    if form.is_valid():
        try:
            services.alliance_join(actor=actor, alliance=alliance, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("The organisation joined the alliance."))
            return redirect("alliance:alliance-detail", pk=alliance.pk)
    context = _detail_context(request, alliance, join_form=form)
    context["join_open"] = True
    return render(request, "alliance/alliance_detail.html", context)


@login_required
@require_POST
def member_leave(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    member = get_object_or_404(alliance_member_list_for(actor), pk=pk)
    try:
        services.alliance_leave(actor=actor, member=member)
    except DomainError as exc:
        refused(request, exc)
    else:
        messages.success(request, _("The membership has ended."))
    if member.organization_id in actor.organization_ids and not actor.writes_for(member.alliance.lead_library_id):
        # Whoever left no longer sees the alliance.
        return redirect("alliance:alliance-list")
    return redirect("alliance:alliance-detail", pk=member.alliance_id)


@login_required
@require_POST
def member_terms(request: HttpRequest, pk: int) -> HttpResponse:
    """The lead library's managers record what a member contributes and receives."""
    actor = actor_for(request)
    member = get_object_or_404(alliance_member_list_for(actor), pk=pk)
    form = TermsForm(request.POST)
    if form.is_valid():
        try:
            services.alliance_member_update_terms(actor=actor, member=member, **form.cleaned_data)
        except DomainError as exc:
            refused(request, exc)
        else:
            messages.success(request, _("The benefit terms are saved."))
    return redirect(reverse("alliance:alliance-detail", args=[member.alliance_id]) + "#members")

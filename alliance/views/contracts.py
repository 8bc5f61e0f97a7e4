"""Contracts in the UI: the list, drafting and editing (with parties), a contract's page where each party's
manager signs, the lead library moves it on or terminates it and the parties file documents, and the
credibility panel on an organisation's page. Every write goes through ``alliance.services.contracts``."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.exceptions import DomainError
from stakeholders.access import Actor, actor_for
from stakeholders.forms import add_domain_error
from stakeholders.models import Organization

from ..forms_contracts import ContractDocumentForm, ContractForm, PartyFormSet, TerminateForm
from ..models import Alliance, Contract, Project
from ..models.contracts import ContractStatus
from ..selectors import alliance_list_for
from ..selectors_contracts import (
    WEIGHTS,
    alliance_organizations,
    contract_list_for,
    may_read_credibility,
    partner_credibility,
)
from ..services import contracts as services
from ._common import PAGE_SIZE, refused

STATUS_COLOURS = {
    ContractStatus.DRAFT: "secondary",
    ContractStatus.SIGNED: "info",
    ContractStatus.ACTIVE: "primary",
    ContractStatus.COMPLETED: "success",
    ContractStatus.TERMINATED: "danger",
}


EDITABLE = (ContractStatus.DRAFT, ContractStatus.SIGNED)
TERMINABLE = (ContractStatus.SIGNED, ContractStatus.ACTIVE)
# As services.contract_archive allows: a draft made by mistake or a closed contract; binding ones stay in view.
ARCHIVABLE = (ContractStatus.DRAFT, ContractStatus.COMPLETED, ContractStatus.TERMINATED)


def _to_sign(actor: Actor, contract: Contract) -> bool:
    """A draft one of the actor's managed organisations is party to and has not signed yet."""
    return contract.status == ContractStatus.DRAFT and any(
        p.signed_at is None and p.organization_id in actor.organization_ids and actor.manages(p.organization_id)
        for p in contract.party_list  # type: ignore[attr-defined]
    )


def _drafting_alliances(actor: Actor) -> list[Alliance]:
    """Alliances whose lead library the actor writes for: where they may draft contracts."""
    return [a for a in alliance_list_for(actor) if actor.writes_for(a.lead_library_id)]


@login_required
def contract_list(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    page = Paginator(contract_list_for(actor), PAGE_SIZE).get_page(request.GET.get("page"))
    contracts = list(page.object_list)
    context = {
        "page": page,
        "contracts": contracts,
        "to_sign": {c.pk for c in contracts if _to_sign(actor, c)},
        "colours": STATUS_COLOURS,
        "can_draft": any(actor.writes_for(org_id) for org_id in actor.library_ids),
    }
    return render(request, "alliance/contract_list.html", context)


def _party_initial(contract: Contract) -> list[dict[str, Any]]:
    return [
        {"organization": p.organization_id, "role": p.role, "obligations": p.obligations}
        for p in contract.party_list  # type: ignore[attr-defined]
    ]


def _contract_form_page(
    request: HttpRequest, actor: Actor, alliance: Alliance, contract: Contract | None
) -> HttpResponse:
    """The contract form with its party rows, for a new draft or an edit; the services decide and write."""
    projects = Project.objects.active().filter(alliance=alliance).order_by("title")
    organizations = alliance_organizations(alliance)
    post = request.POST if request.method == "POST" else None
    if contract is None:
        wanted = request.GET.get("project", "")
        initial: dict[str, Any] = {"project": int(wanted)} if wanted.isdigit() else {}
        party_initial: list[dict[str, Any]] = [{"organization": alliance.lead_library_id, "role": "library"}]
    else:
        initial = {name: getattr(contract, name) for name in services.EDITABLE_FIELDS}
        party_initial = _party_initial(contract)
    form = ContractForm(post, projects=projects, initial=initial)
    # Bound rows are compared with nothing: a row as it was is still a row to keep.
    parties = PartyFormSet(
        post, organizations=organizations, initial=party_initial if post is None else None, prefix="party"
    )
    if post is not None and form.is_valid() and parties.is_valid():
        try:
            if contract is None:
                contract = services.contract_create(
                    actor=actor, alliance=alliance, parties=parties.rows(), **form.cleaned_data
                )
                messages.success(request, _("The contract is drafted; each party's manager now signs it."))
            else:
                was_signed = any(p.signed_at for p in contract.party_list)  # type: ignore[attr-defined]
                contract = services.contract_update(
                    actor=actor, contract=contract, parties=parties.rows(), **form.cleaned_data
                )
                resigned = was_signed and not contract.parties.filter(signed_at__isnull=False).exists()
                if resigned:
                    messages.warning(
                        request, _("The terms changed: the signatures are cleared and every party signs again.")
                    )
                else:
                    messages.success(request, _("Saved."))
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return redirect("alliance:contract-detail", pk=contract.pk)
    signed = contract is not None and any(p.signed_at for p in contract.party_list)  # type: ignore[attr-defined]
    context = {"form": form, "parties": parties, "alliance": alliance, "contract": contract, "has_signatures": signed}
    return render(request, "alliance/contract_form.html", context, status=400 if post is not None else 200)


@login_required
def contract_create(request: HttpRequest) -> HttpResponse:
    """Draft a contract in one of the alliances the actor's library leads (chosen first when there are several)."""
    actor = actor_for(request)
    alliances = _drafting_alliances(actor)
    wanted = request.GET.get("alliance", "")
    chosen = next((a for a in alliances if wanted.isdigit() and a.pk == int(wanted)), None)
    if chosen is None and len(alliances) == 1:
        chosen = alliances[0]
    if chosen is None:
        if wanted:
            raise Http404
        return render(request, "alliance/contract_form.html", {"alliances": alliances, "form": None})
    return _contract_form_page(request, actor, chosen, None)


def _visible(request: HttpRequest, pk: int) -> Contract:
    return get_object_or_404(contract_list_for(actor_for(request), include_archived=True), pk=pk)


@login_required
def contract_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    contract = _visible(request, pk)
    if not _may_edit(actor, contract):
        messages.error(request, _("Only staff of the alliance's lead library may change a draft or signed contract."))
        return redirect("alliance:contract-detail", pk=contract.pk)
    return _contract_form_page(request, actor, contract.alliance, contract)


def _may_edit(actor: Actor, contract: Contract) -> bool:
    return (
        not contract.is_archived and contract.status in EDITABLE and actor.writes_for(contract.alliance.lead_library_id)
    )


def _may_archive(actor: Actor, contract: Contract) -> bool:
    return (
        not contract.is_archived
        and contract.status in ARCHIVABLE
        and actor.writes_for(contract.alliance.lead_library_id)
    )


def _may_upload(actor: Actor, contract: Contract) -> bool:
    orgs = [contract.alliance.lead_library_id, *(p.organization_id for p in contract.party_list)]  # type: ignore[attr-defined]
    return not contract.is_archived and any(actor.writes_for(org_id) for org_id in orgs)


def _party_organizations(contract: Contract) -> Any:
    return Organization.objects.filter(contract_parties__contract=contract).order_by("kind", "name_zh")


def _detail(request: HttpRequest, contract: Contract, status: int = 200, **forms: Any) -> HttpResponse:
    """A contract's page; bound forms passed in (with their errors) replace the blank ones."""
    actor = actor_for(request)
    parties = contract.party_list  # type: ignore[attr-defined]
    lead_manager = actor.manages(contract.alliance.lead_library_id) and not contract.is_archived
    credibility = partner_credibility([p.organization_id for p in parties])
    context = {
        "contract": contract,
        "parties": [(p, credibility[p.organization_id]) for p in parties],
        "colours": STATUS_COLOURS,
        "can_sign": _to_sign(actor, contract) and not contract.is_archived,
        "can_edit": _may_edit(actor, contract),
        "can_activate": lead_manager and contract.status == ContractStatus.SIGNED,
        "can_complete": lead_manager and contract.status == ContractStatus.ACTIVE,
        "can_terminate": lead_manager and contract.status in TERMINABLE,
        "can_upload": _may_upload(actor, contract),
        "can_archive": _may_archive(actor, contract),
        "terminate_form": forms.get("terminate_form")
        or TerminateForm(auto_id="terminate_%s", organizations=_party_organizations(contract)),
        "document_form": forms.get("document_form") or ContractDocumentForm(auto_id="document_%s"),
    }
    return render(request, "alliance/contract_detail.html", context, status=status)


@login_required
def contract_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _visible(request, pk))


@login_required
@require_POST
def contract_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    actor = actor_for(request)
    contract = _visible(request, pk)
    done: dict[str, tuple[Callable[..., Contract], str]] = {
        "sign": (services.contract_sign, _("Signed for your organisation.")),
        "activate": (services.contract_activate, _("The contract is in force.")),
        "complete": (services.contract_complete, _("The contract is recorded as completed.")),
    }
    service, message = done[action]
    try:
        service(actor=actor, contract=contract)
    except DomainError as exc:
        refused(request, exc)
    else:
        messages.success(request, message)
    return redirect("alliance:contract-detail", pk=contract.pk)


@login_required
@require_POST
def contract_terminate(request: HttpRequest, pk: int) -> HttpResponse:
    """End a signed or active contract with a reason; bad input or a refusal is shown on the form."""
    actor = actor_for(request)
    contract = _visible(request, pk)
    form = TerminateForm(request.POST, auto_id="terminate_%s", organizations=_party_organizations(contract))
    if form.is_valid():
        try:
            services.contract_terminate(actor=actor, contract=contract, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("The contract is terminated."))
            return redirect("alliance:contract-detail", pk=contract.pk)
    return _detail(request, contract, status=400, terminate_form=form)


@login_required
@require_POST
def contract_archive(request: HttpRequest, pk: int) -> HttpResponse:
    """Set a draft or a closed contract aside; it stays readable (with its history) but leaves the lists."""
    actor = actor_for(request)
    contract = _visible(request, pk)
    try:
        services.contract_archive(actor=actor, contract=contract)
    except DomainError as exc:
        refused(request, exc)
        return redirect("alliance:contract-detail", pk=contract.pk)
    messages.success(request, _("The contract is archived; it stays readable with its history."))
    return redirect("alliance:contract-list")


@login_required
@require_POST
def contract_document_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Attach a document; a file refused by its content is shown on the form, not lost in a redirect."""
    actor = actor_for(request)
    contract = _visible(request, pk)
    form = ContractDocumentForm(request.POST, request.FILES, auto_id="document_%s")
    if form.is_valid():
        try:
            services.contract_document_add(actor=actor, contract=contract, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("The document is attached."))
            return redirect("alliance:contract-detail", pk=contract.pk)
    return _detail(request, contract, status=400, document_form=form)


@login_required
def contract_document(request: HttpRequest, pk: int, document_pk: int) -> FileResponse:
    """A contract's document, for those who see the contract only (media is not served publicly)."""
    contract = _visible(request, pk)
    document = next((d for d in contract.document_list if d.pk == document_pk), None)  # type: ignore[attr-defined]
    if document is None or not document.file:
        raise Http404
    ext = os.path.splitext(document.file.name)[1]
    return FileResponse(document.file.open("rb"), as_attachment=True, filename=f"{document.title}{ext}")


# --- the credibility panel on an organisation's page -----------------------------------------------------------


def credibility_panel(request: HttpRequest, organization: Organization) -> SafeString | None:
    """The organisation's credibility from the record, part by part, for those who may read it (see the API)."""
    actor = actor_for(request)
    if not may_read_credibility(actor, organization.pk):
        return None
    cred = partner_credibility([organization.pk])[organization.pk]
    parts = [
        {
            "name": name,
            "part": part,
            "weight": WEIGHTS[name],
            "percent": None if part.rate is None else round(100 * part.rate),
        }
        for name, part in cred.parts
    ]
    return render_to_string("alliance/_credibility_panel.html", {"credibility": cred, "parts": parts}, request=request)

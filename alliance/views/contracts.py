"""Contracts in the UI: the list, and a contract's page where each party's manager signs and the lead library moves it on."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.exceptions import DomainError
from stakeholders.access import actor_for

from ..models import Contract
from ..models.contracts import ContractStatus
from ..selectors_contracts import contract_list_for, partner_credibility
from ..services import contracts as services
from ._common import PAGE_SIZE, refused

STATUS_COLOURS = {
    ContractStatus.DRAFT: "secondary",
    ContractStatus.SIGNED: "info",
    ContractStatus.ACTIVE: "primary",
    ContractStatus.COMPLETED: "success",
    ContractStatus.TERMINATED: "danger",
}


@login_required
def contract_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(contract_list_for(actor_for(request)), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "alliance/contract_list.html", {"page": page, "contracts": page.object_list, "colours": STATUS_COLOURS}
    )


def _visible(request: HttpRequest, pk: int) -> Contract:
    return get_object_or_404(contract_list_for(actor_for(request), include_archived=True), pk=pk)


@login_required
def contract_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    contract = _visible(request, pk)
    parties = contract.party_list  # type: ignore[attr-defined]
    can_sign = contract.status == ContractStatus.DRAFT and any(
        p.signed_at is None and p.organization_id in actor.organization_ids and actor.manages(p.organization_id)
        for p in parties
    )
    lead_manager = actor.manages(contract.alliance.lead_library_id)
    credibility = partner_credibility([p.organization_id for p in parties])
    context = {
        "contract": contract,
        "parties": [(p, credibility[p.organization_id]) for p in parties],
        "colours": STATUS_COLOURS,
        "can_sign": can_sign,
        "can_activate": lead_manager and contract.status == ContractStatus.SIGNED,
        "can_complete": lead_manager and contract.status == ContractStatus.ACTIVE,
    }
    return render(request, "alliance/contract_detail.html", context)


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

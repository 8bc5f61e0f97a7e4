"""Risk pages: the registers with their heat maps, one register's risks, one risk with its treatment.

Thin over risk.selectors (the same scoped reads as the API); the heat map is drawn by static/js/risk.js
from JSON in a json_script tag, since the CSP forbids inline scripts.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from alliance.parties import GOVERNMENT, LEAD, PROVIDER
from core.exports import export_response, requested_format
from stakeholders.access import actor_for

from . import selectors, services
from .access import is_keeper, register_parties
from .choices import (
    RiskCategory,
    RiskLevel,
    RiskStatus,
)
from .models import Risk, RiskRegister

PAGE_SIZE = 25


def _heat_map_json(data: selectors.HeatMap) -> dict[str, Any]:
    return {
        "likelihood": data.likelihood_labels,
        "impact": data.impact_labels,
        "inherent": data.inherent,
        "residual": data.residual,
        "names": {"likelihood": _("Likelihood"), "impact": _("Impact"), "risks": _("Risks")},
    }


@login_required
def register_list(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    registers = selectors.register_list_for(actor)
    risks = selectors.risk_list_for(actor)
    context = {
        "registers": registers,
        "heat": _heat_map_json(selectors.heat_map(risks)),
        "overdue_reviews": selectors.overdue_reviews_for(actor)[:10],
        "overdue_mitigations": selectors.overdue_mitigations_for(actor)[:10],
        "can_open": actor.is_superuser or any(actor.writes_for(org) for org in actor.library_ids),
    }
    return render(request, "risk/register_list.html", context)


@login_required
def register_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    register: RiskRegister = get_object_or_404(selectors.register_list_for(actor, include_archived=True), pk=pk)
    risks = selectors.risk_list_for(actor).filter(register=register)
    category = request.GET.get("category", "")
    status = request.GET.get("status", "")
    if category in RiskCategory.values:
        risks = risks.filter(category=category)
    if status in RiskStatus.values:
        risks = risks.filter(status=status)
    fmt = requested_format(request)
    if fmt:
        return export_response(risks, selectors.RISK_EXPORT_COLUMNS, filename="risks", fmt=fmt)
    page = Paginator(risks, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "register": register,
        "page": page,
        "heat": _heat_map_json(selectors.heat_map(selectors.risk_list_for(actor).filter(register=register), register)),
        "categories": RiskCategory.choices,
        "statuses": RiskStatus.choices,
        "category": category,
        "status": status,
        "keeper": register.archived_at is None and is_keeper(actor, register),
        "may_report": register.archived_at is None and bool(register_parties(actor, register) & {LEAD, PROVIDER}),
        "incidents": selectors.incident_list_for(actor).filter(register=register)[:10],
    }
    return render(request, "risk/register_detail.html", context)


def risk_page(request: HttpRequest, risk: Risk, **forms: Any) -> HttpResponse:
    """A risk with its treatment and, for whoever may act on it, the forms that write; bound forms passed in
    (after a refusal or bad input) replace the blank ones so their errors show."""
    from .forms import AcceptanceForm, DrillForm, MitigationForm, PlanForm, ReviewForm

    actor = actor_for(request)
    register = risk.register
    live = risk.archived_at is None and register.archived_at is None
    keeper = live and is_keeper(actor, register)
    parties = register_parties(actor, register) if live else set()
    mitigations: list[Any] = list(
        selectors.mitigation_list_for(actor).filter(risk=risk).select_related("risk__register__alliance")
    )
    lead = register.alliance.lead_library_id
    for m in mitigations:
        m.can_progress = (
            live and m.done_at is None and (actor.writes_for(lead) or actor.writes_for(m.owner_organization_id))
        )
    plans: list[Any] = list(selectors.emergency_plan_list_for(actor).filter(risk=risk))
    drill_forms = forms.get("drill_forms") or {}
    may_review = live and services.may_review(actor, risk)
    for plan in plans:
        plan.drill_form = drill_forms.get(plan.pk) or DrillForm(auto_id=f"drill_{plan.pk}_%s")
    closed = risk.status == RiskStatus.CLOSED
    authority = services.ACCEPT_AUTHORITY[RiskLevel(risk.residual_level)]
    context = {
        "risk": risk,
        "mitigations": mitigations,
        "plans": plans,
        "acceptances": selectors.acceptance_list_for(actor).filter(risk=risk),
        "reviews": selectors.review_list_for(actor).filter(risk=risk)[:20],
        "likelihood_label": register.likelihood_labels[risk.likelihood - 1],
        "impact_label": register.impact_labels[risk.impact - 1],
        "keeper": keeper,
        "may_review": may_review and not closed,
        "may_drill": may_review,
        # Shown to the library and the government: a refusal names who may accept this level.
        "may_try_accept": live and not closed and bool(parties & {LEAD, GOVERNMENT}),
        "accept_who": ", ".join(str(services.AUTHORITY_LABELS[p]) for p in sorted(authority)),
        "mitigation_form": forms.get("mitigation_form")
        or MitigationForm(
            auto_id="mitigation_%s",
            organizations=services.party_organizations(register),
            initial={"owner_organization": lead},
        ),
        "plan_form": forms.get("plan_form") or PlanForm(auto_id="plan_%s"),
        "acceptance_form": forms.get("acceptance_form") or AcceptanceForm(auto_id="acceptance_%s"),
        "review_form": forms.get("review_form") or ReviewForm(risk=risk, auto_id="review_%s"),
    }
    return render(request, "risk/risk_detail.html", context)


@login_required
def risk_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    risk = get_object_or_404(selectors.risk_list_for(actor, include_archived=True), pk=pk)
    return risk_page(request, risk)

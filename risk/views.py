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

from core.exports import export_response, requested_format
from stakeholders.access import actor_for

from . import selectors
from .choices import RiskCategory, RiskStatus
from .models import RiskRegister

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
    }
    return render(request, "risk/register_detail.html", context)


@login_required
def risk_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    risk = get_object_or_404(selectors.risk_list_for(actor, include_archived=True), pk=pk)
    context = {
        "risk": risk,
        "mitigations": selectors.mitigation_list_for(actor).filter(risk=risk),
        "plans": selectors.emergency_plan_list_for(actor).filter(risk=risk),
        "acceptances": selectors.acceptance_list_for(actor).filter(risk=risk),
        "reviews": selectors.review_list_for(actor).filter(risk=risk)[:20],
        "likelihood_label": risk.register.likelihood_labels[risk.likelihood - 1],
        "impact_label": risk.register.impact_labels[risk.impact - 1],
    }
    return render(request, "risk/risk_detail.html", context)

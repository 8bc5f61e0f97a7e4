"""Insight pages: the leadership view across alliances, one alliance's insight, oversight, and period reports.

Every page goes through ``insight.selectors``: an alliance outside the actor's insight scope is a 404, and
partners (who are refused insight) get a 404 on every page.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from alliance.choices import ProjectStatus
from alliance.models import Alliance
from core.exceptions import DomainError
from risk.choices import RiskLevel
from stakeholders.access import Actor, actor_for
from stakeholders.choices import OrganizationKind

from . import drilldown, selectors, services
from .choices import ReportStatus
from .models import ReportJob
from .sources import Period


def _actor(request: HttpRequest) -> Actor:
    actor = actor_for(request)
    if not selectors.may_read_insight(actor):
        raise Http404
    return actor


def _period(request: HttpRequest) -> tuple[Period, str]:
    """The requested period, or the current year with a message when the input is not a period."""
    try:
        return selectors.period_parse(request.GET.get("period")), ""
    except DomainError as exc:
        return selectors.period_parse(None), exc.message


def period_choices(today: Any = None) -> list[str]:
    year = (today or timezone.localdate()).year
    return [label for y in (year, year - 1) for label in (str(y), *(f"{y}Q{q}" for q in (4, 3, 2, 1)))]


def _alliance(actor: Actor, pk: int) -> Alliance:
    return get_object_or_404(selectors.insight_alliances(actor).select_related("lead_library"), pk=pk)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The leadership view: every alliance in scope with its synergy index and parts, and its loop totals."""
    actor = _actor(request)
    period, error = _period(request)
    alliances = list(selectors.insight_alliances(actor).select_related("lead_library"))
    ids = [a.pk for a in alliances]
    synergy = selectors.synergy_for(ids, period)
    loop = selectors.loop_health(ids, period)
    rows = [{"alliance": a, "part": synergy[a.pk], "loop": loop[a.pk]["totals"]} for a in alliances]
    return render(
        request,
        "insight/home.html",
        {"rows": rows, "period": period, "periods": period_choices(), "period_error": error},
    )


def _chart(data: dict[str, Any]) -> dict[str, Any]:
    """What the page's charts draw, with their labels in the page's language."""
    kinds = dict(OrganizationKind.choices)
    part = data["participation"]
    fb = data["loop"]["totals"]["feedback"]
    burn = data["funding"]["burndown"]
    return {
        "activity": {
            "months": data["activity_over_time"]["months"],
            "series": [
                {"name": str(kinds[s["kind"]]), "values": s["values"]} for s in data["activity_over_time"]["series"]
            ],
        },
        "network": {
            "categories": [str(kinds[k]) for k in selectors.PARTY_KINDS],
            "nodes": [
                {
                    "id": str(pk),
                    "name": o["name"],
                    "category": selectors.PARTY_KINDS.index(o["kind"]),
                    "value": part["by_organization"].get(pk, 0),
                }
                for pk, o in data["organizations"].items()
            ],
            "links": [
                {"source": str(e["source"]), "target": str(e["target"]), "value": e["weight"]}
                for e in part["edges"]
                if e["source"] in data["organizations"] and e["target"] in data["organizations"]
            ],
        },
        "funnel": [
            {"name": _("Reader feedback"), "value": fb["total"]},
            {"name": _("Routed to a provider"), "value": fb["routed"]},
            {"name": _("Answered"), "value": fb["answered"]},
            {"name": _("Resolved"), "value": fb["resolved"]},
            {"name": _("Confirmed solved"), "value": fb["confirmed"]},
        ],
        "heat": {
            "likelihood": data["risk_heat_map"]["likelihood_labels"],
            "impact": data["risk_heat_map"]["impact_labels"],
            "cells": [
                [i, li, n] for li, row in enumerate(data["risk_heat_map"]["residual"]) for i, n in enumerate(row)
            ],
            "name": _("Live risks (residual)"),
        },
        "budget": {
            "projects": [row["title"] for row in data["funding"]["by_project"]],
            "series": [
                {"name": str(label), "values": [float(row.get(stage, 0)) for row in data["funding"]["by_project"]]}
                for stage, label in FUNDING_STAGES
            ],
            "name": _("CNY"),
        },
        "burndown": {
            "months": data["funding"]["burndown"]["months"],
            "series": [
                {"name": _("Allocated, not yet spent"), "values": [float(v) for v in burn["remaining"]]},
                {"name": _("Released (cumulative)"), "values": [float(v) for v in burn["released"]]},
                {"name": _("Spent (cumulative)"), "values": [float(v) for v in burn["spent"]]},
            ],
            "name": _("CNY"),
        },
        "names": {"activities": _("Activities"), "likelihood": _("Likelihood"), "impact": _("Impact")},
    }


FUNDING_STAGES = (
    ("budgeted", gettext_lazy("Budget (plan)")),
    ("allocated", gettext_lazy("Allocated")),
    ("released", gettext_lazy("Released")),
    ("spent", gettext_lazy("Spent")),
)


def _table_data(data: dict[str, Any]) -> dict[str, Any]:
    kinds = dict(OrganizationKind.choices)
    statuses = dict(ProjectStatus.choices)
    orgs = data["organizations"]
    part = data["participation"]
    return {
        "by_kind": [{**r, "label": kinds[r["kind"]]} for r in part["by_kind"]],
        "matrix": [
            {"label": kinds[k], "cells": [part["by_kind_and_activity"].get(k, {}).get(a, 0) for a in data["activity_labels"]]}
            for k in selectors.PARTY_KINDS
        ],
        "edges": [
            {**e, "a": orgs.get(e["source"], {}).get("name", e["source"]), "b": orgs.get(e["target"], {}).get("name", e["target"])}
            for e in part["edges"]
        ],
        "projects": [{**p, "status_label": statuses.get(p["status"], p["status"])} for p in data["loop"]["projects"]],
        "credibility": [
            {**c, "name": orgs.get(c["organization_id"], {}).get("name", c["organization_id"])} for c in data["credibility"]
        ],
        "funding": _funding_tables(data["funding"]),
    }  # fmt: skip


def _funding_tables(money: dict[str, Any]) -> dict[str, Any]:
    """Rows of amounts in stage order (plan, allocated, released, spent) for the page's and report's tables."""

    def cells(row: dict[str, Any]) -> list[str]:
        return [row.get(stage, "0") for stage, _label in FUNDING_STAGES]

    return {
        "stages": [str(label) for _stage, label in FUNDING_STAGES],
        "total": [{"label": str(label), "value": money["by_stage"].get(stage, "0")} for stage, label in FUNDING_STAGES],
        "by_project": [{"name": r["title"], "cells": cells(r)} for r in money["by_project"]],
        "by_source": [{"name": r["title"], "cells": cells(r)} for r in money.get("by_source", [])],
        "by_party": [{"name": r["name"], "cells": cells(r)} for r in money.get("by_party", [])],
    }


@login_required
def alliance_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    alliance = _alliance(actor, pk)
    period, error = _period(request)
    data = selectors.alliance_insight(alliance, period)
    reports = selectors.report_list_for(actor).filter(alliance=alliance)[:5]
    context = {
        "alliance": alliance,
        "data": data,
        "tables": _table_data(data),
        "chart": _chart(data),
        "period": period,
        "periods": period_choices(),
        "period_error": error,
        "reports": reports,
        "may_request": actor.organization is not None,
    }
    return render(request, "insight/alliance_detail.html", context)


@login_required
def report_print(request: HttpRequest, pk: int) -> HttpResponse:
    """The period report as a printable page (the same figures as the XLSX)."""
    actor = _actor(request)
    alliance = _alliance(actor, pk)
    period, _error = _period(request)
    data = selectors.alliance_insight(alliance, period)
    context = {"alliance": alliance, "data": data, "tables": _table_data(data), "period": period}
    return render(request, "insight/report_print.html", context)


@login_required
@require_POST
def report_request(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    alliance = _alliance(actor, pk)
    try:
        job = services.report_request(actor, alliance=alliance, period=request.POST.get("period", ""))
    except DomainError as exc:
        from django.contrib import messages

        messages.error(request, exc.message)
        return redirect("insight:alliance-detail", pk=alliance.pk)
    return redirect("insight:report-detail", pk=job.pk)


def _job(actor: Actor, pk: int) -> ReportJob:
    return get_object_or_404(selectors.report_list_for(actor), pk=pk)


@login_required
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The report's state; while it is generated, the progress block polls itself (htmx) every two seconds."""
    actor = _actor(request)
    job = _job(actor, pk)
    template = "insight/_report_progress.html" if request.headers.get("HX-Request") else "insight/report_detail.html"
    return render(request, template, {"job": job, "pending": job.status in (ReportStatus.QUEUED, ReportStatus.RUNNING)})


@login_required
def report_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    actor = _actor(request)
    job = _job(actor, pk)
    if job.status != ReportStatus.DONE or not job.file:
        raise Http404
    try:
        handle = job.file.open("rb")
    except (FileNotFoundError, ValidationError) as exc:
        raise Http404 from exc
    return FileResponse(handle, as_attachment=True, filename=f"insight-{job.alliance_id}-{job.period}.xlsx")


@login_required
def oversight_page(request: HttpRequest) -> HttpResponse:
    """Across the alliances in scope: projects by state, risks by level, satisfaction, overdue items."""
    actor = _actor(request)
    alliances = list(selectors.insight_alliances(actor))
    data = selectors.oversight([a.pk for a in alliances])
    names = {a.pk: a for a in alliances}
    statuses = dict(ProjectStatus.choices)
    levels = dict(RiskLevel.choices)
    rows = [{**row, "alliance": names[row["alliance_id"]]} for row in data["alliances"]]
    totals = data["totals"]
    shown = [s for s in ProjectStatus.values if totals["projects_by_status"].get(s)]
    items = reverse("insight:oversight-items", args=["projects"])
    risk_items = reverse("insight:oversight-items", args=["risks"])
    chart = {
        "projects": {
            "labels": [str(statuses[s]) for s in shown],
            "values": [totals["projects_by_status"][s] for s in shown],
            "links": [f"{items}?key={s}" for s in shown],
        },
        "risks": {
            "labels": [str(levels[lv]) for lv in RiskLevel.values],
            "values": [totals["risks_by_level"][lv] for lv in RiskLevel.values],
            "links": [f"{risk_items}?key={lv}" for lv in RiskLevel.values],
        },
        "names": {"projects": _("Projects"), "risks": _("Live risks")},
    }  # fmt: skip
    context = {
        "rows": rows,
        "totals": totals,
        "status_labels": statuses,
        "chart": chart,
        "levels": RiskLevel.values,
        "level_labels": levels,
        "fund_stages": [(stage, label) for stage, label in FUNDING_STAGES if stage != "budgeted"],
        "overdue_kinds": [(kind, drilldown.OVERDUE_LABELS[kind]) for kind in selectors.OVERDUE_KINDS],
    }
    return render(request, "insight/oversight.html", context)


@login_required
def oversight_items(request: HttpRequest, figure: str) -> HttpResponse:
    """The items behind one oversight figure, in the alliances the actor oversees (optionally one of them).

    ``?alliance=`` outside the actor's scope is a 404; ``?key=`` narrows projects to a state or risks to a level.
    """
    actor = _actor(request)
    if figure not in drilldown.FIGURES:
        raise Http404
    alliances = {a.pk: a for a in selectors.insight_alliances(actor)}
    alliance = None
    if request.GET.get("alliance"):
        try:
            alliance = alliances[int(request.GET["alliance"])]
        except (KeyError, ValueError) as exc:
            raise Http404 from exc
    key = request.GET.get("key", "")
    if key and not drilldown.valid_key(figure, key):
        key = ""
    ids = [alliance.pk] if alliance else list(alliances)
    items = drilldown.oversight_items(figure, ids, key=key)
    key_label = dict(ProjectStatus.choices).get(key) or dict(RiskLevel.choices).get(key) or ""
    context = {
        "figure": figure,
        "title": drilldown.TITLES[figure],
        "columns": drilldown.columns(figure),
        "items": [(alliances[item.alliance_id], item) for item in items],
        "alliance": alliance,
        "key_label": key_label,
    }
    return render(request, "insight/oversight_items.html", context)

"""Funding pages: the overview (sources, funded projects, the alliance burn-down) and a project's money page
(allocations, milestones to accept, tranches to release, spending with receipts, reports owed)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.exceptions import DomainError
from core.exports import Column, export_response, requested_format
from core.files import document_response
from stakeholders.access import Actor, actor_for
from stakeholders.choices import OrganizationKind
from stakeholders.forms import add_domain_error
from stakeholders.models import Organization

from ..forms_funding import AllocationForm, ExpenditureForm, FundingSourceForm, ReportSubmitForm, TranchePlanForm
from ..models import Alliance, Milestone, Project
from ..selectors import alliance_list_for, milestone_list_for
from ..selectors_funding import (
    BurnDown,
    acceptable_milestones,
    allocation_list_for,
    burn_down,
    expenditure_list_for,
    financial_report_list_for,
    funded_projects_for,
    funding_source_list_for,
    funding_visible_projects,
    tranche_list_for,
    visible_allocations,
)
from ..services import funding as services
from ._common import refused

FUNDER_KINDS = (OrganizationKind.GOVERNMENT, OrganizationKind.ENTERPRISE, OrganizationKind.LIBRARY)

BURN_DOWN_COLUMNS = [
    Column(gettext_lazy("Date"), "date"),
    Column(gettext_lazy("Allocated (CNY)"), "allocated"),
    Column(gettext_lazy("Released (CNY)"), "released"),
    Column(gettext_lazy("Spent (CNY)"), "spent"),
    Column(gettext_lazy("Remaining (CNY)"), "remaining"),
]
EXPENDITURE_COLUMNS = [
    Column(gettext_lazy("Spent on"), "spent_on"),
    Column(gettext_lazy("Project"), "project.title"),
    Column(gettext_lazy("Funding source"), "allocation.source.title"),
    Column(gettext_lazy("Category"), "get_category_display"),
    Column(gettext_lazy("Amount (CNY)"), "amount"),
    Column(gettext_lazy("Description"), "description"),
    Column(gettext_lazy("Recorded by"), "organization.display_name"),
]


def _labels() -> dict[str, str]:
    return {
        "allocated": _("Allocated"),
        "released": _("Released"),
        "spent": _("Spent"),
        "remaining": _("Remaining"),
    }


def _export(request: HttpRequest, burn: BurnDown, expenditures: Any, stem: str) -> HttpResponse | None:
    fmt = requested_format(request)
    if not fmt:
        return None
    if request.GET.get("table") == "expenditures":
        return export_response(expenditures, EXPENDITURE_COLUMNS, filename=f"{stem}-expenditures", fmt=fmt)
    return export_response(burn.rows(), BURN_DOWN_COLUMNS, filename=f"{stem}-burn-down", fmt=fmt)


def _managed(actor: Actor, kinds: tuple[str, ...] = FUNDER_KINDS) -> list[Organization]:
    return [
        m.organization for m in actor.memberships if actor.manages(m.organization_id) and m.organization.kind in kinds
    ]


@login_required
def funding_overview(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    sources = list(funding_source_list_for(actor))
    projects = list(funded_projects_for(actor))
    alliances = list(alliance_list_for(actor))
    chosen: Alliance | None = None
    wanted = request.GET.get("alliance", "")
    if wanted.isdigit():
        chosen = next((a for a in alliances if a.pk == int(wanted)), None)
    if chosen is None:
        with_money = {p.alliance_id for p in projects}
        chosen = next((a for a in alliances if a.pk in with_money), None)
    allocations = allocation_list_for(actor, alliance=chosen) if chosen else allocation_list_for(actor).none()
    burn = burn_down(allocations)
    expenditures = expenditure_list_for(actor, alliance=chosen) if chosen else expenditure_list_for(actor).none()
    exported = _export(request, burn, expenditures, "funding")
    if exported is not None:
        return exported
    funders = _managed(actor)
    own_sources = [s for s in sources if actor.manages(s.organization_id)]
    source_form = FundingSourceForm(
        alliances=alliance_list_for(actor), organizations=Organization.objects.filter(pk__in=[o.pk for o in funders])
    )
    allocation_form = AllocationForm(
        sources=funding_source_list_for(actor).filter(pk__in=[s.pk for s in own_sources]),
        projects=Project.objects.active().filter(alliance_id__in={s.alliance_id for s in own_sources}),
    )
    context = {
        "sources": sources,
        "projects": projects,
        "alliances": alliances,
        "chosen": chosen,
        "alliance_query": f"alliance={chosen.pk}&" if chosen else "",
        "burn": burn,
        "totals": burn.totals,
        "chart": burn.chart(_labels()) if burn.dates else None,
        "source_form": source_form if funders else None,
        "allocation_form": allocation_form if own_sources else None,
        "archiving": {s.pk for s in own_sources if not s.allocated},  # type: ignore[attr-defined]
    }
    return render(request, "alliance/funding_overview.html", context)


@login_required
@require_POST
def source_create(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    funders = _managed(actor)
    form = FundingSourceForm(
        request.POST,
        alliances=alliance_list_for(actor),
        organizations=Organization.objects.filter(pk__in=[o.pk for o in funders]),
    )
    if form.is_valid():
        try:
            services.funding_source_create(actor=actor, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("The funding source is recorded."))
            return redirect("alliance:funding")
    _form_refused(request, form)
    return redirect("alliance:funding")


@login_required
@require_POST
def allocation_create(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    sources = funding_source_list_for(actor)
    projects = Project.objects.active().filter(alliance_id__in=sources.values("alliance_id"))
    form = AllocationForm(request.POST, sources=sources, projects=projects)
    if form.is_valid():
        try:
            allocation = services.allocation_create(actor=actor, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("The allocation is recorded."))
            return redirect("alliance:funding-project", pk=allocation.project_id)
    _form_refused(request, form)
    return redirect("alliance:funding")


@login_required
@require_POST
def source_archive(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    source = get_object_or_404(funding_source_list_for(actor), pk=pk)
    try:
        services.funding_source_archive(actor=actor, source=source)
    except DomainError as exc:
        refused(request, exc)
    else:
        messages.success(request, _("The funding source is archived."))
    return redirect(reverse("alliance:funding") + "#sources")


@login_required
@require_POST
def allocation_archive(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    allocation = get_object_or_404(allocation_list_for(actor), pk=pk)
    try:
        services.allocation_archive(actor=actor, allocation=allocation)
    except DomainError as exc:
        refused(request, exc)
    else:
        messages.success(request, _("The allocation is archived, with its planned tranches."))
    return _back(allocation.project_id, "allocations")


@login_required
def expenditure_receipt(request: HttpRequest, pk: int) -> FileResponse:
    """The receipt, for whoever sees the allocation it was spent from; anyone else gets a 404."""
    expenditure = get_object_or_404(expenditure_list_for(actor_for(request)), pk=pk)
    return document_response(expenditure.receipt, f"receipt-{expenditure.pk}")


def _form_refused(request: HttpRequest, form: Any) -> None:
    """A refused form on a page of several forms: its errors go to the messages above the page."""
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


def _project_page(actor: Actor, pk: int) -> Project:
    return get_object_or_404(funding_visible_projects(actor).select_related("alliance"), pk=pk)


@login_required
def project_funding(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    project = _project_page(actor, pk)
    allocations = list(allocation_list_for(actor, project=project))
    burn = burn_down(allocation_list_for(actor, project=project))
    expenditures = expenditure_list_for(actor, project=project)
    exported = _export(request, burn, expenditures, f"project-{project.pk}")
    if exported is not None:
        return exported
    lead = project.alliance.lead_library_id
    releasing = {a.pk for a in allocations if actor.manages(a.source.organization_id)}
    try:
        services.spending_organization(actor, project)
        can_spend = True
    except DomainError:
        can_spend = False
    milestones = acceptable_milestones(project)
    context = {
        "project": project,
        "allocations": allocations,
        "tranches": tranche_list_for(actor, project=project),
        "milestones": milestones,
        "expenditures": expenditures,
        "reports": financial_report_list_for(actor, project=project),
        "burn": burn,
        "totals": burn.totals,
        "chart": burn.chart(_labels()) if burn.dates else None,
        "can_accept": services.may_accept_milestones(actor, project),
        "releasing": releasing,
        "can_spend": can_spend and bool(allocations),
        "can_report": actor.writes_for(lead),
        "tranche_form": TranchePlanForm(milestones=milestones) if releasing else None,
        "expenditure_form": ExpenditureForm(),
        "report_form": ReportSubmitForm(),
    }
    return render(request, "alliance/funding_project.html", context)


def _back(project_id: int, anchor: str) -> HttpResponse:
    return redirect(reverse("alliance:funding-project", args=[project_id]) + f"#{anchor}")


@login_required
@require_POST
def milestone_accept(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    projects = funding_visible_projects(actor)
    milestone = get_object_or_404(Milestone.objects.active().filter(project__in=projects), pk=pk)
    try:
        services.milestone_accept(actor=actor, milestone=milestone)
    except DomainError as exc:
        refused(request, exc)
    else:
        messages.success(request, _("The milestone is accepted; its tranches can be released."))
    return _back(milestone.project_id, "milestones")


@login_required
@require_POST
def tranche_plan(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    allocation = get_object_or_404(visible_allocations(actor).filter(archived_at__isnull=True), pk=pk)
    form = TranchePlanForm(request.POST, milestones=milestone_list_for(actor).filter(project=allocation.project_id))
    if form.is_valid():
        try:
            services.tranche_plan(actor=actor, allocation=allocation, **form.cleaned_data)
        except DomainError as exc:
            refused(request, exc)
        else:
            messages.success(request, _("The tranche is planned."))
    else:
        _form_refused(request, form)
    return _back(allocation.project_id, "tranches")


@login_required
@require_POST
def tranche_release(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    tranche = get_object_or_404(tranche_list_for(actor), pk=pk)
    try:
        services.tranche_release(actor=actor, tranche=tranche)
    except DomainError as exc:
        refused(request, exc)
    else:
        messages.success(request, _("The tranche is released."))
    return _back(tranche.allocation.project_id, "tranches")


@login_required
@require_POST
def expenditure_record(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    allocation = get_object_or_404(visible_allocations(actor).filter(archived_at__isnull=True), pk=pk)
    form = ExpenditureForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.expenditure_record(actor=actor, allocation=allocation, **form.cleaned_data)
        except DomainError as exc:
            refused(request, exc)
        else:
            messages.success(request, _("The expenditure is recorded."))
    else:
        _form_refused(request, form)
    return _back(allocation.project_id, "expenditures")


@login_required
@require_POST
def report_submit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    report = get_object_or_404(financial_report_list_for(actor), pk=pk)
    form = ReportSubmitForm(request.POST)
    if form.is_valid():
        try:
            services.financial_report_submit(actor=actor, report=report, summary=form.cleaned_data["summary"])
        except DomainError as exc:
            refused(request, exc)
        else:
            messages.success(request, _("The financial report is submitted."))
    else:
        _form_refused(request, form)
    return _back(report.allocation.project_id, "reports")

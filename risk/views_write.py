"""Risk pages that write: registers, adopted templates, risks, treatment, acceptance, reviews, incidents and
the pre-assessment.

Every write goes through risk.services (the same rules as the API). A refusal or bad input comes back on
the form with its message (never an error page); an object the actor cannot see is a 404. The small forms
of a risk's page post here and, on an error, the risk page is drawn again with the bound form open.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alliance.choices import ProjectStatus
from alliance.parties import LEAD, PROVIDER, project_parties
from alliance.selectors import alliance_list_for, project_list_for
from core.exceptions import DomainError
from stakeholders.access import Actor, actor_for
from stakeholders.forms import add_domain_error

from . import selectors, services
from .access import is_keeper, register_parties
from .choices import (
    DEFAULT_IMPACT_LABELS,
    DEFAULT_LIKELIHOOD_LABELS,
    RiskCategory,
    RiskStatus,
    level_for,
    score,
    shown_labels,
)
from .forms import (
    AcceptanceForm,
    AdoptForm,
    DrillForm,
    IncidentForm,
    MitigationForm,
    PlanForm,
    PreAssessmentItemForm,
    PreAssessmentStartForm,
    ProgressForm,
    RegisterCreateForm,
    RegisterEditForm,
    ReviewForm,
    RiskForm,
    SignForm,
)
from .models import PreAssessment, Risk, RiskRegister
from .views import risk_page

# Projects may be pre-assessed until they enter development.
PREASSESSABLE = (ProjectStatus.DRAFT, ProjectStatus.NEEDS_ANALYSIS, ProjectStatus.SEEKING_PARTNERS)


def _register(actor: Actor, pk: int, *, keeper: bool = True) -> RiskRegister:
    """A register the actor sees (404 otherwise); for the keepers' pages, one the actor keeps."""
    register: RiskRegister = get_object_or_404(selectors.register_list_for(actor), pk=pk)
    if keeper and not is_keeper(actor, register):
        raise Http404
    return register


def _risk(actor: Actor, pk: int) -> Risk:
    risk: Risk = get_object_or_404(selectors.risk_list_for(actor), pk=pk)
    return risk


def _labels(register: RiskRegister) -> dict[str, Any]:
    return {
        "likelihood_labels": shown_labels(list(register.likelihood_labels), DEFAULT_LIKELIHOOD_LABELS),
        "impact_labels": shown_labels(list(register.impact_labels), DEFAULT_IMPACT_LABELS),
    }


def _form_page(request: HttpRequest, context: dict[str, Any], template: str = "risk/form.html") -> HttpResponse:
    return render(request, template, context)


def _back_to_risk(risk: Risk, anchor: str = "") -> HttpResponse:
    response = redirect("risk:risk-detail", pk=risk.pk)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


# --- registers ---------------------------------------------------------------------------------------------------


@login_required
def register_create(request: HttpRequest) -> HttpResponse:
    """The lead library opens the register of its alliance or of one of the alliance's projects."""
    actor = actor_for(request)
    writes = [org for org in actor.library_ids if actor.writes_for(org)]
    alliances = alliance_list_for(actor).filter(lead_library_id__in=writes)
    if not actor.is_superuser and not alliances.exists():
        raise Http404
    projects = project_list_for(actor).filter(alliance__in=alliances.values("pk"))
    initial: dict[str, Any] = {}
    project_id = request.GET.get("project", "")
    if project_id.isdigit():
        project = projects.filter(pk=int(project_id)).first()
        if project is not None:
            initial = {"project": project.pk, "alliance": project.alliance_id}
    form = RegisterCreateForm(request.POST or None, alliances=alliances, projects=projects, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            register = services.register_create(actor=actor, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("The risk register is opened."))
            return redirect("risk:register-detail", pk=register.pk)
    return _form_page(
        request,
        {
            "form": form,
            "title": _("Open a risk register"),
            "submit": _("Open the register"),
            "form_id": "register-form",
        },
    )


@login_required
def register_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    register = _register(actor, pk)
    initial = {
        "title": register.title,
        "likelihood_labels": ", ".join(_labels(register)["likelihood_labels"]),
        "impact_labels": ", ".join(_labels(register)["impact_labels"]),
    }
    form = RegisterEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.register_update(actor=actor, register=register, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("The register is saved."))
            return redirect("risk:register-detail", pk=register.pk)
    return _form_page(
        request,
        {
            "form": form,
            "register": register,
            "title": _("Edit the register"),
            "submit": _("Save"),
            "form_id": "register-edit-form",
            "archive_url": "risk:register-archive",
            "archive_pk": register.pk,
        },
    )


@login_required
@require_POST
def register_archive(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    register = _register(actor, pk)
    try:
        services.register_archive(actor=actor, register=register)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("risk:register-edit", pk=register.pk)
    messages.success(request, _("The register is archived."))
    return redirect("risk:register-list")


@login_required
def register_adopt(request: HttpRequest, pk: int) -> HttpResponse:
    """Pick several domain templates; each becomes a risk of the register, to adjust afterwards."""
    actor = actor_for(request)
    register = _register(actor, pk)
    taken = Risk.objects.active().filter(register=register, template__isnull=False).values("template_id")
    templates = selectors.template_list_for(actor).exclude(pk__in=taken)
    form = AdoptForm(request.POST or None, templates=templates, organizations=services.party_organizations(register))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            risks = services.register_adopt_templates(
                actor=actor,
                register=register,
                templates=list(data["templates"]),
                owner_organization=data["owner_organization"],
                language=data["language"] or None,
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("%(n)d risks adopted: adjust each to your project.") % {"n": len(risks)})
            return redirect("risk:register-detail", pk=register.pk)
    context = {
        "form": form,
        "register": register,
        "templates": {t.pk: t for t in templates},
        "categories": dict(RiskCategory.choices),
    }
    return render(request, "risk/adopt.html", context)


# --- risks -------------------------------------------------------------------------------------------------------


@login_required
def risk_create(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    register = _register(actor, pk)
    form = RiskForm(
        request.POST or None,
        organizations=services.party_organizations(register),
        initial={"owner_organization": register.alliance.lead_library_id},
        **_labels(register),
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            risk = services.risk_create(actor=actor, register=register, **data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("The risk is recorded."))
            return redirect("risk:risk-detail", pk=risk.pk)
    return _form_page(
        request,
        {
            "form": form,
            "register": register,
            "title": _("Record a risk"),
            "submit": _("Record"),
            "form_id": "risk-form",
        },
        "risk/risk_form.html",
    )


@login_required
def risk_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Adjust a risk (an adopted template, say) and set its status by hand; archive one recorded by mistake."""
    actor = actor_for(request)
    risk = _risk(actor, pk)
    if not is_keeper(actor, risk.register):
        raise Http404
    names = ("category", "title", "cause", "consequence", "owner", "owner_organization", "likelihood", "impact",
             "treatment", "residual_likelihood", "residual_impact", "status")  # fmt: skip
    initial = {name: getattr(risk, name) for name in names}
    form = RiskForm(
        request.POST or None,
        organizations=services.party_organizations(risk.register),
        initial=initial,
        editing=True,
        **_labels(risk.register),
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        status = data.pop("status") or risk.status
        data["residual_likelihood"] = data["residual_likelihood"] or data["likelihood"]
        data["residual_impact"] = data["residual_impact"] or data["impact"]
        changes = {k: v for k, v in data.items() if v != getattr(risk, k)}
        try:
            with transaction.atomic():
                if changes:
                    risk = services.risk_update(actor=actor, risk=risk, **changes)
                if status != risk.status:
                    services.risk_set_status(actor=actor, risk=risk, status=status)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("The risk is saved."))
            return redirect("risk:risk-detail", pk=risk.pk)
    return _form_page(
        request,
        {
            "form": form,
            "register": risk.register,
            "risk": risk,
            "title": _("Edit the risk"),
            "submit": _("Save"),
            "form_id": "risk-form",
            "archive_url": "risk:risk-archive",
            "archive_pk": risk.pk,
        },
        "risk/risk_form.html",
    )


@login_required
@require_POST
def risk_archive(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    risk = _risk(actor, pk)
    try:
        services.risk_archive(actor=actor, risk=risk)
    except DomainError as exc:
        messages.error(request, exc.message)
        return _back_to_risk(risk)
    messages.success(request, _("The risk is archived."))
    return redirect("risk:register-detail", pk=risk.register_id)


# --- a risk's page: treatment, acceptance, review ------------------------------------------------------------------


def _risk_form_post(
    request: HttpRequest, risk: Risk, form: Any, call: Any, anchor: str, form_name: str, done: str
) -> HttpResponse:
    """A form of the risk page: on success back to its section; else the page again with the form's errors."""
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, done)
            return _back_to_risk(risk, anchor)
    return risk_page(request, risk, **{form_name: form})


@login_required
@require_POST
def mitigation_add(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    risk = _risk(actor, pk)
    form = MitigationForm(
        request.POST, organizations=services.party_organizations(risk.register), auto_id="mitigation_%s"
    )
    return _risk_form_post(
        request,
        risk,
        form,
        lambda data: services.mitigation_create(actor=actor, risk=risk, **data),
        "mitigations",
        "mitigation_form",
        _("The mitigation is planned and its owner told."),
    )


def _mitigation_row(request: HttpRequest, mitigation: Any, form: Any = None) -> HttpResponse:
    actor = actor_for(request)
    context = {
        "m": mitigation,
        "can_progress": _may_progress(actor, mitigation),
        "progress_form": form,
    }
    return render(request, "risk/_mitigation_row.html", context)


def _may_progress(actor: Actor, mitigation: Any) -> bool:
    lead = mitigation.risk.register.alliance.lead_library_id
    return mitigation.done_at is None and (actor.writes_for(lead) or actor.writes_for(mitigation.owner_organization_id))


@login_required
@require_POST
def mitigation_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The owner (or the keepers) report progress; ``complete`` marks it done. htmx swaps the row in place."""
    actor = actor_for(request)
    mitigation = get_object_or_404(
        selectors.mitigation_list_for(actor).select_related("risk__register__alliance"), pk=pk
    )
    data = request.POST.copy()
    if "complete" in data:
        data["progress"] = "100"
    form = ProgressForm(data, auto_id=f"progress_{mitigation.pk}_%s")
    htmx = request.headers.get("HX-Request") == "true"
    if form.is_valid():
        try:
            mitigation = services.mitigation_update(
                actor=actor, mitigation=mitigation, progress=form.cleaned_data["progress"]
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            if htmx:
                return _mitigation_row(request, mitigation)
            messages.success(request, _("Progress is recorded."))
            return _back_to_risk(mitigation.risk, "mitigations")
    if htmx:
        return _mitigation_row(request, mitigation, form)
    for error in form.errors.get("progress", []) + list(form.non_field_errors()):
        messages.error(request, str(error))
    return _back_to_risk(mitigation.risk, "mitigations")


@login_required
@require_POST
def plan_add(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    risk = _risk(actor, pk)
    form = PlanForm(request.POST, auto_id="plan_%s")
    return _risk_form_post(
        request,
        risk,
        form,
        lambda data: services.emergency_plan_create(actor=actor, risk=risk, **data),
        "plans",
        "plan_form",
        _("The emergency plan is saved."),
    )


@login_required
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    plan = get_object_or_404(selectors.emergency_plan_list_for(actor).select_related("risk__register"), pk=pk)
    if not is_keeper(actor, plan.risk.register):
        raise Http404
    initial = {name: getattr(plan, name) for name in ("title", "trigger_conditions", "steps", "contacts")}
    form = PlanForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.emergency_plan_update(actor=actor, plan=plan, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("The emergency plan is saved."))
            return _back_to_risk(plan.risk, "plans")
    return _form_page(
        request,
        {
            "form": form,
            "register": plan.risk.register,
            "risk": plan.risk,
            "title": _("Edit the emergency plan"),
            "submit": _("Save"),
            "form_id": "plan-form",
        },
    )


@login_required
@require_POST
def drill_add(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    plan = get_object_or_404(selectors.emergency_plan_list_for(actor).select_related("risk"), pk=pk)
    form = DrillForm(request.POST, auto_id=f"drill_{plan.pk}_%s")
    risk = _risk(actor, plan.risk_id)
    if form.is_valid():
        try:
            services.drill_record(actor=actor, plan=plan, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("The drill is recorded."))
            return _back_to_risk(risk, f"plan-{plan.pk}")
    return risk_page(request, risk, drill_forms={plan.pk: form})


@login_required
@require_POST
def acceptance_give(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    risk = _risk(actor, pk)
    form = AcceptanceForm(request.POST, auto_id="acceptance_%s")
    return _risk_form_post(
        request,
        risk,
        form,
        lambda data: services.acceptance_give(actor=actor, risk=risk, **data),
        "acceptances",
        "acceptance_form",
        _("The residual risk is accepted."),
    )


@login_required
@require_POST
def review_record(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    risk = _risk(actor, pk)
    form = ReviewForm(request.POST, risk=risk, auto_id="review_%s")
    return _risk_form_post(
        request,
        risk,
        form,
        lambda data: services.review_record(actor=actor, risk=risk, **data),
        "reviews",
        "review_form",
        _("The review is recorded; the next one is scheduled by the new level."),
    )


# --- incidents ---------------------------------------------------------------------------------------------------


@login_required
def incident_record(request: HttpRequest, pk: int) -> HttpResponse:
    """The keepers, or the project's provider, record an incident and re-score the risks it concerns."""
    actor = actor_for(request)
    register = _register(actor, pk, keeper=False)
    if not register_parties(actor, register) & {LEAD, PROVIDER}:
        raise Http404
    risks = list(selectors.risk_list_for(actor).filter(register=register).exclude(status=RiskStatus.CLOSED))
    risks += list(selectors.risk_list_for(actor).filter(register=register, status=RiskStatus.CLOSED))
    form = IncidentForm(request.POST or None, risks=risks)
    if request.method == "POST" and form.is_valid():
        try:
            services.incident_record(actor=actor, register=register, **form.service_data())
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("The incident is recorded and its risks re-scored."))
            return redirect("risk:register-detail", pk=register.pk)
    return render(request, "risk/incident_form.html", {"form": form, "register": register})


# --- pre-assessment ----------------------------------------------------------------------------------------------


def _startable_projects(actor: Actor) -> Any:
    writes = [org for org in actor.library_ids if actor.writes_for(org)]
    taken = PreAssessment.objects.active().values("project_id")
    return (
        project_list_for(actor)
        .filter(alliance__lead_library_id__in=writes, status__in=PREASSESSABLE)
        .exclude(pk__in=taken)
    )


@login_required
def preassessment_list(request: HttpRequest) -> HttpResponse:
    """The pre-assessments the actor sees, and the projects the library may start one for."""
    actor = actor_for(request)
    assessments = selectors.preassessment_list_for(actor)
    context = {
        "assessments": assessments,
        "startable": _startable_projects(actor),
        "start_form": PreAssessmentStartForm(),
        "total": len(RiskCategory.values),
    }
    return render(request, "risk/preassessment_list.html", context)


@login_required
@require_POST
def preassessment_start(request: HttpRequest, project_pk: int) -> HttpResponse:
    actor = actor_for(request)
    project = get_object_or_404(project_list_for(actor), pk=project_pk)
    form = PreAssessmentStartForm(request.POST)
    summary = form.cleaned_data["summary"] if form.is_valid() else ""
    try:
        assessment = services.preassessment_start(actor=actor, project=project, summary=summary)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("risk:preassessment-list")
    return redirect("risk:preassessment-detail", pk=assessment.pk)


def _assessment(actor: Actor, pk: int) -> PreAssessment:
    assessment: PreAssessment = get_object_or_404(selectors.preassessment_list_for(actor), pk=pk)
    return assessment


def preassessment_page(request: HttpRequest, assessment: PreAssessment, bound: Any = None) -> HttpResponse:
    actor = actor_for(request)
    parties = project_parties(actor, assessment.project)
    items: dict[str, Any] = {item.category: item for item in assessment.items.all()}
    for item in items.values():
        item.score = score(item.likelihood, item.impact)
        item.level = level_for(item.score)
    rows = []
    for value, label in RiskCategory.choices:
        item = items.get(value)
        if bound is not None and bound.data.get("category") == value:
            form = bound
        else:
            initial: dict[str, Any] = {"category": value}
            if item is not None:
                initial.update(finding=item.finding, likelihood=item.likelihood, impact=item.impact)
            form = PreAssessmentItemForm(initial=initial, auto_id=f"item_{value}_%s")
        rows.append({"category": value, "label": label, "item": item, "form": form})
    provider = services.preassessment_provider(assessment.project)
    context = {
        "assessment": assessment,
        "rows": rows,
        "may_assess": bool(parties & {LEAD, PROVIDER}),
        "missing": services.preassessment_missing_categories(assessment),
        "may_sign_library": actor.manages(assessment.project.alliance.lead_library_id),
        "may_sign_provider": provider is not None and actor.manages(provider.organization_id),
        "provider": provider.organization if provider else None,
        "check": services.preassessment_check(assessment.project),
    }
    return render(request, "risk/preassessment_detail.html", context)


@login_required
def preassessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return preassessment_page(request, _assessment(actor_for(request), pk))


@login_required
@require_POST
def preassessment_assess(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    assessment = _assessment(actor, pk)
    category = request.POST.get("category", "")
    form = PreAssessmentItemForm(request.POST, auto_id=f"item_{category}_%s")
    if form.is_valid():
        try:
            services.preassessment_assess(actor=actor, assessment=assessment, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("The category is assessed."))
            response = redirect("risk:preassessment-detail", pk=assessment.pk)
            response["Location"] += f"#item-{form.cleaned_data['category']}"
            return response
    if category not in RiskCategory.values:
        messages.error(request, _("Unknown category."))
        return redirect("risk:preassessment-detail", pk=assessment.pk)
    return preassessment_page(request, assessment, bound=form)


@login_required
@require_POST
def preassessment_sign(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    assessment = _assessment(actor, pk)
    form = SignForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Sign as the library or as the provider."))
    else:
        try:
            signed = services.preassessment_sign(actor=actor, assessment=assessment, side=form.cleaned_data["side"])
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            if signed.status == "completed":
                messages.success(request, _("Both sides have signed: the project may enter development."))
            else:
                messages.success(request, _("Signed. The other side signs next."))
    return redirect("risk:preassessment-detail", pk=assessment.pk)

"""Projects: the list with filters and export, the project page with its next steps, and its timeline."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.exceptions import DomainError
from core.exports import Column, export_response, requested_format
from stakeholders.access import Actor, actor_for
from stakeholders.forms import add_domain_error
from stakeholders.models import Organization, ReaderProfile

from .. import services
from ..choices import AllianceRole, CorrectionStatus, GuidanceKind, ProjectStatus, TrialStatus
from ..forms import (
    CorrectionForm,
    DeliverableForm,
    MilestoneForm,
    ParticipantForm,
    ProjectFilterForm,
    ProjectForm,
    SignoffForm,
    StandardDeclareForm,
    TransitionForm,
    TrialPlanForm,
    VersionForm,
)
from ..models import AllianceMember, DeliverableVersion, GuidanceDocument, Project, ProjectParticipant
from ..parties import GOVERNMENT, LEAD, LEAD_MANAGER, PROVIDER, project_parties
from ..selectors import (
    alliance_list_for,
    available_transitions,
    correction_list_for,
    deliverable_list_for,
    milestone_list_for,
    need_list_for,
    project_list_for,
    project_rounds,
    project_transitions,
    signoff_list_for,
    trial_list_for,
    visible_projects,
)
from ..selectors_contracts import ip_assets_by_deliverable
from ._common import PAGE_SIZE, is_htmx, querystring, refused

# Bootstrap colours of the state badge: where the project stands at a glance.
STATUS_COLOURS: dict[str, str] = {
    ProjectStatus.DRAFT: "secondary",
    ProjectStatus.NEEDS_ANALYSIS: "info",
    ProjectStatus.SEEKING_PARTNERS: "info",
    ProjectStatus.IN_DEVELOPMENT: "primary",
    ProjectStatus.DELIVERED: "primary",
    ProjectStatus.IN_TRIAL: "warning",
    ProjectStatus.CORRECTING: "danger",
    ProjectStatus.ACCEPTED: "success",
    ProjectStatus.CLOSED: "dark",
    ProjectStatus.SUSPENDED: "secondary",
    ProjectStatus.CANCELLED: "secondary",
}

# While the provider develops, delivers, is trialled or corrects, the library may send it deviations.
RAISE_STATUSES = (
    ProjectStatus.IN_DEVELOPMENT, ProjectStatus.DELIVERED, ProjectStatus.IN_TRIAL, ProjectStatus.CORRECTING,
)  # fmt: skip

PROJECT_COLUMNS = [
    Column(gettext_lazy("Title"), "title"),
    Column(gettext_lazy("Alliance"), "alliance.name"),
    Column(gettext_lazy("State"), "get_status_display"),
    Column(gettext_lazy("Since"), "status_changed_at"),
    Column(gettext_lazy("Budget (CNY)"), "budget"),
    Column(
        gettext_lazy("Participants"),
        lambda p: "; ".join(f"{x.organization.display_name} ({x.get_role_display()})" for x in p.active_participants),
    ),
    Column(gettext_lazy("Needs"), "need_count"),
    Column(gettext_lazy("Open corrections"), "open_correction_count"),
    Column(gettext_lazy("Planned start"), "starts_on"),
    Column(gettext_lazy("Planned end"), "ends_on"),
]


def visible_project(actor: Actor, pk: int) -> Project:
    return get_object_or_404(project_list_for(actor, include_archived=True), pk=pk)


@login_required
def project_list(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    alliances = alliance_list_for(actor)
    form = ProjectFilterForm(request.GET or None, alliances=alliances)
    data = form.cleaned_data if form.is_valid() else {}
    qs = project_list_for(actor, alliance=data.get("alliance"), status=data.get("status") or None)
    fmt = requested_format(request)
    if fmt:
        return export_response(qs, PROJECT_COLUMNS, filename="projects", fmt=fmt)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "projects": page.object_list,
        "querystring": querystring(request),
        "colours": STATUS_COLOURS,
        "can_create": any(actor.writes_for(org_id) for org_id in actor.library_ids),
    }
    template = "alliance/_project_results.html" if is_htmx(request) else "alliance/project_list.html"
    return render(request, template, context)


@login_required
def project_create(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    alliances = alliance_list_for(actor).filter(lead_library_id__in=actor.library_ids)
    needs = need_list_for(actor).filter(library_id__in=actor.library_ids)
    form = ProjectForm(request.POST or None, alliances=alliances, needs=needs, initial=request.GET.dict() or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["needs"] = list(data["needs"])
        try:
            project = services.project_create(actor=actor, **data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("The project is opened in draft."))
            return redirect("alliance:project-detail", pk=project.pk)
    return render(request, "alliance/project_form.html", {"form": form})


def _trial_readers(project: Project) -> Any:
    """Readers of the alliance's libraries who agreed to take part in trials."""
    libraries = AllianceMember.objects.active().filter(alliance_id=project.alliance_id, role=AllianceRole.DEMAND)
    return (
        ReaderProfile.objects.filter(consent_trials=True, home_library_id__in=libraries.values("organization_id"))
        .select_related("user")
        .order_by("user__username")
    )


def _project_versions(actor: Actor, project: Project) -> Any:
    return (
        DeliverableVersion.objects.active()
        .filter(deliverable__project=project, deliverable__project__in=visible_projects(actor))
        .select_related("deliverable")
        .order_by("-created_at")
    )


def project_context(request: HttpRequest, project: Project, **forms: Any) -> dict[str, Any]:
    """Everything the project page shows; bound forms passed in replace the blank ones (to show errors)."""
    actor = actor_for(request)
    parties = project_parties(actor, project)
    options = [o for o in available_transitions(actor, project, parties) if o.permitted]
    trials = list(trial_list_for(actor, project))
    open_trial = next((t for t in trials if t.status in (TrialStatus.PLANNED, TrialStatus.RUNNING)), None)
    corrections = list(correction_list_for(actor, project=project))
    rounds = project_rounds(project)
    live = not project.is_archived and project.status not in (ProjectStatus.CLOSED, ProjectStatus.CANCELLED)
    is_lead, is_provider = LEAD in parties, PROVIDER in parties
    members = AllianceMember.objects.active().filter(alliance_id=project.alliance_id).values("organization_id")
    open_answered = [c for c in corrections if c.status == CorrectionStatus.ANSWERED]
    chart = {
        "labels": [_("Round %(n)d") % {"n": r.number} for r in rounds],
        "satisfaction": [float(r.mean_satisfaction) if r.mean_satisfaction is not None else None for r in rounds],
        "opened": [r.deviations_opened for r in rounds],
        "closed": [r.deviations_closed for r in rounds],
        "names": {
            "satisfaction": _("Mean satisfaction"),
            "opened": _("Deviations opened"),
            "closed": _("Deviations closed"),
        },
    }
    standards = GuidanceDocument.objects.active().filter(kind=GuidanceKind.STANDARD).order_by("code", "title")
    return {
        "project": project,
        "colour": STATUS_COLOURS.get(project.status, "secondary"),
        "options": options,
        "parties": parties,
        "is_lead": is_lead and live,
        "is_lead_manager": LEAD_MANAGER in parties and live,
        "is_provider": is_provider and live,
        "is_government": GOVERNMENT in parties,
        "needs": project.needs.all(),
        "milestones": milestone_list_for(actor, project),
        "declared": project.declared_standards.active().select_related("standard", "standard__issuer"),
        "deliverables": deliverable_list_for(actor, project),
        "ip_assets": ip_assets_by_deliverable(actor, project),
        "trials": trials,
        "open_trial": open_trial,
        "corrections": corrections,
        "signoffs": signoff_list_for(actor, project),
        "rounds": rounds,
        "chart": chart if rounds else None,
        "can_raise": is_lead and live and project.status in RAISE_STATUSES,
        "can_sign": project.status == ProjectStatus.IN_TRIAL and actor.organization is not None,
        "transition_form": TransitionForm(),
        "participant_form": forms.get("participant_form")
        or ParticipantForm(
            auto_id="participant_%s",
            organizations=Organization.objects.filter(pk__in=members).order_by("kind", "name_zh"),
        ),
        "milestone_form": forms.get("milestone_form") or MilestoneForm(auto_id="milestone_%s"),
        "standard_form": forms.get("standard_form") or StandardDeclareForm(auto_id="standard_%s", standards=standards),
        "deliverable_form": forms.get("deliverable_form") or DeliverableForm(auto_id="deliverable_%s"),
        "version_form": forms.get("version_form")
        or VersionForm(
            auto_id="version_%s",
            corrections=correction_list_for(actor, project=project, status=CorrectionStatus.ANSWERED),
        ),
        "version_deliverable": forms.get("version_deliverable"),
        "trial_form": forms.get("trial_form")
        or TrialPlanForm(
            auto_id="trial_%s", versions=_project_versions(actor, project), readers=_trial_readers(project)
        ),
        "correction_form": forms.get("correction_form") or CorrectionForm(auto_id="correction_%s"),
        "signoff_form": SignoffForm(),
        "answered_corrections": open_answered,
    }


@login_required
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = visible_project(actor_for(request), pk)
    return render(request, "alliance/project_detail.html", project_context(request, project))


def _rerender(request: HttpRequest, project: Project, **forms: Any) -> HttpResponse:
    return render(request, "alliance/project_detail.html", project_context(request, project, **forms))


def _back(project: Project, anchor: str = "") -> HttpResponse:
    response = redirect("alliance:project-detail", pk=project.pk)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


def _project_form_post(
    request: HttpRequest,
    actor: Actor,
    project: Project,
    form: Any,
    service: Any,
    anchor: str,
    form_name: str,
) -> HttpResponse:
    """A project-page form: on success back to its section; a refusal or bad input re-renders the page
    with the form and its errors (never lost in a redirect)."""
    if form.is_valid():
        try:
            service(actor=actor, project=project, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return _back(project, anchor)
    return _rerender(request, project, **{form_name: form})


@login_required
@require_POST
def project_transition(request: HttpRequest, pk: int) -> HttpResponse:
    """Take one of the offered next steps; a refused guard or role comes back as a message, never an error page."""
    actor = actor_for(request)
    project = visible_project(actor, pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a next step."))
        return _back(project)
    try:
        services.project_transition(
            actor=actor, project=project, name=form.cleaned_data["name"], note=form.cleaned_data["note"]
        )
    except DomainError as exc:
        refused(request, exc)
    else:
        messages.success(
            request, _("The project is now: %(status)s.") % {"status": ProjectStatus(project.status).label}
        )
    return _back(project)


@login_required
@require_POST
def participant_add(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    project = visible_project(actor, pk)
    members = AllianceMember.objects.active().filter(alliance_id=project.alliance_id).values("organization_id")
    form = ParticipantForm(
        request.POST, organizations=Organization.objects.filter(pk__in=members), auto_id="participant_%s"
    )
    if form.is_valid():
        try:
            services.project_add_participant(actor=actor, project=project, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("The organisation takes part in the project."))
            return _back(project, "participants")
    return _rerender(request, project, participant_form=form)


@login_required
@require_POST
def participant_remove(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    participant = get_object_or_404(
        ProjectParticipant.objects.active().filter(project__in=visible_projects(actor)).select_related("project"),
        pk=pk,
    )
    try:
        services.project_remove_participant(actor=actor, participant=participant)
    except DomainError as exc:
        refused(request, exc)
    else:
        messages.success(request, _("The participation has ended."))
    return _back(participant.project, "participants")


@login_required
@require_POST
def milestone_add(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    project = visible_project(actor, pk)
    form = MilestoneForm(request.POST, auto_id="milestone_%s")
    return _project_form_post(request, actor, project, form, services.milestone_add, "milestones", "milestone_form")


@login_required
@require_POST
def milestone_done(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    milestone = get_object_or_404(milestone_list_for(actor), pk=pk)
    try:
        services.milestone_complete(actor=actor, milestone=milestone)
    except DomainError as exc:
        refused(request, exc)
    return _back(milestone.project, "milestones")


@login_required
@require_POST
def standard_declare(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    project = visible_project(actor, pk)
    standards = GuidanceDocument.objects.active().filter(kind=GuidanceKind.STANDARD)
    form = StandardDeclareForm(request.POST, standards=standards, auto_id="standard_%s")
    return _project_form_post(
        request, actor, project, form, services.project_declare_standard, "standards", "standard_form"
    )


@login_required
@require_POST
def deliverable_add(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    project = visible_project(actor, pk)
    form = DeliverableForm(request.POST, auto_id="deliverable_%s")
    return _project_form_post(
        request, actor, project, form, services.deliverable_create, "deliverables", "deliverable_form"
    )


@login_required
@require_POST
def version_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """The provider uploads the next version; a rejected file is shown on the form, not lost in a redirect."""
    actor = actor_for(request)
    deliverable = get_object_or_404(deliverable_list_for(actor), pk=pk)
    project = visible_project(actor, deliverable.project_id)  # with its participants, for a re-render
    answered = correction_list_for(actor, project=project, status=CorrectionStatus.ANSWERED)
    form = VersionForm(request.POST, request.FILES, corrections=answered, auto_id="version_%s")
    if form.is_valid():
        data = form.cleaned_data
        try:
            version = services.deliverable_version_upload(
                actor=actor,
                deliverable=deliverable,
                file=data["file"],
                notes=data["notes"],
                released_on=data["released_on"],
                fixes=list(data["fixes"]),
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Version %(n)d is uploaded.") % {"n": version.number})
            return _back(project, "deliverables")
    return _rerender(request, project, version_form=form, version_deliverable=deliverable.pk)


@login_required
@require_POST
def trial_plan(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    project = visible_project(actor, pk)
    form = TrialPlanForm(
        request.POST, versions=_project_versions(actor, project), readers=_trial_readers(project), auto_id="trial_%s"
    )
    if form.is_valid():
        try:
            services.trial_plan(actor=actor, project=project, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("The trial is planned."))
            return _back(project, "trials")
    return _rerender(request, project, trial_form=form)


@login_required
@require_POST
def correction_raise(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    project = visible_project(actor, pk)
    form = CorrectionForm(request.POST, auto_id="correction_%s")
    if form.is_valid():
        trial = (
            trial_list_for(actor, project)
            .filter(status__in=(TrialStatus.RUNNING, TrialStatus.CLOSED))
            .order_by("-created_at")
            .first()
        )
        try:
            services.correction_raise(actor=actor, project=project, trial=trial, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("The deviation is sent to the provider."))
            return _back(project, "corrections")
    return _rerender(request, project, correction_form=form)


@login_required
@require_POST
def signoff(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    project = visible_project(actor, pk)
    form = SignoffForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        services.signoff_give(actor=actor, project=project, note=note)
    except DomainError as exc:
        refused(request, exc)
    else:
        messages.success(request, _("Your sign-off is recorded."))
    return _back(project, "signoffs")


@login_required
def project_timeline(request: HttpRequest, pk: int) -> HttpResponse:
    """Every transition, version, trial and correction of the project, in the order they happened."""
    actor = actor_for(request)
    project = visible_project(actor, pk)
    events: list[dict[str, Any]] = []
    for t in project_transitions(project):
        events.append({"at": t.at, "kind": "transition", "obj": t})
    for deliverable in deliverable_list_for(actor, project):
        for v in deliverable.version_list:  # type: ignore[attr-defined]
            events.append({"at": v.created_at, "kind": "version", "obj": v, "deliverable": deliverable})
    for trial in trial_list_for(actor, project):
        events.append({"at": trial.created_at, "kind": "trial", "obj": trial})
    for c in correction_list_for(actor, project=project):
        events.append({"at": c.created_at, "kind": "correction", "obj": c})
        if c.answered_at:
            events.append({"at": c.answered_at, "kind": "answer", "obj": c})
        if c.closed_at:
            events.append({"at": c.closed_at, "kind": "verified", "obj": c})
    events.sort(key=lambda e: e["at"])
    context = {
        "project": project,
        "events": events,
        "colours": STATUS_COLOURS,
        "colour": STATUS_COLOURS.get(project.status),
    }
    return render(request, "alliance/project_timeline.html", context)

"""Trials (staff view, reader invitations, the reader's response) and correction requests (raise, answer, verify)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.exceptions import DomainError
from stakeholders.access import Actor, actor_for
from stakeholders.forms import add_domain_error

from .. import services
from ..choices import CorrectionStatus, TrialStatus
from ..forms import CorrectionAnswerForm, CorrectionVerifyForm, InviteReadersForm, TrialResponseForm
from ..models import CorrectionRequest, DeliverableVersion, Trial, TrialResponse
from ..parties import LEAD, PROVIDER, project_parties
from ..selectors import correction_list_for, trial_list_for, trial_result, visible_projects
from .projects import _trial_readers


def visible_trial(actor: Actor, pk: int) -> Trial:
    return get_object_or_404(trial_list_for(actor), pk=pk)


def _is_project_party(actor: Actor, trial: Trial) -> bool:
    """Does the actor see the trial through its project (staff, partners), rather than as an invited reader?"""
    return bool(actor.memberships) and visible_projects(actor).filter(pk=trial.project_id).exists()


def _trial_context(request: HttpRequest, trial: Trial, **forms: Any) -> dict[str, Any]:
    actor = actor_for(request)
    staff_view = _is_project_party(actor, trial) or actor.is_superuser
    context: dict[str, Any] = {"trial": trial, "staff_view": staff_view}
    if staff_view:
        parties = project_parties(actor, trial.project)
        invited = set(trial.invitations.values_list("reader_id", flat=True))
        context.update(
            result=trial_result(trial),
            responses=trial.responses.select_related("reader__user").order_by("-created_at"),
            invitations=trial.invitations.select_related("reader__user").order_by("reader__user__username"),
            can_invite=LEAD in parties and trial.status != TrialStatus.CLOSED,
            invite_form=forms.get("invite_form")
            or InviteReadersForm(readers=_trial_readers(trial.project).exclude(pk__in=invited)),
        )
    response = None
    if actor.reader_profile is not None:
        response = TrialResponse.objects.filter(trial=trial, reader=actor.reader_profile).first()
    context.update(
        my_response=response,
        can_respond=actor.reader_profile is not None
        and response is None
        and trial.status == TrialStatus.RUNNING
        and trial.invitations.filter(reader=actor.reader_profile).exists(),
        response_form=forms.get("response_form") or TrialResponseForm(),
    )
    return context


@login_required
def trial_detail(request: HttpRequest, pk: int) -> HttpResponse:
    trial = visible_trial(actor_for(request), pk)
    return render(request, "alliance/trial_detail.html", _trial_context(request, trial))


@login_required
@require_POST
def trial_invite(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    trial = visible_trial(actor, pk)
    form = InviteReadersForm(request.POST, readers=_trial_readers(trial.project))
    if form.is_valid():
        try:
            count = services.trial_invite_readers(actor=actor, trial=trial, readers=form.cleaned_data["readers"])
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("%(n)d readers invited.") % {"n": count})
            return redirect("alliance:trial-detail", pk=trial.pk)
    return render(request, "alliance/trial_detail.html", _trial_context(request, trial, invite_form=form))


@login_required
@require_POST
def trial_respond(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    trial = visible_trial(actor, pk)
    form = TrialResponseForm(request.POST)
    if form.is_valid():
        try:
            services.trial_respond(actor=actor, trial=trial, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Thank you: your verdict is recorded."))
            return redirect("alliance:my-trials")
    return render(request, "alliance/trial_detail.html", _trial_context(request, trial, response_form=form))


@login_required
def my_trials(request: HttpRequest) -> HttpResponse:
    """The reader portal: the trials the reader is invited to, and whether they have answered."""
    actor = actor_for(request)
    trials = trial_list_for(actor)
    if actor.reader_profile is not None:
        trials = trials.filter(invitations__reader=actor.reader_profile)
    else:
        trials = trials.none()
    return render(request, "alliance/my_trials.html", {"trials": trials})


# --- corrections ---------------------------------------------------------------------------------------------


def _correction_context(request: HttpRequest, correction: CorrectionRequest, **forms: Any) -> dict[str, Any]:
    actor = actor_for(request)
    parties = project_parties(actor, correction.project)
    running = (
        Trial.objects.active()
        .filter(project=correction.project, status=TrialStatus.RUNNING)
        .select_related("version")
        .first()
    )
    versions = (
        DeliverableVersion.objects.active()
        .filter(deliverable__project=correction.project)
        .select_related("deliverable")
    )
    return {
        "correction": correction,
        "project": correction.project,
        "can_answer": PROVIDER in parties and correction.status == CorrectionStatus.OPEN,
        "can_verify": LEAD in parties and correction.status == CorrectionStatus.ANSWERED and running is not None,
        "running_trial": running,
        "answer_form": forms.get("answer_form") or CorrectionAnswerForm(versions=versions),
        "verify_form": forms.get("verify_form") or CorrectionVerifyForm(),
    }


def visible_correction(actor: Actor, pk: int) -> CorrectionRequest:
    return get_object_or_404(correction_list_for(actor).select_related("project__alliance"), pk=pk)


@login_required
def correction_detail(request: HttpRequest, pk: int) -> HttpResponse:
    correction = visible_correction(actor_for(request), pk)
    return render(request, "alliance/correction_detail.html", _correction_context(request, correction))


@login_required
@require_POST
def correction_answer(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    correction = visible_correction(actor, pk)
    versions = DeliverableVersion.objects.active().filter(deliverable__project=correction.project)
    form = CorrectionAnswerForm(request.POST, versions=versions)
    if form.is_valid():
        try:
            services.correction_answer(actor=actor, correction=correction, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Your answer is sent to the library."))
            return redirect("alliance:correction-detail", pk=correction.pk)
    return render(
        request, "alliance/correction_detail.html", _correction_context(request, correction, answer_form=form)
    )


@login_required
@require_POST
def correction_verify(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    correction = visible_correction(actor, pk)
    form = CorrectionVerifyForm(request.POST)
    running = Trial.objects.active().filter(project=correction.project, status=TrialStatus.RUNNING).first()
    if form.is_valid():
        try:
            if running is None:
                raise DomainError(_("A correction is verified in a running trial of its project."))
            services.correction_verify(
                actor=actor, correction=correction, trial=running, note=form.cleaned_data["note"]
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("The correction is verified and closed."))
            return redirect("alliance:correction-detail", pk=correction.pk)
    return render(
        request, "alliance/correction_detail.html", _correction_context(request, correction, verify_form=form)
    )

"""Training programmes that universities and research institutes run for library staff."""

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
from stakeholders.models import Organization

from .. import services
from ..forms import AttendanceForm, TrainingProgramForm, TrainingSessionForm
from ..models import TrainingAttendance, TrainingProgram, TrainingSession
from ..selectors import alliance_list_for, training_enrolment_list_for, training_program_list_for
from ._common import refused

TRAINER_KINDS = ("university", "research")


def visible_program(actor: Actor, pk: int) -> TrainingProgram:
    return get_object_or_404(training_program_list_for(actor), pk=pk)


def _trainers(actor: Actor) -> Any:
    """Trainer organisations the actor may offer a programme for: their own, or any for the lead's managers."""
    qs = Organization.objects.active().filter(kind__in=TRAINER_KINDS)
    if actor.managed_library_ids or actor.is_superuser:
        return qs.order_by("name_zh")
    return qs.filter(pk__in=actor.organization_ids).order_by("name_zh")


@login_required
def training_list(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    programs = training_program_list_for(actor)
    mine = training_enrolment_list_for(actor).filter(trainee=actor.user)
    can_create = actor.kind in TRAINER_KINDS or bool(actor.managed_library_ids)
    context = {"programs": programs, "my_enrolments": mine, "can_create": can_create}
    return render(request, "alliance/training_list.html", context)


@login_required
def training_create(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    form = TrainingProgramForm(request.POST or None, alliances=alliance_list_for(actor), trainers=_trainers(actor))
    if request.method == "POST" and form.is_valid():
        try:
            program = services.training_program_create(actor=actor, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("The programme is created. Add its sessions."))
            return redirect("alliance:training-detail", pk=program.pk)
    return render(request, "alliance/training_form.html", {"form": form})


def _context(request: HttpRequest, program: TrainingProgram, **forms: Any) -> dict[str, Any]:
    actor = actor_for(request)
    sessions = list(program.sessions.active().order_by("starts_at"))
    enrolments = list(training_enrolment_list_for(actor, program))
    attended = {
        (a.session_id, a.enrolment_id): a.attended for a in TrainingAttendance.objects.filter(session__program=program)
    }
    trains = actor.writes_for(program.trainer_id)
    for e in enrolments:
        e.marks = [attended.get((s.pk, e.pk)) for s in sessions]  # type: ignore[attr-defined]
    return {
        "program": program,
        "sessions": sessions,
        "enrolments": enrolments,
        "trains": trains,
        "enrolled": any(e.trainee_id == actor.user.pk for e in enrolments)
        or training_enrolment_list_for(actor, program).filter(trainee=actor.user).exists(),
        "can_enrol": bool(actor.library_ids),
        "session_form": forms.get("session_form") or TrainingSessionForm(),
    }


@login_required
def training_detail(request: HttpRequest, pk: int) -> HttpResponse:
    program = visible_program(actor_for(request), pk)
    return render(request, "alliance/training_detail.html", _context(request, program))


@login_required
@require_POST
def training_session_add(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    program = visible_program(actor, pk)
    form = TrainingSessionForm(request.POST)
    if form.is_valid():
        try:
            services.training_session_add(actor=actor, program=program, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return redirect("alliance:training-detail", pk=program.pk)
    return render(request, "alliance/training_detail.html", _context(request, program, session_form=form))


@login_required
@require_POST
def training_enrol(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    program = visible_program(actor, pk)
    try:
        services.training_enrol(actor=actor, program=program, trainee=actor.user)
    except DomainError as exc:
        refused(request, exc)
    else:
        messages.success(request, _("You are enrolled."))
    return redirect("alliance:training-detail", pk=program.pk)


@login_required
@require_POST
def training_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    session = get_object_or_404(
        TrainingSession.objects.active().filter(program__in=training_program_list_for(actor)), pk=pk
    )
    form = AttendanceForm(request.POST)
    if form.is_valid():
        enrolment = get_object_or_404(
            training_enrolment_list_for(actor, session.program), pk=form.cleaned_data["enrolment"]
        )
        try:
            services.training_record_attendance(
                actor=actor, session=session, enrolment=enrolment, attended=form.cleaned_data["attended"]
            )
        except DomainError as exc:
            refused(request, exc)
    return redirect("alliance:training-detail", pk=session.program_id)


@login_required
@require_POST
def training_complete(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    enrolment = get_object_or_404(training_enrolment_list_for(actor), pk=pk)
    try:
        services.training_complete(actor=actor, enrolment=enrolment)
    except DomainError as exc:
        refused(request, exc)
    else:
        messages.success(request, _("The training is completed."))
    return redirect("alliance:training-detail", pk=enrolment.program_id)

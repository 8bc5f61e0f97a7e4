"""Surveys: the library builds, opens and closes them and reads results by question; readers answer once."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.exceptions import DomainError
from stakeholders.access import Actor, actor_for
from stakeholders.choices import OrganizationKind
from stakeholders.forms import add_domain_error

from .. import services
from ..choices import SurveyStatus
from ..forms import SurveyAnswerForm, SurveyForm
from ..selectors import survey_list_for, survey_results
from ._common import PAGE_SIZE, refused


def _staff_of(actor: Actor, library_id: int) -> bool:
    return actor.is_superuser or library_id in actor.library_ids


@login_required
def survey_list(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    page = Paginator(survey_list_for(actor), PAGE_SIZE).get_page(request.GET.get("page"))
    acting = actor.organization
    can_create = acting is not None and acting.kind == OrganizationKind.LIBRARY and actor.writes_for(acting.pk)
    context = {"page": page, "surveys": page.object_list, "querystring": "", "can_create": can_create}
    return render(request, "feedback/survey_list.html", context)


@login_required
def survey_create(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    library = actor.organization
    if library is None or library.kind != OrganizationKind.LIBRARY or not actor.writes_for(library.pk):
        raise Http404
    form = SurveyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            survey = services.survey_create(
                actor=actor,
                library=library,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                questions=form.questions(),
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("The survey is saved as a draft; open it when it is ready."))
            return redirect("feedback:survey-detail", pk=survey.pk)
    return render(request, "feedback/survey_form.html", {"form": form})


@login_required
def survey_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff read the results by question; a reader answers the open survey, once."""
    actor = actor_for(request)
    survey = get_object_or_404(survey_list_for(actor), pk=pk)
    if _staff_of(actor, survey.library_id):
        context = {"survey": survey, "results": survey_results(survey)}
        return render(request, "feedback/survey_results.html", context)
    answered = bool(getattr(survey, "answered_by_me", False))
    form = SurveyAnswerForm(request.POST if request.method == "POST" else None, survey=survey)
    if request.method == "POST" and not answered and form.is_valid():
        try:
            services.survey_respond(actor=actor, survey=survey, answers=form.answers())
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Thank you for answering."))
            return redirect("feedback:survey-list")
    return render(request, "feedback/survey_answer.html", {"survey": survey, "form": form, "answered": answered})


@login_required
@require_POST
def survey_status(request: HttpRequest, pk: int, to: str) -> HttpResponse:
    actor = actor_for(request)
    survey = get_object_or_404(survey_list_for(actor), pk=pk)
    if not _staff_of(actor, survey.library_id):
        raise Http404
    try:
        if to == SurveyStatus.OPEN:
            services.survey_open(actor=actor, survey=survey)
        else:
            services.survey_close(actor=actor, survey=survey)
    except DomainError as exc:
        refused(request, exc)
    return redirect("feedback:survey-detail", pk=survey.pk)

"""The reader portal: give feedback, follow it to the library's answer, say whether it is solved, back needs."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alliance.selectors import trial_list_for
from core.exceptions import DomainError
from stakeholders.access import Actor, actor_for
from stakeholders.choices import OrganizationKind
from stakeholders.forms import add_domain_error
from stakeholders.models import Organization

from .. import services, states
from ..forms import FeedbackForm, ReopenForm
from ..models import Feedback, FeedbackPolicy
from ..selectors import feedback_list_for, feedback_transitions, public_need_list_for
from ._common import PAGE_SIZE, refused


def _anonymous_libraries() -> QuerySet[Organization]:
    open_ids = FeedbackPolicy.objects.filter(allow_anonymous=True).values("library_id")
    return Organization.objects.filter(
        pk__in=open_ids, kind=OrganizationKind.LIBRARY, archived_at__isnull=True
    ).order_by("name_zh")


def feedback_give(request: HttpRequest) -> HttpResponse:
    """Readers give feedback as themselves; visitors only to libraries whose policy accepts anonymous feedback."""
    actor = actor_for(request)
    anonymous = not actor.is_authenticated
    libraries = None
    if anonymous:
        libraries = _anonymous_libraries()
        if not libraries.exists():
            return redirect_to_login(request.get_full_path())
    elif actor.reader_profile is None:
        # Staff record desk feedback through the API or the inbox; this page is the readers' own.
        raise Http404
    trials = None if anonymous else trial_list_for(actor)
    form = FeedbackForm(
        request.POST or None, request.FILES or None, libraries=libraries, trials=trials, anonymous=anonymous
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            feedback = services.feedback_submit(
                actor=actor,
                kind=data["kind"],
                text=data["text"],
                library=data.get("library"),
                rating=data.get("rating"),
                attachment=data.get("attachment"),
                consent_contact=bool(data.get("consent_contact")),
                is_public=bool(data.get("is_public")),
                subject=data.get("subject") or "",
                trial=data.get("trial"),
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Thank you. The library has received your feedback."))
            if anonymous:
                return redirect("feedback:give")
            return redirect("feedback:my-detail", pk=feedback.pk)
    return render(request, "feedback/give.html", {"form": form, "anonymous": anonymous}, status=200)


def _mine(actor: Actor) -> QuerySet[Feedback]:
    if actor.reader_profile is None:
        return Feedback.objects.none()
    return feedback_list_for(actor).filter(reader=actor.reader_profile)


@login_required
def my_feedback_list(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    page = Paginator(_mine(actor), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "feedback/my_list.html", {"page": page, "items": page.object_list, "querystring": ""})


@login_required
def my_feedback_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    feedback = get_object_or_404(_mine(actor), pk=pk)
    context = {
        "feedback": feedback,
        "transitions": feedback_transitions(feedback),
        "can_verdict": "confirm" in states.allowed(feedback, states.READER),
        "reopen_form": ReopenForm(),
    }
    return render(request, "feedback/my_detail.html", context)


@login_required
@require_POST
def my_feedback_verdict(request: HttpRequest, pk: int, verdict: str) -> HttpResponse:
    """The reader's one click: solved, or not solved (with an optional reason)."""
    actor = actor_for(request)
    feedback = get_object_or_404(_mine(actor), pk=pk)
    try:
        if verdict == "confirm":
            services.feedback_confirm(actor=actor, feedback=feedback)
            messages.success(request, _("Thank you for confirming that it is solved."))
        else:
            form = ReopenForm(request.POST)
            reason = form.cleaned_data["reason"] if form.is_valid() else ""
            services.feedback_reopen(actor=actor, feedback=feedback, reason=reason)
            messages.info(request, _("The library will look at it again."))
    except DomainError as exc:
        refused(request, exc)
    return redirect("feedback:my-detail", pk=feedback.pk)


@login_required
def public_need_list(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    page = Paginator(public_need_list_for(actor), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "needs": page.object_list,
        "querystring": "",
        "reader_id": actor.reader_profile.pk if actor.reader_profile is not None else None,
    }
    return render(request, "feedback/public_needs.html", context)


@login_required
@require_POST
def public_need_support(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    feedback = get_object_or_404(public_need_list_for(actor), pk=pk)
    try:
        services.feedback_support(actor=actor, feedback=feedback)
    except DomainError as exc:
        refused(request, exc)
    else:
        messages.success(request, _("You support this need."))
    return redirect("feedback:public-needs")

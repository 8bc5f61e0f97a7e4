"""The library's feedback inbox: filter, search, categorise in bulk, and work one feedback to its answer."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from alliance.choices import NeedStatus
from alliance.selectors import need_list_for, project_list_for
from core.exceptions import DomainError
from core.exports import Column, export_response, requested_format
from stakeholders import privacy
from stakeholders.access import Actor, actor_for

from .. import services, states
from ..forms import AnswerForm, BulkForm, HideForm, InboxFilterForm, MergeForm, NeedLinkForm, RouteForm, TriageForm
from ..models import Feedback
from ..selectors import feedback_list_for, feedback_search, feedback_similar, feedback_transitions
from ._common import PAGE_SIZE, refused

EXPORT_COLUMNS = [
    Column(gettext_lazy("Number"), "pk"),
    Column(gettext_lazy("Received"), "created_at"),
    Column(gettext_lazy("Kind"), "get_kind_display"),
    Column(gettext_lazy("State"), "get_status_display"),
    Column(gettext_lazy("Theme"), "get_theme_display"),
    Column(gettext_lazy("Tags"), lambda f: ", ".join(f.tags)),
    Column(gettext_lazy("Rating"), "rating"),
    Column(gettext_lazy("Service or space"), "subject"),
    # Hidden (abusive) text stays out of exports as it stays out of pages.
    Column(gettext_lazy("Text"), lambda f: "" if f.is_hidden else f.text),
    Column(gettext_lazy("Channel"), "get_channel_display"),
    Column(gettext_lazy("Library's answer"), "answer"),
    Column(gettext_lazy("First answered"), "first_answered_at"),
    Column(gettext_lazy("Resolved"), "resolved_at"),
    Column(gettext_lazy("Supporters"), "support_count"),
]


def _require_staff(actor: Actor) -> None:
    if not (actor.library_ids or actor.is_superuser):
        raise Http404


def inbox_queryset(actor: Actor) -> QuerySet[Feedback]:
    """The library's feedback (a staff member who is also a reader does not get their own mixed in)."""
    qs = feedback_list_for(actor)
    return qs if actor.is_superuser else qs.filter(library_id__in=actor.library_ids)


def _filtered(request: HttpRequest, actor: Actor) -> tuple[InboxFilterForm, QuerySet[Feedback]]:
    form = InboxFilterForm(request.GET or None)
    qs = inbox_queryset(actor)
    data = form.cleaned_data if form.is_valid() else {}
    for name in ("status", "kind", "theme"):
        if data.get(name):
            qs = qs.filter(**{name: data[name]})
    if data.get("tag"):
        qs = qs.filter(tags__contains=[data["tag"].strip()])
    if data.get("q"):
        qs = feedback_search(qs, data["q"])
    return form, qs


def _querystring(request: HttpRequest) -> str:
    params = [(k, v) for k, values in request.GET.lists() for v in values if k not in ("page", "export") and v]
    return urlencode(params)


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    _require_staff(actor)
    form, qs = _filtered(request, actor)
    fmt = requested_format(request)
    if fmt:
        return export_response(qs, EXPORT_COLUMNS, filename="feedback", fmt=fmt)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "bulk_form": BulkForm(),
        # One <form> holds all three actions: no browser "required" check may block the one being used.
        "bulk_need_form": NeedLinkForm(needs=_bulk_needs(actor), auto_id="bulk_%s", use_required_attribute=False),
        "bulk_route_form": RouteForm(projects=_bulk_projects(actor), auto_id="bulk_%s", use_required_attribute=False),
        "page": page,
        "items": page.object_list,
        "querystring": _querystring(request),
    }
    return render(request, "feedback/inbox.html", context)


def _bulk_needs(actor: Actor) -> QuerySet[Any]:
    return (
        need_list_for(actor)
        .filter(library_id__in=actor.library_ids)
        .exclude(status__in=[NeedStatus.MET, NeedStatus.DROPPED])
    )


def _bulk_projects(actor: Actor) -> QuerySet[Any]:
    return _route_projects(actor, actor.library_ids)


def _route_projects(actor: Actor, library_ids: Any) -> QuerySet[Any]:
    """The projects feedback can be routed to, for a dropdown: the actor's projects in the alliances these
    libraries lead, without the project list's joined alliance and prefetched participants (one query and a
    few hundred model instances fewer on every inbox and feedback page)."""
    projects = project_list_for(actor).filter(alliance__lead_library_id__in=library_ids)
    return projects.select_related(None).prefetch_related(None)


BULK_ACTIONS = ("categorise", "link-need", "route")


def _bulk(request: HttpRequest, actor: Actor, rows: list[Feedback], action: str) -> str:
    """One bulk action on the ticked rows; the services are all-or-nothing and say which rows stand in the way."""
    if action == "link-need":
        form: Any = NeedLinkForm(request.POST, needs=_bulk_needs(actor))
        if not form.is_valid():
            raise DomainError(_field_errors(form))
        count = services.feedback_link_need(actor=actor, feedback=rows, need=form.cleaned_data["need"])
        return _("%(n)d feedback linked to the need as evidence.") % {"n": count}
    if action == "route":
        form = RouteForm(request.POST, projects=_bulk_projects(actor))
        if not form.is_valid():
            raise DomainError(_field_errors(form))
        data = form.cleaned_data
        correction = services.feedback_route(
            actor=actor, feedback=rows, project=data["project"], title=data["title"], severity=data["severity"],
            due_on=data["due_on"],
        )  # fmt: skip
        return _("%(n)d feedback sent to the provider as one correction request: %(title)s") % {
            "n": len(rows),
            "title": correction.title,
        }
    form = BulkForm(request.POST)
    if not form.is_valid():
        raise DomainError(_field_errors(form))
    count = services.feedback_categorise(
        actor=actor, feedback=rows, theme=form.cleaned_data["theme"] or None, add_tags=form.cleaned_data["add_tags"]
    )
    return _("%(n)d feedback categorised.") % {"n": count}


@login_required
@require_POST
def inbox_bulk(request: HttpRequest) -> HttpResponse:
    """Act on the ticked feedback: categorise and tag, link to a library need, or route to a project's provider.

    Routing sends the whole selection as ONE correction request (the provider gets one task with every
    reader's words, no names); each feedback links to it and follows its answer.
    """
    actor = actor_for(request)
    _require_staff(actor)
    ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()]
    rows = list(inbox_queryset(actor).filter(pk__in=ids))
    back = request.POST.get("back", "")
    target = f"{reverse('feedback:inbox')}?{back}" if back else reverse("feedback:inbox")
    action = request.POST.get("action") or "categorise"
    if action not in BULK_ACTIONS:
        messages.error(request, _("Unknown bulk action."))
        return redirect(target)
    if not rows:
        messages.error(request, _("Tick the feedback to act on first."))
        return redirect(target)
    try:
        done = _bulk(request, actor, rows, action)
    except DomainError as exc:
        refused(request, exc)
    else:
        messages.success(request, done)
    return redirect(target)


def _staff_of(library_id: int) -> QuerySet[Any]:
    return (
        get_user_model()
        .objects.filter(memberships__organization_id=library_id, memberships__archived_at__isnull=True, is_active=True)
        .distinct()
        .order_by("display_name", "username")
    )


def _forms(actor: Actor, feedback: Feedback, similar: list[Feedback]) -> dict[str, Any]:
    needs = (
        need_list_for(actor)
        .filter(library_id=feedback.library_id)
        .exclude(status__in=[NeedStatus.MET, NeedStatus.DROPPED])
    )
    projects = _route_projects(actor, [feedback.library_id])
    return {
        "triage_form": TriageForm(
            initial={"theme": feedback.theme, "tags": ", ".join(feedback.tags), "assignee": feedback.assignee_id},
            staff=_staff_of(feedback.library_id),
        ),
        "answer_form": AnswerForm(initial={"answer": feedback.answer}),
        "hide_form": HideForm(),
        "need_form": NeedLinkForm(needs=needs, initial={"need": feedback.need_id}),
        "route_form": RouteForm(projects=projects, initial={"project": feedback.project_id}),
        "merge_form": MergeForm(candidates=Feedback.objects.filter(pk__in=[f.pk for f in similar])),
    }


def _visible(actor: Actor, pk: int) -> Feedback:
    _require_staff(actor)
    return get_object_or_404(inbox_queryset(actor), pk=pk)


@login_required
def staff_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    feedback = _visible(actor, pk)
    # The page shows who gave it: the opening is in the library's reader-data access log.
    privacy.access_log(actor, feedback.reader, "feedback detail", request)
    similar = feedback_similar(feedback) if not feedback.duplicate_of_id else []
    allowed = states.allowed(feedback, states.STAFF)
    context = {
        "feedback": feedback,
        "transitions": feedback_transitions(feedback),
        "similar": similar,
        "allowed": allowed,
        **_forms(actor, feedback, similar),
    }
    return render(request, "feedback/staff_detail.html", context)


@login_required
def staff_attachment(request: HttpRequest, pk: int) -> FileResponse:
    """The reader's photo or file, for the library's staff only (media is not served publicly)."""
    feedback = _visible(actor_for(request), pk)
    if not feedback.attachment:
        raise Http404
    return FileResponse(feedback.attachment.open("rb"), as_attachment=False)


def _field_errors(form: Any) -> str:
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


@login_required
@require_POST
def staff_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One of the staff's moves on a feedback; a refusal or bad input is shown above the page."""
    actor = actor_for(request)
    feedback = _visible(actor, pk)
    try:
        done = _act(request, actor, feedback, action)
    except DomainError as exc:
        refused(request, exc)
    else:
        if done:
            messages.success(request, done)
    return redirect("feedback:staff-detail", pk=feedback.pk)


def _act(request: HttpRequest, actor: Actor, feedback: Feedback, action: str) -> str:
    post = request.POST
    if action == "triage":
        form: Any = TriageForm(post, staff=_staff_of(feedback.library_id))
        if not form.is_valid():
            raise DomainError(_field_errors(form))
        data = form.cleaned_data
        services.feedback_triage(
            actor=actor, feedback=feedback, theme=data["theme"], tags=data["tags"], assignee=data["assignee"],
            note=data["note"],
        )  # fmt: skip
        return _("Triaged.")
    if action == "answer":
        form = AnswerForm(post)
        if not form.is_valid():
            raise DomainError(_field_errors(form))
        if form.cleaned_data["resolve"]:
            services.feedback_resolve(actor=actor, feedback=feedback, answer=form.cleaned_data["answer"])
            return _("Resolved; the reader is asked to confirm.")
        services.feedback_answer(actor=actor, feedback=feedback, answer=form.cleaned_data["answer"])
        return _("The answer is sent to the reader.")
    if action == "hide":
        form = HideForm(post)
        if not form.is_valid():
            raise DomainError(_field_errors(form))
        services.feedback_hide(actor=actor, feedback=feedback, reason=form.cleaned_data["reason"])
        return _("Hidden. The text is kept with your reason.")
    if action == "link-need":
        form = NeedLinkForm(post, needs=need_list_for(actor).filter(library_id=feedback.library_id))
        if not form.is_valid():
            raise DomainError(_field_errors(form))
        services.feedback_link_need(actor=actor, feedback=[feedback], need=form.cleaned_data["need"])
        return _("Linked to the need as evidence.")
    if action == "route":
        form = RouteForm(post, projects=_route_projects(actor, [feedback.library_id]))
        if not form.is_valid():
            raise DomainError(_field_errors(form))
        data = form.cleaned_data
        services.feedback_route(
            actor=actor, feedback=[feedback], project=data["project"], title=data["title"], severity=data["severity"],
            due_on=data["due_on"],
        )  # fmt: skip
        return _("Sent to the provider as a correction request.")
    if action == "merge":
        similar = feedback_similar(feedback)
        form = MergeForm(post, candidates=Feedback.objects.filter(pk__in=[f.pk for f in similar]))
        if not form.is_valid():
            raise DomainError(_field_errors(form))
        services.feedback_merge(actor=actor, primary=feedback, duplicates=list(form.cleaned_data["duplicates"]))
        return _("Merged into this feedback.")
    raise Http404

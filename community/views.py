"""Community pages: discussions (staff, partner, government portals; readers read public topics) and
acknowledgements of published guidance (concerned organisations acknowledge; issuers see who has)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alliance.models import AllianceMember
from alliance.selectors import visible_alliances
from alliance.views._common import PAGE_SIZE, querystring
from core.exceptions import DomainError
from stakeholders.access import actor_for
from stakeholders.forms import add_domain_error

from . import selectors, services
from .access import may_moderate, may_write
from .forms import HideForm, ReplyForm, ThreadForm
from .models import Acknowledgement, Post


def _writable_alliances(request: HttpRequest) -> list:  # type: ignore[type-arg]
    actor = actor_for(request)
    if actor.organization is None:
        return []
    member_of = AllianceMember.objects.active().filter(organization_id=actor.organization.pk).values("alliance_id")
    return list(visible_alliances(actor).filter(pk__in=member_of, archived_at__isnull=True).order_by("name"))


@login_required
def thread_list(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    q = request.GET.get("q", "").strip()
    alliances = _writable_alliances(request)
    can_start = may_write(actor, None)
    form = ThreadForm(request.POST or None, request.FILES or None, alliances=alliances)
    if request.method == "POST":
        if not can_start:
            raise Http404
        if form.is_valid():
            alliance = next((a for a in alliances if a.pk == form.cleaned_data["alliance"]), None)
            try:
                thread = services.thread_start(
                    actor=actor,
                    title=form.cleaned_data["title"],
                    body=form.cleaned_data["body"],
                    alliance=alliance,
                    attachment=form.cleaned_data.get("attachment"),
                )
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("The discussion is open."))
                return redirect("community:thread-detail", thread.pk)
    page = Paginator(selectors.thread_list_for(actor, q=q), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "threads": page.object_list,
        "q": q,
        "querystring": querystring(request),
        "form": form,
        "can_start": can_start,
    }
    return render(request, "community/thread_list.html", context)


def _thread(request: HttpRequest, pk: int):  # type: ignore[no-untyped-def]
    return get_object_or_404(selectors.thread_list_for(actor_for(request)), pk=pk)


@login_required
def thread_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    thread = _thread(request, pk)
    form = ReplyForm(request.POST or None, request.FILES or None)
    can_reply = may_write(actor, thread.alliance_id) and not thread.is_hidden
    if request.method == "POST":
        if not can_reply:
            raise Http404
        if form.is_valid():
            try:
                services.thread_reply(
                    actor=actor,
                    thread=thread,
                    body=form.cleaned_data["body"],
                    attachment=form.cleaned_data.get("attachment"),
                )
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("Your reply is posted."))
                return redirect("community:thread-detail", thread.pk)
    context = {
        "thread": thread,
        "posts": selectors.post_list(thread),
        "form": form,
        "can_reply": can_reply,
        "can_moderate": may_moderate(actor, thread),
    }
    return render(request, "community/thread_detail.html", context)


@login_required
@require_POST
def thread_follow(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    thread = _thread(request, pk)
    if request.POST.get("follow") == "0":
        services.thread_unfollow(actor=actor, thread=thread)
        messages.success(request, _("You no longer follow this discussion."))
    else:
        services.thread_follow(actor=actor, thread=thread)
        messages.success(request, _("You follow this discussion: replies will notify you."))
    return redirect("community:thread-detail", thread.pk)


@login_required
@require_POST
def post_hide(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    thread = _thread(request, pk)
    form = HideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a reason for hiding."))
        return redirect("community:thread-detail", thread.pk)
    post = get_object_or_404(Post, thread=thread, pk=form.cleaned_data["post"])
    try:
        services.post_hide(actor=actor, post=post, reason=form.cleaned_data["reason"])
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The post is hidden."))
    return redirect("community:thread-detail", thread.pk)


@login_required
def acknowledgement_list(request: HttpRequest) -> HttpResponse:
    """Asked of us (with the acknowledge button for managers) and, for issuers, their documents' progress."""
    actor = actor_for(request)
    if not (actor.memberships or actor.is_superuser):
        raise Http404
    mine = list(selectors.acknowledgement_list_for(actor).filter(organization_id__in=list(actor.organization_ids)))
    context = {
        "asked": mine,
        "managed": {m.organization_id for m in actor.memberships if actor.manages(m.organization_id)},
        "issued": selectors.issued_documents_for(actor),
    }
    return render(request, "community/acknowledgement_list.html", context)


@login_required
def acknowledgement_document(request: HttpRequest, pk: int) -> HttpResponse:
    """The issuer's view of one document: who acknowledged and who has not yet."""
    actor = actor_for(request)
    document = get_object_or_404(selectors.issued_documents_for(actor), pk=pk)
    rows = list(selectors.acknowledgement_list_for(actor).filter(document=document))
    context = {
        "document": document,
        "done": [r for r in rows if r.acknowledged_at],
        "pending": [r for r in rows if not r.acknowledged_at],
    }
    return render(request, "community/acknowledgement_document.html", context)


@login_required
@require_POST
def acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    ack: Acknowledgement = get_object_or_404(selectors.acknowledgement_list_for(actor), pk=pk)
    try:
        services.acknowledgement_acknowledge(actor=actor, acknowledgement=ack, note=request.POST.get("note", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Acknowledged."))
    return redirect("community:acknowledgement-list")

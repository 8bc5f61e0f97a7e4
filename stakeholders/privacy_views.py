"""Pages for reader personal data: the library managers' reader list, one reader's data (export, erase),
the access log, and the reader's own download."""

from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.exceptions import DomainError

from . import privacy
from .access import Actor, actor_for
from .models import ReaderErasure, ReaderProfile

PAGE_SIZE = 25


class EraseForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why the data is erased (the reader's request, its date and channel)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )
    confirm = forms.CharField(
        label=gettext_lazy("Type the reader's card number as shown to confirm"),
        max_length=32,
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off"}),
    )


def _require_manager(actor: Actor) -> None:
    if not (actor.managed_library_ids or actor.is_superuser):
        raise Http404


def _managed_readers(actor: Actor):  # type: ignore[no-untyped-def]
    qs = ReaderProfile.objects.select_related("user", "home_library", "erasure").order_by("-created_at", "-id")
    return qs if actor.is_superuser else qs.filter(home_library_id__in=actor.managed_library_ids)


def _download(data: dict[str, object], name: str) -> HttpResponse:
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2, default=str), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}-{timezone.localdate():%Y%m%d}.json"'
    return response


@login_required
def reader_list(request: HttpRequest) -> HttpResponse:
    """The readers of the libraries the manager manages; search by card ending or name."""
    actor = actor_for(request)
    _require_manager(actor)
    qs = _managed_readers(actor)
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(card_number_masked__endswith=q) | qs.filter(user__display_name__icontains=q)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "stakeholders/privacy_readers.html", {"page": page, "items": page.object_list, "q": q})


@login_required
def reader_data(request: HttpRequest, pk: int) -> HttpResponse:
    """One reader's personal data for the library's managers: opening it is logged."""
    actor = actor_for(request)
    _require_manager(actor)
    profile = get_object_or_404(_managed_readers(actor), pk=pk)
    privacy.access_log(actor, profile, "reader profile", request)
    erasure = ReaderErasure.objects.filter(reader=profile).select_related("erased_by").first()
    context = {
        "profile": profile,
        "erasure": erasure,
        "erase_form": EraseForm(),
        "accesses": profile.data_accesses.select_related("actor")[:20],
    }
    return render(request, "stakeholders/privacy_reader.html", context)


@login_required
def reader_export(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    _require_manager(actor)
    profile = get_object_or_404(_managed_readers(actor), pk=pk)
    return _download(privacy.reader_export(actor=actor, profile=profile, request=request), f"reader-{profile.pk}")


@login_required
@require_POST
def reader_erase(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    _require_manager(actor)
    profile = get_object_or_404(_managed_readers(actor), pk=pk)
    form = EraseForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("stakeholders:privacy-reader", pk=profile.pk)
    try:
        privacy.reader_erase(actor=actor, profile=profile, **form.cleaned_data)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The reader's personal data was erased; their feedback stays, anonymised."))
    return redirect("stakeholders:privacy-reader", pk=profile.pk)


@login_required
def access_log(request: HttpRequest) -> HttpResponse:
    """Who on the staff opened which reader's data, newest first (the library's managers)."""
    actor = actor_for(request)
    _require_manager(actor)
    page = Paginator(privacy.access_list_for(actor), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "stakeholders/privacy_access_log.html", {"page": page, "items": page.object_list})


@login_required
def my_data(request: HttpRequest) -> HttpResponse:
    """A reader downloads everything the platform holds about them."""
    actor = actor_for(request)
    if actor.reader_profile is None:
        raise Http404
    return _download(privacy.reader_export(actor=actor, profile=actor.reader_profile), "my-data")

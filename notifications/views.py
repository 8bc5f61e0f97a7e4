"""The notification centre, the header bell (htmx), preferences, and the operators' outbox page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.exceptions import DomainError

from . import selectors, services
from .forms import PreferenceForm
from .models import Cadence, DeliveryStatus


def _bell(request: HttpRequest) -> HttpResponse:
    return render(request, "notifications/_bell_link.html", {"unread": selectors.unread_count(request.user)})


@login_required
def bell(request: HttpRequest) -> HttpResponse:
    """The header bell with the unread count; htmx polls it, so no page reloads to see new notifications."""
    return _bell(request)


@login_required
def centre(request: HttpRequest) -> HttpResponse:
    only_unread = request.GET.get("unread") == "1"
    qs = selectors.notification_list_for(request.user)
    if only_unread:
        qs = qs.filter(read_at__isnull=True)
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/centre.html",
        {"page_obj": page, "only_unread": only_unread, "unread": selectors.unread_count(request.user)},
    )


@login_required
@require_POST
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_object_or_404(selectors.notification_list_for(request.user), pk=pk)
    services.notification_mark_read(user=request.user, notification_ids=[notification.pk])
    if request.htmx:  # type: ignore[attr-defined]
        notification.refresh_from_db()
        response = render(request, "notifications/_row.html", {"n": notification})
        response["HX-Trigger"] = "notifications-changed"  # the bell refreshes its count
        return response
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("notifications:centre")


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    count = services.notification_mark_all_read(user=request.user)
    messages.success(request, _("%(count)d notifications marked as read.") % {"count": count})
    return redirect("notifications:centre")


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = PreferenceForm(request.POST)
        if form.is_valid():
            services.preference_set(user=request.user, **form.cleaned_data)
            messages.success(request, _("Your notification preferences are saved."))
            return redirect("notifications:preferences")
    saved = {p.event: p for p in selectors.preference_list_for(request.user)}
    events = ["", *sorted(set(selectors.received_events(request.user)) | {e for e in saved if e})]
    rows = []
    for event in events:
        # An event without its own row shows what it inherits from the person's default row.
        pref = saved.get(event) or saved.get("")
        initial = (
            {"event": event, "in_app": pref.in_app, "email": pref.email, "cadence": pref.cadence}
            if pref
            else {"event": event, "in_app": True, "email": True, "cadence": Cadence.IMMEDIATE}
        )
        rows.append({"event": event, "form": PreferenceForm(initial=initial, prefix=None), "custom": event in saved})
    return render(request, "notifications/preferences.html", {"rows": rows})


@login_required
def deliveries(request: HttpRequest) -> HttpResponse:
    """Operators: deliveries that kept failing, with their last error, to retry once the cause is fixed."""
    if not selectors.is_operator(request.user):
        raise PermissionDenied
    status = request.GET.get("status", DeliveryStatus.FAILED)
    if status not in DeliveryStatus.values:
        status = DeliveryStatus.FAILED
    page = Paginator(selectors.delivery_list_for(request.user, status=status), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/deliveries.html",
        {"page_obj": page, "status": status, "statuses": DeliveryStatus.choices},
    )


@login_required
@require_POST
def delivery_retry(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = get_object_or_404(selectors.delivery_list_for(request.user, status=None), pk=pk)
    try:
        services.delivery_retry(user=request.user, delivery=delivery)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The delivery is queued again."))
    return redirect("notifications:deliveries")

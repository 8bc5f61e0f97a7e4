"""Webhook pages for an organisation's managers: subscriptions and their delivery log."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.exceptions import DomainError
from stakeholders.access import actor_for
from stakeholders.forms import add_domain_error

from . import selectors, services
from .forms import SubscriptionForm
from .services import SIGNATURE_HEADER, TIMESTAMP_HEADER


@login_required
def subscription_list(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    if actor.organization is None or not actor.manages(actor.organization.pk):
        raise Http404
    form = SubscriptionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            sub = services.subscription_create(actor=actor, organization=actor.organization, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("The subscription is saved."))
            return redirect("webhooks:subscription-detail", sub.pk)
    context = {
        "subscriptions": selectors.subscription_list_for(actor),
        "form": form,
        "signature_header": SIGNATURE_HEADER,
        "timestamp_header": TIMESTAMP_HEADER,
    }
    return render(request, "webhooks/subscription_list.html", context)


@login_required
def subscription_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    sub = get_object_or_404(selectors.subscription_list_for(actor, include_archived=True), pk=pk)
    deliveries = selectors.delivery_list_for(actor).filter(subscription=sub)
    page = Paginator(deliveries, 20).get_page(request.GET.get("page"))
    context = {
        "sub": sub,
        "page": page,
        "deliveries": page.object_list,
        "querystring": "",
        "signature_header": SIGNATURE_HEADER,
        "timestamp_header": TIMESTAMP_HEADER,
    }
    return render(request, "webhooks/subscription_detail.html", context)


@login_required
@require_POST
def subscription_action(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    sub = get_object_or_404(selectors.subscription_list_for(actor), pk=pk)
    what = request.POST.get("do")
    try:
        if what == "activate":
            services.subscription_update(actor=actor, subscription=sub, is_active=True)
        elif what == "deactivate":
            services.subscription_update(actor=actor, subscription=sub, is_active=False)
        elif what == "rotate":
            services.subscription_rotate_secret(actor=actor, subscription=sub)
        elif what == "archive":
            services.subscription_archive(actor=actor, subscription=sub)
            messages.success(request, _("The subscription is archived."))
            return redirect("webhooks:subscription-list")
        else:
            raise Http404
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Saved."))
    return redirect("webhooks:subscription-detail", sub.pk)


@login_required
@require_POST
def delivery_retry(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request)
    delivery = get_object_or_404(selectors.delivery_list_for(actor), pk=pk)
    try:
        services.delivery_retry(actor=actor, delivery=delivery)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The delivery will be tried again."))
    return redirect("webhooks:subscription-detail", delivery.subscription_id)

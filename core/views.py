"""The landing page and the dashboard each portal opens on."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.i18n import set_language as django_set_language

from core.dashboard import panels_for
from core.services import user_set_language

# The stakeholder foundation (who acts for whom) is what every portal's dashboard starts from, so the
# dashboard reads it; later apps add their own panels through their own pages.
from stakeholders.access import Actor, actor_for
from stakeholders.choices import CapabilityCategory, OrganizationKind, Portal, VerificationStatus
from stakeholders.selectors import (
    assessment_list_for,
    capability_list_for,
    invitation_list_for,
    membership_list_for,
    organization_list_for,
)


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("core:dashboard")
    return render(request, "core/home.html")


def _by(rows: Any, key: str, labels: dict[str, Any]) -> dict[str, list[Any]]:
    """Chart data (labels, values) in the order of the choices, translated for the current language."""
    counts = {r[key]: r["n"] for r in rows}
    keys = [k for k in labels if counts.get(k)]
    return {"labels": [str(labels[k]) for k in keys], "values": [counts[k] for k in keys]}


def _organization_stats(actor: Actor) -> dict[str, Any]:
    orgs = organization_list_for(actor).order_by()
    by_kind = orgs.values("kind").annotate(n=Count("id", distinct=True))
    by_status = orgs.values("verification_status").annotate(n=Count("id", distinct=True))
    kinds = dict(OrganizationKind.choices)
    statuses = {r["verification_status"]: r["n"] for r in by_status}
    return {
        "orgs_by_kind": _by(by_kind, "kind", kinds),
        "org_total": sum(r["n"] for r in by_kind),
        "org_verified": statuses.get(VerificationStatus.VERIFIED, 0),
        "org_unverified": statuses.get(VerificationStatus.UNVERIFIED, 0),
    }


def _capability_stats(actor: Actor, organization: Any = None) -> dict[str, Any]:
    caps = capability_list_for(actor).order_by()
    if organization is not None:
        caps = caps.filter(organization=organization)
    by_category = caps.values("category").annotate(n=Count("id"))
    return {
        "capabilities_by_category": _by(by_category, "category", dict(CapabilityCategory.choices)),
        "capability_total": sum(r["n"] for r in by_category),
    }


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request)
    portal = actor.portal
    context: dict[str, Any] = {"portal": portal}
    org = actor.organization
    if portal in (Portal.STAFF, Portal.PARTNER, Portal.GOVERNMENT):
        context.update(_organization_stats(actor))
        context.update(_capability_stats(actor))
        context["member_count"] = membership_list_for(actor, org).count()
        context["own_capability_count"] = capability_list_for(actor).filter(organization=org).count()
        if actor.manages(org.pk):
            context["pending_invitations"] = (
                invitation_list_for(actor, org)
                .filter(accepted_at=None, revoked_at=None, expires_at__gt=timezone.now())
                .count()
            )
    if portal == Portal.STAFF:
        if actor.managed_library_ids or actor.is_superuser:
            context["to_verify"] = list(
                organization_list_for(actor).filter(verification_status=VerificationStatus.UNVERIFIED)
                .order_by("created_at")[:10]
            )  # fmt: skip
        context["assessment_count"] = assessment_list_for(actor).filter(assessed_by=org).count()
        context["recent_organizations"] = list(organization_list_for(actor).order_by("-created_at")[:5])
    elif portal == Portal.PARTNER:
        context["own_assessments"] = list(assessment_list_for(actor).filter(organization=org)[:5])
        context["libraries"] = list(organization_list_for(actor).filter(kind=OrganizationKind.LIBRARY)[:5])
    elif portal == Portal.GOVERNMENT:
        context["partners_unverified"] = context["org_unverified"]
        context["recent_organizations"] = list(organization_list_for(actor).order_by("-created_at")[:5])
    elif portal == Portal.READER:
        context["profile"] = actor.reader_profile
        context["libraries"] = list(organization_list_for(actor)[:10])
    context["panels"] = panels_for(request, actor)
    return render(request, "core/dashboard.html", context)


def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch, and for a signed-in person also their saved preference (used by e-mails)."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    if request.method == "POST" and request.user.is_authenticated and language in dict(settings.LANGUAGES):
        user_set_language(user=request.user, language=language)
    return response

"""Scoped reads of stakeholders. The API and the UI both go through these, so they cannot drift apart.

Who sees what:
- organisations: members of any organisation see the directory of active organisations (partners
  find partners) plus their own archived ones; readers see libraries only; nobody else sees any.
- memberships and invitations: the organisation's own members (invitations: its managers).
- capabilities: those of organisations the actor can see.
- credibility assessments: library staff of the assessing library, and the assessed organisation
  (both through django-guardian object permissions on their groups).
- reader profiles: the reader themself, and staff of the home library.
- API tokens: their owner; an organisation's integration tokens also its managers.
"""

from __future__ import annotations

from django.contrib.postgres.search import TrigramWordSimilarity
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Greatest

from core.permissions import restrict

from .access import Actor
from .choices import MANAGING_ROLES, OrganizationKind
from .models import (
    ApiToken,
    Capability,
    CredibilityAssessment,
    Invitation,
    Membership,
    Organization,
    ReaderProfile,
)


def organization_list_for(actor: Actor, *, include_archived: bool = False) -> QuerySet[Organization]:
    qs = Organization.objects.all()
    if not actor.is_authenticated:
        return qs.none()
    if not actor.is_superuser:
        if actor.memberships:
            visible = Q(archived_at__isnull=True) | Q(id__in=actor.organization_ids)
            qs = qs.filter(visible)
        elif actor.reader_profile is not None:
            qs = qs.filter(kind=OrganizationKind.LIBRARY, archived_at__isnull=True)
        else:
            return qs.none()
    if not include_archived:
        qs = qs.filter(archived_at__isnull=True)
    return qs.annotate(
        member_count=Count("memberships", filter=Q(memberships__archived_at__isnull=True), distinct=True),
        capability_count=Count("capabilities", filter=Q(capabilities__archived_at__isnull=True), distinct=True),
    )


def library_list_public() -> QuerySet[Organization]:
    """Active libraries, for a reader choosing a home library before they have an account."""
    return Organization.objects.filter(kind=OrganizationKind.LIBRARY, archived_at__isnull=True).order_by("name_zh")


def organization_search(qs: QuerySet[Organization], text: str) -> QuerySet[Organization]:
    text = text.strip()
    if not text:
        return qs
    return (
        qs.annotate(similarity=Greatest(TrigramWordSimilarity(text, "name_zh"), TrigramWordSimilarity(text, "name_en")))
        .filter(Q(name_zh__icontains=text) | Q(name_en__icontains=text) | Q(similarity__gte=0.3))
        .order_by("-similarity", "name_zh")
    )


def membership_list_for(actor: Actor, organization: Organization | None = None) -> QuerySet[Membership]:
    qs = Membership.objects.active().select_related("user", "organization")
    if not actor.is_authenticated:
        return qs.none()
    if not actor.is_superuser:
        qs = qs.filter(organization_id__in=actor.organization_ids)
    if organization is not None:
        qs = qs.filter(organization=organization)
    return qs.order_by("organization__name_zh", "user__username")


def invitation_list_for(actor: Actor, organization: Organization | None = None) -> QuerySet[Invitation]:
    qs = Invitation.objects.select_related("organization", "invited_by")
    if not actor.is_authenticated:
        return qs.none()
    if not actor.is_superuser:
        managed = [m.organization_id for m in actor.memberships if m.role in MANAGING_ROLES]
        qs = qs.filter(organization_id__in=managed)
    if organization is not None:
        qs = qs.filter(organization=organization)
    return qs.order_by("-created_at")


def capability_list_for(actor: Actor) -> QuerySet[Capability]:
    visible = organization_list_for(actor).values("id")
    return (
        Capability.objects.active()
        .filter(organization_id__in=visible)
        .select_related("organization")
        .order_by("organization__name_zh", "category", "title_zh")
    )


def capability_search(qs: QuerySet[Capability], text: str) -> QuerySet[Capability]:
    text = text.strip()
    if not text:
        return qs
    return (
        qs.annotate(
            similarity=Greatest(
                TrigramWordSimilarity(text, "title_zh"),
                TrigramWordSimilarity(text, "title_en"),
                TrigramWordSimilarity(text, "keywords"),
            )
        )
        .filter(
            Q(title_zh__icontains=text)
            | Q(title_en__icontains=text)
            | Q(keywords__icontains=text)
            | Q(description__icontains=text)
            | Q(similarity__gte=0.3)
        )
        .order_by("-similarity", "title_zh")
    )


def assessment_list_for(actor: Actor) -> QuerySet[CredibilityAssessment]:
    qs = CredibilityAssessment.objects.active().select_related("organization", "assessed_by", "reviewer")
    if not actor.is_authenticated:
        return qs.none()
    if actor.is_superuser:
        return qs
    return restrict(qs, actor, "view_credibilityassessment")


def reader_list_for(actor: Actor) -> QuerySet[ReaderProfile]:
    qs = ReaderProfile.objects.select_related("user", "home_library")
    if not actor.is_authenticated:
        return qs.none()
    if actor.is_superuser:
        return qs
    return qs.filter(Q(user=actor.user) | Q(home_library_id__in=actor.library_ids))


def token_list_for(actor: Actor) -> QuerySet[ApiToken]:
    qs = ApiToken.objects.select_related("user", "organization", "created_by")
    if not actor.is_authenticated:
        return qs.none()
    managed = [m.organization_id for m in actor.memberships if m.role in MANAGING_ROLES]
    return qs.filter(Q(user=actor.user, organization__isnull=True) | Q(organization_id__in=managed)).order_by(
        "-created_at"
    )

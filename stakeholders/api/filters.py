"""Query filters of the stakeholders API. Free-text search (`q`) goes through the selectors' trigram search."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from stakeholders import selectors
from stakeholders.choices import CapabilityCategory, MembershipRole, OrganizationKind, VerificationStatus
from stakeholders.models import ApiToken, Capability, CredibilityAssessment, Invitation, Membership, ReaderProfile


class OrganizationFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=OrganizationKind.choices)
    verification_status = django_filters.ChoiceFilter(choices=VerificationStatus.choices)
    region = django_filters.CharFilter(lookup_expr="icontains")
    q = django_filters.CharFilter(method="search", label=_("Search names (Chinese or English)"))
    archived = django_filters.BooleanFilter(
        field_name="archived_at", lookup_expr="isnull", exclude=True, label=_("Archived (default: active only)")
    )

    def search(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return selectors.organization_search(queryset, value)


class MembershipFilter(django_filters.FilterSet):
    role = django_filters.ChoiceFilter(choices=MembershipRole.choices)

    class Meta:
        model = Membership
        fields = ("organization", "role")


class InvitationFilter(django_filters.FilterSet):
    class Meta:
        model = Invitation
        fields = ("organization", "role")


class CapabilityFilter(django_filters.FilterSet):
    category = django_filters.ChoiceFilter(choices=CapabilityCategory.choices)
    organization__kind = django_filters.ChoiceFilter(choices=OrganizationKind.choices)
    q = django_filters.CharFilter(method="search", label=_("Search titles, keywords and descriptions"))

    class Meta:
        model = Capability
        fields = ("organization", "category", "organization__kind")

    def search(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return selectors.capability_search(queryset, value)


class AssessmentFilter(django_filters.FilterSet):
    class Meta:
        model = CredibilityAssessment
        fields = ("organization", "assessed_by")


class ReaderFilter(django_filters.FilterSet):
    class Meta:
        model = ReaderProfile
        fields = ("home_library", "consent_trials", "consent_contact")


class TokenFilter(django_filters.FilterSet):
    class Meta:
        model = ApiToken
        fields = ("organization",)

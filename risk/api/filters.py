"""Query filters of the risk API."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from risk.choices import RiskCategory, RiskLevel, RiskStatus, Treatment
from risk.models import Acceptance, EmergencyPlan, Incident, Mitigation, PreAssessment, Review, RiskRegister


class _Archived(django_filters.FilterSet):
    archived = django_filters.BooleanFilter(
        field_name="archived_at", lookup_expr="isnull", exclude=True, label=_("Archived (default: active only)")
    )


class RegisterFilter(_Archived):
    class Meta:
        model = RiskRegister
        fields = ("alliance", "project")


class RiskFilter(_Archived):
    register = django_filters.NumberFilter()
    alliance = django_filters.NumberFilter(field_name="register__alliance")
    project = django_filters.NumberFilter(field_name="register__project")
    category = django_filters.ChoiceFilter(choices=RiskCategory.choices)
    status = django_filters.ChoiceFilter(choices=RiskStatus.choices)
    treatment = django_filters.ChoiceFilter(choices=Treatment.choices)
    inherent_level = django_filters.ChoiceFilter(choices=RiskLevel.choices)
    residual_level = django_filters.ChoiceFilter(choices=RiskLevel.choices)
    owner_organization = django_filters.NumberFilter()
    review_overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Review overdue"))
    q = django_filters.CharFilter(field_name="title", lookup_expr="icontains", label=_("Search titles"))

    def filter_overdue(self, queryset: QuerySet[Any], name: str, value: bool | None) -> QuerySet[Any]:
        if value is None:
            return queryset
        overdue = {"next_review_at__lt": timezone.now()}
        open_ = queryset.exclude(status=RiskStatus.CLOSED)
        return open_.filter(**overdue) if value else queryset.exclude(**overdue)


class MitigationFilter(_Archived):
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Not done by its due date"))
    done = django_filters.BooleanFilter(field_name="done_at", lookup_expr="isnull", exclude=True)

    class Meta:
        model = Mitigation
        fields = ("risk", "owner_organization")

    def filter_overdue(self, queryset: QuerySet[Any], name: str, value: bool | None) -> QuerySet[Any]:
        if value is None:
            return queryset
        late = {"done_at__isnull": True, "due_on__lt": timezone.localdate()}
        return queryset.filter(**late) if value else queryset.exclude(**late)


class EmergencyPlanFilter(_Archived):
    class Meta:
        model = EmergencyPlan
        fields = ("risk",)


class IncidentFilter(_Archived):
    class Meta:
        model = Incident
        fields = ("register",)


class AcceptanceFilter(django_filters.FilterSet):
    in_force = django_filters.BooleanFilter(field_name="ended_at", lookup_expr="isnull")

    class Meta:
        model = Acceptance
        fields = ("risk",)


class ReviewFilter(django_filters.FilterSet):
    class Meta:
        model = Review
        fields = ("risk", "incident")


class PreAssessmentFilter(django_filters.FilterSet):
    class Meta:
        model = PreAssessment
        fields = ("project", "status")

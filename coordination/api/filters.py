"""Query filters of the coordination API."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from coordination.choices import ActionStatus, MeetingKind, MeetingStatus, PlanStatus
from coordination.models import ActionItem, Meeting, ResearchPlan


class MeetingFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=MeetingKind.choices)
    status = django_filters.ChoiceFilter(choices=MeetingStatus.choices)
    starts_after = django_filters.IsoDateTimeFilter(field_name="starts_at", lookup_expr="gte", label=_("Starts after"))
    starts_before = django_filters.IsoDateTimeFilter(field_name="starts_at", lookup_expr="lt", label=_("Starts before"))

    class Meta:
        model = Meeting
        fields = ("alliance", "project", "series", "kind", "status")


class ActionItemFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ActionStatus.choices)
    mine = django_filters.BooleanFilter(method="filter_mine", label=_("Owned by me"))

    class Meta:
        model = ActionItem
        fields = ("meeting", "owner", "owner_organization", "status")

    def filter_mine(self, queryset, name, value):  # type: ignore[no-untyped-def]
        return queryset.filter(owner=self.request.user) if value else queryset


class ResearchPlanFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=PlanStatus.choices)

    class Meta:
        model = ResearchPlan
        fields = ("alliance", "lead_organization", "status")

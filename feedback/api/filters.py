"""Query filters of the feedback API. Free text (`q`) goes through the selector's trigram search."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from feedback import selectors
from feedback.choices import Channel, FeedbackKind, FeedbackStatus, SurveyStatus, Theme
from feedback.models import Feedback, Survey


class FeedbackFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=FeedbackKind.choices)
    status = django_filters.MultipleChoiceFilter(choices=FeedbackStatus.choices)
    theme = django_filters.ChoiceFilter(choices=Theme.choices)
    channel = django_filters.ChoiceFilter(choices=Channel.choices)
    tag = django_filters.CharFilter(field_name="tags", lookup_expr="contains", method="has_tag", label=_("Tag"))
    rating = django_filters.NumberFilter()
    hidden = django_filters.BooleanFilter(field_name="hidden_at", lookup_expr="isnull", exclude=True, label=_("Hidden"))
    overdue = django_filters.BooleanFilter(
        field_name="sla_breached_at", lookup_expr="isnull", exclude=True, label=_("Past its service level")
    )
    unassigned = django_filters.BooleanFilter(
        field_name="assignee", lookup_expr="isnull", label=_("Nobody responsible")
    )
    created_after = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")
    q = django_filters.CharFilter(method="search", label=_("Search the text (Chinese or English)"))

    class Meta:
        model = Feedback
        fields = ("library", "project", "deliverable", "trial", "need", "assignee", "routed_to", "is_public")

    def has_tag(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return queryset.filter(tags__contains=[value])

    def search(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return selectors.feedback_search(queryset, value)


class PartnerFeedbackFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=FeedbackKind.choices)
    status = django_filters.MultipleChoiceFilter(choices=FeedbackStatus.choices)

    class Meta:
        model = Feedback
        fields = ("project", "deliverable", "correction")


class SurveyFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=SurveyStatus.choices)

    class Meta:
        model = Survey
        fields = ("library", "trial")

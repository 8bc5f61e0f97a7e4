"""Query filters of the alliance API. Lists are already scoped by the selectors; these only narrow them."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from alliance.choices import (
    AllianceRole,
    CorrectionStatus,
    GuidanceKind,
    InvitationStatus,
    NeedCategory,
    NeedPriority,
    NeedStatus,
    ProjectStatus,
    Severity,
    TrialStatus,
)
from alliance.models import (
    Alliance,
    CorrectionRequest,
    Deliverable,
    GuidanceDocument,
    Milestone,
    Need,
    PartnerInvitation,
    Project,
    TrainingEnrolment,
    TrainingProgram,
    Trial,
)


def _archived() -> django_filters.BooleanFilter:
    return django_filters.BooleanFilter(
        field_name="archived_at", lookup_expr="isnull", exclude=True, label=_("Archived (default: active only)")
    )


class AllianceFilter(django_filters.FilterSet):
    archived = _archived()

    class Meta:
        model = Alliance
        fields = ("lead_library", "archived")


class PartnerInvitationFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=InvitationStatus.choices)
    role = django_filters.ChoiceFilter(choices=AllianceRole.choices)

    class Meta:
        model = PartnerInvitation
        fields = ("alliance", "organization", "status", "role", "project", "need")


class NeedFilter(django_filters.FilterSet):
    archived = _archived()
    status = django_filters.ChoiceFilter(choices=NeedStatus.choices)
    category = django_filters.ChoiceFilter(choices=NeedCategory.choices)
    priority = django_filters.ChoiceFilter(choices=NeedPriority.choices)

    class Meta:
        model = Need
        fields = ("library", "alliance", "status", "category", "priority", "archived")


class ProjectFilter(django_filters.FilterSet):
    archived = _archived()
    state = django_filters.ChoiceFilter(field_name="status", choices=ProjectStatus.choices)
    status = django_filters.ChoiceFilter(choices=ProjectStatus.choices)

    class Meta:
        model = Project
        fields = ("alliance", "state", "status", "archived")


class MilestoneFilter(django_filters.FilterSet):
    done = django_filters.BooleanFilter(field_name="done_at", lookup_expr="isnull", exclude=True)

    class Meta:
        model = Milestone
        fields = ("project", "done")


class DeliverableFilter(django_filters.FilterSet):
    class Meta:
        model = Deliverable
        fields = ("project",)


class TrialFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=TrialStatus.choices)

    class Meta:
        model = Trial
        fields = ("project", "status")


class CorrectionFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=CorrectionStatus.choices)
    severity = django_filters.ChoiceFilter(choices=Severity.choices)

    class Meta:
        model = CorrectionRequest
        fields = ("project", "trial", "status", "severity")


class TrainingProgramFilter(django_filters.FilterSet):
    class Meta:
        model = TrainingProgram
        fields = ("alliance", "trainer")


class TrainingEnrolmentFilter(django_filters.FilterSet):
    completed = django_filters.BooleanFilter(field_name="completed_at", lookup_expr="isnull", exclude=True)

    class Meta:
        model = TrainingEnrolment
        fields = ("program", "library", "completed")


class GuidanceFilter(django_filters.FilterSet):
    archived = _archived()
    kind = django_filters.ChoiceFilter(choices=GuidanceKind.choices)

    class Meta:
        model = GuidanceDocument
        fields = ("kind", "issuer", "archived")


class ComplianceFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(field_name="status", choices=ProjectStatus.choices)

    class Meta:
        model = Project
        fields = ("alliance", "state")

"""Browser forms of the funding pages. They only validate input; ``alliance.services.funding`` decides and writes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stakeholders.models import Organization

from .forms import _date
from .models import Alliance, ExpenditureCategory, FundingKind, FundingSource, Milestone, Project, ReportCadence

MIN_AMOUNT = Decimal("0.01")


def _amount() -> forms.DecimalField:
    return forms.DecimalField(label=_("Amount (CNY)"), max_digits=14, decimal_places=2, min_value=MIN_AMOUNT)


class FundingSourceForm(forms.Form):
    alliance = forms.ModelChoiceField(label=_("Alliance"), queryset=Alliance.objects.none())
    organization = forms.ModelChoiceField(label=_("Funder"), queryset=Organization.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=FundingKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    amount = _amount()
    starts_on = forms.DateField(label=_("Period starts"), widget=_date())
    ends_on = forms.DateField(label=_("Period ends"), widget=_date())

    def __init__(
        self,
        *args: Any,
        alliances: QuerySet[Alliance] | None = None,
        organizations: QuerySet[Organization] | None = None,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        alliance: Any = self.fields["alliance"]
        alliance.queryset = alliances if alliances is not None else Alliance.objects.none()
        organization: Any = self.fields["organization"]
        organization.queryset = organizations if organizations is not None else Organization.objects.none()
        organization.label_from_instance = lambda o: o.display_name


class AllocationForm(forms.Form):
    source = forms.ModelChoiceField(label=_("Funding source"), queryset=FundingSource.objects.none())
    project = forms.ModelChoiceField(label=_("Project"), queryset=Project.objects.none())
    amount = _amount()
    report_cadence = forms.ChoiceField(
        label=_("Financial reports"), choices=ReportCadence.choices, initial=ReportCadence.QUARTERLY
    )
    starts_on = forms.DateField(label=_("Funded from"), required=False, widget=_date())

    def __init__(
        self,
        *args: Any,
        sources: QuerySet[FundingSource] | None = None,
        projects: QuerySet[Project] | None = None,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        source: Any = self.fields["source"]
        source.queryset = sources if sources is not None else FundingSource.objects.none()
        field: Any = self.fields["project"]
        field.queryset = projects if projects is not None else Project.objects.none()


class TranchePlanForm(forms.Form):
    milestone = forms.ModelChoiceField(label=_("Milestone"), queryset=Milestone.objects.none())
    amount = _amount()

    def __init__(self, *args: Any, milestones: QuerySet[Milestone] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        field: Any = self.fields["milestone"]
        field.queryset = milestones if milestones is not None else Milestone.objects.none()


class ExpenditureForm(forms.Form):
    amount = _amount()
    category = forms.ChoiceField(label=_("Category"), choices=ExpenditureCategory.choices)
    spent_on = forms.DateField(label=_("Spent on"), widget=_date(), initial=timezone.localdate)
    description = forms.CharField(label=_("Description"), required=False, max_length=300)
    receipt = forms.FileField(label=_("Receipt"), help_text=_("PDF, PNG or JPEG, at most 10 MB."))


class ReportSubmitForm(forms.Form):
    summary = forms.CharField(label=_("Summary"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))

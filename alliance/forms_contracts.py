"""Browser forms of the agreements pages: contracts with their parties, and IP assets with their owners.

They only read and shape input; ``alliance.services.contracts`` decides (at least two parties, alliance
members only, shares adding up to 100 %) and its refusals are shown on the form.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from stakeholders.models import Organization

from .forms import OrganizationChoiceField, _date
from .models import Deliverable, Project
from .models.contracts import ContractPartyRole, IPKind

# Blank rows offered below the filled ones; a row left without an organisation is ignored.
SPARE_ROWS = 2


class ContractForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    project = forms.ModelChoiceField(label=_("Project"), queryset=Project.objects.none(), required=False)
    terms = forms.CharField(label=_("Terms"), required=False, widget=forms.Textarea(attrs={"rows": 5}))
    value = forms.DecimalField(
        label=_("Value (CNY)"), max_digits=14, decimal_places=2, min_value=Decimal("0"), initial=Decimal("0")
    )
    starts_on = forms.DateField(label=_("Starts on"), widget=_date())
    ends_on = forms.DateField(label=_("Ends on"), widget=_date())
    remind_days_before = forms.IntegerField(
        label=_("Remind days before the end"), min_value=0, max_value=365, initial=30
    )

    def __init__(self, *args: Any, projects: QuerySet[Project] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        field: Any = self.fields["project"]
        field.queryset = projects if projects is not None else Project.objects.none()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The contract cannot end before it starts."))
        return data


class PartyForm(forms.Form):
    organization = OrganizationChoiceField(
        label=_("Organisation"), queryset=Organization.objects.none(), required=False
    )
    role = forms.ChoiceField(
        label=_("Role in the contract"), choices=[("", "---------"), *ContractPartyRole.choices], required=False
    )
    obligations = forms.CharField(
        label=_("Obligations"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, organizations: QuerySet[Organization] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        field: Any = self.fields["organization"]
        field.queryset = organizations if organizations is not None else Organization.objects.none()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("organization") and not data.get("role"):
            self.add_error("role", _("Choose the organisation's role."))
        return data


class ShareForm(forms.Form):
    organization = OrganizationChoiceField(label=_("Owner"), queryset=Organization.objects.none(), required=False)
    percent = forms.DecimalField(
        label=_("Share (%)"), max_digits=5, decimal_places=2, required=False, min_value=Decimal("0.01"),
        max_value=Decimal("100"),
    )  # fmt: skip

    def __init__(self, *args: Any, organizations: QuerySet[Organization] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        field: Any = self.fields["organization"]
        field.queryset = organizations if organizations is not None else Organization.objects.none()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("organization") and data.get("percent") is None:
            self.add_error("percent", _("Give the owner's share."))
        return data


class RowsFormSet(forms.BaseFormSet):  # type: ignore[type-arg]
    """Party or owner rows: the organisations offered are passed to every row; blank rows are skipped."""

    def __init__(self, *args: Any, organizations: QuerySet[Organization] | None = None, **kwargs: Any):
        self.organizations = organizations
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {"organizations": self.organizations}

    def rows(self) -> list[dict[str, Any]]:
        """The filled rows as the services take them (``organization`` plus the row's other fields)."""
        return [form.cleaned_data for form in self.forms if form.cleaned_data.get("organization")]


PartyFormSet: type[RowsFormSet] = forms.formset_factory(  # type: ignore[assignment]
    PartyForm, formset=RowsFormSet, extra=SPARE_ROWS, max_num=20
)
ShareFormSet: type[RowsFormSet] = forms.formset_factory(  # type: ignore[assignment]
    ShareForm, formset=RowsFormSet, extra=SPARE_ROWS, max_num=20
)


class TerminateForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    breached_by = OrganizationChoiceField(
        label=_("Party in breach"),
        queryset=Organization.objects.none(),
        required=False,
        help_text=_("Only if the contract ends through a party's breach; it counts against its compliance."),
    )

    def __init__(self, *args: Any, organizations: QuerySet[Organization] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        field: Any = self.fields["breached_by"]
        field.queryset = organizations if organizations is not None else Organization.objects.none()


class ContractDocumentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    # Checked by content in the service (the model's validator), as deliverable versions are.
    file = forms.FileField(label=_("File"), help_text=_("PDF, PNG, JPEG, ZIP, DOCX or XLSX, at most 50 MB."))


class IPAssetForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=IPKind.choices)
    deliverable = forms.ModelChoiceField(label=_("Deliverable"), queryset=Deliverable.objects.none(), required=False)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    licence = forms.CharField(label=_("Licence terms"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    third_party_cleared = forms.BooleanField(label=_("Third-party copyright cleared"), required=False)
    clearance_note = forms.CharField(
        label=_("Clearance note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, deliverables: QuerySet[Deliverable] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        field: Any = self.fields["deliverable"]
        field.queryset = deliverables if deliverables is not None else Deliverable.objects.none()

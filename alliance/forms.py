"""Browser forms of the co-construction pages. They only validate input; the services decide and write."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stakeholders.models import Organization, ReaderProfile

from .choices import (
    AllianceRole,
    EvidenceKind,
    GuidanceKind,
    NeedCategory,
    NeedPriority,
    NeedStatus,
    ParticipantRole,
    ProjectStatus,
    Severity,
)
from .models import Alliance, CorrectionRequest, DeliverableVersion, GuidanceDocument, Need


def _blank(label: Any, choices: Any) -> list[tuple[str, Any]]:
    return [("", label), *choices]


def _date() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _datetime() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class OrganizationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.display_name} · {obj.get_kind_display()}"


# --- alliances ---------------------------------------------------------------------------------------------


class AllianceForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    charter = forms.CharField(label=_("Charter"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class JoinForm(forms.Form):
    """The lead library's managers admit an organisation in a role, with its benefit terms."""

    organization = OrganizationChoiceField(label=_("Organisation"), queryset=Organization.objects.none())
    role = forms.ChoiceField(label=_("Alliance role"), choices=AllianceRole.choices)
    contributes = forms.CharField(label=_("Contributes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    receives = forms.CharField(label=_("Receives"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, organizations: QuerySet[Organization] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        field: Any = self.fields["organization"]
        field.queryset = organizations if organizations is not None else Organization.objects.none()


class TermsForm(forms.Form):
    """What a member brings and what it gains: the benefit mechanism, as agreed with the lead library."""

    contributes = forms.CharField(label=_("Contributes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    receives = forms.CharField(label=_("Receives"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


# --- needs ---------------------------------------------------------------------------------------------------


class NeedFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=_blank(_("Any status"), NeedStatus.choices))
    priority = forms.ChoiceField(
        label=_("Priority"), required=False, choices=_blank(_("Any priority"), NeedPriority.choices)
    )


class NeedForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    category = forms.ChoiceField(label=_("Category"), choices=NeedCategory.choices)
    priority = forms.ChoiceField(label=_("Priority"), choices=NeedPriority.choices, initial=NeedPriority.MEDIUM)
    alliance = forms.ModelChoiceField(label=_("Share with alliance"), required=False, queryset=Alliance.objects.none())
    keywords = forms.CharField(label=_("Keywords"), max_length=300, required=False)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, alliances: QuerySet[Alliance] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        field: Any = self.fields["alliance"]
        field.queryset = alliances if alliances is not None else Alliance.objects.none()


class EvidenceForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of evidence"), choices=EvidenceKind.choices)
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 2}))
    reference_url = forms.URLField(label=_("Reference link"), required=False, assume_scheme="https")


class AnalyseForm(forms.Form):
    analysis = forms.CharField(label=_("Analysis"), widget=forms.Textarea(attrs={"rows": 3}))


class PartnerInviteForm(forms.Form):
    """Invite a suggested organisation into the need's alliance, optionally straight into a project."""

    organization = forms.IntegerField(widget=forms.HiddenInput)
    role = forms.ChoiceField(label=_("Role"), choices=[c for c in AllianceRole.choices if c[0] != "demand"])
    project = forms.IntegerField(label=_("Project"), required=False)
    message = forms.CharField(label=_("Message"), required=False, max_length=1000)


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=1000)


# --- projects ------------------------------------------------------------------------------------------------


class ProjectFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("State"), required=False, choices=_blank(_("Any state"), ProjectStatus.choices))
    alliance = forms.ModelChoiceField(
        label=_("Alliance"), required=False, queryset=Alliance.objects.none(), empty_label=_("All alliances")
    )

    def __init__(self, *args: Any, alliances: QuerySet[Alliance] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        field: Any = self.fields["alliance"]
        field.queryset = alliances if alliances is not None else Alliance.objects.none()


class ProjectForm(forms.Form):
    alliance = forms.ModelChoiceField(label=_("Alliance"), queryset=Alliance.objects.none())
    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    budget = forms.DecimalField(label=_("Budget (CNY)"), min_value=Decimal(0), max_digits=14, decimal_places=2)
    starts_on = forms.DateField(label=_("Planned start"), required=False, widget=_date())
    ends_on = forms.DateField(label=_("Planned end"), required=False, widget=_date())
    needs = forms.ModelMultipleChoiceField(label=_("Needs it meets"), required=False, queryset=Need.objects.none())

    def __init__(
        self,
        *args: Any,
        alliances: QuerySet[Alliance] | None = None,
        needs: QuerySet[Need] | None = None,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        alliance: Any = self.fields["alliance"]
        alliance.queryset = alliances if alliances is not None else Alliance.objects.none()
        need: Any = self.fields["needs"]
        need.queryset = needs if needs is not None else Need.objects.none()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", _("The end lies before the start."))
        return data


class TransitionForm(forms.Form):
    name = forms.CharField(widget=forms.HiddenInput, max_length=40)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)


class ParticipantForm(forms.Form):
    organization = OrganizationChoiceField(label=_("Organisation"), queryset=Organization.objects.none())
    role = forms.ChoiceField(label=_("Role"), choices=ParticipantRole.choices)
    responsibilities = forms.CharField(label=_("Responsibilities"), required=False, max_length=1000)
    funding_amount = forms.DecimalField(
        label=_("Funding (CNY)"), min_value=Decimal(0), max_digits=14, decimal_places=2, initial=0
    )

    def __init__(self, *args: Any, organizations: QuerySet[Organization] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        field: Any = self.fields["organization"]
        field.queryset = organizations if organizations is not None else Organization.objects.none()


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("Milestone"), max_length=200)
    due_on = forms.DateField(label=_("Due on"), widget=_date())


class StandardDeclareForm(forms.Form):
    standard = forms.ModelChoiceField(label=_("Standard"), queryset=GuidanceDocument.objects.none())
    note = forms.CharField(label=_("How it is followed"), required=False, max_length=1000)

    def __init__(self, *args: Any, standards: QuerySet[GuidanceDocument] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        field: Any = self.fields["standard"]
        field.queryset = standards if standards is not None else GuidanceDocument.objects.none()


class DeliverableForm(forms.Form):
    title = forms.CharField(label=_("Deliverable"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, max_length=2000)


class VersionForm(forms.Form):
    file = forms.FileField(label=_("File"), help_text=_("PDF, Office document, image or ZIP archive."))
    notes = forms.CharField(label=_("Release notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    released_on = forms.DateField(label=_("Released on"), required=False, widget=_date())
    fixes = forms.ModelMultipleChoiceField(
        label=_("Corrections it fixes"),
        required=False,
        queryset=CorrectionRequest.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, corrections: QuerySet[CorrectionRequest] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        field: Any = self.fields["fixes"]
        field.queryset = corrections if corrections is not None else CorrectionRequest.objects.none()


class ReaderChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.user.shown_name} · {obj.card_number_masked}"


class TrialPlanForm(forms.Form):
    version = forms.ModelChoiceField(label=_("Version to trial"), queryset=DeliverableVersion.objects.none())
    starts_on = forms.DateField(label=_("Starts on"), widget=_date())
    ends_on = forms.DateField(label=_("Ends on"), widget=_date())
    min_satisfaction = forms.DecimalField(
        label=_("Minimum mean satisfaction"), min_value=1, max_value=5, decimal_places=2, initial=Decimal("4.00")
    )
    max_open_deviations = forms.IntegerField(label=_("Maximum open deviations"), min_value=0, initial=0)
    readers = ReaderChoiceField(
        label=_("Readers to invite"),
        required=False,
        queryset=ReaderProfile.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only readers who agreed to take part in trials are listed."),
    )

    def __init__(
        self,
        *args: Any,
        versions: QuerySet[DeliverableVersion] | None = None,
        readers: QuerySet[ReaderProfile] | None = None,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        version: Any = self.fields["version"]
        version.queryset = versions if versions is not None else DeliverableVersion.objects.none()
        reader: Any = self.fields["readers"]
        reader.queryset = readers if readers is not None else ReaderProfile.objects.none()
        today = timezone.localdate()
        self.fields["starts_on"].initial = today
        self.fields["ends_on"].initial = today + timedelta(days=14)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", _("The end lies before the start."))
        return data


class InviteReadersForm(forms.Form):
    readers = ReaderChoiceField(
        label=_("Readers to invite"), queryset=ReaderProfile.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, readers: QuerySet[ReaderProfile] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        field: Any = self.fields["readers"]
        field.queryset = readers if readers is not None else ReaderProfile.objects.none()


class TrialResponseForm(forms.Form):
    satisfaction = forms.TypedChoiceField(
        label=_("How satisfied are you?"),
        choices=[(str(n), str(n)) for n in range(5, 0, -1)],
        coerce=int,
        widget=forms.RadioSelect,
        help_text=_("5 is very satisfied, 1 not at all."),
    )
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class CorrectionForm(forms.Form):
    title = forms.CharField(label=_("Deviation"), max_length=200)
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices, initial=Severity.MEDIUM)
    due_on = forms.DateField(label=_("Correct by"), widget=_date())
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class CorrectionAnswerForm(forms.Form):
    answer = forms.CharField(label=_("How it was corrected"), widget=forms.Textarea(attrs={"rows": 2}))
    fixed_in = forms.ModelChoiceField(
        label=_("Fixed in version"), required=False, queryset=DeliverableVersion.objects.none()
    )

    def __init__(self, *args: Any, versions: QuerySet[DeliverableVersion] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        field: Any = self.fields["fixed_in"]
        field.queryset = versions if versions is not None else DeliverableVersion.objects.none()


class CorrectionVerifyForm(forms.Form):
    note = forms.CharField(label=_("Verification note"), required=False, max_length=1000)


class SignoffForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=1000)


# --- training and guidance ---------------------------------------------------------------------------------


class TrainingProgramForm(forms.Form):
    alliance = forms.ModelChoiceField(label=_("Alliance"), queryset=Alliance.objects.none())
    trainer = OrganizationChoiceField(label=_("Trainer"), queryset=Organization.objects.none())
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    required_sessions = forms.IntegerField(label=_("Sessions required to complete"), min_value=1, initial=1)

    def __init__(
        self,
        *args: Any,
        alliances: QuerySet[Alliance] | None = None,
        trainers: QuerySet[Organization] | None = None,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        alliance: Any = self.fields["alliance"]
        alliance.queryset = alliances if alliances is not None else Alliance.objects.none()
        trainer: Any = self.fields["trainer"]
        trainer.queryset = trainers if trainers is not None else Organization.objects.none()


class TrainingSessionForm(forms.Form):
    topic = forms.CharField(label=_("Topic"), max_length=200)
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=_datetime())
    ends_at = forms.DateTimeField(label=_("Ends at"), widget=_datetime())
    location = forms.CharField(label=_("Location"), required=False, max_length=200)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            self.add_error("ends_at", _("The session ends before it starts."))
        return data


class AttendanceForm(forms.Form):
    enrolment = forms.IntegerField(widget=forms.HiddenInput)
    attended = forms.TypedChoiceField(
        choices=[("1", _("Attended")), ("0", _("Absent"))], coerce=lambda v: v == "1", initial="1"
    )


class GuidanceFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=_blank(_("Policies and standards"), GuidanceKind.choices)
    )


class GuidanceForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=GuidanceKind.choices)
    code = forms.CharField(label=_("Code"), max_length=60, required=False, help_text=_("For example DB33/T 1234-2024."))
    title = forms.CharField(label=_("Title"), max_length=300)
    version = forms.CharField(label=_("Version"), max_length=30, initial="1.0")
    effective_on = forms.DateField(label=_("Effective on"), widget=_date())
    scope = forms.CharField(label=_("Scope"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    document = forms.FileField(label=_("Document"), required=False)

"""Browser forms of the risk pages. They only check the shape of the input; risk.services decides and writes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from alliance.models import Alliance, Project
from stakeholders.models import Organization

from .choices import RiskCategory, RiskStatus, Treatment
from .models import Risk, RiskTemplate
from .services import MANUAL_STATUSES

SCALE_CHOICES = [(n, str(n)) for n in range(1, 6)]


def _date() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _datetime() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _text(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


def scale(label: Any, labels: list[str] | None = None, required: bool = True) -> forms.TypedChoiceField:
    """A 1–5 score as a select, each value shown with the register's word for it."""
    choices: list[tuple[Any, str]] = [(n, f"{n} · {labels[n - 1]}" if labels else str(n)) for n in range(1, 6)]
    if not required:
        choices = [("", "—"), *choices]
    return forms.TypedChoiceField(label=label, choices=choices, coerce=int, required=required, empty_value=None)


class OrganizationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.shown_name)


def party_people(organizations: QuerySet[Organization]) -> QuerySet[Any]:
    """People acting for the register's parties: the candidates to own a risk or a mitigation."""
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            memberships__organization__in=organizations,
            memberships__archived_at__isnull=True,
        )
        .distinct()
        .order_by("username")
    )


class _OwnedForm(forms.Form):
    """Owner fields: an organisation of the register's parties and, optionally, a person acting for it."""

    def __init__(self, *args: Any, organizations: QuerySet[Organization] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        orgs = organizations if organizations is not None else Organization.objects.none()
        org_field: Any = self.fields["owner_organization"]
        org_field.queryset = orgs
        owner_field: Any = self.fields["owner"]
        owner_field.queryset = party_people(orgs)


# --- registers ---------------------------------------------------------------------------------------------------


class RegisterCreateForm(forms.Form):
    alliance = forms.ModelChoiceField(label=_("Alliance"), queryset=Alliance.objects.none())
    project = forms.ModelChoiceField(
        label=_("Project"),
        queryset=Project.objects.none(),
        required=False,
        empty_label=_("— the alliance itself —"),
        help_text=_("Leave empty for the alliance's own register."),
    )
    title = forms.CharField(
        label=_("Title"), max_length=200, required=False, help_text=_("Empty: the project's or alliance's name.")
    )

    def __init__(
        self,
        *args: Any,
        alliances: QuerySet[Alliance] | None = None,
        projects: QuerySet[Project] | None = None,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        alliance: Any = self.fields["alliance"]
        alliance.queryset = alliances if alliances is not None else Alliance.objects.none()
        project: Any = self.fields["project"]
        project.queryset = projects if projects is not None else Project.objects.none()
        project.label_from_instance = lambda p: f"{p.title} · {p.alliance.name}"

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        project, alliance = data.get("project"), data.get("alliance")
        if project is not None and alliance is not None and project.alliance_id != alliance.pk:
            self.add_error("project", _("This project belongs to another alliance."))
        return data


class RegisterEditForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    likelihood_labels = forms.CharField(
        label=_("Likelihood labels"),
        max_length=500,
        help_text=_("Five words, lowest first, separated by commas."),
    )
    impact_labels = forms.CharField(
        label=_("Impact labels"), max_length=500, help_text=_("Five words, lowest first, separated by commas.")
    )

    def _labels(self, name: str) -> list[str]:
        labels = [x.strip() for x in self.cleaned_data[name].replace("，", ",").split(",")]
        if len(labels) != 5 or not all(labels):
            raise forms.ValidationError(_("Give exactly five non-empty labels."))
        return labels

    def clean_likelihood_labels(self) -> list[str]:
        return self._labels("likelihood_labels")

    def clean_impact_labels(self) -> list[str]:
        return self._labels("impact_labels")


class AdoptForm(forms.Form):
    templates = forms.ModelMultipleChoiceField(
        label=_("Templates"),
        queryset=RiskTemplate.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one template to adopt.")},
    )
    owner_organization = OrganizationChoiceField(
        label=_("Owning organisation"),
        queryset=Organization.objects.none(),
        required=False,
        empty_label=_("— the lead library —"),
    )
    language = forms.ChoiceField(
        label=_("Copy the text in"), choices=[("zh-hans", "简体中文"), ("en", "English")], required=False
    )

    def __init__(
        self,
        *args: Any,
        templates: QuerySet[RiskTemplate] | None = None,
        organizations: QuerySet[Organization] | None = None,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        field: Any = self.fields["templates"]
        field.queryset = templates if templates is not None else RiskTemplate.objects.none()
        chinese = (get_language() or "").startswith("zh")
        field.label_from_instance = lambda t: t.title_zh if chinese else t.title_en
        org: Any = self.fields["owner_organization"]
        org.queryset = organizations if organizations is not None else Organization.objects.none()
        if not self.is_bound:
            self.initial.setdefault("language", "zh-hans" if chinese else "en")


# --- risks -------------------------------------------------------------------------------------------------------


class RiskForm(_OwnedForm):
    """Record or adjust a risk: what, why, what it would do, who owns it, scores before and after treatment."""

    category = forms.ChoiceField(label=_("Category"), choices=RiskCategory.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    cause = forms.CharField(label=_("Cause"), required=False, widget=_text())
    consequence = forms.CharField(label=_("Consequence"), required=False, widget=_text())
    owner_organization = OrganizationChoiceField(label=_("Owning organisation"), queryset=Organization.objects.none())
    owner = PersonChoiceField(
        label=_("Owner"), queryset=get_user_model().objects.none(), required=False, empty_label=_("— anyone there —")
    )
    likelihood = scale(_("Likelihood"))
    impact = scale(_("Impact"))
    treatment = forms.ChoiceField(label=_("Treatment"), choices=Treatment.choices)
    residual_likelihood = scale(_("Residual likelihood"), required=False)
    residual_impact = scale(_("Residual impact"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[(s.value, s.label) for s in RiskStatus if s in MANUAL_STATUSES or s == RiskStatus.ACCEPTED],
        required=False,
        help_text=_("A risk becomes accepted through an acceptance on its page."),
    )

    def __init__(
        self,
        *args: Any,
        likelihood_labels: list[str] | None = None,
        impact_labels: list[str] | None = None,
        editing: bool = False,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        if likelihood_labels and impact_labels:
            for name, labels, required in (
                ("likelihood", likelihood_labels, True),
                ("impact", impact_labels, True),
                ("residual_likelihood", likelihood_labels, False),
                ("residual_impact", impact_labels, False),
            ):
                self.fields[name] = scale(self.fields[name].label, labels, required=required)
        if editing:
            self.fields["residual_likelihood"].help_text = ""
        else:
            self.fields["residual_likelihood"].help_text = _("Empty: the same as before treatment.")
            del self.fields["status"]

    def clean_status(self) -> str:
        return self.cleaned_data.get("status") or ""


# --- treatment ---------------------------------------------------------------------------------------------------


class MitigationForm(_OwnedForm):
    title = forms.CharField(label=_("Action"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=_text(2))
    owner_organization = OrganizationChoiceField(label=_("Owning organisation"), queryset=Organization.objects.none())
    owner = PersonChoiceField(
        label=_("Owner"), queryset=get_user_model().objects.none(), required=False, empty_label=_("— anyone there —")
    )
    due_on = forms.DateField(label=_("Due on"), widget=_date())


class ProgressForm(forms.Form):
    progress = forms.IntegerField(label=_("Progress (%)"), min_value=0, max_value=100)


class PlanForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    trigger_conditions = forms.CharField(label=_("Trigger conditions"), widget=_text(2))
    steps = forms.CharField(label=_("Steps"), widget=_text(4))
    contacts = forms.CharField(
        label=_("Contacts"), widget=_text(3), help_text=_("Who to call, one per line: name, role, phone.")
    )


class DrillForm(forms.Form):
    held_on = forms.DateField(label=_("Held on"), widget=_date())
    participants = forms.CharField(label=_("Participants"), required=False, widget=_text(2))
    outcome = forms.CharField(label=_("Outcome"), widget=_text(2))


class AcceptanceForm(forms.Form):
    rationale = forms.CharField(label=_("Why the residual risk is accepted"), widget=_text(3))
    expires_at = forms.DateTimeField(
        label=_("Accepted until"), widget=_datetime(), help_text=_("Then the risk comes back for review.")
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("expires_at", (timezone.localtime() + timedelta(days=180)).replace(second=0))


class ReviewForm(forms.Form):
    likelihood = scale(_("Likelihood"))
    impact = scale(_("Impact"))
    residual_likelihood = scale(_("Residual likelihood"))
    residual_impact = scale(_("Residual impact"))
    notes = forms.CharField(label=_("Notes"), required=False, widget=_text(3))
    close = forms.BooleanField(label=_("Close the risk: it can no longer happen"), required=False)

    def __init__(self, *args: Any, risk: Risk | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if risk is not None:
            lik, imp = list(risk.register.likelihood_labels), list(risk.register.impact_labels)
            from .choices import DEFAULT_IMPACT_LABELS, DEFAULT_LIKELIHOOD_LABELS, shown_labels

            lik, imp = shown_labels(lik, DEFAULT_LIKELIHOOD_LABELS), shown_labels(imp, DEFAULT_IMPACT_LABELS)
            for name, labels in (
                ("likelihood", lik),
                ("impact", imp),
                ("residual_likelihood", lik),
                ("residual_impact", imp),
            ):
                self.fields[name] = scale(self.fields[name].label, labels)
            if not self.is_bound:
                for name in ("likelihood", "impact", "residual_likelihood", "residual_impact"):
                    self.initial.setdefault(name, getattr(risk, name))


# --- incidents ---------------------------------------------------------------------------------------------------


class IncidentForm(forms.Form):
    """An incident and, for each risk of the register that it concerns, the new scores it gets."""

    title = forms.CharField(label=_("Title"), max_length=200)
    occurred_at = forms.DateTimeField(label=_("Occurred at"), widget=_datetime())
    what_happened = forms.CharField(label=_("What happened"), widget=_text(3))
    impact = forms.CharField(label=_("Impact"), widget=_text(2))
    response = forms.CharField(label=_("Response"), widget=_text(2))
    lessons = forms.CharField(label=_("Lessons learned"), required=False, widget=_text(2))

    SCORES = ("likelihood", "impact", "residual_likelihood", "residual_impact")

    def __init__(self, *args: Any, risks: list[Risk] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.risks = list(risks or [])
        for risk in self.risks:
            self.fields[f"link_{risk.pk}"] = forms.BooleanField(label=risk.title, required=False)
            for name in self.SCORES:
                self.fields[f"{name}_{risk.pk}"] = forms.TypedChoiceField(
                    label=self._score_label(name),
                    choices=SCALE_CHOICES,
                    coerce=int,
                    initial=getattr(risk, name),
                    required=False,
                    empty_value=None,
                )

    @staticmethod
    def _score_label(name: str) -> Any:
        return {
            "likelihood": _("Likelihood"),
            "impact": _("Impact"),
            "residual_likelihood": _("Residual likelihood"),
            "residual_impact": _("Residual impact"),
        }[name]

    @property
    def base_fields_bound(self) -> list[Any]:
        return [self[name] for name in ("title", "occurred_at", "what_happened", "impact", "response", "lessons")]

    @property
    def risk_rows(self) -> list[dict[str, Any]]:
        return [
            {"risk": r, "link": self[f"link_{r.pk}"], "scores": [self[f"{n}_{r.pk}"] for n in self.SCORES]}
            for r in self.risks
        ]

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        rescores = []
        for risk in self.risks:
            if not data.get(f"link_{risk.pk}"):
                continue
            values = {name: data.get(f"{name}_{risk.pk}") for name in self.SCORES}
            if values["likelihood"] is None or values["impact"] is None:
                self.add_error(f"likelihood_{risk.pk}", _("Score a linked risk."))
                continue
            rescores.append({"risk": risk, **values})
        data["rescores"] = rescores
        return data

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        keys = ("title", "occurred_at", "what_happened", "impact", "response", "lessons", "rescores")
        return {k: data[k] for k in keys}


# --- pre-assessment ----------------------------------------------------------------------------------------------


class PreAssessmentStartForm(forms.Form):
    summary = forms.CharField(label=_("Summary"), required=False, widget=_text(2))


class PreAssessmentItemForm(forms.Form):
    category = forms.ChoiceField(choices=RiskCategory.choices, widget=forms.HiddenInput)
    finding = forms.CharField(label=_("Finding"), widget=_text(2))
    likelihood = scale(_("Likelihood"))
    impact = scale(_("Impact"))


class SignForm(forms.Form):
    side = forms.ChoiceField(choices=[("library", "library"), ("provider", "provider")], widget=forms.HiddenInput)

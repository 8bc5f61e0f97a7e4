"""Browser forms of the stakeholder pages. They only validate input; the services decide and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.exceptions import DomainError

from .choices import CapabilityCategory, MembershipRole, OrganizationKind, VerificationStatus
from .models import Organization

SORTS = {
    "name": ("name_zh",),
    "-created": ("-created_at", "name_zh"),
    "members": ("-member_count", "name_zh"),
    "capabilities": ("-capability_count", "name_zh"),
    "region": ("region", "name_zh"),
}


def add_domain_error(form: forms.BaseForm, exc: DomainError) -> None:
    """Show a refused write in the form: on the fields the service named, else above the form."""
    placed = False
    for name, messages in (exc.fields or {}).items():
        if name in form.fields:
            for message in messages:
                form.add_error(name, message)
            placed = True
    if not placed or not exc.fields:
        form.add_error(None, exc.message)


def _blank(label: Any, choices: Any) -> list[tuple[str, Any]]:
    return [("", label), *choices]


class OrganizationFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=_blank(_("All kinds"), OrganizationKind.choices))
    verification = forms.ChoiceField(
        label=_("Verification"), required=False, choices=_blank(_("Any status"), VerificationStatus.choices)
    )
    region = forms.ChoiceField(label=_("Region"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("name", _("Name")),
            ("-created", _("Newest first")),
            ("members", _("Most members")),
            ("capabilities", _("Most capabilities")),
            ("region", _("Region")),
        ],
    )

    def __init__(self, *args: Any, regions: list[str] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        region: Any = self.fields["region"]
        region.choices = _blank(_("All regions"), [(r, r) for r in regions or []])


class CapabilityFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=_blank(_("All categories"), CapabilityCategory.choices)
    )
    kind = forms.ChoiceField(
        label=_("Offered by"), required=False, choices=_blank(_("All kinds"), OrganizationKind.choices)
    )


class OrganizationForm(forms.ModelForm):
    class Meta:
        model = Organization
        fields = [
            "kind", "name_zh", "name_en", "region", "uscc", "contact_name", "contact_email",
            "contact_phone", "website", "description",
        ]  # fmt: skip
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        # The kind of an organisation is fixed once registered: it decides portals and alliance roles.
        if editing:
            del self.fields["kind"]


class CapabilityForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=CapabilityCategory.choices)
    title_zh = forms.CharField(label=_("Title (Chinese)"), max_length=200)
    title_en = forms.CharField(label=_("Title (English)"), max_length=200, required=False)
    keywords = forms.CharField(label=_("Keywords"), max_length=300, required=False)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"))
    role = forms.ChoiceField(label=_("Role"), choices=MembershipRole.choices, initial=MembershipRole.MEMBER)


class MembershipRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=MembershipRole.choices)


class VerifyForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("1", _("Verify")), ("0", _("Reject"))],
        coerce=lambda v: v == "1",
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class AssessmentForm(forms.Form):
    score = forms.IntegerField(label=_("Score (0–100)"), min_value=0, max_value=100)
    qualifications = forms.CharField(label=_("Qualifications"), widget=forms.Textarea(attrs={"rows": 3}))
    assessed_on = forms.DateField(
        label=_("Assessed on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    document = forms.FileField(label=_("Supporting document"), required=False)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ConsentForm(forms.Form):
    consent_contact = forms.BooleanField(
        label=_("The library may contact me about my needs and feedback"), required=False
    )
    consent_trials = forms.BooleanField(label=_("I would like to take part in trials of new services"), required=False)


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    organization = forms.TypedChoiceField(
        label=_("Belongs to"), required=False, coerce=int, empty_value=None, choices=[]
    )
    expires_at = forms.DateTimeField(label=_("Expires"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, managed: list[Any] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        organization: Any = self.fields["organization"]
        organization.choices = _blank(_("Me (personal token)"), [(o.pk, o.display_name) for o in managed or []])

    def clean_expires_at(self) -> Any:
        value = self.cleaned_data.get("expires_at")
        if value is not None and value <= timezone.now():
            raise forms.ValidationError(_("Choose a date in the future."))
        return value


class InviteeAccountForm(forms.Form):
    """An invitee without an account creates one; the e-mail address is the invitation's."""

    username = forms.CharField(label=_("User name"), max_length=150)
    display_name = forms.CharField(label=_("Name shown to others"), max_length=100, required=False)
    password1 = forms.CharField(label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(
        label=_("Password again"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords differ."))
        elif p1:
            try:
                password_validation.validate_password(p1)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data


class ReaderSignupForm(forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)
    display_name = forms.CharField(label=_("Name shown to others"), max_length=100, required=False)
    email = forms.EmailField(label=_("E-mail"))
    password1 = forms.CharField(label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(
        label=_("Password again"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    home_library = forms.ModelChoiceField(
        label=_("Home library"), queryset=Organization.objects.none(), empty_label=_("Choose your library")
    )
    card_number = forms.CharField(label=_("Library card number"), max_length=32)
    consent_contact = ConsentForm.base_fields["consent_contact"]
    consent_trials = ConsentForm.base_fields["consent_trials"]
    accept_terms = forms.BooleanField(
        label=_("I agree that the library keeps my account data to run the reader portal"), required=True
    )

    def __init__(self, *args: Any, libraries: Any = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        home_library: Any = self.fields["home_library"]
        if libraries is not None:
            home_library.queryset = libraries
        home_library.label_from_instance = lambda org: org.display_name

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords differ."))
        elif p1:
            try:
                password_validation.validate_password(p1)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data

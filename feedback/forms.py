"""Forms of the feedback pages; the services still check everything, these only shape the input."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from alliance.models import Trial
from stakeholders.models import Organization

from .choices import FeedbackKind

RATING_CHOICES = [("", _("No rating")), *[(str(n), "★" * n) for n in range(1, 6)]]


class TrialChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.project.title} · {obj.version.deliverable.title}"


class FeedbackForm(forms.Form):
    """What a reader tells the library. ``libraries`` is offered only to visitors who must name one."""

    kind = forms.ChoiceField(label=_("What kind of feedback"), choices=FeedbackKind.choices, widget=forms.RadioSelect)
    text = forms.CharField(label=_("Your feedback"), widget=forms.Textarea(attrs={"rows": 5}), max_length=5000)
    rating = forms.TypedChoiceField(
        label=_("Rating"), choices=RATING_CHOICES, coerce=int, empty_value=None, required=False
    )
    subject = forms.CharField(
        label=_("Service or space it concerns"),
        max_length=200,
        required=False,
        help_text=_("For example: the self-study area on the 3rd floor, the self-service lending machine."),
    )
    trial = TrialChoiceField(label=_("Trial it is about"), queryset=Trial.objects.none(), required=False)
    attachment = forms.FileField(
        label=_("Photo or file"), required=False, help_text=_("PNG, JPEG or PDF, at most 10 MB.")
    )
    is_public = forms.BooleanField(
        label=_("Make this need public so other readers can support it (your name is not shown)"), required=False
    )
    consent_contact = forms.BooleanField(label=_("The library may contact me about this feedback"), required=False)
    library = forms.ModelChoiceField(label=_("Library"), queryset=Organization.objects.none(), required=False)

    def __init__(
        self,
        *args: Any,
        libraries: QuerySet[Organization] | None = None,
        trials: QuerySet[Trial] | None = None,
        anonymous: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name in ("kind", "is_public", "consent_contact"):
                continue
            field.widget.attrs.setdefault(
                "class", "form-select" if name in ("rating", "trial", "library") else "form-control"
            )
        self.fields["kind"].widget.attrs["class"] = "form-check-input"
        for name in ("is_public", "consent_contact"):
            self.fields[name].widget.attrs["class"] = "form-check-input"
        if libraries is not None:
            library_field = self.fields["library"]
            assert isinstance(library_field, forms.ModelChoiceField)
            library_field.queryset = libraries
            library_field.required = True
        else:
            del self.fields["library"]
        if trials is not None and trials.exists():
            trial_field = self.fields["trial"]
            assert isinstance(trial_field, forms.ModelChoiceField)
            trial_field.queryset = trials
        else:
            del self.fields["trial"]
        if anonymous:
            # Nobody to contact and nobody to confirm: anonymous feedback never carries consent.
            del self.fields["consent_contact"]


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("What is still wrong?"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )

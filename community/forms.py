from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from stakeholders.validators import validate_document


class ThreadForm(forms.Form):
    alliance = forms.TypedChoiceField(label=_("Where"), coerce=int, empty_value=None, required=False)
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=20000,
        help_text=_("Mention someone with @username: they are notified."),
    )
    attachment = forms.FileField(label=_("Attachment"), required=False, validators=[validate_document])

    def __init__(self, *args: Any, alliances: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[Any, Any]] = [("", _("Public topic"))]
        choices += [(a.pk, a.name) for a in alliances]
        self.fields["alliance"].choices = choices  # type: ignore[attr-defined]


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Reply"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=20000,
        help_text=_("Mention someone with @username: they are notified."),
    )
    attachment = forms.FileField(label=_("Attachment"), required=False, validators=[validate_document])


class HideForm(forms.Form):
    post = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason for hiding"), max_length=300)

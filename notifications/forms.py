from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Cadence


class PreferenceForm(forms.Form):
    event = forms.CharField(required=False, max_length=100, widget=forms.HiddenInput)
    in_app = forms.BooleanField(label=_("In the app"), required=False)
    email = forms.BooleanField(label=_("By e-mail"), required=False)
    cadence = forms.ChoiceField(label=_("E-mail cadence"), choices=Cadence.choices)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cadence"].widget.attrs["class"] = "form-select form-select-sm"

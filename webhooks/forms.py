from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.events import EVENTS


class SubscriptionForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    url = forms.CharField(
        label=_("URL"), max_length=500, help_text=_("https only; private network addresses are refused.")
    )
    events = forms.MultipleChoiceField(
        label=_("Events"), choices=[(e, e) for e in EVENTS], widget=forms.CheckboxSelectMultiple
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

"""Operators read every risk table in the admin and change nothing there."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from risk.models import Risk

pytestmark = pytest.mark.django_db


def test_every_risk_changelist_opens_read_only(w, admin_client):
    models = [m for m in admin.site._registry if m._meta.app_label == "risk"]
    assert Risk in models
    for model in models:
        url = reverse(f"admin:risk_{model._meta.model_name}_changelist")
        assert admin_client.get(url).status_code == 200, url
    assert admin_client.get(reverse("admin:risk_risk_add")).status_code == 403
    assert admin_client.get(reverse("admin:risk_risk_change", args=[w.risk.pk])).status_code == 200

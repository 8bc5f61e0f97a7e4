"""Operators can read every alliance table in the admin and change nothing there."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from alliance.models import Project
from tests.alliance.flow import new_project, to_development

pytestmark = pytest.mark.django_db


def test_every_alliance_changelist_opens_read_only(p, admin_client):
    project = new_project(p)
    to_development(p, project)
    alliance_models = [m for m in admin.site._registry if m._meta.app_label == "alliance"]
    assert Project in alliance_models
    for model in alliance_models:
        url = reverse(f"admin:alliance_{model._meta.model_name}_changelist")
        assert admin_client.get(url).status_code == 200, url
    assert admin_client.get(reverse("admin:alliance_project_add")).status_code == 403

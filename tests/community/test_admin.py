"""Operators read the community and webhook tables in the admin, change nothing, and never see a secret."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from community import services
from tests.alliance.flow import act
from webhooks import services as webhook_services

pytestmark = pytest.mark.django_db


def test_changelists_open_read_only_without_secrets(p, admin_client, partner_manager):
    services.thread_start(actor=act(p.librarian), alliance=p.alliance, title="讨论", body="正文")
    sub = webhook_services.subscription_create(
        actor=act(partner_manager), organization=p.enterprise, name="ERP", url="http://localhost/x",
        events=["project.transitioned"],
    )  # fmt: skip
    models = [m for m in admin.site._registry if m._meta.app_label in {"community", "webhooks"}]
    assert len(models) == 5
    for model in models:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert admin_client.get(url).status_code == 200, url
    assert admin_client.get(reverse("admin:community_thread_add")).status_code == 403
    page = admin_client.get(reverse("admin:webhooks_subscription_change", args=[sub.pk]))
    assert page.status_code == 200 and sub.secret not in page.content.decode()

"""The demo's projects enter development on contracts signed by every party; one contract awaits the provider."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from alliance.models import Contract, IPAsset, Project
from alliance.selectors_contracts import contract_list_for
from stakeholders.access import build_actor

pytestmark = pytest.mark.django_db


def test_demo_projects_entered_development_on_signed_contracts():
    call_command("seed_demo", "--once", stdout=StringIO())
    assert Project.objects.filter(status__in=["accepted", "in_trial"]).count() == 2
    assert set(Contract.objects.filter(project__isnull=False).values_list("status", flat=True)) == {
        "completed", "active", "draft",
    }  # fmt: skip
    for contract in Contract.objects.exclude(status="draft"):
        assert not contract.parties.filter(signed_at__isnull=True).exists()
    zhitu = build_actor(get_user_model().objects.get(username="zhitu-manager"))
    waiting = contract_list_for(zhitu).filter(status="draft")
    assert waiting.count() == 1
    assert waiting.get().parties.filter(signed_at__isnull=True).count() == 2
    assert IPAsset.objects.count() == 2

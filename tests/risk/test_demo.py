"""The demo seeds the AI project's register from the templates, with treatment, review and an incident."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from risk import selectors
from risk.demo import PROJECT_TITLE
from risk.models import Incident, Risk, RiskRegister
from stakeholders.access import build_actor

pytestmark = pytest.mark.django_db


def test_demo_adopts_templates_into_the_project_register_and_partners_see_only_their_project():
    call_command("seed_demo", "--once", stdout=StringIO())
    register = RiskRegister.objects.get(project__title=PROJECT_TITLE)
    assert register.risks.filter(template__isnull=False).count() == 5
    leak = Risk.objects.get(register=register, template__code="reader-data-leak")
    assert (leak.residual_likelihood, leak.residual_impact) == (3, 4)  # re-scored by the incident
    assert Incident.objects.get().risks.get() == leak
    User = get_user_model()
    supplier = build_actor(User.objects.get(username="shuyun-manager"))
    assert {r.register_id for r in selectors.risk_list_for(supplier)} == {register.pk}
    officer = build_actor(User.objects.get(username="zjwl-officer"))
    assert selectors.register_list_for(officer).count() == 2

"""The demo puts a held joint conference, an upcoming workshop and a half-signed plan on the Zhejiang alliance."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from coordination import selectors
from coordination.models import Meeting, ResearchPlan
from stakeholders.access import build_actor

pytestmark = pytest.mark.django_db


def test_demo_seeds_meetings_action_items_and_a_half_signed_plan():
    call_command("seed_demo", "--once", stdout=StringIO())
    conference = Meeting.objects.get(kind="joint_conference")
    assert conference.status == "held" and conference.decisions.count() == 2 and conference.action_items.count() == 3
    assert Meeting.objects.filter(kind="workshop", status="scheduled").exists()
    plan = ResearchPlan.objects.get()
    assert plan.status == "signing" and plan.signatures.count() == 2 and plan.participants.count() == 3
    zhitu = build_actor(get_user_model().objects.get(username="zhitu-manager"))
    assert [i.title for i in selectors.open_action_items_for(zhitu)] == ["提交 AI 荐书系统接口文档"]

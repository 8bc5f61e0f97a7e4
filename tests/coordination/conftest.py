from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone, translation

from coordination import services
from coordination.models import Meeting, ResearchPlan
from tests.alliance.flow import Parties, act, make_parties


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@dataclass
class World:
    p: Parties
    conference: Meeting
    plan: ResearchPlan


@pytest.fixture
def p(library, enterprise, government, staff_manager, staff, partner):
    return make_parties(library, enterprise, government, staff_manager, staff, partner)


def schedule(p: Parties, **extra: Any) -> Meeting:
    start = timezone.now() + timedelta(days=3)
    values: dict[str, Any] = {
        "actor": act(p.librarian), "alliance": p.alliance, "kind": "joint_conference", "title": "联盟联席会议",
        "starts_at": start, "ends_at": start + timedelta(hours=2), "place": "浙江图书馆报告厅",
        "organizations": [p.enterprise, p.university, p.government],
    }  # fmt: skip
    values.update(extra)
    return services.meeting_schedule(**values)


def draft_plan(p: Parties) -> ResearchPlan:
    return services.plan_create(
        actor=act(p.librarian), alliance=p.alliance, title="联合研究计划", objectives="AI 荐书",
        participants=[p.enterprise, p.university],
        milestones=[{"title": "调研", "due_on": timezone.localdate() + timedelta(days=30)}],
        outputs=[{"kind": "paper", "title": "论文"}],
    )  # fmt: skip


@pytest.fixture
def w(p) -> World:
    return World(p, schedule(p), draft_plan(p))

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone, translation

from coordination import services
from coordination.models import Meeting, ResearchPlan
from tests import factories as f
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


def busy_meeting(p: Parties, *, size: int) -> Meeting:
    """A meeting with `size` of everything a page lists: invited organisations, registrations, agenda, decisions
    and action items; query counts must not depend on `size`."""
    organizations = [p.enterprise, p.university, p.government][: max(1, min(size, 3))]
    meeting = schedule(p, title=f"会议{size}", organizations=organizations)
    for i in range(size):
        services.agenda_item_add(actor=act(p.librarian), meeting=meeting, title=f"议题{i}")
        services.meeting_register(actor=act(f.member_of(p.enterprise)), meeting=meeting)
    services.meeting_record_minutes(
        actor=act(p.librarian), meeting=meeting, minutes="纪要", decisions=[f"决定{i}" for i in range(size)],
        action_items=[{"title": f"事项{i}", "owner": p.supplier, "owner_organization": p.enterprise,
                       "due_on": timezone.localdate() + timedelta(days=i), "decision": 1} for i in range(size)],
    )  # fmt: skip
    return meeting


def busy_plan(p: Parties, *, size: int) -> ResearchPlan:
    """A plan with `size` milestones and outputs, its participants and their signatures of two versions."""
    participants = [p.enterprise, p.university, p.government][: max(1, min(size, 3))]
    plan = services.plan_create(
        actor=act(p.librarian), alliance=p.alliance, title=f"计划{size}", objectives="目标", participants=participants,
        milestones=[{"title": f"里程碑{i}", "due_on": timezone.localdate() + timedelta(days=i)} for i in range(size)],
        outputs=[{"kind": "paper", "title": f"论文{i}"} for i in range(size)],
    )  # fmt: skip
    managers = {p.library.pk: p.manager, p.university.pk: p.professor, p.government.pk: p.officer}
    managers[p.enterprise.pk] = f.member_of(p.enterprise, "manager")
    for _version in range(2 if size > 1 else 1):
        for organization in [p.library, *participants]:
            services.plan_sign(actor=act(managers[organization.pk]), plan=plan, organization=organization)
        if size > 1 and _version == 0:
            services.plan_update(actor=act(p.librarian), plan=plan, objectives="新目标")
    return plan

"""Demo coordination on the Zhejiang alliance: a past joint conference with minutes, decisions and action items,
an upcoming workshop, and a research plan signed by two of its three organisations.

Registered after the alliance and risk seeders (order 40), all through the services.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from alliance.demo import ALLIANCE_NAME
from alliance.models import Alliance, Project
from core.demo import register_seeder
from stakeholders.access import build_actor
from stakeholders.models import Organization

from . import services


def seed_coordination() -> None:
    alliance = Alliance.objects.filter(name=ALLIANCE_NAME).first()
    if alliance is None:
        return  # the alliance demo is not installed
    User = get_user_model()
    users = {
        u.username: u
        for u in User.objects.filter(
            username__in=["zjlib-director", "zjlib-librarian", "zhitu-manager", "zju-professor", "zjwl-officer"]
        )
    }
    if len(users) < 5:
        return
    director, librarian = build_actor(users["zjlib-director"]), build_actor(users["zjlib-librarian"])
    orgs = {
        name: Organization.objects.get(memberships__user=users[name], memberships__archived_at__isnull=True)
        for name in ("zhitu-manager", "zju-professor", "zjwl-officer")
    }
    zhitu, zju, culture = orgs["zhitu-manager"], orgs["zju-professor"], orgs["zjwl-officer"]
    project = Project.objects.filter(alliance=alliance).order_by("id").first()
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    today = timezone.localdate()

    conference = services.meeting_schedule(
        actor=librarian, alliance=alliance, kind="joint_conference", title="2026 年度联盟联席会议",
        starts_at=now - timedelta(days=10, hours=3), ends_at=now - timedelta(days=10),
        place="浙江图书馆曙光路馆区 3 楼报告厅", online_url="https://meeting.example.cn/zj-alliance",
        organizations=[zhitu, zju, culture], description="回顾年度共建进展，确定下一阶段重点。",
    )  # fmt: skip
    services.agenda_item_add(actor=librarian, meeting=conference, title="年度共建项目进展汇报")
    if project is not None:
        services.agenda_item_add(
            actor=librarian, meeting=conference, title="项目评审与下一阶段计划", target_kind="alliance.project",
            target_id=project.pk,
        )  # fmt: skip
    services.meeting_record_minutes(
        actor=librarian, meeting=conference,
        minutes="会议由浙江图书馆主持。各方汇报了年度共建进展，讨论了读者数据治理与下一阶段联合研究方向。",
        decisions=["设立读者数据治理工作组，由浙江图书馆牵头。", "下一阶段联合研究聚焦 AI 荐书与无障碍阅读。"],
        action_items=[
            {"title": "起草读者数据治理工作组章程", "owner": users["zjlib-librarian"],
             "owner_organization": director.organization, "due_on": today + timedelta(days=5), "decision": 1},
            {"title": "提交 AI 荐书系统接口文档", "owner": users["zhitu-manager"], "owner_organization": zhitu,
             "due_on": today - timedelta(days=2), "decision": 2},
            {"title": "整理无障碍阅读研究综述", "owner": users["zju-professor"], "owner_organization": zju,
             "due_on": today + timedelta(days=14), "decision": 2},
        ],
    )  # fmt: skip
    services.meeting_schedule(
        actor=librarian, alliance=alliance, kind="workshop", title="智慧图书馆读者画像伦理研讨会",
        starts_at=now + timedelta(days=6), ends_at=now + timedelta(days=6, hours=3), online_url="https://meeting.example.cn/ethics",
        organizations=[zhitu, zju], visibility="alliance",
    )  # fmt: skip
    services.meeting_schedule(
        actor=librarian, alliance=alliance, kind="project_review", title="共建项目双周例会",
        starts_at=now + timedelta(days=2), ends_at=now + timedelta(days=2, hours=1), online_url="https://meeting.example.cn/biweekly",
        organizations=[zhitu], recurrence="weekly", occurrences=6,
    )  # fmt: skip

    plan = services.plan_create(
        actor=director, alliance=alliance, title="AI 荐书与无障碍阅读联合研究计划",
        objectives="1. 建立可解释的 AI 荐书模型\n2. 研究视障读者的无障碍阅读服务\n3. 形成可推广的省级标准草案",
        budget=Decimal("1200000"), participants=[zhitu, zju],
        milestones=[{"title": "完成需求调研", "due_on": today + timedelta(days=60)},
                    {"title": "原型系统上线试用", "due_on": today + timedelta(days=180)}],
        outputs=[{"kind": "paper", "title": "可解释荐书模型论文"}, {"kind": "software", "title": "无障碍阅读插件"},
                 {"kind": "standard", "title": "智慧图书馆荐书服务规范（草案）"}],
    )  # fmt: skip
    services.plan_sign(actor=director, plan=plan)
    services.plan_sign(actor=build_actor(users["zju-professor"]), plan=plan)


def register() -> None:
    register_seeder(40, seed_coordination)

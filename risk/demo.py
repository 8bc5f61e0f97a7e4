"""Demo risk registers: the demo alliance's own register and one for its AI recommendation project.

Registered after the alliance seeder (order 30): it adopts the smart-library templates into the
project's register, hands a mitigation to the provider, records a review, an acceptance, an emergency
plan with a drill and an incident, all through the services. The demo projects entered development
while the alliance seeder declared the risk check passing, so they carry no pre-assessment here.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from alliance.demo import ALLIANCE_NAME
from alliance.models import Alliance, Project
from core.demo import register_seeder
from stakeholders.access import build_actor
from stakeholders.models import Organization

from . import domain_templates, services
from .models import RiskTemplate

PROJECT_TITLE = "AI 图书推荐与智能问答"


def seed_risks() -> None:
    alliance = Alliance.objects.filter(name=ALLIANCE_NAME).first()
    project = Project.objects.filter(alliance=alliance, title=PROJECT_TITLE).first()
    if alliance is None or project is None:
        return  # the alliance demo is not installed: nothing to attach registers to
    User = get_user_model()
    users = {u.username: u for u in User.objects.filter(username__in=["zjlib-director", "zjlib-librarian"])}
    director, librarian = build_actor(users["zjlib-director"]), build_actor(users["zjlib-librarian"])
    supplier_user = User.objects.get(username="shuyun-manager")
    supplier_org = Organization.objects.get(memberships__user=supplier_user, kind="enterprise")
    now = timezone.now()
    today = timezone.localdate()

    services.register_create(actor=director, alliance=alliance, title=f"{ALLIANCE_NAME}风险登记册")
    register = services.register_create(actor=director, alliance=alliance, project=project)
    domain_templates.install(RiskTemplate)  # idempotent; the rows may have been flushed by a test run
    templates = list(
        RiskTemplate.objects.filter(
            code__in=["reader-data-leak", "vendor-lock-in", "reader-profiling-ethics", "funding-gap", "low-adoption"]
        )
    )
    risks = {
        r.template.code: r
        for r in services.register_adopt_templates(
            actor=librarian, register=register, templates=templates, language="zh-hans"
        )
        if r.template is not None
    }
    leak, profiling = risks["reader-data-leak"], risks["reader-profiling-ethics"]
    services.risk_update(actor=librarian, risk=leak, owner_organization=supplier_org, owner=supplier_user)
    services.mitigation_create(
        actor=librarian, risk=leak, title="借阅数据脱敏与分级授权", owner_organization=supplier_org,
        owner=supplier_user, due_on=today + timedelta(days=20),
        description="推荐模型只使用脱敏后的借阅数据；运维账号按角色授权并留痕。",
    )  # fmt: skip
    services.mitigation_create(
        actor=librarian, risk=profiling, title="推荐功能告知同意与一键关闭", owner_organization=supplier_org,
        due_on=today - timedelta(days=3),
    )  # fmt: skip
    services.review_record(
        actor=librarian, risk=leak, likelihood=3, impact=5, residual_likelihood=2, residual_impact=4,
        notes="脱敏方案已评审，残余风险下降。",
    )  # fmt: skip
    services.emergency_plan_create(
        actor=librarian, risk=leak, title="读者数据泄露应急预案", trigger_conditions="发现或被告知读者数据外泄",
        steps="1. 隔离相关系统\n2. 评估泄露范围\n3. 通知受影响读者\n4. 向网信与文旅部门报告",
        contacts="王馆员, 信息技术部, 0571-8000 0001\n吴经理, 数云科技, 0571-8000 0002",
    )  # fmt: skip
    plan = leak.emergency_plans.get()
    services.drill_record(
        actor=librarian, plan=plan, held_on=today - timedelta(days=14), participants="信息技术部、数云科技运维组",
        outcome="40 分钟完成隔离，通知模板需补充英文版。",
    )  # fmt: skip
    services.acceptance_give(
        actor=librarian, risk=risks["low-adoption"], rationale="读者测试期间持续观察，暂不额外投入。",
        expires_at=now + timedelta(days=60),
    )  # fmt: skip
    services.incident_record(
        actor=librarian, register=register, title="问答机器人引用了读者借阅记录", occurred_at=now - timedelta(days=2),
        what_happened="测试读者询问时，机器人回答中出现了其他读者的借阅书名。",
        impact="两名测试读者看到了不属于自己的借阅信息。",
        response="当日下线问答上下文功能，清理缓存并向读者致歉。",
        lessons="对话上下文不得包含其他读者数据；上线前增加隐私测试用例。",
        rescores=[{"risk": leak, "likelihood": 4, "impact": 5, "residual_likelihood": 3, "residual_impact": 4}],
    )  # fmt: skip


def register() -> None:
    register_seeder(30, seed_risks)

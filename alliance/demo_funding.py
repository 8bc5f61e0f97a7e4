"""Demo funding of the Zhejiang alliance: the department's grant, allocated to both demo projects, with an
accepted milestone and its released tranche, spending with receipts, and a financial report falling due.

Registered after the alliance seeder (order 25). Writes go through the services; release and acceptance
times are then moved back to when they would have happened, so the burn-down tells a plausible story.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from core.demo import register_seeder

from . import services
from .demo import ALLIANCE_NAME, _orgs, _pdf, _people
from .models import Alliance, Milestone, Project, Tranche
from .services import funding


def _at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10)))


def _accept_and_release(who: dict, milestone: Milestone, tranche: Tranche, on: date) -> None:
    services.milestone_complete(actor=who["zjlib-librarian"], milestone=milestone)
    funding.milestone_accept(actor=who["zjwl-officer"], milestone=milestone)
    funding.tranche_release(actor=who["zjwl-officer"], tranche=tranche)
    Milestone.objects.filter(pk=milestone.pk).update(done_at=_at(on - timedelta(days=2)), accepted_at=_at(on))
    Tranche.objects.filter(pk=tranche.pk).update(released_at=_at(on))


def seed_funding() -> None:
    who = _people()
    orgs = _orgs()
    today = timezone.localdate()
    alliance = Alliance.objects.get(name=ALLIANCE_NAME)
    officer, librarian = who["zjwl-officer"], who["zjlib-librarian"]
    source = funding.funding_source_create(
        actor=officer, alliance=alliance, organization=orgs["zjwl"], kind="government_grant",
        title="省级智慧图书馆建设专项资金", amount=Decimal("1000000"),
        starts_on=today - timedelta(days=200), ends_on=today + timedelta(days=165),
    )  # fmt: skip
    projects = {p.title: p for p in Project.objects.filter(alliance=alliance)}

    # The RFID project: equipment delivered and accepted, money released and mostly spent; reported quarterly.
    rfid = projects["RFID 自助借还与智能书架改造"]
    first = funding.allocation_create(
        actor=officer, source=source, project=rfid, amount=Decimal("300000"), report_cadence="quarterly",
        starts_on=today - timedelta(days=180),
    )  # fmt: skip
    installed = Milestone.objects.get(project=rfid, title="设备到货安装")
    accepted = Milestone.objects.get(project=rfid, title="读者测试与验收")
    t1 = funding.tranche_plan(actor=officer, allocation=first, milestone=installed, amount=Decimal("180000"))
    funding.tranche_plan(actor=officer, allocation=first, milestone=accepted, amount=Decimal("120000"))
    _accept_and_release(who, installed, t1, today - timedelta(days=115))
    # The trial round is done too: the department can accept it and release the last tranche in the demo.
    services.milestone_complete(actor=librarian, milestone=accepted)
    for amount, category, days, text, by in (
        ("150000", "equipment", 110, "RFID 自助借还机 8 台、智能书架 20 组", "zhitu-manager"),
        ("18000", "services", 60, "设备安装调试与数据迁移", "zhitu-manager"),
        ("6000", "training", 30, "馆员设备操作培训", "zjlib-librarian"),
    ):
        funding.expenditure_record(
            actor=who[by], allocation=first, amount=Decimal(amount), category=category,
            spent_on=today - timedelta(days=days), receipt=_pdf("receipt.pdf"), description=text,
        )  # fmt: skip
    report = first.reports.order_by("period_start").first()
    assert report is not None
    funding.financial_report_submit(actor=librarian, report=report, summary="设备采购按合同执行，资金使用合规。")

    # The AI project: the design review is accepted and paid; the trial's tranche waits; reported monthly.
    ai = projects["AI 图书推荐与智能问答"]
    second = funding.allocation_create(
        actor=officer, source=source, project=ai, amount=Decimal("300000"), report_cadence="monthly",
        starts_on=today - timedelta(days=60),
    )  # fmt: skip
    review = services.milestone_add(actor=librarian, project=ai, title="方案评审", due_on=today - timedelta(days=45))
    trial = Milestone.objects.get(project=ai, title="读者测试")
    t2 = funding.tranche_plan(actor=officer, allocation=second, milestone=review, amount=Decimal("100000"))
    funding.tranche_plan(actor=officer, allocation=second, milestone=trial, amount=Decimal("200000"))
    _accept_and_release(who, review, t2, today - timedelta(days=42))
    for amount, category, days, text in (
        ("60000", "software", 35, "推荐引擎与知识图谱软件许可"),
        ("15000", "personnel", 10, "算法工程师驻场服务"),
    ):
        funding.expenditure_record(
            actor=who["shuyun-manager"], allocation=second, amount=Decimal(amount), category=category,
            spent_on=today - timedelta(days=days), receipt=_pdf("receipt.pdf"), description=text,
        )  # fmt: skip
    report = second.reports.order_by("period_start").first()
    assert report is not None
    # The first month is reported; the second month's report is now owed and falls due within days.
    funding.financial_report_submit(actor=librarian, report=report, summary="首月完成方案评审，支出符合预算。")


def register() -> None:
    register_seeder(25, seed_funding)

"""Demo contracts and IP: each demo project enters development on a contract signed by every party.

``sign_project_contract`` is called by the alliance seeder just before a project starts development; the
seeder registered here (order 25, after the alliance's) completes the accepted project's contract, records
the IP each project produced per deliverable, and leaves a maintenance contract drafted by the library for
the provider's manager (zhitu-manager) to sign in the partner portal.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from core.demo import register_seeder
from stakeholders.access import Actor
from stakeholders.models import Organization

from .models import Alliance, Contract, Deliverable, Project
from .services import contracts as cs

ACCEPTED_TITLE = "RFID 自助借还与智能书架改造"
PARTWAY_TITLE = "AI 图书推荐与智能问答"


def sign_project_contract(
    who: dict[str, Actor], orgs: dict[str, Organization], project: Project, provider: str, assistant: str
) -> Contract:
    managers = {"zhitu": "zhitu-manager", "shuyun": "shuyun-manager", "zju": "zju-professor", "zjis": "zjis-researcher"}
    starts = project.starts_on or timezone.localdate()
    contract = cs.contract_create(
        actor=who["zjlib-librarian"],
        alliance=project.alliance,
        project=project,
        title=f"{project.title} 共建合同",
        terms="图书馆提出需求并组织读者测试；企业按期开发交付并在整改期限内修正偏差；高校/科研院所提供标准与评估支持；"
        "成果知识产权按 IP 登记的份额共有。",
        value=project.budget,
        starts_on=starts,
        ends_on=project.ends_on or starts + timedelta(days=365),
        parties=[
            {"organization": orgs["zjlib"], "role": "library", "obligations": "需求分析、测试场地与读者测试组织、验收"},
            {"organization": orgs[provider], "role": "provider", "obligations": "按里程碑开发交付，整改测试偏差"},
            {"organization": orgs[assistant], "role": "assistant", "obligations": "标准符合性评估与馆员培训"},
        ],
    )
    for signer in ("zjlib-director", managers[provider], managers[assistant]):
        contract = cs.contract_sign(actor=who[signer], contract=contract)
    return cs.contract_activate(actor=who["zjlib-director"], contract=contract)


def seed_contracts() -> None:
    from .demo import _orgs, _people

    alliance = Alliance.objects.filter(name="浙江省智慧图书馆共建联盟").first()
    if alliance is None:
        return
    who, orgs = _people(), _orgs()
    today = timezone.localdate()
    accepted = Project.objects.filter(alliance=alliance, title=ACCEPTED_TITLE).first()
    partway = Project.objects.filter(alliance=alliance, title=PARTWAY_TITLE).first()
    if accepted is not None:
        for contract in Contract.objects.filter(project=accepted, status="active"):
            cs.contract_complete(actor=who["zjlib-director"], contract=contract)
        deliverable = Deliverable.objects.filter(project=accepted).first()
        cs.ip_asset_create(
            actor=who["zjlib-librarian"], project=accepted, deliverable=deliverable, title="自助借还调度软件",
            kind="software", description="借还机与智能书架的调度与管理软件", licence="联盟成员馆免费使用，不得转授权",
            third_party_cleared=True, clearance_note="所用开源组件均为 Apache-2.0 许可",
            shares=[
                {"organization": orgs["zhitu"], "percent": Decimal("70")},
                {"organization": orgs["zjlib"], "percent": Decimal("30")},
            ],
        )  # fmt: skip
        cs.contract_create(
            actor=who["zjlib-librarian"], alliance=alliance, project=accepted, title="自助借还设备运维服务合同",
            terms="验收后三年运维，故障 4 小时内响应。", value=Decimal("90000"),
            starts_on=today + timedelta(days=30), ends_on=today + timedelta(days=30 + 3 * 365),
            parties=[
                {"organization": orgs["zjlib"], "role": "library", "obligations": "按季度支付运维费"},
                {"organization": orgs["zhitu"], "role": "provider", "obligations": "7×24 远程支持，4 小时现场响应"},
            ],
        )  # fmt: skip
    if partway is not None:
        deliverable = Deliverable.objects.filter(project=partway).first()
        cs.ip_asset_create(
            actor=who["zjlib-librarian"], project=partway, deliverable=deliverable, title="借阅推荐训练数据集",
            kind="data", description="脱敏后的借阅记录与图书知识图谱", licence="仅限联盟内科研使用",
            third_party_cleared=False, clearance_note="部分书目数据来自第三方，授权确认中",
            shares=[
                {"organization": orgs["zjlib"], "percent": Decimal("60")},
                {"organization": orgs["shuyun"], "percent": Decimal("25")},
                {"organization": orgs["zjis"], "percent": Decimal("15")},
            ],
        )  # fmt: skip


def register() -> None:
    register_seeder(25, seed_contracts)

"""Demo stakeholders: a provincial library alliance in Zhejiang with its partners, people and readers.

Registered from ``StakeholdersConfig.ready()`` as the first seeder; later seeders find these
organisations by their unified social credit codes (``USCC``) or their demo users by name.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.demo import DEMO_PASSWORD, DemoLogin, demo_password_hash, demo_user, register_login, register_seeder

from . import services
from .access import build_actor
from .choices import MembershipRole, OrganizationKind
from .models import Membership, Organization, ReaderProfile
from .validators import uscc_check_char


def uscc(first17: str) -> str:
    return first17 + uscc_check_char(first17)


# The registration authority and kind prefix follow GB 32100-2015: 11 = government body,
# 12 = public institution (libraries, universities, institutes), 91 = enterprise; 3301xx = Hangzhou.
USCC = {
    "zjlib": uscc("12330000470001237"),
    "hzlib": uscc("12330100470101148"),
    "zjwl": uscc("11330000002482612"),
    "zhitu": uscc("91330106MA2B0G1K3"),
    "shuyun": uscc("91330108MA27Y4HD5"),
    "zju": uscc("12330000470003458"),
    "zjis": uscc("12330000470014563"),
}

ORGANIZATIONS: list[dict[str, Any]] = [
    {
        "key": "zjlib", "kind": OrganizationKind.LIBRARY, "name_zh": "浙江图书馆", "name_en": "Zhejiang Library",
        "region": "浙江省杭州市", "website": "https://www.zjlib.cn/",
        "description": "浙江省公共图书馆联盟牵头馆，负责联盟需求分析、测试与验收。",
        "owner": ("zjlib-director", "陈馆长"), "member": ("zjlib-librarian", "王馆员"),
        "capabilities": [
            ("content", "浙江地方文献数字资源", "Zhejiang local history collections"),
            ("knowledge", "参考咨询与学科服务", "Reference and subject services"),
        ],
    },
    {
        "key": "hzlib", "kind": OrganizationKind.LIBRARY, "name_zh": "杭州图书馆", "name_en": "Hangzhou Public Library",
        "region": "浙江省杭州市", "website": "https://www.hzlib.net/",
        "description": "联盟成员馆，承担智慧借阅试点与读者测试。",
        "owner": ("hzlib-director", "李馆长"), "member": ("hzlib-librarian", "赵馆员"),
        "capabilities": [("training", "馆员数字素养培训", "Digital literacy training for librarians")],
    },
    {
        "key": "zjwl", "kind": OrganizationKind.GOVERNMENT, "name_zh": "浙江省文化和旅游厅",
        "name_en": "Zhejiang Provincial Department of Culture and Tourism", "region": "浙江省",
        "description": "指导智慧图书馆建设，制定政策与标准，安排专项资金并监督实施。",
        "owner": ("zjwl-officer", "周处长"),
        "capabilities": [
            ("policy", "公共文化服务体系建设政策", "Public cultural service policy"),
            ("funding", "智慧图书馆建设专项资金", "Smart library construction fund"),
            ("supervision", "项目绩效监督", "Project performance supervision"),
        ],
    },
    {
        "key": "zhitu", "kind": OrganizationKind.ENTERPRISE, "name_zh": "智图科技有限公司",
        "name_en": "Zhitu Technology Co., Ltd.", "region": "浙江省杭州市西湖区",
        "description": "智慧图书馆软硬件供应商：RFID 自助设备、物联网与人工智能服务。",
        "owner": ("zhitu-manager", "孙经理"),
        "capabilities": [
            ("rfid", "RFID 自助借还与智能书架", "RFID self-service and smart shelves"),
            ("iot", "馆舍物联网环境监测", "IoT building and environment monitoring"),
            ("ai", "AI 图书推荐与智能问答", "AI recommendations and question answering"),
            ("ar_vr", "AR 导览与 VR 阅读空间", "AR guided tours and VR reading rooms"),
        ],
        "score": 86,
        "qualifications": "ISO 9001；信息系统集成资质；三家省级图书馆 RFID 项目交付经验。",
    },
    {
        "key": "shuyun", "kind": OrganizationKind.ENTERPRISE, "name_zh": "书云数据有限公司",
        "name_en": "Shuyun Data Co., Ltd.", "region": "浙江省杭州市滨江区",
        "description": "图书馆云平台、大数据分析与数字内容服务商。",
        "owner": ("shuyun-manager", "吴经理"),
        "capabilities": [
            ("cloud", "图书馆云服务平台与大数据分析", "Library cloud platform and analytics"),
            ("content", "电子书与有声读物资源", "E-books and audiobooks"),
            ("knowledge", "知识图谱与知识服务", "Knowledge graph services"),
        ],
        "score": 78,
        "qualifications": "等保三级认证云平台；数据安全管理体系认证。",
    },
    {
        "key": "zju", "kind": OrganizationKind.UNIVERSITY, "name_zh": "浙江大学", "name_en": "Zhejiang University",
        "region": "浙江省杭州市", "website": "https://www.zju.edu.cn/",
        "description": "提供图书情报专业人才培养与智慧图书馆理论研究支持。",
        "owner": ("zju-professor", "郑教授"),
        "capabilities": [
            ("training", "图书情报专业人才培养", "Library and information science education"),
            ("research_field", "智慧图书馆服务模式研究", "Research on smart library service models"),
        ],
        "score": 92,
        "qualifications": "图书情报与档案管理一级学科博士点；国家级科研项目多项。",
    },
    {
        "key": "zjis", "kind": OrganizationKind.RESEARCH, "name_zh": "浙江省标准化研究院",
        "name_en": "Zhejiang Institute of Standardization", "region": "浙江省杭州市",
        "description": "承担智慧图书馆地方标准研制与关键技术研发。",
        "owner": ("zjis-researcher", "冯研究员"),
        "capabilities": [
            ("standards", "智慧图书馆建设地方标准", "Local standards for smart libraries"),
            ("rnd", "图书馆服务质量评价方法研发", "Service quality evaluation methods"),
        ],
        "score": 88,
        "qualifications": "省级标准化专业技术机构；主持制定地方标准二十余项。",
    },
]  # fmt: skip

READERS_PER_LIBRARY = 150
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"

LOGINS = [
    DemoLogin("admin", "admin", _("Everything; the operators' admin site at /admin/")),
    DemoLogin("staff", "zjlib-director", _("Zhejiang Library as its owner: partners, assessments, readers")),
    DemoLogin("staff", "zjlib-librarian", _("Zhejiang Library as a librarian")),
    DemoLogin("government", "zjwl-officer", _("The Department of Culture and Tourism: guidance and funding")),
    DemoLogin("partner", "zhitu-manager", _("Zhitu Technology (enterprise): only its own alliances and projects")),
    DemoLogin("partner", "zju-professor", _("Zhejiang University: training and research")),
    DemoLogin("partner", "zjis-researcher", _("The Institute of Standardization: standards and R&D")),
    DemoLogin("reader", "reader001", _("A reader of Zhejiang Library: own feedback, surveys and trials")),
]


def seed_stakeholders() -> None:
    admin = demo_user("admin", display_name="平台管理员", is_staff=True, is_superuser=True)
    admin_actor = build_actor(admin)
    orgs: dict[str, Organization] = {}
    owners: dict[str, Any] = {}
    for spec in ORGANIZATIONS:
        username, name = spec["owner"]
        owner = demo_user(username, display_name=name, preferred_language="zh-hans")
        org = services.organization_create(
            actor=build_actor(owner),
            kind=spec["kind"],
            name_zh=spec["name_zh"],
            name_en=spec["name_en"],
            region=spec["region"],
            uscc=USCC[spec["key"]],
            website=spec.get("website", ""),
            description=spec["description"],
            contact_name=name,
            contact_email=owner.email,
        )
        services.organization_verify(actor=admin_actor, organization=org, note="演示数据")
        if "member" in spec:
            # No invitation e-mail for demo colleagues: the membership an accepted invitation would leave.
            member_name, member_display = spec["member"]
            member = demo_user(member_name, display_name=member_display)
            Membership.objects.create(user=member, organization=org, role=MembershipRole.MEMBER, title="馆员")
        owner_actor = build_actor(owner)
        for category, title_zh, title_en in spec["capabilities"]:
            services.capability_create(
                actor=owner_actor, organization=org, category=category, title_zh=title_zh, title_en=title_en
            )
        orgs[spec["key"]] = org
        owners[spec["key"]] = owner

    director = build_actor(owners["zjlib"])
    today = timezone.localdate()
    for spec in ORGANIZATIONS:
        if "score" in spec:
            services.assessment_create(
                actor=director,
                organization=orgs[spec["key"]],
                qualifications=spec["qualifications"],
                score=spec["score"],
                assessed_on=today - timedelta(days=30),
                notes="联盟准入评估",
            )

    services.reader_register(
        username="reader001",
        email="reader001@demo.gongjian.local",
        password=DEMO_PASSWORD,
        home_library=orgs["zjlib"],
        card_number="ZJ00000001",
        display_name="林读者",
        consent_contact=True,
        consent_trials=True,
    )
    _bulk_readers([orgs["zjlib"], orgs["hzlib"]])


def _bulk_readers(libraries: list[Organization]) -> None:
    """Hundreds of readers in two bulk inserts; reader_register would hash a password per reader."""
    User = get_user_model()
    rng = random.Random(20240601)  # the same readers on every machine
    now = timezone.now()
    users, cards = [], []
    for library, prefix in zip(libraries, ("ZJ", "HZ"), strict=True):
        start = 2 if prefix == "ZJ" else 1
        for n in range(start, READERS_PER_LIBRARY + 1):
            username = f"{prefix.lower()}-reader{n:03d}"
            name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
            users.append(
                User(
                    username=username,
                    email=f"{username}@demo.gongjian.local",
                    display_name=name,
                    password=demo_password_hash(),
                )
            )
            cards.append((library, f"{prefix}{rng.randrange(10**7, 10**8)}{n:03d}", rng.random() < 0.7))
    User.objects.bulk_create(users)
    ReaderProfile.objects.bulk_create(
        ReaderProfile(
            user=user,
            home_library=library,
            card_number_hash=ReaderProfile.hash_card(library.pk, card),
            card_number_masked=ReaderProfile.mask_card(card),
            consent_contact=consent,
            consent_trials=consent and rng.random() < 0.5,
            consented_at=now if consent else None,
        )
        for user, (library, card, consent) in zip(users, cards, strict=True)
    )


def register() -> None:
    register_seeder(10, seed_stakeholders)
    for login in LOGINS:
        register_login(login)

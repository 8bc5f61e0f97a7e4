"""Demo community: a discussion in the Zhejiang alliance with replies and a mention, a public topic, and the
alliance's published policy acknowledged by some of the organisations it concerns (others not yet).

Registered after the alliance seeder (order 40): publishing the demo policy already asked every member to
acknowledge it (community's listener on ``guidance.published``); here two of them do, through the services.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model

from alliance.demo import ALLIANCE_NAME
from alliance.models import Alliance, GuidanceDocument
from core.demo import register_seeder
from stakeholders.access import build_actor

from . import services
from .models import Acknowledgement

POLICY_TITLE = "关于推进智慧图书馆建设的指导意见"


def seed_community() -> None:
    alliance = Alliance.objects.filter(name=ALLIANCE_NAME).first()
    if alliance is None:
        return
    users = {u.username: u for u in get_user_model().objects.filter(username__in=_NAMES)}
    if set(users) != set(_NAMES):
        return
    act = {name: build_actor(user) for name, user in users.items()}

    thread = services.thread_start(
        actor=act["zjlib-librarian"], alliance=alliance, title="RFID 自助借还设备选型：标签频段与防盗门兼容",
        body="各位好，二期改造准备采购 RFID 自助借还设备。想请教超高频（UHF）和高频（HF）标签在现有防盗门上的兼容情况，"
        "@zhitu-manager 能否介绍一下贵司的方案？",
    )  # fmt: skip
    services.thread_follow(actor=act["zju-professor"], thread=thread)
    services.thread_reply(
        actor=act["zhitu-manager"], thread=thread,
        body="我们建议采用超高频标签，读取距离更远、批量盘点更快；现有高频防盗门需要更换读写模块，可以分馆逐步替换。",
    )  # fmt: skip
    services.thread_reply(
        actor=act["zju-professor"], thread=thread,
        body="补充一点：标签数据只写条码号，不写读者信息，符合 DB33/T 2550-2024 对数据安全的要求。@zjlib-librarian 供参考。",
    )  # fmt: skip
    services.thread_start(
        actor=act["zjis-researcher"], title="Smart library service evaluation: which indicators matter to readers?",
        body="We are drafting evaluation indicators for smart library services (waiting time, self-service success "
        "rate, satisfaction). Suggestions from libraries and readers' groups are welcome.",
    )  # fmt: skip

    policy = GuidanceDocument.objects.filter(
        issuer__memberships__user=users["zjwl-officer"], title=POLICY_TITLE
    ).first()
    if policy is None:
        return
    for name, note in (("zjlib-director", "已在全馆传达并纳入年度计划。"), ("zhitu-manager", "已组织研发团队学习。")):
        ack = Acknowledgement.objects.filter(document=policy, organization=act[name].organization).first()
        if ack is not None and ack.acknowledged_at is None:
            services.acknowledgement_acknowledge(actor=act[name], acknowledgement=ack, note=note)


_NAMES = ["zjlib-librarian", "zjlib-director", "zhitu-manager", "zju-professor", "zjis-researcher", "zjwl-officer"]


def register() -> None:
    register_seeder(40, seed_community)

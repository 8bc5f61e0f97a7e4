"""Demo alliance: 浙江省智慧图书馆共建联盟, led by Zhejiang Library, with one project accepted after two
rounds of reader trials and one partway through its first trial.

Registered from ``AllianceConfig.ready()`` after the stakeholders seeder (order 20). Everything is written
through the services, so the demo shows exactly what the cycle allows. Each project enters development on
a contract its parties signed (``demo_contracts``); the risk check is declared passing for the seeding
only, as the risk app keeps no pre-assessment of these projects.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from core.demo import register_seeder
from stakeholders.access import Actor, build_actor
from stakeholders.demo import USCC
from stakeholders.models import Organization, ReaderProfile

from . import demo_contracts, hooks, services
from .models import Alliance, GuidanceDocument, Need, Project, Trial

ALLIANCE_NAME = "浙江省智慧图书馆共建联盟"

# A minimal valid PDF: uploads are checked by content, so the demo ships a real one.
DEMO_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, DEMO_PDF, content_type="application/pdf")


def _people() -> dict[str, Actor]:
    User = get_user_model()
    names = (
        "zjlib-director", "zjlib-librarian", "hzlib-director", "zjwl-officer", "zhitu-manager",
        "shuyun-manager", "zju-professor", "zjis-researcher",
    )  # fmt: skip
    users = {u.username: u for u in User.objects.filter(username__in=names)}
    return {name: build_actor(users[name]) for name in names}


def _orgs() -> dict[str, Organization]:
    by_uscc = {o.uscc: o for o in Organization.objects.filter(uscc__in=USCC.values())}
    return {key: by_uscc[code] for key, code in USCC.items()}


def seed_alliances() -> None:
    orgs = _orgs()
    who = _people()
    director, librarian = who["zjlib-director"], who["zjlib-librarian"]
    today = timezone.localdate()

    alliance = services.alliance_create(
        actor=director,
        lead_library=orgs["zjlib"],
        name=ALLIANCE_NAME,
        description="由浙江图书馆牵头，政府指导、企业供给、高校与科研院所协助，共同建设智慧图书馆。",
        charter="需求由图书馆分析提出；企业开发交付；高校与科研院所提供人才与标准支持；读者参与测试与验收。",
        founded_on=today - timedelta(days=400),
        contributes="读者需求、测试场地与读者测试组织",
        receives="智慧化服务能力提升",
    )
    members = [
        ("hzlib", "demand", "试点场馆与读者", "共享建设成果"),
        ("zhitu", "provider", "RFID、物联网与 AI 产品及实施", "示范案例与合作收益"),
        ("shuyun", "provider", "云平台、数据分析与数字资源", "应用场景与数据服务收益"),
        ("zju", "assistant", "人才培养与服务模式研究", "科研课题与实践基地"),
        ("zjis", "assistant", "地方标准研制与评价方法", "标准应用验证"),
        ("zjwl", "guide", "政策指导、专项资金与绩效监督", "公共文化服务效能提升"),
    ]
    for key, role, contributes, receives in members:
        services.alliance_join(
            actor=director, alliance=alliance, organization=orgs[key], role=role,
            contributes=contributes, receives=receives,
        )  # fmt: skip

    standard = policy_and_standard(who, today)
    needs = seed_needs(librarian, orgs["zjlib"], alliance)
    with hooks.passing(hooks.RISK_PREASSESSED):
        accepted_after_two_rounds(who, orgs, alliance, needs[0], standard, today)
        partway(who, orgs, alliance, needs[1], today)
    training(who, orgs, alliance, today)


def policy_and_standard(who: dict[str, Actor], today: date) -> GuidanceDocument:
    services.guidance_issue(
        actor=who["zjwl-officer"], kind="policy", code="浙文旅公共〔2024〕12号",
        title="关于推进智慧图书馆建设的指导意见", effective_on=today - timedelta(days=300),
        scope="全省公共图书馆", summary="明确智慧图书馆建设目标、资金安排与绩效评价要求。",
    )  # fmt: skip
    return services.guidance_issue(
        actor=who["zjis-researcher"], kind="standard", code="DB33/T 2550-2024", version="2024",
        title="智慧图书馆建设与服务规范", effective_on=today - timedelta(days=200),
        scope="公共图书馆智慧化设施与服务", summary="规定自助服务、数据安全与读者体验的要求。",
    )  # fmt: skip


def seed_needs(librarian: Actor, library: Organization, alliance: Alliance) -> list[Need]:
    specs = [
        ("高峰期借还排队时间长", "equipment", "RFID 自助借还 智能书架", "周末高峰读者排队借还超过 15 分钟，希望增加自助借还与智能书架。",
         "survey", "读者满意度调查：62% 的读者希望增加自助借还设备", "借还高峰超出人工窗口能力，需 RFID 自助借还与智能书架。"),
        ("读者找书难、推荐不精准", "technology", "AI 推荐 智能问答 知识图谱", "读者反映馆藏检索结果多、难以找到合适图书，希望获得个性化推荐。",
         "reader_feedback", "近三个月 48 条读者反馈提到找书困难", "需要基于借阅数据的个性化推荐与智能问答。"),
        ("少儿阅读区空间不足", "space", "空间改造 AR 阅读", "少儿阅读区周末拥挤，缺少互动阅读空间。",
         "observation", "周末少儿区座位占用率 100%", ""),
    ]  # fmt: skip
    needs = []
    for title, category, keywords, description, kind, summary, analysis in specs:
        need = services.need_create(
            actor=librarian, library=library, alliance=alliance, title=title, category=category,
            keywords=keywords, description=description, priority="high",
        )  # fmt: skip
        services.need_add_evidence(actor=librarian, need=need, kind=kind, summary=summary)
        if analysis:
            need = services.need_analyse(actor=librarian, need=need, analysis=analysis)
        needs.append(need)
    return needs


def _trial_readers(library: Organization, count: int) -> list[ReaderProfile]:
    return list(
        ReaderProfile.objects.filter(home_library=library, consent_trials=True)
        .select_related("user")
        .order_by("user__username")[:count]
    )


def _respond(trial: Trial, readers: list[ReaderProfile], scores: list[int], comments: list[str]) -> None:
    for i, (reader, score) in enumerate(zip(readers, scores, strict=False)):
        services.trial_respond(
            actor=build_actor(reader.user), trial=trial, satisfaction=score, comment=comments[i % len(comments)]
        )


def _start(
    who: dict[str, Actor], project: Project, orgs: dict[str, Organization], provider: str, assistant: str
) -> None:
    director = who["zjlib-director"]
    services.project_transition(actor=who["zjlib-librarian"], project=project, name="start_analysis")
    services.project_transition(actor=who["zjlib-librarian"], project=project, name="seek_partners")
    services.project_add_participant(actor=director, project=project, organization=orgs[provider], role="provider")
    services.project_add_participant(actor=director, project=project, organization=orgs[assistant], role="assistant")
    services.project_add_participant(
        actor=director, project=project, organization=orgs["zjwl"], role="funder", funding_amount=Decimal("300000")
    )
    demo_contracts.sign_project_contract(who, orgs, project, provider, assistant)
    services.project_transition(
        actor=director, project=project, name="start_development", note="合同已签署，风险预评估通过"
    )


def accepted_after_two_rounds(
    who: dict[str, Actor],
    orgs: dict[str, Organization],
    alliance: Alliance,
    need: Need,
    standard: GuidanceDocument,
    today: date,
) -> Project:
    director, librarian, supplier = who["zjlib-director"], who["zjlib-librarian"], who["zhitu-manager"]
    project = services.project_create(
        actor=librarian, alliance=alliance, title="RFID 自助借还与智能书架改造", budget=Decimal("680000"),
        summary="在总馆借阅大厅部署 RFID 自助借还机与智能书架，缩短高峰排队时间。",
        starts_on=today - timedelta(days=180), ends_on=today + timedelta(days=30), needs=[need],
    )  # fmt: skip
    services.milestone_add(actor=librarian, project=project, title="设备到货安装", due_on=today - timedelta(days=120))
    services.milestone_add(actor=librarian, project=project, title="读者测试与验收", due_on=today - timedelta(days=10))
    _start(who, project, orgs, "zhitu", "zju")
    services.project_declare_standard(
        actor=librarian, project=project, standard=standard, note="自助设备与数据安全条款"
    )
    deliverable = services.deliverable_create(actor=supplier, project=project, title="自助借还与智能书架系统")
    readers = _trial_readers(orgs["zjlib"], 10)

    # Round 1: readers find the machines slow and card reading unreliable.
    v1 = services.deliverable_version_upload(
        actor=supplier, deliverable=deliverable, file=_pdf("v1.pdf"), notes="首版：8 台自助借还机、20 组智能书架",
        released_on=today - timedelta(days=90),
    )  # fmt: skip
    services.project_transition(actor=supplier, project=project, name="deliver")
    first = services.trial_plan(
        actor=librarian, project=project, version=v1, starts_on=today - timedelta(days=85),
        ends_on=today - timedelta(days=70), min_satisfaction=Decimal("4.0"), max_open_deviations=0, readers=readers,
    )  # fmt: skip
    services.project_transition(actor=librarian, project=project, name="start_trial")
    _respond(first, readers, [3, 3, 4, 2, 3, 4, 3, 3, 4, 3], ["识别有点慢", "读者证偶尔读不出", "界面还可以"])
    deviations = [
        services.correction_raise(
            actor=librarian, project=project, trial=first, title=title, severity=severity,
            due_on=today - timedelta(days=50), description=description,
        )
        for title, severity, description in (
            ("借还机识别速度慢", "high", "单册识别平均 4 秒，读者期望 1 秒以内。"),
            ("社保卡读卡失败", "critical", "约 10% 的社保卡无法识别。"),
        )
    ]  # fmt: skip
    services.project_transition(actor=librarian, project=project, name="request_corrections", note="两项偏差待整改")
    for correction, answer in zip(deviations, ("更换高灵敏度天线并优化防冲突算法", "升级读卡模块固件"), strict=True):
        services.correction_answer(actor=supplier, correction=correction, answer=answer)
    services.project_transition(actor=supplier, project=project, name="resume_development")

    # Round 2: the corrected version satisfies readers; the library and the funder sign off.
    v2 = services.deliverable_version_upload(
        actor=supplier, deliverable=deliverable, file=_pdf("v2.pdf"), notes="整改版：识别提速、读卡模块升级",
        released_on=today - timedelta(days=40), fixes=deviations,
    )  # fmt: skip
    services.project_transition(actor=supplier, project=project, name="deliver")
    second = services.trial_plan(
        actor=librarian, project=project, version=v2, starts_on=today - timedelta(days=35),
        ends_on=today - timedelta(days=20), min_satisfaction=Decimal("4.0"), max_open_deviations=0, readers=readers,
    )  # fmt: skip
    services.project_transition(actor=librarian, project=project, name="start_trial")
    _respond(second, readers, [5, 4, 5, 4, 4, 5, 4, 5, 4, 4], ["快多了", "很方便", "智能书架找书很准"])
    for correction in deviations:
        services.correction_verify(actor=librarian, correction=correction, trial=second, note="复测通过")
    services.signoff_give(actor=director, project=project, note="同意验收")
    services.signoff_give(actor=who["zjwl-officer"], project=project, note="符合专项资金绩效要求")
    services.project_transition(actor=director, project=project, name="accept", note="两轮测试后验收通过")
    return project


def partway(
    who: dict[str, Actor], orgs: dict[str, Organization], alliance: Alliance, need: Need, today: date
) -> Project:
    librarian, supplier = who["zjlib-librarian"], who["shuyun-manager"]
    project = services.project_create(
        actor=librarian, alliance=alliance, title="AI 图书推荐与智能问答", budget=Decimal("420000"),
        summary="基于借阅数据与知识图谱，为读者提供个性化推荐和智能问答。",
        starts_on=today - timedelta(days=60), ends_on=today + timedelta(days=120), needs=[need],
    )  # fmt: skip
    services.milestone_add(actor=librarian, project=project, title="读者测试", due_on=today + timedelta(days=14))
    _start(who, project, orgs, "shuyun", "zjis")
    deliverable = services.deliverable_create(actor=supplier, project=project, title="智能推荐与问答服务")
    v1 = services.deliverable_version_upload(
        actor=supplier, deliverable=deliverable, file=_pdf("ai-v1.pdf"), notes="首版推荐模型与问答机器人",
        released_on=today - timedelta(days=7),
    )  # fmt: skip
    services.project_transition(actor=supplier, project=project, name="deliver")
    readers = _trial_readers(orgs["zjlib"], 8)
    trial = services.trial_plan(
        actor=librarian, project=project, version=v1, starts_on=today - timedelta(days=5),
        ends_on=today + timedelta(days=10), min_satisfaction=Decimal("4.0"), max_open_deviations=1, readers=readers,
    )  # fmt: skip
    services.project_transition(actor=librarian, project=project, name="start_trial")
    # reader001 is left to respond in the demo's reader portal.
    _respond(
        trial,
        [r for r in readers if r.user.username != "reader001"][:4],
        [4, 5, 3, 4],
        ["推荐挺准", "问答有时答非所问"],
    )
    return project


def training(who: dict[str, Actor], orgs: dict[str, Organization], alliance: Alliance, today: date) -> None:
    professor = who["zju-professor"]
    program = services.training_program_create(
        actor=professor, alliance=alliance, trainer=orgs["zju"], title="智慧馆员数字素养研修班",
        description="面向联盟成员馆馆员的数据分析、智能服务与新技术应用培训。", required_sessions=2,
    )  # fmt: skip
    start = timezone.now() - timedelta(days=30)
    sessions = [
        services.training_session_add(
            actor=professor, program=program, topic=topic, starts_at=start + timedelta(days=7 * i),
            ends_at=start + timedelta(days=7 * i, hours=3), location="浙江大学紫金港校区",
        )
        for i, topic in enumerate(("智慧图书馆服务模式", "借阅数据分析入门", "智能问答系统运维"))
    ]  # fmt: skip
    librarian = who["zjlib-librarian"]
    enrolment = services.training_enrol(actor=librarian, program=program, trainee=librarian.user)
    for session in sessions[:2]:
        services.training_record_attendance(actor=professor, session=session, enrolment=enrolment)
    services.training_complete(actor=professor, enrolment=enrolment)
    hz = who["hzlib-director"]
    services.training_enrol(actor=hz, program=program, trainee=hz.user)


def register() -> None:
    register_seeder(20, seed_alliances)

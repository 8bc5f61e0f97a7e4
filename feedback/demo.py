"""Demo feedback at Zhejiang Library: readers' feedback in every state, a need backed by it, feedback
routed to the AI project's provider, a public need with supporters, service levels and a survey with answers.

Registered from ``FeedbackConfig.ready()`` after the alliance seeder (order 30), written through the
services so the demo shows what the loop allows. reader001 has feedback waiting for their verdict.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from alliance.models import Need, Project
from core.demo import register_seeder
from stakeholders.access import Actor, build_actor
from stakeholders.demo import USCC
from stakeholders.models import Organization, ReaderProfile

from . import services
from .models import Feedback

SURVEY_QUESTIONS: list[dict[str, Any]] = [
    {"kind": "rating", "text": "您对本馆整体服务的满意度"},
    {"kind": "choice", "text": "您最常使用的区域", "options": ["自习区", "少儿阅读区", "电子阅览室", "报刊区"]},
    {"kind": "rating", "text": "自助借还设备是否方便"},
    {"kind": "text", "text": "您还有什么建议？", "required": False},
]


def _readers(library: Organization, count: int) -> list[Actor]:
    profiles = ReaderProfile.objects.filter(home_library=library).select_related("user").order_by("user__username")
    return [build_actor(p.user) for p in profiles[:count]]


def _backdate(feedback: Feedback, days: int) -> None:
    # Spread the demo over recent months so the insight charts show a trend, not a single point.
    Feedback.objects.filter(pk=feedback.pk).update(created_at=timezone.now() - timedelta(days=days))


def seed_feedback() -> None:
    library = Organization.objects.get(uscc=USCC["zjlib"])
    users = {u.username: u for u in get_user_model().objects.filter(username__in=["zjlib-director", "zjlib-librarian"])}
    director, librarian = build_actor(users["zjlib-director"]), build_actor(users["zjlib-librarian"])
    readers = _readers(library, 12)
    reader001 = next(r for r in readers if r.user.username == "reader001")
    others = [r for r in readers if r is not reader001]

    services.policy_set(actor=director, library=library, allow_anonymous=True)
    for status, hours in (("new", 48), ("triaged", 72), ("routed", 168), ("reopened", 48)):
        services.service_level_set(actor=director, library=library, status=status, max_hours=hours)

    def give(actor: Actor, kind: str, text: str, days: int, **extra: Any) -> Feedback:
        fb = services.feedback_submit(actor=actor, kind=kind, text=text, **extra)
        _backdate(fb, days)
        return fb

    # reader001: one answered and waiting for "solved / not solved", one still new.
    waiting = give(reader001, "complaint", "三楼自习区空调太冷，能否调高温度？", 20, rating=2, subject="三楼自习区")
    services.feedback_triage(actor=librarian, feedback=waiting, theme="space", tags=["空调"], assignee=librarian.user)
    services.feedback_answer(actor=librarian, feedback=waiting, answer="已将三楼温度调至 24°C，并加装挡风帘。")
    services.feedback_resolve(actor=librarian, feedback=waiting)
    give(reader001, "need", "希望周末开放时间延长到晚上九点。", 3, is_public=True, consent_contact=True)

    praise = give(others[0], "praise", "志愿者讲解非常耐心，少儿绘本活动很棒！", 75, rating=5, subject="少儿阅读区")
    services.feedback_answer(actor=librarian, feedback=praise, answer="感谢您的肯定，我们会继续办好活动。")
    services.feedback_resolve(actor=librarian, feedback=praise)
    services.feedback_confirm(actor=others[0], feedback=praise)

    reopened = give(others[1], "complaint", "电子阅览室电脑开机很慢。", 45, rating=2, subject="电子阅览室")
    services.feedback_triage(actor=librarian, feedback=reopened, theme="equipment", tags=["电脑"])
    services.feedback_answer(actor=librarian, feedback=reopened, answer="已清理系统并升级内存。")
    services.feedback_resolve(actor=librarian, feedback=reopened)
    services.feedback_reopen(actor=others[1], feedback=reopened, reason="还是要等两三分钟。")

    # A public need others back, and a duplicate of it merged in.
    seats = give(others[2], "need", "考试季自习座位不够，希望开放更多夜间自习座位。", 30, is_public=True)
    for supporter in others[3:9]:
        services.feedback_support(actor=supporter, feedback=seats)
    dup = give(others[3], "need", "考试季能否多开放一些夜间自习座位？", 28, is_public=True)
    services.feedback_merge(actor=librarian, primary=seats, duplicates=[dup])
    services.feedback_triage(actor=librarian, feedback=seats, theme="space", tags=["座位", "夜间开放"])

    # Finding books is hard: evidence for the library's need, and feedback on the AI project routed to its provider.
    need = Need.objects.filter(library=library, title="读者找书难、推荐不精准").first()
    search = [
        give(others[4], "need", "检索结果太多，找不到想要的书。", 60, subject="馆藏检索"),
        give(others[5], "complaint", "推荐的书和我的兴趣不相关。", 15, rating=2, subject="图书推荐"),
    ]
    if need is not None:
        services.feedback_link_need(actor=librarian, feedback=search, need=need)
    project = Project.objects.filter(alliance__lead_library=library, title="AI 图书推荐与智能问答").first()
    if project is not None:
        services.feedback_route(
            actor=librarian, feedback=[search[1]], project=project, title="推荐结果与读者兴趣不符",
            severity="medium", due_on=timezone.localdate() + timedelta(days=14),
        )  # fmt: skip
        trial_report = give(others[6], "trial_report", "智能问答对馆藏位置的回答很准确，但偶尔答非所问。", 4, rating=4)
        services.feedback_triage(actor=librarian, feedback=trial_report, theme="digital", tags=["智能问答"])

    services.feedback_submit(
        actor=build_actor(None), library=library, kind="need", text="希望增加手机充电插座。",
        channel="kiosk",
    )  # fmt: skip

    survey = services.survey_create(
        actor=librarian, library=library, title="2026 年读者满意度调查",
        description="帮助我们了解您对本馆服务的感受，约需 2 分钟。", questions=SURVEY_QUESTIONS,
    )  # fmt: skip
    survey = services.survey_open(actor=librarian, survey=survey)
    q = list(survey.questions.order_by("position").values_list("pk", flat=True))
    answers = [
        (5, "自习区", 4, "希望延长开放时间"),
        (4, "少儿阅读区", 5, ""),
        (3, "电子阅览室", 3, "电脑太慢"),
        (4, "自习区", 4, "座位不够"),
        (5, "报刊区", 5, ""),
        (4, "自习区", 2, "自助借还机常排队"),
    ]
    for respondent, (overall, area, selfservice, text) in zip(others[:6], answers, strict=True):
        services.survey_respond(
            actor=respondent, survey=survey, answers={q[0]: overall, q[1]: area, q[2]: selfservice, q[3]: text}
        )


def register() -> None:
    register_seeder(30, seed_feedback)

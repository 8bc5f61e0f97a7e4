"""Demo insight: a finished period report of the Zhejiang alliance for this year, ready to download, and
readers' feedback on the accepted RFID project that went all the way round the loop.

The other demo modules leave one routed feedback on the AI project and nothing answered on a project, so the
alliance page's funnel (feedback → routed → answered → resolved → confirmed) would stop at "routed". Here
trial readers give feedback: one on the AI project is routed to its provider, answered by it, resolved and
confirmed solved; on the RFID project one is answered by the library and confirmed, one answered and waiting.

Registered from ``InsightConfig.ready()`` after every other seeder (order 60), since the report reads what they
recorded. Requested by the lead library's director through the service and built in place, exactly as the
worker builds it (``tasks.generate_report``), so a newcomer finds it on the alliance's insight page without a
running worker. Seeding again leaves the existing report alone.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from alliance import services as alliance_services
from alliance.demo import ALLIANCE_NAME
from alliance.models import Alliance, Project, Trial
from core.demo import register_seeder
from feedback import services as feedback_services
from feedback.models import Feedback
from stakeholders.access import Actor, build_actor

from . import services
from .choices import ReportStatus
from .models import ReportJob
from .tasks import generate_report

REQUESTER = "zjlib-director"
RFID_TITLE = "RFID 自助借还与智能书架改造"
AI_TITLE = "AI 图书推荐与智能问答"


def _backdated(feedback: Feedback, days: int) -> None:
    Feedback.objects.filter(pk=feedback.pk).update(created_at=timezone.now() - timedelta(days=days))


def _trial_readers(trial: Trial, count: int) -> list[Actor]:
    responses = trial.responses.select_related("reader__user").order_by("reader__user__username")[:count]
    return [build_actor(r.reader.user) for r in responses]


def feedback_loop(alliance: Alliance) -> None:
    """Trial readers' feedback through every step of the loop (see the module docstring)."""
    projects = {p.title: p for p in Project.objects.filter(alliance=alliance, title__in=[RFID_TITLE, AI_TITLE])}
    if len(projects) < 2 or Feedback.objects.filter(project=projects[RFID_TITLE]).exists():
        return
    trials: dict[str, Trial | None] = {
        t: Trial.objects.filter(project=projects[t]).order_by("-starts_on", "-id").first() for t in projects
    }
    users = {u.username: u for u in get_user_model().objects.filter(username__in=["zjlib-librarian", "shuyun-manager"])}
    rfid_trial, ai_trial = trials[RFID_TITLE], trials[AI_TITLE]
    rfid_readers = _trial_readers(rfid_trial, 2) if rfid_trial else []
    ai_readers = _trial_readers(ai_trial, 1) if ai_trial else []
    if len(users) < 2 or len(rfid_readers) < 2 or not ai_readers:
        return
    librarian, supplier = build_actor(users["zjlib-librarian"]), build_actor(users["shuyun-manager"])

    # Routed to the AI project's provider, answered by it, resolved by the library, confirmed by the reader.
    routed = feedback_services.feedback_submit(
        actor=ai_readers[0], kind="complaint", text="问答机器人回答馆藏位置时给出了旧的楼层。", rating=3,
        trial=ai_trial, subject="智能问答",
    )  # fmt: skip
    _backdated(routed, 4)
    correction = feedback_services.feedback_route(
        actor=librarian, feedback=[routed], project=projects[AI_TITLE], title="问答机器人馆藏楼层信息过期",
        severity="low", due_on=timezone.localdate() + timedelta(days=7),
    )  # fmt: skip
    alliance_services.correction_answer(actor=supplier, correction=correction, answer="已同步最新馆藏排架数据。")
    routed.refresh_from_db()
    feedback_services.feedback_resolve(actor=librarian, feedback=routed, answer="供应商已更新馆藏楼层信息。")
    feedback_services.feedback_confirm(actor=ai_readers[0], feedback=routed)

    # On the accepted RFID project: praise answered and confirmed, a wish answered and waiting for its reader.
    praise = feedback_services.feedback_submit(
        actor=rfid_readers[0], kind="praise", text="自助借还机快多了，高峰期不用排队。", rating=5,
        trial=rfid_trial, subject="自助借还",
    )  # fmt: skip
    _backdated(praise, 18)
    feedback_services.feedback_answer(actor=librarian, feedback=praise, answer="感谢您参与测试！")
    feedback_services.feedback_resolve(actor=librarian, feedback=praise)
    feedback_services.feedback_confirm(actor=rfid_readers[0], feedback=praise)
    waiting = feedback_services.feedback_submit(
        actor=rfid_readers[1], kind="need", text="希望自助借还机支持手机扫码借书。", rating=4, trial=rfid_trial,
    )  # fmt: skip
    _backdated(waiting, 10)
    feedback_services.feedback_answer(actor=librarian, feedback=waiting, answer="扫码借书已列入运维合同的升级计划。")


def seed_insight() -> None:
    alliance = Alliance.objects.filter(name=ALLIANCE_NAME).first()
    user = get_user_model().objects.filter(username=REQUESTER).first()
    if alliance is None or user is None:
        return  # the alliance demo is not installed
    feedback_loop(alliance)
    actor = build_actor(user)
    period = str(timezone.localdate().year)
    if ReportJob.objects.filter(alliance=alliance, period=period, status=ReportStatus.DONE).exists():
        return
    job = services.report_request(actor, alliance=alliance, period=period, enqueue=False)
    generate_report(job.pk)


def register() -> None:
    register_seeder(60, seed_insight)

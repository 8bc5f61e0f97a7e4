"""Alliance coordination in a real browser: the library schedules a joint conference with three organisations,
records minutes with two decisions and three action items, and each owner finds theirs on their dashboard;
the sweeper reminds and escalates once each; a research plan becomes active only with the last signature.

With COORDINATION_SHOTS=<directory> the calendar, the meeting and the plan are saved in Chinese and English.
"""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from coordination import services
from coordination.models import ActionItem, Meeting, ResearchPlan
from notifications.models import Delivery, Notification
from stakeholders.models import Membership
from tests import factories as f
from tests.alliance.flow import act, make_parties
from tests.e2e.helpers import as_user, screenshots, submit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("COORDINATION_SHOTS", "")


def test_joint_conference_minutes_reach_owners_and_plan_needs_every_signature(
    page, sign_in, library, enterprise, government, staff_manager, staff, partner
):
    p = make_parties(library, enterprise, government, staff_manager, staff, partner)
    sign_in(page, p.librarian)

    # schedule a joint conference with three organisations
    page.goto(page.base_url + "/coordination/meetings/new/")
    page.select_option("#id_alliance", str(p.alliance.pk))
    page.select_option("#id_kind", "joint_conference")
    page.fill("#id_title", "联盟年度联席会议")
    start = timezone.localtime() + timedelta(days=2)
    page.fill("#id_starts_at", start.strftime("%Y-%m-%dT09:00"))
    page.fill("#id_ends_at", start.strftime("%Y-%m-%dT11:30"))
    page.fill("#id_place", "浙江图书馆报告厅")
    for org in (p.enterprise, p.university, p.government):
        page.check(f"#invite-organizations input[value='{org.pk}']")
    page.click("#meeting-form button[type=submit]")
    page.wait_for_url("**/coordination/meetings/*/")
    meeting = Meeting.objects.get(title="联盟年度联席会议")
    expect(page.locator("#invited li")).to_have_count(3)
    # every invited organisation hears of it: an in-app notification and an e-mail in the outbox for each member
    invited = Notification.objects.filter(event="coordination.meeting.invited", data__meeting=meeting.pk)
    for org in (p.enterprise, p.university, p.government):
        members = set(Membership.objects.filter(organization=org, archived_at=None).values_list("user_id", flat=True))
        notified = set(invited.filter(recipient_id__in=members).values_list("recipient_id", flat=True))
        assert members and notified == members, org
        emailed = Delivery.objects.filter(notification__in=invited, recipient_id__in=members, channel="email")
        assert set(emailed.values_list("recipient_id", flat=True)) == members, org

    # the organiser adds, rewords and removes agenda items on the edit page; a removed one stays in history
    page.goto(page.base_url + f"/coordination/meetings/{meeting.pk}/edit/")
    for title in ("年度总结", "临时动议"):
        page.fill("#agenda-form [name=title]", title)
        submit(page, "#agenda-form")
    first, second = meeting.agenda_items.order_by("id")
    page.locator(f"#agenda-item-{first.pk} summary").click()
    page.fill(f"[name='agenda-{first.pk}-title']", "年度总结与计划")
    submit(page, f"#agenda-item-{first.pk} form.agenda-item-edit")
    page.locator(f"#agenda-item-{second.pk} summary").click()
    submit(page, f"#agenda-item-{second.pk} form.agenda-item-remove")
    expect(page.locator("#agenda-items .agenda-item")).to_have_count(1)
    expect(page.locator("#agenda-items")).to_contain_text("年度总结与计划")
    assert meeting.agenda_items.get(pk=second.pk).archived_at is not None
    screenshots(page, SHOTS, "meeting-edit")
    page.goto(page.base_url + f"/coordination/meetings/{meeting.pk}/attendance/")
    screenshots(page, SHOTS, "meeting-attendance")
    page.goto(page.base_url + f"/coordination/meetings/{meeting.pk}/")

    # record minutes with two decisions and three action items
    page.fill("#id_minutes", "各方汇报年度进展，讨论下一阶段联合研究。")
    page.fill("#id_decisions", "成立读者数据治理工作组\n下一阶段聚焦 AI 荐书")
    due = timezone.localdate() + timedelta(days=5)
    owners = [(p.supplier, p.enterprise, "提交接口文档"), (p.professor, p.university, "整理研究综述"),
              (p.officer, p.government, "确认配套资金")]  # fmt: skip
    for n, (user, org, title) in enumerate(owners):
        page.fill(f"#id_action_{n}_title", title)
        page.select_option(f"#id_action_{n}_owner", f"{user.pk}:{org.pk}")
        page.fill(f"#id_action_{n}_due_on", due.isoformat())
    page.click("#minutes-form button[type=submit]")
    page.wait_for_url("**/coordination/meetings/*/#minutes")
    expect(page.locator("#decisions li")).to_have_count(2)
    expect(page.locator("#action-items tbody tr")).to_have_count(3)
    screenshots(page, SHOTS, "meeting-detail")
    page.goto(page.base_url + f"/coordination/?month={start:%Y-%m}")
    expect(page.locator(".gj-calendar a", has_text="联盟年度联席会议")).to_be_visible()
    screenshots(page, SHOTS, "calendar")

    # each owner sees their action item on their dashboard
    for user, _org, title in owners:
        as_user(page, sign_in, user)
        panel = page.locator("#coordination-panel")
        expect(panel.locator(".action-item", has_text=title)).to_be_visible()
        expect(panel.locator(".action-item")).to_have_count(1)

    # the sweeper, with a moved clock: one reminder and one escalation per item, however often it runs
    due_end = services._due_end(due)
    for moment in (due_end - timedelta(hours=6), due_end - timedelta(hours=1)):
        services.action_items_sweep(now=moment)
    for moment in (due_end + timedelta(hours=1), due_end + timedelta(days=2)):
        services.action_items_sweep(now=moment)
    for user, _org, _title in owners:
        assert Notification.objects.filter(recipient=user, event="coordination.action.due").count() == 1
        assert Notification.objects.filter(recipient=user, event="coordination.action.overdue").count() == 1
    assert ActionItem.objects.filter(meeting=meeting).count() == 3

    # a research plan becomes active only with the last signature
    plan = services.plan_create(
        actor=act(p.manager), alliance=p.alliance, title="AI 荐书联合研究计划", objectives="可解释荐书",
        participants=[p.enterprise, p.university], outputs=[{"kind": "paper", "title": "论文"}],
    )  # fmt: skip
    enterprise_manager = f.member_of(p.enterprise, "manager")
    for user in (p.manager, p.professor, enterprise_manager):
        as_user(page, sign_in, user)
        page.goto(page.base_url + f"/coordination/plans/{plan.pk}/")
        assert ResearchPlan.objects.get(pk=plan.pk).status == "signing"
        page.locator("form[action$='/sign/'] button").first.click()
        page.wait_for_url(f"**/coordination/plans/{plan.pk}/")
    expect(page.locator("#plan-status")).to_have_text("有效")
    assert ResearchPlan.objects.get(pk=plan.pk).status == "active"
    screenshots(page, SHOTS, "plan-detail")
    assert not page.js_errors

"""Meetings, minutes, action items with their sweeper, calendar text, and co-signed research plans."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from coordination import ics, selectors, services
from coordination.models import ActionItem, ActionReminder, CalendarFeed, Meeting, PlanSignature
from core.exceptions import ConflictError, DomainError, NotAllowed
from notifications.models import Notification
from tests import factories as f
from tests.alliance.flow import act

from .conftest import schedule

pytestmark = pytest.mark.django_db


def test_invited_organisations_see_the_meeting_and_outsiders_do_not(w, outsider):
    p = w.p
    for user in (p.librarian, p.supplier, p.professor, p.officer):
        assert w.conference in selectors.meeting_list_for(act(user))
    assert w.conference not in selectors.meeting_list_for(act(outsider))
    invited = Notification.objects.filter(event="coordination.meeting.invited")
    assert {n.recipient_id for n in invited} >= {p.supplier.pk, p.professor.pk, p.officer.pk}
    assert all("/invite.ics" in n.body for n in invited)


def test_alliance_wide_meeting_is_seen_by_members_not_invited(p, outsider):
    meeting = schedule(p, organizations=[p.enterprise], visibility="alliance", title="开放研讨会")
    assert meeting in selectors.meeting_list_for(act(p.professor))  # university: alliance member, not invited
    assert meeting not in selectors.meeting_list_for(act(outsider))
    closed = schedule(p, organizations=[p.enterprise], title="闭门会")
    assert closed not in selectors.meeting_list_for(act(p.professor))


def test_only_alliance_organisations_may_be_invited_and_schedule(p, other_org, outsider):
    with pytest.raises(DomainError):
        schedule(p, organizations=[other_org])
    with pytest.raises(NotAllowed):
        schedule(p, actor=act(outsider))
    with pytest.raises(DomainError):
        schedule(p, ends_at=timezone.now())
    with pytest.raises(DomainError):
        schedule(p, place="", online_url="")
    assert Meeting.objects.count() == 0


def test_weekly_series_makes_occurrences_and_one_rrule_event(p):
    first = schedule(p, recurrence="weekly", occurrences=4, timezone_name="Asia/Shanghai")
    meetings = list(Meeting.objects.filter(series=first.series).order_by("starts_at"))
    assert len(meetings) == 4
    assert meetings[1].starts_at - meetings[0].starts_at == timedelta(weeks=1)
    text = ics.calendar(meetings, lambda m: "https://x/", name="t")
    assert text.count("BEGIN:VEVENT") == 1 and "RRULE:FREQ=WEEKLY;COUNT=4" in text


def test_monthly_series_keeps_the_day_or_the_months_last(p):
    start = timezone.make_aware(timezone.datetime(2027, 1, 31, 9, 0))
    starts = services.occurrence_starts(start, "monthly", 3, "Asia/Shanghai")
    assert [s.day for s in starts] == [31, 28, 31]


def test_ics_escapes_and_folds_lines_at_75_octets(p):
    meeting = schedule(p, title="会议; 议题, 很长" * 8, description="第一行\n第二行")
    text = ics.calendar([meeting], lambda m: "https://example.org/m/1/")
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    for line in text.split("\r\n"):
        assert len(line.encode()) <= 75
    unfolded = text.replace("\r\n ", "")
    assert "SUMMARY:会议\\; 议题\\, 很长" in unfolded and "第一行\\n第二行" in unfolded
    assert f"UID:meeting-{meeting.pk}@" in unfolded and "DTSTART:" in unfolded and unfolded.count("Z\r\n") >= 2


def test_minutes_record_decisions_and_action_items_and_owners_are_told(w):
    p = w.p
    due = timezone.localdate() + timedelta(days=7)
    services.meeting_record_minutes(
        actor=act(p.librarian), meeting=w.conference, minutes="纪要", decisions=["决定一", "决定二"],
        action_items=[
            {"title": "甲", "owner": p.supplier, "owner_organization": p.enterprise, "due_on": due, "decision": 1},
            {"title": "乙", "owner": p.professor, "owner_organization": p.university, "due_on": due},
            {"title": "丙", "owner": p.officer, "owner_organization": p.government, "due_on": due, "decision": 2},
        ],
    )  # fmt: skip
    w.conference.refresh_from_db()
    assert w.conference.status == "held" and w.conference.decisions.count() == 2
    for user in (p.supplier, p.professor, p.officer):
        assert [i.title for i in selectors.open_action_items_for(act(user))] in (["甲"], ["乙"], ["丙"])
        assert Notification.objects.filter(recipient=user, event="coordination.action.assigned").count() == 1
    panel = selectors.dashboard_panel(act(p.supplier))
    assert panel and [i.title for i in panel["action_items"]] == ["甲"]


def test_minutes_refuse_an_owner_outside_the_meeting_and_change_nothing(w, outsider, other_org):
    with pytest.raises(DomainError):
        services.meeting_record_minutes(
            actor=act(w.p.librarian), meeting=w.conference, minutes="纪要", decisions=["x"],
            action_items=[{"title": "甲", "owner": outsider, "owner_organization": other_org,
                           "due_on": timezone.localdate()}],
        )  # fmt: skip
    with pytest.raises(NotAllowed):
        services.meeting_record_minutes(actor=act(w.p.supplier), meeting=w.conference, minutes="纪要")
    assert w.conference.decisions.count() == 0 and ActionItem.objects.count() == 0


def test_agenda_links_only_objects_the_organiser_can_see(w, library):
    p = w.p
    from tests.alliance.flow import new_project

    project = new_project(p)
    item = services.agenda_item_add(
        actor=act(p.librarian), meeting=w.conference, title="评审", target_kind="alliance.project", target_id=project.pk
    )
    assert item.target_label == project.title
    foreign = f.OrganizationFactory(kind="library")
    other_manager = f.member_of(foreign, "manager")
    from alliance import services as alliance_services

    other = alliance_services.alliance_create(actor=act(other_manager), lead_library=foreign, name="别的联盟")
    hidden = alliance_services.project_create(actor=act(other_manager), alliance=other, title="看不到", budget=1)
    with pytest.raises(DomainError):
        services.agenda_item_add(
            actor=act(p.librarian), meeting=w.conference, title="x", target_kind="alliance.project", target_id=hidden.pk
        )
    assert w.conference.agenda_items.count() == 1


def _items(w):
    p = w.p
    due = timezone.localdate() + timedelta(days=5)
    services.meeting_record_minutes(
        actor=act(p.librarian), meeting=w.conference, minutes="纪要",
        action_items=[{"title": "甲", "owner": p.supplier, "owner_organization": p.enterprise, "due_on": due}],
    )  # fmt: skip
    return ActionItem.objects.get()


def test_sweeper_reminds_once_before_due_and_escalates_once_when_overdue(w, partner_manager):
    item = _items(w)
    now = timezone.now()
    assert services.action_items_sweep(now=now) == 0  # not yet within the reminder window
    before_due = services._due_end(item.due_on) - timedelta(hours=12)
    assert services.action_items_sweep(now=before_due) == 1
    assert services.action_items_sweep(now=before_due) == 0
    assert services.action_items_sweep(now=before_due + timedelta(hours=1)) == 0
    due = Notification.objects.filter(event="coordination.action.due")
    assert [n.recipient_id for n in due] == [w.p.supplier.pk]
    overdue_at = services._due_end(item.due_on) + timedelta(hours=1)
    assert services.action_items_sweep(now=overdue_at) == 1
    assert services.action_items_sweep(now=overdue_at + timedelta(days=3)) == 0
    escalated = Notification.objects.filter(event="coordination.action.overdue")
    assert {n.recipient_id for n in escalated} >= {w.p.supplier.pk, partner_manager.pk, w.p.manager.pk}
    assert escalated.filter(recipient=w.p.supplier).count() == 1
    assert ActionReminder.objects.filter(action_item=item).count() == 2
    # a second copy of the sweep racing past the lock still sends nothing: the unique key holds
    ActionItem.objects.filter(pk=item.pk).update(sweep_at=overdue_at)
    assert services.action_items_sweep(now=overdue_at + timedelta(days=4)) == 1
    assert Notification.objects.filter(event="coordination.action.overdue", recipient=w.p.supplier).count() == 1


def test_done_item_leaves_the_sweep_and_a_new_due_date_reminds_again(w):
    item = _items(w)
    services.action_item_update(actor=act(w.p.supplier), item=item, status="done")
    item.refresh_from_db()
    assert item.sweep_at is None and item.done_at is not None
    assert services.action_items_sweep(now=timezone.now() + timedelta(days=30)) == 0
    with pytest.raises(NotAllowed):
        services.action_item_update(actor=act(w.p.professor), item=item, status="open")


def test_plan_becomes_active_only_after_the_last_signature(w):
    p, plan = w.p, w.plan
    assert plan.status == "signing" and plan.participants.count() == 3  # lead + two
    services.plan_sign(actor=act(p.manager), plan=plan)
    plan.refresh_from_db()
    assert plan.status == "signing"
    with pytest.raises(NotAllowed):
        services.plan_sign(actor=act(p.supplier), plan=plan)  # a member, not a manager
    services.plan_sign(actor=act(p.professor), plan=plan)
    plan.refresh_from_db()
    assert plan.status == "signing"
    enterprise_manager = f.member_of(p.enterprise, "manager")
    services.plan_sign(actor=act(enterprise_manager), plan=plan)
    plan.refresh_from_db()
    assert plan.status == "active" and plan.activated_at is not None
    with pytest.raises(ConflictError):
        services.plan_sign(actor=act(enterprise_manager), plan=plan)


def test_change_after_signing_needs_everyone_to_sign_again(w):
    p, plan = w.p, w.plan
    services.plan_sign(actor=act(p.manager), plan=plan)
    services.plan_update(actor=act(p.librarian), plan=plan, budget=plan.budget + 1000)
    plan.refresh_from_db()
    assert plan.version == 2 and plan.status == "signing"
    assert PlanSignature.objects.filter(plan=plan, version=1).count() == 1  # the earlier signature stays on record
    assert selectors.plan_signature_counts(selectors.plan_list_for(act(p.manager)).get(pk=plan.pk))["signed"] == 0
    with pytest.raises(NotAllowed):
        services.plan_update(actor=act(p.supplier), plan=plan, title="改")


def test_plans_are_seen_by_participants_only(w, outsider):
    assert w.plan in selectors.plan_list_for(act(w.p.professor))
    assert w.plan not in selectors.plan_list_for(act(outsider))


def test_feed_token_is_stored_hashed_and_rotating_revokes_the_old_one(staff):
    token = services.calendar_feed_rotate(user=staff)
    feed = CalendarFeed.objects.get(user=staff)
    assert token not in feed.token_hash and services.calendar_feed_user(token) == staff
    newer = services.calendar_feed_rotate(user=staff)
    assert services.calendar_feed_user(token) is None and services.calendar_feed_user(newer) == staff


def test_one_action_item_sweep_costs_the_same_queries_however_many_items_are_due(
    w, partner_manager, django_assert_num_queries
):
    # Set-based: claim (owners and meetings joined), reminders (INSERT .. ON CONFLICT .. RETURNING), sweep
    # times, managers (overdue only), then notify_many (preferences, notifications, deliveries), two
    # savepoints and their releases.
    p = w.p
    due = timezone.localdate() + timedelta(days=5)
    services.meeting_record_minutes(
        actor=act(p.librarian), meeting=w.conference, minutes="纪要",
        action_items=[
            {"title": f"事项 {i}", "owner": p.supplier, "owner_organization": p.enterprise, "due_on": due}
            for i in range(8)
        ],
    )  # fmt: skip
    before_due = services._due_end(due) - timedelta(hours=12)
    with django_assert_num_queries(10):
        assert services.action_items_sweep(now=before_due) == 8
    assert Notification.objects.filter(event="coordination.action.due", recipient=p.supplier).count() == 8
    overdue_at = services._due_end(due) + timedelta(hours=1)
    with django_assert_num_queries(11):
        assert services.action_items_sweep(now=overdue_at) == 8
    assert services.action_items_sweep(now=overdue_at) == 0
    escalated = Notification.objects.filter(event="coordination.action.overdue")
    assert escalated.filter(recipient=p.supplier).count() == 8
    assert escalated.filter(recipient=partner_manager).count() == 8
    assert ActionReminder.objects.count() == 16

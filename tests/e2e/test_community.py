"""Community, acknowledgements and webhooks in a real browser.

With COMMUNITY_SHOTS=<directory> each page visited is also saved as a screenshot in Chinese and English.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from alliance import services as alliance_services
from community.models import Acknowledgement, Post
from notifications.models import Notification
from tests import factories as f
from tests.alliance.flow import act, make_parties, move, new_project, staff_project, to_seeking_partners
from tests.e2e.helpers import as_user, screenshots, submit
from webhooks import services as webhook_services
from webhooks.models import Subscription

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("COMMUNITY_SHOTS", "")


def shot(page: Any, name: str) -> None:
    screenshots(page, SHOTS, name)


def test_a_discussion_with_a_mention_a_reply_and_moderation(
    page, sign_in, library, enterprise, government, staff_manager, staff, partner
):
    p = make_parties(library, enterprise, government, staff_manager, staff, partner)
    as_user(page, sign_in, staff)
    page.goto(page.base_url + "/community/")
    page.select_option("#id_alliance", str(p.alliance.pk))
    page.fill("#id_title", "RFID 自助借还设备选型")
    page.fill("#id_body", f"@{partner.username} 请介绍一下贵司的超高频方案。")
    submit(page, "#new-thread form")
    expect(page.locator("#posts")).to_contain_text("超高频")
    assert Notification.objects.filter(recipient=partner, event="community.mention").exists()

    as_user(page, sign_in, partner)
    page.goto(page.base_url + "/community/")
    page.click("#thread-list a")
    page.fill("#id_body", "建议采用超高频标签，读取距离更远。")
    submit(page, "#reply form")
    expect(page.locator("#posts article")).to_have_count(2)
    shot(page, "thread-detail")

    as_user(page, sign_in, staff_manager)
    page.goto(page.base_url + "/community/")
    shot(page, "thread-list")
    page.click("#thread-list a")
    reply = Post.objects.order_by("id").last()
    page.click(f"#post-{reply.pk} summary")
    page.fill(f"#reason-{reply.pk}", "与主题无关")
    with page.expect_navigation():
        page.click(f"#post-{reply.pk} form button")
    expect(page.locator(f"#post-{reply.pk}")).to_contain_text("与主题无关")
    shot(page, "thread-moderated")
    assert not page.js_errors


def test_a_policy_is_acknowledged_and_the_issuer_sees_who_has_not(
    page, sign_in, library, enterprise, government, staff_manager, staff, partner
):
    p = make_parties(library, enterprise, government, staff_manager, staff, partner)
    manager = f.member_of(enterprise, "manager")
    doc = alliance_services.guidance_issue(
        actor=act(p.officer), kind="policy", title="关于推进智慧图书馆建设的指导意见", effective_on=timezone.localdate()
    )
    as_user(page, sign_in, manager)
    page.goto(page.base_url + "/community/acknowledgements/")
    shot(page, "acknowledge-before")
    page.fill("#asked input[name=note]", "已组织学习")
    with page.expect_navigation():
        page.click("#asked button[type=submit]")
    expect(page.locator("#asked .badge.text-bg-success")).to_have_count(1)
    assert Acknowledgement.objects.get(document=doc, organization=enterprise).acknowledged_at

    as_user(page, sign_in, p.officer)
    page.goto(page.base_url + f"/community/acknowledgements/documents/{doc.pk}/")
    expect(page.locator("#acknowledged")).to_contain_text(enterprise.name_zh)
    expect(page.locator("#not-yet")).to_contain_text(library.name_zh)
    shot(page, "acknowledgement-document")
    assert not page.js_errors


def test_a_manager_subscribes_and_reads_the_delivery_log(
    page, sign_in, library, enterprise, government, staff_manager, staff, partner
):
    p = make_parties(library, enterprise, government, staff_manager, staff, partner)
    manager = f.member_of(enterprise, "manager")
    as_user(page, sign_in, manager)
    page.goto(page.base_url + "/webhooks/")
    page.fill("#id_name", "ERP")
    page.fill("#id_url", "http://localhost:9/hooks")
    page.check("input[value='project.transitioned']")
    submit(page, "#new-subscription form")
    sub = Subscription.objects.get()
    project = new_project(p)
    to_seeking_partners(p, project)
    staff_project(p, project)
    move(p.manager, project, "suspend")
    webhook_services.deliveries_sweep()  # nothing listens on port 9: a failed attempt, retried later
    page.reload()
    expect(page.locator("#delivery-table")).to_contain_text("project.transitioned")
    shot(page, "webhook-detail")
    page.goto(page.base_url + "/webhooks/")
    expect(page.locator("#subscription-table")).to_contain_text(sub.name)
    shot(page, "webhook-list")
    assert not page.js_errors

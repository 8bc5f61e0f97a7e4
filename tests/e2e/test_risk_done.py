"""Issue #6's "done when" in a real browser, from the risk register to the first tranche.

A librarian adopts domain templates into the project's register, scores one risk and plans its mitigation, and the
heat map draws it in its cell. Development is refused while the pre-assessment and the contract are missing; the
librarian fills the pre-assessment, the library's and the provider's managers sign it, both parties' managers sign
the contract, and the library's manager moves the project into development. The officer's release of a tranche
whose milestone is not accepted is refused with a message naming it; after accepting the milestone the tranche is
released. The risk's review falls due, and its owners find the reminder once in their notifications.

Steps without a page of their own go through the services, each marked so; the pages for those steps have their
own stories (opening a register: test_risk.py; drafting a contract: test_contracts.py; planning money:
test_funding.py). With RISK_DONE_SHOTS=<directory> the pages are saved as screenshots in Chinese and English.
"""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from alliance import services as alliance_services
from alliance.models import Contract, Project, Tranche
from alliance.services import funding
from notifications.models import Notification
from risk import domain_templates
from risk import services as risk_services
from risk.choices import RiskCategory
from risk.models import Mitigation, PreAssessment, Risk, RiskTemplate
from tests.alliance.contract_helpers import draft
from tests.alliance.flow import act, make_parties, new_project, staff_project, to_seeking_partners
from tests.alliance.funding_flow import grant
from tests.e2e.helpers import as_user, screenshots, submit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("RISK_DONE_SHOTS", "")


def _shot(page: Any, name: str) -> None:
    screenshots(page, SHOTS, f"risk-done-{name}")


def _zh(message: str) -> str:
    """What the page (in Chinese, the suite's default) says for this msgid."""
    with translation.override("zh-hans"):
        return gettext(message)


def _heat(page: Any) -> dict[str, Any]:
    result: dict[str, Any] = page.evaluate("() => JSON.parse(document.getElementById('heat-data').textContent)")
    return result


def _start_development(page: Any, project: Project) -> None:
    page.goto(f"{page.base_url}/alliances/projects/{project.pk}/")
    with page.expect_navigation():
        page.click("button[data-transition=start_development]")


def test_a_library_takes_a_project_from_its_risk_register_to_its_first_tranche(
    page, sign_in, library, enterprise, government, staff_manager, staff, partner, partner_manager
):
    domain_templates.install(RiskTemplate)
    p = make_parties(library, enterprise, government, staff_manager, staff, partner)
    project = new_project(p)
    to_seeking_partners(p, project)
    staff_project(p, project)
    # Service: opening the register has its own browser story (test_risk.py).
    register = risk_services.register_create(actor=act(staff_manager), alliance=p.alliance, project=project)

    # --- a librarian adopts three templates, owned by the provider --------------------------------------------
    as_user(page, sign_in, staff)
    page.goto(f"{page.base_url}/risk/registers/{register.pk}/")
    with page.expect_navigation():
        page.click("#adopt-link")
    _shot(page, "adopt")  # before choosing: a screenshot reloads the page
    chosen = [
        RiskTemplate.objects.filter(category=c).order_by("code").first() for c in ("security", "funding", "copyright")
    ]
    for template in chosen:
        assert template is not None
        page.check(f"#template-table input[value='{template.pk}']")
    page.select_option("#id_owner_organization", str(enterprise.pk))
    submit(page, "#adopt-form")
    expect(page.locator("#risk-table tbody tr")).to_have_count(3)
    risk = Risk.objects.get(register=register, category="security")

    # --- she scores the leak risk and plans its mitigation ---------------------------------------------------
    page.goto(f"{page.base_url}/risk/risks/{risk.pk}/")
    with page.expect_navigation():
        page.click("#edit-risk")
    page.select_option("#id_likelihood", "4")
    page.select_option("#id_impact", "5")
    page.select_option("#id_residual_likelihood", "2")
    page.select_option("#id_residual_impact", "4")
    submit(page, "#risk-form")
    risk.refresh_from_db()
    assert (risk.inherent_score, risk.residual_score) == (20, 8)
    page.click("#mitigations details > summary")
    page.fill("#mitigation_title", "读者数据加密与脱敏")
    page.select_option("#mitigation_owner_organization", str(enterprise.pk))
    page.fill("#mitigation_due_on", (timezone.localdate() + timedelta(days=30)).isoformat())
    submit(page, "#mitigation-form")
    mitigation = Mitigation.objects.get(risk=risk)
    expect(page.locator(f"#mitigation-{mitigation.pk}")).to_contain_text("读者数据加密与脱敏")
    _shot(page, "risk")

    # --- the heat map draws it: inherent 4 × 5, residual 2 × 4 ---------------------------------------------------
    page.goto(f"{page.base_url}/risk/registers/{register.pk}/")
    expect(page.locator(".risk-heatmap svg").first).to_be_visible()
    heat = _heat(page)
    assert heat["inherent"][3][4] == 1 and heat["residual"][1][3] == 1
    _shot(page, "heat-map")

    # --- development is refused while the pre-assessment and the contract are missing -----------------------------
    as_user(page, sign_in, staff_manager)
    _start_development(page, project)
    refusal = page.locator(".alert-danger")
    expect(refusal).to_contain_text(_zh("risk pre-assessment missing"))
    expect(refusal).to_contain_text(_zh("no contract of the project signed by every party"))
    assert Project.objects.get(pk=project.pk).status == "seeking_partners"
    _shot(page, "development-refused")

    # --- the pre-assessment: the librarian judges every category, both sides sign -------------------------------
    as_user(page, sign_in, staff)
    page.goto(f"{page.base_url}/risk/preassessments/")
    with page.expect_navigation():
        page.click(f"button[data-project='{project.pk}']")
    assessment = PreAssessment.objects.get(project=project)
    for n, category in enumerate(RiskCategory.values):
        page.click(f"#item-{category} details > summary")
        page.fill(f"#item_{category}_finding", f"已评估：{category}")
        page.select_option(f"#item_{category}_likelihood", str(1 + n % 3))
        page.select_option(f"#item_{category}_impact", "2")
        submit(page, f"#item-{category} form")
    as_user(page, sign_in, staff_manager)
    page.goto(f"{page.base_url}/risk/preassessments/{assessment.pk}/")
    submit(page, "#sign-library form")
    as_user(page, sign_in, partner_manager)
    page.goto(f"{page.base_url}/risk/preassessments/{assessment.pk}/")
    submit(page, "#sign-provider form")
    expect(page.locator("#gate")).to_have_class("alert alert-success small")
    assessment.refresh_from_db()
    assert assessment.status == "completed"
    _shot(page, "preassessment-signed")

    # --- the contract: drafted by the library (service: drafting has its own story), signed on its page by each
    # party's manager ----------------------------------------------------------------------------------------------
    contract = draft(p, project)
    for manager in (staff_manager, partner_manager):
        as_user(page, sign_in, manager)
        page.goto(f"{page.base_url}/alliances/contracts/{contract.pk}/")
        with page.expect_navigation():
            page.click("#contract-sign")
        expect(page.locator("#contract-sign")).to_have_count(0)
    assert Contract.objects.get(pk=contract.pk).status == "signed"
    _shot(page, "contract-signed")

    # --- the library's manager moves the project into development ---------------------------------------------------
    as_user(page, sign_in, staff_manager)
    _start_development(page, project)
    expect(page.locator(".alert-success")).to_be_visible()
    assert Project.objects.get(pk=project.pk).status == "in_development"
    _shot(page, "in-development")

    # --- money. Service: the grant, its allocation, the milestones and their tranches are planned as in
    # test_funding.py; the provider marks the first milestone done -------------------------------------------------
    source = grant(p)
    allocation = funding.allocation_create(actor=act(p.officer), source=source, project=project, amount=300000)
    today = timezone.localdate()
    installed = alliance_services.milestone_add(actor=act(staff), project=project, title="设备到货安装", due_on=today)
    accepted_later = alliance_services.milestone_add(
        actor=act(staff), project=project, title="读者测试与验收", due_on=today + timedelta(days=60)
    )
    first = funding.tranche_plan(actor=act(p.officer), allocation=allocation, milestone=installed, amount=180000)
    second = funding.tranche_plan(actor=act(p.officer), allocation=allocation, milestone=accepted_later, amount=120000)
    alliance_services.milestone_complete(actor=act(partner), milestone=installed)

    as_user(page, sign_in, p.officer)
    page.goto(f"{page.base_url}/alliances/funding/projects/{project.pk}/")
    for tranche, milestone in ((second, accepted_later), (first, installed)):  # neither milestone is accepted yet
        with page.expect_navigation():
            page.click(f"tr[data-tranche='{tranche.pk}'] button[data-action=release]")
        expect(page.locator(".alert-danger")).to_contain_text(milestone.title)
        assert Tranche.objects.get(pk=tranche.pk).status == "planned"
    with page.expect_navigation():
        page.click(f"li[data-milestone='{installed.pk}'] button[data-action=accept]")
    with page.expect_navigation():
        page.click(f"tr[data-tranche='{first.pk}'] button[data-action=release]")
    expect(page.locator(f"tr[data-tranche='{first.pk}'] .badge.text-bg-success")).to_be_visible()
    assert Tranche.objects.get(pk=first.pk).status == "released"
    assert Tranche.objects.get(pk=second.pk).status == "planned"
    _shot(page, "tranche-released")

    # --- the review falls due. Service: the sweeper is a beat task, run twice at the due time ------------------------
    risk.refresh_from_db()
    due = risk.next_review_at + timedelta(hours=1)
    risk_services.reviews_sweep(now=due)
    risk_services.reviews_sweep(now=due)
    reminders = Notification.objects.filter(event="risk.review.due", data__risk=risk.pk)
    # The risk is owned by the provider with no one named: each of its people is reminded, once.
    assert sorted(reminders.values_list("recipient_id", flat=True)) == sorted([partner.pk, partner_manager.pk])
    as_user(page, sign_in, partner)
    page.goto(f"{page.base_url}/notifications/")
    with translation.override("zh-hans"):
        title = gettext("Review the risk %(risk)s") % {"risk": risk.title}
    expect(page.locator("li.list-group-item", has_text=title)).to_have_count(1)
    _shot(page, "review-reminder")
    assert page.js_errors == []

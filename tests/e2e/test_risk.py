"""The risk register in a real browser: a library keeps a project's register and pre-assesses the project.

A library manager opens the project's register; a librarian adopts domain templates, scores one risk,
plans a mitigation for it and reviews it, and the heat map puts it in its cell. The librarian then fills the
pre-assessment of every category, a library manager signs it, and the provider's manager signs it in the
partner portal.

With RISK_SHOTS=<directory> every page visited is also saved as a screenshot in Chinese and English.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from risk import domain_templates
from risk.choices import RiskCategory
from risk.models import Mitigation, PreAssessment, Review, Risk, RiskRegister, RiskTemplate
from tests.alliance.flow import make_parties, new_project, staff_project, to_seeking_partners

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("RISK_SHOTS", "")


class Walk:
    def __init__(self, page: Any, sign_in: Any):
        self.page = page
        self.sign_in = sign_in
        self.base = page.base_url

    def as_user(self, user: Any) -> None:
        self.page.context.clear_cookies()
        self.sign_in(self.page, user)

    def go(self, path: str) -> None:
        self.page.goto(self.base + path)

    def submit(self, form: str) -> None:
        with self.page.expect_navigation():
            self.page.click(f"{form} button[type=submit]")

    def shot(self, name: str) -> None:
        if not SHOTS:
            return
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        context = self.page.context
        for lang in ("en", "zh-hans"):
            context.add_cookies([{"name": "django_language", "value": lang, "url": self.base}])
            self.page.reload()
            self.page.wait_for_load_state("networkidle")
            self.page.screenshot(path=f"{SHOTS}/risk-{name}-{lang}.png", full_page=True)
        context.add_cookies([{"name": "django_language", "value": "zh-hans", "url": self.base}])
        self.page.reload()


def _heat(page: Any) -> dict[str, Any]:
    result: dict[str, Any] = page.evaluate("() => JSON.parse(document.getElementById('heat-data').textContent)")
    return result


def test_a_library_keeps_a_project_register_and_both_sides_sign_the_pre_assessment(
    page, sign_in, library, enterprise, government, staff_manager, staff, partner, partner_manager
):
    domain_templates.install(RiskTemplate)
    p = make_parties(library, enterprise, government, staff_manager, staff, partner)
    project = new_project(p)
    to_seeking_partners(p, project)
    staff_project(p, project)
    w = Walk(page, sign_in)

    # A library manager opens the project's register.
    w.as_user(staff_manager)
    w.go("/risk/")
    with page.expect_navigation():
        page.click("#open-register")
    w.shot("register-create")
    page.select_option("#id_alliance", str(p.alliance.pk))
    page.select_option("#id_project", str(project.pk))
    w.submit("#register-form")
    register = RiskRegister.objects.get(project=project)
    assert page.url.endswith(f"/risk/registers/{register.pk}/")

    # A librarian adopts three templates, owned by the provider.
    w.as_user(staff)
    w.go(f"/risk/registers/{register.pk}/")
    with page.expect_navigation():
        page.click("#adopt-link")
    w.shot("adopt")
    chosen = list(RiskTemplate.objects.filter(category__in=["security", "funding", "technology"]).order_by("code")[:3])
    for template in chosen:
        page.check(f"#template-table input[value='{template.pk}']")
    page.select_option("#id_owner_organization", str(enterprise.pk))
    w.submit("#adopt-form")
    assert Risk.objects.filter(register=register).count() == 3
    expect(page.locator("#risk-table tbody tr")).to_have_count(3)

    # She scores one of them and plans a mitigation, owned by the provider.
    risk = Risk.objects.filter(register=register).order_by("id").first()
    assert risk is not None
    w.go(f"/risk/risks/{risk.pk}/")
    with page.expect_navigation():
        page.click("#edit-risk")
    w.shot("risk-edit")
    page.select_option("#id_likelihood", "4")
    page.select_option("#id_impact", "5")
    page.select_option("#id_residual_likelihood", "3")
    page.select_option("#id_residual_impact", "4")
    w.submit("#risk-form")
    risk.refresh_from_db()
    assert (risk.inherent_score, risk.residual_score) == (20, 12)

    page.click("#mitigations details > summary")
    page.fill("#mitigation_title", "读者数据加密与脱敏")
    page.select_option("#mitigation_owner_organization", str(enterprise.pk))
    page.fill("#mitigation_due_on", (timezone.localdate() + timedelta(days=30)).isoformat())
    w.submit("#mitigation-form")
    mitigation = Mitigation.objects.get(risk=risk)
    expect(page.locator(f"#mitigation-{mitigation.pk}")).to_contain_text("读者数据加密与脱敏")

    # Progress is reported in place (htmx), then the risk is reviewed with lower residual scores.
    page.fill(f"#progress_{mitigation.pk}_id_progress", "60")
    page.click(f"#mitigation-{mitigation.pk} button[name=update]")
    expect(page.locator(f"#mitigation-{mitigation.pk} .progress-bar")).to_have_text("60%")
    page.click("#reviews details > summary")
    page.select_option("#review_likelihood", "4")
    page.select_option("#review_impact", "5")
    page.select_option("#review_residual_likelihood", "2")
    page.select_option("#review_residual_impact", "4")
    page.fill("#review_notes", "加密上线后泄露可能性降低")
    w.submit("#review-form")
    w.shot("risk-detail")
    review = Review.objects.get(risk=risk)
    assert (review.residual_likelihood, review.residual_impact) == (2, 4)
    expect(page.locator("#risk-scores")).to_contain_text("(2 × 4)")

    # The register's heat map counts the risk in its cells: inherent 4×5, residual 2×4.
    w.go(f"/risk/registers/{register.pk}/")
    expect(page.locator(".risk-heatmap svg").first).to_be_visible()
    heat = _heat(page)
    live = Risk.objects.filter(register=register)
    assert heat["inherent"][3][4] == live.filter(likelihood=4, impact=5).count() >= 1
    assert heat["residual"][1][3] == live.filter(residual_likelihood=2, residual_impact=4).count() >= 1
    w.shot("register-detail")

    # The librarian starts and fills the pre-assessment of every category.
    w.go("/risk/preassessments/")
    with page.expect_navigation():
        page.click(f"button[data-project='{project.pk}']")
    assessment = PreAssessment.objects.get(project=project)
    for n, category in enumerate(RiskCategory.values):
        page.click(f"#item-{category} details > summary")
        page.fill(f"#item_{category}_finding", f"已评估：{category}")
        page.select_option(f"#item_{category}_likelihood", str(1 + n % 3))
        page.select_option(f"#item_{category}_impact", "2")
        w.submit(f"#item-{category} form")
    assert assessment.items.count() == len(RiskCategory.values)
    w.shot("preassessment-detail")

    # A library manager signs for the library.
    w.as_user(staff_manager)
    w.go(f"/risk/preassessments/{assessment.pk}/")
    w.submit("#sign-library form")
    assessment.refresh_from_db()
    assert assessment.library_signed_at is not None and assessment.status == "draft"

    # The provider's manager signs in the partner portal; the project may then enter development.
    w.as_user(partner_manager)
    w.go("/risk/")
    w.shot("register-list-partner")
    with page.expect_navigation():
        page.click("#preassessments-link")
    w.shot("preassessment-list")
    with page.expect_navigation():
        page.click(f"#assessment-table a[href$='/preassessments/{assessment.pk}/']")
    w.submit("#sign-provider form")
    assessment.refresh_from_db()
    assert assessment.status == "completed" and assessment.provider_signed_by == partner_manager
    expect(page.locator("#gate")).to_have_class("alert alert-success small")
    w.shot("preassessment-signed")
    assert page.js_errors == []


def test_a_refused_acceptance_is_explained_on_the_page(page, sign_in, library, enterprise, government,
                                                       staff_manager, staff, partner):  # fmt: skip
    from risk import services
    from tests.alliance.flow import act

    p = make_parties(library, enterprise, government, staff_manager, staff, partner)
    register = services.register_create(actor=act(staff_manager), alliance=p.alliance)
    risk = services.risk_create(
        actor=act(staff), register=register, category="funding", title="资金断档", likelihood=5, impact=4
    )
    w = Walk(page, sign_in)
    w.as_user(staff)
    w.go(f"/risk/risks/{risk.pk}/")
    page.click("#acceptances details > summary")
    page.fill("#acceptance_rationale", "可承受")
    w.submit("#acceptance-form")
    expect(page.locator("#acceptance-form .alert-danger")).to_be_visible()
    w.shot("acceptance-refused")
    assert not risk.acceptances.exists()

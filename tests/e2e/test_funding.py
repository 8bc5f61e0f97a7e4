"""Funding in a real browser: the government officer accepts a done milestone and releases its tranche; a
release on an unaccepted milestone is refused with a clear message on the page.

With FUNDING_SHOTS=<directory> the pages are also saved as screenshots in Chinese and English.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from alliance import services
from alliance.models import Milestone, Tranche
from alliance.services import funding
from tests import factories as f
from tests.alliance.flow import act, make_parties, new_project, pdf, to_development
from tests.e2e.helpers import screenshots

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("FUNDING_SHOTS", "")


def _shot(page: Any, name: str) -> None:
    screenshots(page, SHOTS, name)


def test_the_officer_accepts_a_done_milestone_and_releases_its_tranche(page: Any, sign_in: Any) -> None:
    library: Any = f.OrganizationFactory(kind="library", name_zh="浙江图书馆", name_en="Zhejiang Library")
    enterprise: Any = f.OrganizationFactory(kind="enterprise", name_zh="智图科技", name_en="Zhitu")
    government: Any = f.OrganizationFactory(kind="government", name_zh="浙江省文化和旅游厅", name_en="Zhejiang Culture")
    p = make_parties(
        library, enterprise, government, f.member_of(library, "manager"), f.member_of(library), f.member_of(enterprise)
    )
    project = new_project(p)
    to_development(p, project)
    today = timezone.localdate()
    source = funding.funding_source_create(
        actor=act(p.officer), alliance=p.alliance, organization=government, kind="government_grant",
        title="智慧图书馆专项资金", amount=1000000, starts_on=today, ends_on=today.replace(year=today.year + 1),
    )  # fmt: skip
    allocation = funding.allocation_create(actor=act(p.officer), source=source, project=project, amount=300000)
    done = services.milestone_add(actor=act(p.librarian), project=project, title="设备到货安装", due_on=today)
    later = services.milestone_add(actor=act(p.librarian), project=project, title="读者测试与验收", due_on=today)
    first = funding.tranche_plan(actor=act(p.officer), allocation=allocation, milestone=done, amount=180000)
    second = funding.tranche_plan(actor=act(p.officer), allocation=allocation, milestone=later, amount=120000)
    services.milestone_complete(actor=act(p.supplier), milestone=done)

    sign_in(page, p.officer)
    page.goto(f"{page.base_url}/alliances/funding/projects/{project.pk}/")
    _shot(page, "funding-project-before")

    # A release on the milestone nobody has accepted (or even finished) is refused, saying why.
    with page.expect_navigation():
        page.click(f"tr[data-tranche='{second.pk}'] button[data-action=release]")
    expect(page.locator(".alert-danger")).to_contain_text("读者测试与验收")
    assert Tranche.objects.get(pk=second.pk).status == "planned"

    # The officer accepts the done milestone, then releases its tranche.
    with page.expect_navigation():
        page.click(f"li[data-milestone='{done.pk}'] button[data-action=accept]")
    expect(page.locator(".alert-success")).to_be_visible()
    assert Milestone.objects.get(pk=done.pk).accepted_by == p.officer
    with page.expect_navigation():
        page.click(f"tr[data-tranche='{first.pk}'] button[data-action=release]")
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.locator(f"tr[data-tranche='{first.pk}'] .badge.text-bg-success")).to_be_visible()
    assert Tranche.objects.get(pk=first.pk).status == "released"

    funding.expenditure_record(
        actor=act(p.supplier), allocation=allocation, amount=60000, category="equipment", spent_on=today,
        receipt=pdf(), description="RFID 自助借还机",
    )  # fmt: skip
    page.goto(f"{page.base_url}/alliances/funding/projects/{project.pk}/")
    expect(page.locator("#burn-down-chart svg")).to_be_visible()
    _shot(page, "funding-project-after")
    page.goto(f"{page.base_url}/alliances/funding/")
    expect(page.locator("#burn-down-chart svg")).to_be_visible()
    _shot(page, "funding-overview")
    assert page.js_errors == []

"""Agreements in a real browser: library staff draft a contract with three parties, each party's manager signs
it from their own portal, and an IP asset whose shares do not add up to 100 % is refused on the form, then fixed.

With CONTRACT_SHOTS=<directory> the pages are also saved as screenshots in Chinese and English.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from alliance import services
from alliance.models import Contract, IPAsset
from tests import factories as f
from tests.alliance.flow import act, make_parties, new_project
from tests.e2e.helpers import as_user, screenshots

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("CONTRACT_SHOTS", "")


def _shot(page: Any, name: str) -> None:
    screenshots(page, SHOTS, name)


def test_a_contract_is_drafted_signed_by_each_party_and_an_ip_asset_needs_shares_of_100(
    page: Any, sign_in: Any
) -> None:
    library: Any = f.OrganizationFactory(kind="library", name_zh="浙江图书馆", name_en="Zhejiang Library")
    enterprise: Any = f.OrganizationFactory(kind="enterprise", name_zh="智图科技", name_en="Zhitu")
    government: Any = f.OrganizationFactory(kind="government", name_zh="浙江省文化和旅游厅", name_en="Zhejiang Culture")
    p = make_parties(
        library, enterprise, government, f.member_of(library, "manager"), f.member_of(library), f.member_of(enterprise)
    )
    enterprise_manager = f.member_of(enterprise, "manager")
    project = new_project(p)
    services.deliverable_create(actor=act(p.librarian), project=project, title="自助借还系统")
    today = timezone.localdate()

    # Library staff draft the contract from the contract list.
    as_user(page, sign_in, p.librarian)
    page.goto(page.base_url + "/alliances/contracts/")
    page.click("#contract-new")
    page.fill("#id_title", "RFID 自助借还系统开发合同")
    page.select_option("#id_project", str(project.pk))
    page.fill("#id_terms", "交付 8 台自助借还机并培训馆员")
    page.fill("#id_value", "480000")
    page.fill("#id_starts_on", today.isoformat())
    page.fill("#id_ends_on", (today + timedelta(days=180)).isoformat())
    page.fill("textarea[name=party-0-obligations]", "组织读者测试与验收")
    page.select_option("select[name=party-1-organization]", str(enterprise.pk))
    page.select_option("select[name=party-1-role]", "provider")
    page.fill("textarea[name=party-1-obligations]", "开发、交付并整改")
    page.select_option("select[name=party-2-organization]", str(p.university.pk))
    page.select_option("select[name=party-2-role]", "assistant")
    page.click("#contract-save")
    page.wait_for_url("**/alliances/contracts/*/")
    contract = Contract.objects.get()
    assert contract.parties.count() == 3
    expect(page.locator("#contract-parties li")).to_have_count(3)

    # Each party's manager signs in their own portal, finding the contract in their list.
    for manager in (p.manager, enterprise_manager, p.professor):
        as_user(page, sign_in, manager)
        page.goto(page.base_url + "/alliances/contracts/")
        expect(page.locator("#contracts-to-sign")).to_be_visible()
        page.click(f"a[href='/alliances/contracts/{contract.pk}/']")
        page.click("#contract-sign")
        page.wait_for_load_state("networkidle")
        expect(page.locator("#contract-sign")).to_have_count(0)
    contract.refresh_from_db()
    assert contract.status == "signed"
    assert all(party.signed_by_id for party in contract.parties.all())
    _shot(page, "contract-detail")

    # The IP asset: 60 + 30 is refused on the form and nothing is written; 60 + 40 is saved.
    as_user(page, sign_in, p.librarian)
    page.goto(page.base_url + f"/alliances/projects/{project.pk}/")
    page.click("#project-ip-link")
    page.click("#ip-asset-new")
    page.fill("#id_title", "借还系统源代码")
    page.select_option("#id_kind", "software")
    page.fill("#id_licence", "联盟成员免费使用，商用须另行授权")
    page.check("#id_third_party_cleared")
    page.select_option("select[name=share-0-organization]", str(library.pk))
    page.fill("input[name=share-0-percent]", "60")
    page.select_option("select[name=share-1-organization]", str(enterprise.pk))
    page.fill("input[name=share-1-percent]", "30")
    page.click("#ip-asset-save")
    expect(page.locator("#ip-asset-form .alert-danger")).to_contain_text("90%")
    assert not IPAsset.objects.exists()
    page.fill("input[name=share-1-percent]", "40")
    page.click("#ip-asset-save")
    page.wait_for_url(f"**/alliances/projects/{project.pk}/ip/")
    expect(page.locator(".ip-asset")).to_contain_text("借还系统源代码")
    assert sorted(int(s.percent) for s in IPAsset.objects.get().shares.all()) == [40, 60]
    _shot(page, "ip-page")

    if SHOTS:
        page.goto(page.base_url + "/alliances/contracts/new/")
        page.select_option("select[name=party-1-organization]", str(enterprise.pk))
        page.fill("input[name=party-1-obligations], textarea[name=party-1-obligations]", "开发、交付并整改")
        page.click("#contract-save")  # an incomplete form: its errors are what the screenshot shows
        _shot_current(page, "contract-form-errors")
        page.goto(page.base_url + f"/alliances/contracts/{contract.pk}/edit/")
        _shot(page, "contract-form")
        page.goto(page.base_url + f"/org/{enterprise.pk}/")
        _shot(page, "org-credibility")
    # A refused form answers 400 (the browser logs it); anything else in the console is a real error.
    errors = [e for e in page.js_errors if "status of 400" not in e]
    assert not errors, errors


def _shot_current(page: Any, name: str) -> None:
    Path(SHOTS).mkdir(parents=True, exist_ok=True)
    page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)

"""The stakeholder UI in a real browser: sign-in, dashboard, directory search, organisation page, htmx role change."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from stakeholders.models import Membership
from tests import factories as f

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_sign_in_dashboard_search_and_organisation_page_in_both_languages(page, sign_in, library, enterprise, staff):
    f.CapabilityFactory(organization=enterprise, title_zh="智能书架", title_en="Smart shelf")
    sign_in(page, staff)
    assert page.locator("h1").first.inner_text() == "仪表盘"
    # The chart is drawn by static JS from json_script data (CSP allows no inline script).
    page.wait_for_selector(".chart svg")

    page.click("nav .dropdown:has(a[href='/org/']) > .dropdown-toggle")  # the organisations dropdown
    page.click("nav >> text=机构名录")
    page.wait_for_url("**/org/")
    page.fill("#id_q", "智图")
    expect(page.locator("#organization-table tbody tr")).to_have_count(1)
    assert "q=" in page.url  # htmx pushed the filter into the address
    page.click("#organization-table >> text=智图科技有限公司")
    page.wait_for_selector("#capabilities")
    assert "智能书架" in page.inner_text("#capabilities")

    page.click("#language-form button")  # the header's language switch
    page.wait_for_selector("html[lang=en]")
    assert page.locator("h1").first.inner_text().startswith("Zhitu Technology")
    assert "Smart shelf" in page.inner_text("#capabilities")
    page.click("nav .dropdown:has(a[href='/org/']) > .dropdown-toggle")
    page.click("nav >> text=Directory")
    assert page.locator("h1").first.inner_text() == "Organisation directory"
    assert page.js_errors == []


def test_manager_changes_a_members_role_in_place(page, sign_in, enterprise, partner, partner_manager):
    membership = Membership.objects.get(user=partner, organization=enterprise)
    sign_in(page, partner_manager)
    page.goto(f"{page.base_url}/org/{enterprise.pk}/")
    row = f"#membership-{membership.pk}"
    page.select_option(f"{row} select[name=role]", "observer")
    page.wait_for_selector(f"{row} [role=status]")
    membership.refresh_from_db()
    assert membership.role == "observer"
    assert page.url.endswith(f"/org/{enterprise.pk}/")  # no full page load
    assert page.js_errors == []


def test_reader_signs_up_with_a_library_card_and_sees_it_masked(page, library):
    page.goto(page.base_url + "/")
    page.click("nav >> text=读者注册")
    page.fill("#id_username", "duzhe-e2e")
    page.fill("#id_email", "duzhe-e2e@example.org")
    page.fill("#id_password1", "Long-enough-pass-42")
    page.fill("#id_password2", "Long-enough-pass-42")
    page.select_option("#id_home_library", str(library.pk))
    page.fill("#id_card_number", "ZJ-0098765")
    page.check("#id_consent_trials")
    page.check("#id_accept_terms")
    page.click("form.gj-form button[type=submit]")
    page.wait_for_url("**/dashboard/")
    assert "******8765" in page.inner_text("main")
    assert "ZJ-0098765" not in page.content()
    assert page.js_errors == []

"""Funding pages: who sees them, the buttons that accept and release, refusals shown on the page, exports,
pinned query counts, and the demo's funding."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from alliance.models import Expenditure, FinancialReport, FundingSource, Milestone, Tranche
from alliance.services import funding
from stakeholders.access import build_actor
from tests.alliance.flow import act, pdf
from tests.alliance.funding_flow import funded, released

pytestmark = pytest.mark.django_db


def browser(user=None) -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        c.force_login(user)
    return c


def page(w):
    return f"/alliances/funding/projects/{w.project.pk}/"


def test_the_project_funding_page_is_for_its_parties_and_funder_only(p, outsider):
    w = released(p)
    assert browser().get(page(w)).status_code == 302
    assert browser(outsider).get(page(w)).status_code == 404
    for user in (p.officer, p.manager, p.librarian, p.supplier, p.professor):
        response = browser(user).get(page(w))
        assert response.status_code == 200, user
        assert "设备到货安装" in response.content.decode()
    assert 'data-action="release"' not in browser(p.manager).get(page(w)).content.decode()


def test_the_overview_lists_sources_to_the_funder_and_library_and_projects_to_participants(p, outsider):
    w = released(p)
    for user in (p.officer, p.manager):
        body = browser(user).get("/alliances/funding/").content.decode()
        assert w.source.title in body and w.project.title in body and "burn-down-data" in body
    supplier = browser(p.supplier).get("/alliances/funding/").content.decode()
    assert w.project.title in supplier and w.source.title not in supplier.split('id="sources"')[1]
    stranger = browser(outsider).get("/alliances/funding/").content.decode()
    assert w.project.title not in stranger


def test_the_officer_accepts_and_releases_from_the_page_and_a_refusal_is_shown(p):
    w = funded(p)
    response = browser(p.officer).post(f"/alliances/funding/tranches/{w.tranche.pk}/release/", follow=True)
    assert "not accepted yet" in response.content.decode()
    assert Tranche.objects.get(pk=w.tranche.pk).status == "planned"
    browser(p.officer).post(f"/alliances/funding/milestones/{w.milestone.pk}/accept/")
    assert Milestone.objects.get(pk=w.milestone.pk).accepted_at is not None
    response = browser(p.officer).post(f"/alliances/funding/tranches/{w.tranche.pk}/release/", follow=True)
    assert "The tranche is released." in response.content.decode()
    assert Tranche.objects.get(pk=w.tranche.pk).status == "released"


def test_pages_refuse_what_the_services_refuse(p, outsider):
    w = funded(p)
    assert browser(outsider).post(f"/alliances/funding/milestones/{w.milestone.pk}/accept/").status_code == 404
    browser(p.manager).post(f"/alliances/funding/milestones/{w.milestone.pk}/accept/")
    assert Milestone.objects.get(pk=w.milestone.pk).accepted_at is None
    browser(p.supplier).post(
        f"/alliances/funding/allocations/{w.allocation.pk}/expenditures/",
        {"amount": "1", "category": "other", "spent_on": timezone.localdate().isoformat(), "receipt": pdf()},
    )
    assert not Expenditure.objects.exists()  # nothing released yet
    report = FinancialReport.objects.get(allocation=w.allocation)
    browser(p.supplier).post(f"/alliances/funding/reports/{report.pk}/submit/", {"summary": "s"})
    assert FinancialReport.objects.get(pk=report.pk).submitted_at is None


def test_spending_sources_allocations_tranches_and_reports_are_written_from_the_pages(p):
    w = released(p)
    browser(p.supplier).post(
        f"/alliances/funding/allocations/{w.allocation.pk}/expenditures/",
        {"amount": "500", "category": "equipment", "spent_on": timezone.localdate().isoformat(), "receipt": pdf()},
    )
    assert Expenditure.objects.get().amount == 500
    report = FinancialReport.objects.get(allocation=w.allocation)
    browser(p.librarian).post(f"/alliances/funding/reports/{report.pk}/submit/", {"summary": "按计划"})
    assert FinancialReport.objects.get(pk=report.pk).submitted_at is not None
    today = timezone.localdate().isoformat()
    browser(p.officer).post(
        "/alliances/funding/sources/new/",
        {"alliance": p.alliance.pk, "organization": p.government.pk, "kind": "government_grant", "title": "二期",
         "amount": "1000", "starts_on": today, "ends_on": today},
    )  # fmt: skip
    second = FundingSource.objects.get(title="二期")
    browser(p.officer).post(
        "/alliances/funding/allocations/new/",
        {"source": second.pk, "project": w.project.pk, "amount": "1000", "report_cadence": "monthly"},
    )
    allocation = second.allocations.get()
    browser(p.officer).post(
        f"/alliances/funding/allocations/{allocation.pk}/tranches/", {"milestone": w.milestone.pk, "amount": "1000"}
    )
    assert allocation.tranches.count() == 1


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_burn_down_and_spending_export(p, fmt):
    w = released(p)
    funding.expenditure_record(
        actor=act(p.supplier), allocation=w.allocation, amount=1234, category="equipment",
        spent_on=timezone.localdate(), receipt=pdf(), description="借还机",
    )  # fmt: skip
    for table, name in (("", "burn-down"), ("expenditures", "expenditures")):
        response = browser(p.manager).get(page(w), {"export": fmt, "table": table})
        assert response.status_code == 200
        assert name in response["Content-Disposition"]
        if fmt == "csv":
            assert "1234" in response.content.decode("utf-8-sig")


def test_funding_pages_cost_the_same_queries_for_few_and_many_rows(p, count_queries):
    w = released(p)

    def spend(n):
        for _ in range(n):
            funding.expenditure_record(
                actor=act(p.supplier), allocation=w.allocation, amount=1, category="other",
                spent_on=timezone.localdate(), receipt=pdf(),
            )  # fmt: skip

    spend(2)
    client = browser(p.officer)
    with count_queries() as few_page:
        client.get(page(w))
    with count_queries() as few_overview:
        client.get("/alliances/funding/")
    spend(8)
    funded(p)
    with count_queries() as many_page:
        client.get(page(w))
    with count_queries() as many_overview:
        client.get("/alliances/funding/")
    assert len(few_page) == len(many_page), [q["sql"] for q in many_page.captured_queries]
    assert len(few_overview) == len(many_overview), [q["sql"] for q in many_overview.captured_queries]


def test_the_demo_funds_both_projects_with_a_released_tranche_and_a_report_due():
    call_command("seed_demo", "--once", stdout=StringIO())
    User = get_user_model()
    officer = build_actor(User.objects.get(username="zjwl-officer"))
    source = FundingSource.objects.get(kind="government_grant")
    assert source.organization == officer.organization
    assert source.allocations.count() == 2
    assert Tranche.objects.filter(status="released").count() == 2
    assert Expenditure.objects.count() == 5
    owed = FinancialReport.objects.filter(submitted_at__isnull=True)
    assert owed.count() == 2 and all(r.due_on >= timezone.localdate() for r in owed)
    # A done milestone waits for the officer to accept it, so its tranche can be released in the demo.
    assert Milestone.objects.filter(done_at__isnull=False, accepted_at__isnull=True, tranches__isnull=False).exists()
    assert funding.may_accept_milestones(officer, source.allocations.first().project)

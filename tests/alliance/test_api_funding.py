"""The funding API, role by role: anonymous (401), unrelated (404 / absent), member (403 on managers' writes),
manager (allowed); the same rules as the services, with the refusal messages; pinned query counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from alliance import services
from alliance.models import Allocation, Expenditure, FinancialReport, FundingSource, Milestone, Tranche
from alliance.services import funding
from tests import factories as f
from tests.alliance.api_helpers import assert_error, client, created, ids, ok, pdf_upload
from tests.alliance.flow import act, new_project, pdf
from tests.alliance.funding_flow import funded, grant, released
from tests.permissions import covers

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


@pytest.fixture
def gov_member(p):
    return f.member_of(p.government, "member")


# --- funding sources ------------------------------------------------------------------------------------------


@covers("GET /api/v1/funding-sources/", "anonymous", "unrelated", "member", "manager")
@covers("GET /api/v1/funding-sources/{id}/", "anonymous", "unrelated", "member", "manager")
def test_a_source_is_seen_by_its_funder_and_the_alliances_library(p, outsider, gov_member):
    source = grant(p)
    path = f"/api/v1/funding-sources/{source.pk}/"
    assert_error(client().get("/api/v1/funding-sources/"), 401)
    assert_error(client().get(path), 401)
    assert ids(client(outsider).get("/api/v1/funding-sources/")) == set()
    assert_error(client(outsider).get(path), 404)
    assert_error(client(p.supplier).get(path), 404)
    for user in (gov_member, p.officer, p.librarian, p.manager):
        assert ids(client(user).get("/api/v1/funding-sources/")) == {source.pk}
        body = ok(client(user).get(path))
        assert (body["amount"], body["currency"], body["allocated"]) == ("1000000.00", "CNY", "0.00")


@covers("POST /api/v1/funding-sources/", "anonymous", "unrelated", "member", "manager")
def test_the_funders_managers_record_a_source(p, outsider, gov_member):
    body = {
        "alliance": p.alliance.pk, "organization": p.government.pk, "kind": "government_grant", "title": "专项资金",
        "amount": "500000", "starts_on": "2027-01-01", "ends_on": "2027-12-31",
    }  # fmt: skip
    assert_error(client().post("/api/v1/funding-sources/", body), 401)
    assert_error(client(outsider).post("/api/v1/funding-sources/", body), 400, field="alliance")
    assert_error(client(gov_member).post("/api/v1/funding-sources/", body), 403)
    assert not FundingSource.objects.exists()
    assert_error(client(p.officer).post("/api/v1/funding-sources/", {**body, "kind": "library_budget"}), 400)
    assert_error(client(p.officer).post("/api/v1/funding-sources/", {**body, "amount": "-1"}), 400, field="amount")
    made = created(client(p.officer).post("/api/v1/funding-sources/", body))
    assert (made["organization"]["id"], made["amount"]) == (p.government.pk, "500000.00")


# --- allocations ----------------------------------------------------------------------------------------------


@covers("GET /api/v1/funding-allocations/", "anonymous", "unrelated", "member", "manager")
@covers("GET /api/v1/funding-allocations/{id}/", "anonymous", "unrelated", "member", "manager")
def test_an_allocation_is_seen_by_funder_library_and_the_projects_participants(p, outsider, gov_member):
    w = released(p)
    path = f"/api/v1/funding-allocations/{w.allocation.pk}/"
    assert_error(client().get("/api/v1/funding-allocations/"), 401)
    assert_error(client().get(path), 401)
    assert ids(client(outsider).get("/api/v1/funding-allocations/")) == set()
    assert_error(client(outsider).get(path), 404)
    for user in (gov_member, p.officer, p.librarian, p.manager, p.supplier, p.professor):
        assert ids(client(user).get("/api/v1/funding-allocations/", {"project": w.project.pk})) == {w.allocation.pk}
        body = ok(client(user).get(path))
        assert (body["amount"], body["planned"], body["released"], body["spent"]) == (
            "300000.00", "100000.00", "100000.00", "0.00",
        )  # fmt: skip


@covers("POST /api/v1/funding-allocations/", "anonymous", "unrelated", "member", "manager")
def test_the_funders_managers_allocate_within_the_source(p, outsider, gov_member):
    source = grant(p, amount=400000)
    project = new_project(p)
    body = {"source": source.pk, "project": project.pk, "amount": "300000", "report_cadence": "monthly"}
    assert_error(client().post("/api/v1/funding-allocations/", body), 401)
    assert_error(client(outsider).post("/api/v1/funding-allocations/", body), 400, field="source")
    assert_error(client(gov_member).post("/api/v1/funding-allocations/", body), 403)
    assert_error(client(p.manager).post("/api/v1/funding-allocations/", body), 403)
    assert not Allocation.objects.exists()
    made = created(client(p.officer).post("/api/v1/funding-allocations/", body))
    assert (made["amount"], made["report_cadence"]) == ("300000.00", "monthly")
    other = new_project(p)
    refused = assert_error(
        client(p.officer).post("/api/v1/funding-allocations/", {**body, "project": other.pk}),
        409,
        code="over_allocated",
    )
    assert "left to allocate" in refused["message"]
    assert Allocation.objects.count() == 1


# --- milestones and tranches ----------------------------------------------------------------------------------


@covers("POST /api/v1/milestones/{id}/accept/", "anonymous", "unrelated", "member", "manager")
def test_the_funders_managers_accept_a_done_milestone(p, outsider, gov_member):
    w = funded(p, done=False)
    path = f"/api/v1/milestones/{w.milestone.pk}/accept/"
    assert_error(client().post(path), 401)
    assert_error(client(outsider).post(path), 404)
    assert_error(client(gov_member).post(path), 403)
    assert_error(client(p.manager).post(path), 403)
    refused = assert_error(client(p.officer).post(path), 409, code="milestone_not_done")
    assert "not done yet" in refused["message"]
    services.milestone_complete(actor=act(p.supplier), milestone=w.milestone)
    assert ok(client(p.officer).post(path))["accepted_at"]
    assert Milestone.objects.get(pk=w.milestone.pk).accepted_by == p.officer


@covers("GET /api/v1/tranches/", "anonymous", "unrelated", "member", "manager")
@covers("GET /api/v1/tranches/{id}/", "anonymous", "unrelated", "member", "manager")
def test_tranches_are_seen_with_the_allocation(p, outsider, gov_member):
    w = funded(p)
    path = f"/api/v1/tranches/{w.tranche.pk}/"
    assert_error(client().get("/api/v1/tranches/"), 401)
    assert_error(client().get(path), 401)
    assert ids(client(outsider).get("/api/v1/tranches/")) == set()
    assert_error(client(outsider).get(path), 404)
    for user in (gov_member, p.officer, p.librarian, p.supplier):
        assert ids(client(user).get("/api/v1/tranches/")) == {w.tranche.pk}
        body = ok(client(user).get(path))
        assert (body["status"], body["milestone_title"], body["milestone_accepted_at"]) == (
            "planned",
            "设备到货安装",
            None,
        )


@covers("POST /api/v1/tranches/", "anonymous", "unrelated", "member", "manager")
def test_the_funders_managers_plan_tranches_within_the_allocation(p, outsider, gov_member):
    w = funded(p)
    body = {"allocation": w.allocation.pk, "milestone": w.milestone.pk, "amount": "150000"}
    assert_error(client().post("/api/v1/tranches/", body), 401)
    assert_error(client(outsider).post("/api/v1/tranches/", body), 400, field="allocation")
    assert_error(client(gov_member).post("/api/v1/tranches/", body), 403)
    assert_error(client(p.librarian).post("/api/v1/tranches/", body), 403)
    assert Tranche.objects.count() == 1
    assert created(client(p.officer).post("/api/v1/tranches/", body))["status"] == "planned"
    assert_error(
        client(p.officer).post("/api/v1/tranches/", {**body, "amount": "50000.01"}), 409, code="over_allocated"
    )


@covers("POST /api/v1/tranches/{id}/release/", "anonymous", "unrelated", "member", "manager")
def test_the_funders_managers_release_a_tranche_on_an_accepted_milestone_once(p, outsider, gov_member):
    w = funded(p)
    path = f"/api/v1/tranches/{w.tranche.pk}/release/"
    assert_error(client().post(path), 401)
    assert_error(client(outsider).post(path), 404)
    assert_error(client(gov_member).post(path), 403)
    assert_error(client(p.manager).post(path), 403)
    refused = assert_error(client(p.officer).post(path), 409, code="milestone_not_accepted")
    assert "设备到货安装" in refused["message"] and "not accepted yet" in refused["message"]
    assert Tranche.objects.get(pk=w.tranche.pk).status == "planned"
    ok(client(p.officer).post(f"/api/v1/milestones/{w.milestone.pk}/accept/"))
    body = ok(client(p.officer).post(path))
    assert (body["status"], body["released_by"]["id"]) == ("released", p.officer.pk)
    again = ok(client(p.officer).post(path))
    assert again["released_at"] == body["released_at"]


# --- spending ---------------------------------------------------------------------------------------------------


@covers("GET /api/v1/expenditures/", "anonymous", "unrelated", "member", "manager")
@covers("GET /api/v1/expenditures/{id}/", "anonymous", "unrelated", "member", "manager")
def test_spending_is_seen_by_the_projects_parties_and_the_funder(p, outsider, gov_member):
    w = released(p)
    spent = funding.expenditure_record(
        actor=act(p.supplier), allocation=w.allocation, amount=1000, category="equipment", spent_on=TODAY(),
        receipt=pdf(),
    )  # fmt: skip
    path = f"/api/v1/expenditures/{spent.pk}/"
    assert_error(client().get("/api/v1/expenditures/"), 401)
    assert_error(client().get(path), 401)
    assert ids(client(outsider).get("/api/v1/expenditures/")) == set()
    assert_error(client(outsider).get(path), 404)
    for user in (gov_member, p.officer, p.librarian, p.manager, p.supplier):
        assert ids(client(user).get("/api/v1/expenditures/")) == {spent.pk}
        body = ok(client(user).get(path))
        assert (body["amount"], body["has_receipt"], body["organization"]["id"]) == ("1000.00", True, p.enterprise.pk)


@covers("POST /api/v1/expenditures/", "anonymous", "unrelated", "member", "manager")
def test_the_library_or_provider_records_spending_with_a_checked_receipt(p, outsider, partner_manager):
    w = released(p)

    def body(**extra):
        return {
            "allocation": w.allocation.pk, "amount": "60000", "category": "equipment",
            "spent_on": TODAY().isoformat(), "receipt": pdf_upload("invoice.pdf"), **extra,
        }  # fmt: skip

    assert_error(client().post("/api/v1/expenditures/", body(), format="multipart"), 401)
    assert_error(client(outsider).post("/api/v1/expenditures/", body(), format="multipart"), 400, field="allocation")
    assert_error(client(p.professor).post("/api/v1/expenditures/", body(), format="multipart"), 403)
    fake = SimpleUploadedFile("r.pdf", b"GIF89a not a pdf", content_type="application/pdf")
    assert_error(client(p.supplier).post("/api/v1/expenditures/", body(receipt=fake), format="multipart"), 400)
    assert not Expenditure.objects.exists()
    assert created(client(p.supplier).post("/api/v1/expenditures/", body(), format="multipart"))["amount"] == "60000.00"
    assert created(client(partner_manager).post("/api/v1/expenditures/", body(amount="30000"), format="multipart"))
    assert created(client(p.librarian).post("/api/v1/expenditures/", body(amount="10000"), format="multipart"))
    over = client(p.manager).post("/api/v1/expenditures/", body(amount="0.01"), format="multipart")
    assert "unspent" in assert_error(over, 409, code="over_released")["message"]
    assert Expenditure.objects.count() == 3


# --- reports -------------------------------------------------------------------------------------------------------


@covers("GET /api/v1/financial-reports/", "anonymous", "unrelated", "member", "manager")
@covers("GET /api/v1/financial-reports/{id}/", "anonymous", "unrelated", "member", "manager")
def test_reports_are_seen_with_the_allocation(p, outsider, gov_member):
    w = funded(p)
    report = FinancialReport.objects.get(allocation=w.allocation)
    path = f"/api/v1/financial-reports/{report.pk}/"
    assert_error(client().get("/api/v1/financial-reports/"), 401)
    assert_error(client().get(path), 401)
    assert ids(client(outsider).get("/api/v1/financial-reports/")) == set()
    assert_error(client(outsider).get(path), 404)
    for user in (gov_member, p.officer, p.librarian, p.manager):
        assert ids(client(user).get("/api/v1/financial-reports/")) == {report.pk}
        assert ok(client(user).get(path))["organization"]["id"] == p.library.pk


@covers("POST /api/v1/financial-reports/{id}/submit/", "anonymous", "unrelated", "member", "manager")
def test_the_lead_library_submits_its_report(p, outsider):
    w = funded(p)
    report = FinancialReport.objects.get(allocation=w.allocation)
    path = f"/api/v1/financial-reports/{report.pk}/submit/"
    assert_error(client().post(path, {"summary": "s"}), 401)
    assert_error(client(outsider).post(path, {"summary": "s"}), 404)
    assert_error(client(p.supplier).post(path, {"summary": "s"}), 403)
    assert_error(client(p.librarian).post(path, {"summary": ""}), 400, field="summary")
    assert FinancialReport.objects.get(pk=report.pk).submitted_at is None
    assert ok(client(p.librarian).post(path, {"summary": "本季度按计划支出"}))["submitted_at"]
    assert_error(client(p.manager).post(path, {"summary": "again"}), 409)
    assert FinancialReport.objects.filter(allocation=w.allocation).count() == 2  # the next period is owed


# --- burn-down --------------------------------------------------------------------------------------------------


@covers("GET /api/v1/funding-burn-down/", "anonymous", "unrelated", "member", "manager")
def test_the_burn_down_of_a_project_and_of_an_alliance(p, outsider, gov_member):
    w = released(p)
    funding.expenditure_record(
        actor=act(p.supplier), allocation=w.allocation, amount=25000, category="services",
        spent_on=TODAY() - timedelta(days=2), receipt=pdf(),
    )  # fmt: skip
    path = "/api/v1/funding-burn-down/"
    assert_error(client().get(path, {"project": w.project.pk}), 401)
    assert_error(client(outsider).get(path, {"project": w.project.pk}), 404)
    assert_error(client(outsider).get(path, {"alliance": p.alliance.pk}), 404)
    assert_error(client(p.manager).get(path), 400)
    assert_error(client(p.manager).get(path, {"project": "x"}), 404)
    for user in (gov_member, p.officer, p.manager, p.supplier):
        body = ok(client(user).get(path, {"project": w.project.pk}))
        assert (body["spent"][-1], body["released"][-1], body["remaining"][-1]) == (
            "25000.00",
            "100000.00",
            "275000.00",
        )
    body = ok(client(p.manager).get(path, {"alliance": p.alliance.pk}))
    assert body["allocated"][-1] == "300000.00"


# --- query counts ---------------------------------------------------------------------------------------------


def _add_funded_rows(p, n: int) -> None:
    for _ in range(n):
        w = funded(p, accepted=True)
        funding.tranche_release(actor=act(p.officer), tranche=w.tranche)
        funding.expenditure_record(
            actor=act(p.supplier), allocation=w.allocation, amount=10, category="other", spent_on=TODAY(),
            receipt=pdf(),
        )  # fmt: skip


LISTS = {
    "/api/v1/funding-sources/": 4,
    "/api/v1/funding-allocations/": 4,
    "/api/v1/tranches/": 4,
    "/api/v1/expenditures/": 4,
    "/api/v1/financial-reports/": 4,
}


@pytest.mark.parametrize("path", sorted(LISTS))
def test_funding_list_query_counts_are_pinned_for_2_and_10_rows(p, count_queries, path):
    _add_funded_rows(p, 2)
    with count_queries() as few:
        first = client(p.officer).get(path, {"page_size": 50})
    _add_funded_rows(p, 8)
    with count_queries() as many:
        second = client(p.officer).get(path, {"page_size": 50})
    assert first.status_code == second.status_code == 200, second.content
    assert second.json()["count"] > first.json()["count"] >= 2
    assert len(few) == len(many) == LISTS[path], [q["sql"] for q in many.captured_queries]

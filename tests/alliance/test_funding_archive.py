"""Funding rows are archived, never deleted: sources and allocations through the API and the pages, role by role;
receipts are downloaded only by those who see the allocation, always as a named attachment; pinned query counts."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from alliance.models import Allocation, FinancialReport, FundingSource, Tranche
from alliance.services import funding
from tests import factories as f
from tests.alliance.api_helpers import assert_error, client, ids, ok
from tests.alliance.flow import PDF, act, new_project, pdf
from tests.alliance.funding_flow import funded, grant, released
from tests.permissions import covers

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def gov_member(p):
    return f.member_of(p.government, "member")


def browser(user=None) -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        c.force_login(user)
    return c


def _spend(w, receipt=None):
    return funding.expenditure_record(
        actor=act(w.p.supplier), allocation=w.allocation, amount=1200, category="equipment",
        spent_on=timezone.localdate(), receipt=receipt or pdf("invoice.pdf"),
    )  # fmt: skip


# --- funding sources --------------------------------------------------------------------------------------------


@covers("POST /api/v1/funding-sources/{id}/archive/", "anonymous", "unrelated", "member", "manager")
def test_the_funders_managers_archive_a_source_once_nothing_is_allocated_from_it(p, outsider, gov_member):
    w = funded(p)
    path = f"/api/v1/funding-sources/{w.source.pk}/archive/"
    assert_error(client().post(path), 401)
    assert_error(client(outsider).post(path), 404)
    assert_error(client(gov_member).post(path), 403)
    assert_error(client(p.manager).post(path), 403)  # the lead library sees the source but does not fund it
    refused = assert_error(client(p.officer).post(path), 409, code="has_allocations")
    assert "1 active allocation(s); archive them first" in refused["message"]
    assert FundingSource.objects.get(pk=w.source.pk).archived_at is None

    ok(client(p.officer).post(f"/api/v1/funding-allocations/{w.allocation.pk}/archive/"))
    body = ok(client(p.officer).post(path))
    assert body["archived_at"] and body["id"] == w.source.pk
    assert ids(client(p.officer).get("/api/v1/funding-sources/")) == set()
    assert ids(client(p.officer).get("/api/v1/funding-sources/", {"archived": "true"})) == {w.source.pk}
    assert ok(client(p.manager).get(f"/api/v1/funding-sources/{w.source.pk}/"))["archived_at"]
    assert "archived" in assert_error(client(p.officer).post(path), 409)["message"]
    # Nothing more is allocated out of an archived source.
    body = {"source": w.source.pk, "project": new_project(p).pk, "amount": "1000"}
    assert_error(client(p.officer).post("/api/v1/funding-allocations/", body), 400, field="source")


def test_archiving_a_source_costs_a_pinned_number_of_queries(p, count_queries):
    source = grant(p)
    officer = client(p.officer)
    with count_queries() as queries:
        ok(officer.post(f"/api/v1/funding-sources/{source.pk}/archive/"))
    assert len(queries) == 9, [q["sql"] for q in queries.captured_queries]


def test_the_funder_archives_a_source_on_the_overview_page(p, outsider):
    source = grant(p)
    assert 'data-action="archive"' not in browser(p.manager).get("/alliances/funding/").content.decode()
    assert browser(outsider).post(f"/alliances/funding/sources/{source.pk}/archive/").status_code == 404
    assert browser(p.manager).post(f"/alliances/funding/sources/{source.pk}/archive/", follow=True).status_code == 200
    assert FundingSource.objects.get(pk=source.pk).archived_at is None  # refused: not the funder's manager
    page = browser(p.officer).get("/alliances/funding/").content.decode()
    assert f'data-source="{source.pk}"' in page
    response = browser(p.officer).post(f"/alliances/funding/sources/{source.pk}/archive/", follow=True)
    assert "The funding source is archived." in response.content.decode()
    assert FundingSource.objects.get(pk=source.pk).archived_at is not None
    assert source.title not in browser(p.officer).get("/alliances/funding/").content.decode()


# --- allocations ---------------------------------------------------------------------------------------------


@covers("POST /api/v1/funding-allocations/{id}/archive/", "anonymous", "unrelated", "member", "manager")
def test_the_funders_managers_withdraw_an_allocation_before_money_is_released(p, outsider, gov_member):
    w = funded(p)
    path = f"/api/v1/funding-allocations/{w.allocation.pk}/archive/"
    assert_error(client().post(path), 401)
    assert_error(client(outsider).post(path), 404)
    assert_error(client(gov_member).post(path), 403)
    assert_error(client(p.librarian).post(path), 403)
    assert_error(client(p.manager).post(path), 403)
    assert Allocation.objects.get(pk=w.allocation.pk).archived_at is None

    body = ok(client(p.officer).post(path))
    assert body["archived_at"]
    assert Tranche.objects.get(pk=w.tranche.pk).archived_at is not None  # its planned tranche goes with it
    report = FinancialReport.objects.get(allocation=w.allocation)
    assert report.sweep_at is None and report.submitted_at is None  # no reminder for a withdrawn allocation
    assert ids(client(p.librarian).get("/api/v1/financial-reports/")) == set()
    assert ids(client(p.officer).get("/api/v1/funding-allocations/")) == set()
    assert ids(client(p.officer).get("/api/v1/funding-allocations/", {"archived": "true"})) == {w.allocation.pk}
    assert ok(client(p.supplier).get(f"/api/v1/funding-allocations/{w.allocation.pk}/"))["archived_at"]
    assert_error(client(p.officer).post(path), 409)
    # The money is free again: the source's allocated total no longer counts it.
    assert ok(client(p.officer).get(f"/api/v1/funding-sources/{w.source.pk}/"))["allocated"] == "0.00"


def test_an_allocation_with_released_money_is_not_archived(p):
    w = released(p)
    refused = assert_error(
        client(p.officer).post(f"/api/v1/funding-allocations/{w.allocation.pk}/archive/"), 409, code="money_released"
    )
    assert "released to the project" in refused["message"]
    assert Allocation.objects.get(pk=w.allocation.pk).archived_at is None
    assert Tranche.objects.get(pk=w.tranche.pk).archived_at is None


def test_archiving_an_allocation_costs_the_same_whatever_its_tranches(p, count_queries):
    counts = []
    for extra in (0, 4):
        w = funded(p)
        for n in range(extra):
            funding.tranche_plan(actor=act(p.officer), allocation=w.allocation, milestone=w.milestone, amount=n + 1)
        officer = client(p.officer)
        with count_queries() as queries:
            ok(officer.post(f"/api/v1/funding-allocations/{w.allocation.pk}/archive/"))
        counts.append(len(queries))
    assert counts == [11, 11], counts


def test_the_funder_withdraws_an_allocation_on_the_project_page(p, outsider):
    w = funded(p)
    url = f"/alliances/funding/projects/{w.project.pk}/"
    assert 'data-action="archive"' not in browser(p.manager).get(url).content.decode()
    assert f'data-allocation="{w.allocation.pk}"' in browser(p.officer).get(url).content.decode()
    assert browser(outsider).post(f"/alliances/funding/allocations/{w.allocation.pk}/archive/").status_code == 404
    browser(p.librarian).post(f"/alliances/funding/allocations/{w.allocation.pk}/archive/")
    assert Allocation.objects.get(pk=w.allocation.pk).archived_at is None
    response = browser(p.officer).post(f"/alliances/funding/allocations/{w.allocation.pk}/archive/", follow=True)
    assert "The allocation is archived, with its planned tranches." in response.content.decode()
    assert Allocation.objects.get(pk=w.allocation.pk).archived_at is not None


def test_a_refused_withdrawal_is_explained_on_the_page(p):
    w = released(p)
    response = browser(p.officer).post(f"/alliances/funding/allocations/{w.allocation.pk}/archive/", follow=True)
    assert "can no longer be archived" in response.content.decode()
    assert Allocation.objects.get(pk=w.allocation.pk).archived_at is None


# --- receipts -------------------------------------------------------------------------------------------------


def _downloaded(response, name: str, mime: str, content: bytes) -> None:
    assert response.status_code == 200
    assert response["Content-Type"] == mime
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == content


@covers("GET /api/v1/expenditures/{id}/receipt/", "anonymous", "unrelated", "member", "manager")
def test_a_receipt_is_downloaded_only_by_whoever_sees_the_allocation(p, outsider, gov_member):
    w = released(p)
    spent = _spend(w)
    path = f"/api/v1/expenditures/{spent.pk}/receipt/"
    assert_error(client().get(path), 401)
    assert_error(client(outsider).get(path), 404)
    # A participant of another project of the same alliance does not see this project's money.
    other = new_project(p)
    stranger = f.OrganizationFactory(kind="enterprise")
    from alliance import services

    services.alliance_join(actor=act(p.manager), alliance=p.alliance, organization=stranger, role="provider")
    services.project_add_participant(actor=act(p.manager), project=other, organization=stranger, role="provider")
    assert_error(client(f.member_of(stranger, "manager")).get(path), 404)
    for user in (gov_member, p.officer, p.librarian, p.manager, p.supplier, p.professor):
        _downloaded(client(user).get(path), f"receipt-{spent.pk}.pdf", "application/pdf", PDF)
    assert_error(client(p.officer).get(f"/api/v1/expenditures/{spent.pk + 1000}/receipt/"), 404)


def test_a_receipt_is_named_and_typed_by_its_content_not_by_the_uploaded_name(p):
    w = released(p)
    spent = _spend(w, SimpleUploadedFile("<script>.html", PNG, content_type="text/html"))
    assert spent.receipt.name.endswith(".html")  # the stored name keeps the uploader's extension...
    response = client(p.supplier).get(f"/api/v1/expenditures/{spent.pk}/receipt/")
    _downloaded(response, f"receipt-{spent.pk}.png", "image/png", PNG)  # ...which is never served


def test_downloading_a_receipt_costs_a_pinned_number_of_queries(p, count_queries):
    w = released(p)
    spent = _spend(w)
    supplier = client(p.supplier)
    with count_queries() as queries:
        response = supplier.get(f"/api/v1/expenditures/{spent.pk}/receipt/")
    assert response.status_code == 200
    assert len(queries) == 3, [q["sql"] for q in queries.captured_queries]


def test_the_receipt_link_on_the_project_page_downloads_it_for_the_projects_parties_only(p, outsider):
    w = released(p)
    spent = _spend(w)
    url = f"/alliances/funding/expenditures/{spent.pk}/receipt/"
    assert url in browser(p.librarian).get(f"/alliances/funding/projects/{w.project.pk}/").content.decode()
    assert browser().get(url).status_code == 302
    assert browser(outsider).get(url).status_code == 404
    _downloaded(browser(p.officer).get(url), f"receipt-{spent.pk}.pdf", "application/pdf", PDF)

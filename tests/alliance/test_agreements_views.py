"""Agreement pages: drafting and editing contracts with their parties, terminating, documents, IP assets with
their owners' shares (shown per deliverable), and the credibility panel on an organisation's page."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from alliance import services
from alliance.models import Contract, ContractDocument, ContractParty, IPAsset, IPShare
from alliance.services import contracts as cs
from tests.alliance.contract_helpers import draft, provider_manager, sign_all
from tests.alliance.flow import act, new_project, pdf, staff_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    """Pages in English: messages are asserted as their msgids."""
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def rows(prefix: str, filled: list[dict[str, Any]], spare: int = 1) -> dict[str, Any]:
    """POST data of a formset: the filled rows, then blank ones (ignored by the page)."""
    data: dict[str, Any] = {
        f"{prefix}-TOTAL_FORMS": str(len(filled) + spare),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(filled):
        for key, value in row.items():
            data[f"{prefix}-{i}-{key}"] = value
    return data


def contract_post(p: Any, parties: list[dict[str, Any]] | None = None, **overrides: Any) -> dict[str, Any]:
    today = timezone.localdate()
    data: dict[str, Any] = {
        "title": "自助借还系统开发合同",
        "terms": "交付 8 台自助借还机",
        "value": "480000",
        "starts_on": today.isoformat(),
        "ends_on": (today + timedelta(days=180)).isoformat(),
        "remind_days_before": "30",
        "project": "",
    }
    data.update(overrides)
    if parties is None:
        parties = [
            {"organization": p.library.pk, "role": "library", "obligations": "组织读者测试"},
            {"organization": p.enterprise.pk, "role": "provider", "obligations": "开发交付"},
        ]
    return {**data, **rows("party", parties)}


def share_post(shares: list[tuple[Any, str]], **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "借还系统源代码",
        "kind": "software",
        "deliverable": "",
        "description": "",
        "licence": "联盟成员免费使用",
        "third_party_cleared": "on",
        "clearance_note": "开源组件均为 MIT 许可",
    }
    data.update(overrides)
    return {**data, **rows("share", [{"organization": org.pk, "percent": pct} for org, pct in shares])}


def asset_of(p: Any, project: Any, **extra: Any) -> IPAsset:
    return cs.ip_asset_create(
        actor=act(p.librarian), project=project, title="借还数据集", kind="data",
        shares=[{"organization": p.library, "percent": Decimal("100")}], **extra,
    )  # fmt: skip


# --- permissions: anonymous, unrelated organisation ----------------------------------------------------------


@pytest.fixture
def pages(p):
    contract = draft(p)
    document = cs.contract_document_add(actor=act(p.librarian), contract=contract, title="合同正文", file=pdf())
    project = new_project(p)
    asset = asset_of(p, project)
    return {
        "contract-edit": [contract.pk],
        "contract-terminate": [contract.pk],
        "contract-document-add": [contract.pk],
        "contract-document": [contract.pk, document.pk],
        "ip-asset-list": [project.pk],
        "ip-asset-create": [project.pk],
        "ip-asset-edit": [asset.pk],
    }


def test_anonymous_is_sent_to_sign_in_from_every_agreement_page(client, pages):
    for name, args in {**pages, "contract-create": []}.items():
        response = client.get(reverse(f"alliance:{name}", args=args))
        assert response.status_code == 302 and "/login" in response["Location"], name


def test_an_unrelated_organisation_gets_404_and_changes_nothing(client, pages, outsider):
    client.force_login(outsider)
    for name, args in pages.items():
        assert client.get(reverse(f"alliance:{name}", args=args)).status_code in (404, 405), name
        assert client.post(reverse(f"alliance:{name}", args=args), {"reason": "x", "title": "x"}).status_code == 404
    assert Contract.objects.get().status == "draft" and Contract.objects.get().title == "RFID 自助借还系统开发合同"
    assert ContractDocument.objects.count() == 1 and IPAsset.objects.get().title == "借还数据集"


# --- contracts: create, edit, terminate -------------------------------------------------------------------


def test_library_staff_draft_a_contract_with_parties_roles_and_obligations(client, p):
    project = new_project(p)
    client.force_login(p.librarian)
    page = client.get(reverse("alliance:contract-create") + f"?project={project.pk}")
    assert page.status_code == 200 and 'id="contract-form"' in page.content.decode()
    response = client.post(reverse("alliance:contract-create"), contract_post(p, project=project.pk))
    contract = Contract.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "alliance:contract-detail", args=[contract.pk]
    )
    assert contract.project == project and contract.value == Decimal("480000") and contract.created_by == p.librarian
    assert [(x.organization, x.role, x.obligations) for x in contract.parties.order_by("id")] == [
        (p.library, "library", "组织读者测试"),
        (p.enterprise, "provider", "开发交付"),
    ]


@pytest.mark.parametrize(
    ("parties", "overrides", "error"),
    [
        ("one", {}, "A contract needs at least two parties."),
        ("two", {"ends_on": "2020-01-01", "starts_on": "2020-02-01"}, "The contract cannot end before it starts."),
        ("two", {"title": ""}, "This field is required."),
        ("two", {"value": "-5"}, "Ensure this value is greater than or equal to 0."),
        ("outside", {}, "Select a valid choice."),
        ("no_role", {}, "Choose the organisation&#x27;s role."),
    ],
)
def test_bad_contract_input_is_shown_on_the_form_and_writes_nothing(client, p, other_org, parties, overrides, error):
    choice = {
        "one": [{"organization": p.library.pk, "role": "library"}],
        "two": None,
        "outside": [
            {"organization": p.library.pk, "role": "library"},
            {"organization": other_org.pk, "role": "provider"},
        ],
        "no_role": [{"organization": p.library.pk, "role": "library"}, {"organization": p.enterprise.pk, "role": ""}],
    }[parties]
    client.force_login(p.librarian)
    response = client.post(reverse("alliance:contract-create"), contract_post(p, choice, **overrides))
    assert response.status_code == 400
    assert error in response.content.decode()
    assert not Contract.objects.exists() and not ContractParty.objects.exists()


def test_a_partner_cannot_draft_a_contract(client, p):
    client.force_login(p.supplier)
    page = client.get(reverse("alliance:contract-create")).content.decode()
    assert 'id="contract-form"' not in page and "your organisation leads no alliance" in page
    response = client.post(reverse("alliance:contract-create") + f"?alliance={p.alliance.pk}", contract_post(p))
    assert response.status_code == 404 and not Contract.objects.exists()


def test_editing_the_terms_clears_every_signature_and_the_reminder_alone_keeps_them(client, p):
    contract = sign_all(p, draft(p))
    client.force_login(p.librarian)
    url = reverse("alliance:contract-edit", args=[contract.pk])
    page = client.get(url).content.decode()
    assert 'id="resign-warning"' in page and 'value="RFID 自助借还系统开发合同"' in page
    keep = contract_post(p, title=contract.title, terms=contract.terms, value="480000.00", remind_days_before="10")
    keep["starts_on"], keep["ends_on"] = contract.starts_on.isoformat(), contract.ends_on.isoformat()
    keep.update({"party-0-obligations": "组织读者测试与验收", "party-1-obligations": "开发交付并整改"})
    assert client.post(url, keep).status_code == 302
    contract.refresh_from_db()
    assert contract.status == "signed" and contract.remind_days_before == 10
    response = client.post(url, {**keep, "title": "RFID 自助借还系统开发合同（修订）"}, follow=True)
    assert "every party signs again" in response.content.decode()
    contract.refresh_from_db()
    assert contract.status == "draft" and not contract.parties.filter(signed_at__isnull=False).exists()


def test_a_partner_member_cannot_edit_and_nothing_changes(client, p):
    contract = draft(p)
    client.force_login(p.supplier)
    url = reverse("alliance:contract-edit", args=[contract.pk])
    assert client.get(url).status_code == 302
    client.post(url, contract_post(p, title="改了"))
    contract.refresh_from_db()
    assert contract.title == "RFID 自助借还系统开发合同"
    assert (
        'id="contract-edit"' not in client.get(reverse("alliance:contract-detail", args=[contract.pk])).content.decode()
    )


def test_the_lead_manager_terminates_with_a_reason_and_the_party_in_breach(client, p):
    contract = sign_all(p, draft(p))
    url = reverse("alliance:contract-terminate", args=[contract.pk])
    client.force_login(p.librarian)  # staff but not a manager: no button, and a POST is refused on the form
    assert (
        'id="contract-terminate"'
        not in client.get(reverse("alliance:contract-detail", args=[contract.pk])).content.decode()
    )
    refused = client.post(url, {"reason": "供应商未按期交付"})
    assert (
        refused.status_code == 400 and "Only managers of the alliance&#x27;s lead library" in refused.content.decode()
    )
    client.force_login(p.manager)
    empty = client.post(url, {"reason": "  "})
    assert empty.status_code == 400 and "This field is required." in empty.content.decode()
    contract.refresh_from_db()
    assert contract.status == "signed"
    done = client.post(url, {"reason": "供应商未按期交付", "breached_by": p.enterprise.pk}, follow=True)
    contract.refresh_from_db()
    assert contract.status == "terminated" and contract.breached_by == p.enterprise
    assert 'id="termination-reason">供应商未按期交付' in done.content.decode()


# --- documents -------------------------------------------------------------------------------------------------


def test_a_party_uploads_a_document_and_those_who_see_the_contract_download_it(client, p, outsider):
    contract = draft(p)
    client.force_login(p.supplier)
    url = reverse("alliance:contract-document-add", args=[contract.pk])
    response = client.post(url, {"title": "技术附件", "file": pdf("annex.pdf")})
    assert response.status_code == 302
    document = ContractDocument.objects.get()
    download = reverse("alliance:contract-document", args=[contract.pk, document.pk])
    assert download in client.get(reverse("alliance:contract-detail", args=[contract.pk])).content.decode()
    for user in (p.supplier, p.officer, p.librarian):
        client.force_login(user)
        got = client.get(download)
        assert got.status_code == 200 and b"".join(got.streaming_content).startswith(b"%PDF")
        assert "attachment" in got["Content-Disposition"]
    client.force_login(outsider)
    assert client.get(download).status_code == 404


def test_a_document_is_checked_by_its_content_and_a_bad_file_writes_nothing(client, p):
    contract = draft(p)
    client.force_login(p.librarian)
    fake = SimpleUploadedFile("contract.pdf", b"MZ\x90\x00 not a pdf at all", content_type="application/pdf")
    response = client.post(
        reverse("alliance:contract-document-add", args=[contract.pk]), {"title": "正文", "file": fake}
    )
    assert response.status_code == 400
    assert "Only PDF, PNG, JPEG, ZIP, DOCX or XLSX files are accepted." in response.content.decode()
    assert not ContractDocument.objects.exists()


def test_a_professor_whose_university_is_no_party_may_not_upload(client, p):
    contract = draft(p)  # the university is in the alliance but not a party: it does not even see the contract
    client.force_login(p.professor)
    response = client.post(reverse("alliance:contract-document-add", args=[contract.pk]), {"title": "x", "file": pdf()})
    assert response.status_code == 404 and not ContractDocument.objects.exists()


# --- the partner's portal: contracts to sign ---------------------------------------------------------------


def test_a_partner_manager_sees_what_awaits_its_signature_and_signs_it(client, p):
    contract = draft(p)
    manager = provider_manager(p)
    client.force_login(manager)
    listing = client.get(reverse("alliance:contract-list")).content.decode()
    assert 'id="contracts-to-sign"' in listing and "to sign" in listing
    client.post(reverse("alliance:contract-sign", args=[contract.pk]))
    assert ContractParty.objects.get(organization=p.enterprise).signed_by == manager
    assert 'id="contracts-to-sign"' not in client.get(reverse("alliance:contract-list")).content.decode()


# --- IP assets ---------------------------------------------------------------------------------------------------


def test_shares_not_adding_up_to_100_are_a_form_error_then_the_fixed_asset_is_saved(client, p):
    project = new_project(p)
    client.force_login(p.librarian)
    url = reverse("alliance:ip-asset-create", args=[project.pk])
    assert client.get(url).status_code == 200
    bad = client.post(url, share_post([(p.library, "60"), (p.enterprise, "30")]))
    assert bad.status_code == 400
    assert "The owners&#x27; shares add up to 90%, not 100%." in bad.content.decode()
    assert not IPAsset.objects.exists() and not IPShare.objects.exists()
    good = client.post(url, share_post([(p.library, "60"), (p.enterprise, "40")]))
    assert good.status_code == 302 and good["Location"] == reverse("alliance:ip-asset-list", args=[project.pk])
    asset = IPAsset.objects.get()
    assert asset.third_party_cleared and asset.licence == "联盟成员免费使用"
    assert sorted((s.organization_id, s.percent) for s in asset.shares.all()) == sorted(
        [(p.library.pk, Decimal("60")), (p.enterprise.pk, Decimal("40"))]
    )


def test_an_owner_without_a_share_and_an_empty_title_are_form_errors(client, p):
    project = new_project(p)
    client.force_login(p.librarian)
    url = reverse("alliance:ip-asset-create", args=[project.pk])
    response = client.post(url, {**share_post([(p.library, "")]), "title": ""})
    body = response.content.decode()
    assert response.status_code == 400 and "Give the owner&#x27;s share." in body and "This field is required." in body
    assert not IPAsset.objects.exists()


def test_the_provider_edits_an_asset_and_an_assistant_may_not(client, p):
    project = new_project(p)
    staff_project(p, project)
    asset = asset_of(p, project)
    url = reverse("alliance:ip-asset-edit", args=[asset.pk])
    client.force_login(p.professor)  # the assistant university sees the project, may not record its IP
    assert client.get(url).status_code == 302
    client.post(url, share_post([(p.university, "100")]))
    assert list(asset.shares.values_list("organization_id", flat=True)) == [p.library.pk]
    client.force_login(p.supplier)
    page = client.get(url).content.decode()
    assert 'value="借还数据集"' in page
    wrong = client.post(url, share_post([(p.library, "50"), (p.enterprise, "60")], title="借还数据集"))
    assert wrong.status_code == 400 and "add up to 110%" in wrong.content.decode()
    assert (
        client.post(url, share_post([(p.library, "50"), (p.enterprise, "50")], title="借还数据集")).status_code == 302
    )
    assert sorted(asset.shares.values_list("percent", flat=True)) == [Decimal("50"), Decimal("50")]


def test_ip_assets_are_shown_per_deliverable_on_the_ip_page_and_the_project_page(client, p):
    project = new_project(p)
    staff_project(p, project)
    deliverable = services.deliverable_create(actor=act(p.supplier), project=project, title="自助借还系统")
    asset_of(p, project, deliverable=deliverable)
    cs.ip_asset_create(
        actor=act(p.librarian), project=project, title="项目报告", kind="content",
        shares=[{"organization": p.library, "percent": Decimal("100")}],
    )  # fmt: skip
    client.force_login(p.professor)
    page = client.get(reverse("alliance:ip-asset-list", args=[project.pk])).content.decode()
    assert (
        page.index("The project as a whole")
        < page.index("项目报告")
        < page.index("自助借还系统")
        < page.index("借还数据集")
    )
    assert 'id="ip-asset-new"' not in page  # the assistant sees, does not record
    detail = client.get(reverse("alliance:project-detail", args=[project.pk])).content.decode()
    assert detail.index("自助借还系统") < detail.index("借还数据集")
    assert reverse("alliance:ip-asset-list", args=[project.pk]) in detail


# --- the credibility panel ------------------------------------------------------------------------------------


def test_the_credibility_panel_shows_the_parts_to_libraries_and_the_organisation_only(client, p, outsider):
    cs.contract_terminate(actor=act(p.manager), contract=sign_all(p, draft(p)), reason="违约", breached_by=p.enterprise)
    cs.contract_terminate(actor=act(p.manager), contract=sign_all(p, draft(p)), reason="情势变更")
    url = reverse("stakeholders:organization-detail", args=[p.enterprise.pk])
    for user in (p.librarian, p.supplier, p.officer):
        client.force_login(user)
        body = client.get(url).content.decode()
        assert 'id="credibility-record"' in body
        assert "1 of 2 closed contracts without its breach" in body and "50%" in body
    client.force_login(outsider)  # another enterprise sees the profile, not the record
    assert 'id="credibility-record"' not in client.get(url).content.decode()


# --- query counts ---------------------------------------------------------------------------------------------


def test_the_contract_page_costs_the_same_for_two_parties_and_for_four(client, p, count_queries):
    small = draft(p)
    big = draft(p, parties=[*draft_parties(p), {"organization": p.university, "role": "assistant"},
                            {"organization": p.government, "role": "guide"}])  # fmt: skip
    for i in range(3):
        cs.contract_document_add(actor=act(p.librarian), contract=big, title=f"附件 {i}", file=pdf())
    client.force_login(p.manager)
    client.get(reverse("alliance:contract-detail", args=[small.pk]))
    with count_queries() as two:
        client.get(reverse("alliance:contract-detail", args=[small.pk]))
    with count_queries() as four:
        body = client.get(reverse("alliance:contract-detail", args=[big.pk])).content.decode()
    assert body.count("附件") == 3
    assert len(two) == len(four) == 13


def draft_parties(p: Any) -> list[dict[str, Any]]:
    return [{"organization": p.library, "role": "library"}, {"organization": p.enterprise, "role": "provider"}]


def test_the_ip_page_costs_the_same_for_one_asset_and_for_eight(client, p, count_queries):
    project = new_project(p)
    deliverable = services.deliverable_create(actor=act(p.librarian), project=project, title="系统")
    asset_of(p, project)
    client.force_login(p.librarian)
    url = reverse("alliance:ip-asset-list", args=[project.pk])
    client.get(url)
    with count_queries() as one:
        client.get(url)
    for i in range(7):
        cs.ip_asset_create(
            actor=act(p.librarian), project=project, deliverable=deliverable if i % 2 else None, title=f"成果 {i}",
            kind="content", shares=[{"organization": p.library, "percent": 50}, {"organization": p.enterprise, "percent": 50}],
        )  # fmt: skip
    with count_queries() as eight:
        body = client.get(url).content.decode()
    assert body.count('class="border rounded p-2 mb-2 ip-asset"') == 8
    assert len(one) == len(eight) == 13  # 13: the visible project ids are resolved first (core.permissions.granted_ids)


def test_the_credibility_panel_costs_a_fixed_number_of_queries(client, p, count_queries):
    url = reverse("stakeholders:organization-detail", args=[p.enterprise.pk])
    client.force_login(p.librarian)
    client.get(url)
    with count_queries() as empty:
        client.get(url)
    for _ in range(3):
        cs.contract_complete(
            actor=act(p.manager), contract=cs.contract_activate(actor=act(p.manager), contract=sign_all(p, draft(p)))
        )
    with count_queries() as three:
        assert "3 of 3 closed contracts" in client.get(url).content.decode()
    assert len(empty) == len(three)

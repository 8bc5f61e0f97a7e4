"""/api/v1/contracts/, /ip-assets/ and /credibility/: the agreements through the API, role by role.

Roles: the owning organisation of a contract is the lead library (member = ``p.librarian``, manager =
``p.manager``); signing is done by each party's managers (the provider's member ``p.supplier`` may not).
"unrelated" is an organisation outside the alliance. IP assets are owned by the project's lead library.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from alliance.models import Contract, ContractDocument, ContractParty, IPAsset, IPShare
from alliance.services import contracts as cs
from tests.alliance.api_helpers import assert_error, client, created, ids, ok, pdf_upload
from tests.alliance.contract_helpers import draft, provider_manager, sign_all
from tests.alliance.flow import act, new_project
from tests.permissions import covers

pytestmark = pytest.mark.django_db

PIN_CONTRACTS = 6
PIN_IP_ASSETS = 5


def _body(p, **extra):
    today = timezone.localdate()
    return {
        "alliance": p.alliance.pk,
        "title": "开发合同",
        "value": "480000.00",
        "starts_on": today.isoformat(),
        "ends_on": (today + timedelta(days=90)).isoformat(),
        "parties": [
            {"organization": p.library.pk, "role": "library", "obligations": "验收"},
            {"organization": p.enterprise.pk, "role": "provider", "obligations": "交付"},
        ],
        **extra,
    }


@covers("GET /api/v1/contracts/", "anonymous", "unrelated", "member", "manager")
@covers("GET /api/v1/contracts/{id}/", "anonymous", "unrelated", "member", "manager")
def test_contracts_are_seen_by_their_parties_the_lead_library_and_the_guide(p, outsider):
    contract = draft(p)
    path = f"/api/v1/contracts/{contract.pk}/"
    assert_error(client().get("/api/v1/contracts/"), 401)
    assert_error(client().get(path), 401)
    assert ids(client(outsider).get("/api/v1/contracts/")) == set()
    assert_error(client(outsider).get(path), 404)
    assert_error(client(p.professor).get(path), 404)  # in the alliance, not a party
    for user in (p.librarian, p.manager, p.supplier, p.officer):
        assert ids(client(user).get("/api/v1/contracts/", {"status": "draft"})) == {contract.pk}
        body = ok(client(user).get(path))
        assert [(x["role"], x["signed_at"]) for x in body["parties"]] == [("library", None), ("provider", None)]


@covers("POST /api/v1/contracts/", "anonymous", "unrelated", "member", "manager")
def test_the_lead_librarys_staff_draft_a_contract(p, outsider):
    assert_error(client().post("/api/v1/contracts/", _body(p), format="json"), 401)
    assert_error(client(outsider).post("/api/v1/contracts/", _body(p), format="json"), 400, field="alliance")
    assert_error(client(p.supplier).post("/api/v1/contracts/", _body(p), format="json"), 403)
    one = _body(p)
    one["parties"] = one["parties"][:1]
    assert_error(client(p.librarian).post("/api/v1/contracts/", one, format="json"), 400, field="parties")
    assert not Contract.objects.exists()
    body = created(client(p.librarian).post("/api/v1/contracts/", _body(p), format="json"))
    assert body["status"] == "draft" and len(body["parties"]) == 2
    assert created(client(p.manager).post("/api/v1/contracts/", _body(p), format="json"))["value"] == "480000.00"


@covers("PATCH /api/v1/contracts/{id}/", "anonymous", "unrelated", "member", "manager")
def test_changing_the_terms_through_the_api_wipes_the_signatures(p, outsider):
    contract = sign_all(p, draft(p))
    path = f"/api/v1/contracts/{contract.pk}/"
    assert_error(client().patch(path, {"value": "1"}, format="json"), 401)
    assert_error(client(outsider).patch(path, {"value": "1"}, format="json"), 404)
    assert_error(client(p.supplier).patch(path, {"value": "1"}, format="json"), 403)
    assert Contract.objects.get(pk=contract.pk).status == "signed"
    body = ok(client(p.librarian).patch(path, {"value": "500000"}, format="json"))
    assert body["status"] == "draft" and all(x["signed_at"] is None for x in body["parties"])
    assert ok(client(p.manager).patch(path, {"title": "新标题"}, format="json"))["title"] == "新标题"


@covers("POST /api/v1/contracts/{id}/sign/", "anonymous", "unrelated", "member", "manager")
def test_each_partys_manager_signs_and_the_last_makes_it_signed(p, outsider):
    contract = draft(p)
    path = f"/api/v1/contracts/{contract.pk}/sign/"
    assert_error(client().post(path), 401)
    assert_error(client(outsider).post(path), 404)
    assert_error(client(p.supplier).post(path), 403)  # the provider's member
    assert_error(client(p.librarian).post(path), 403)  # the library's member
    assert not ContractParty.objects.filter(signed_at__isnull=False).exists()
    assert ok(client(p.manager).post(path))["status"] == "draft"
    assert_error(client(p.manager).post(path), 409)
    body = ok(client(provider_manager(p)).post(path))
    assert body["status"] == "signed" and body["signed_at"]
    assert {x["signed_by"]["id"] for x in body["parties"]} >= {p.manager.pk}


@covers("POST /api/v1/contracts/{id}/activate/", "anonymous", "unrelated", "member", "manager")
@covers("POST /api/v1/contracts/{id}/complete/", "anonymous", "unrelated", "member", "manager")
def test_the_lead_librarys_managers_activate_and_complete(p, outsider):
    contract = draft(p)
    base = f"/api/v1/contracts/{contract.pk}"
    assert_error(client(p.manager).post(f"{base}/activate/"), 409)  # not yet signed by every party
    sign_all(p, contract)
    for op in ("activate", "complete"):
        assert_error(client().post(f"{base}/{op}/"), 401)
        assert_error(client(outsider).post(f"{base}/{op}/"), 404)
        assert_error(client(p.librarian).post(f"{base}/{op}/"), 403)
    assert ok(client(p.manager).post(f"{base}/activate/"))["status"] == "active"
    assert_error(client(p.librarian).post(f"{base}/complete/"), 403)
    assert ok(client(p.manager).post(f"{base}/complete/"))["status"] == "completed"


@covers("POST /api/v1/contracts/{id}/terminate/", "anonymous", "unrelated", "member", "manager")
def test_terminating_names_the_party_in_breach(p, outsider):
    contract = sign_all(p, draft(p))
    path = f"/api/v1/contracts/{contract.pk}/terminate/"
    body = {"reason": "逾期未交付", "breached_by": p.enterprise.pk}
    assert_error(client().post(path, body), 401)
    assert_error(client(outsider).post(path, body), 404)
    assert_error(client(p.librarian).post(path, body), 403)
    assert_error(client(p.manager).post(path, {"reason": " "}), 400)
    assert_error(
        client(p.manager).post(path, {"reason": "x", "breached_by": p.government.pk}), 400, field="breached_by"
    )
    assert Contract.objects.get(pk=contract.pk).status == "signed"
    answer = ok(client(p.manager).post(path, body))
    assert answer["status"] == "terminated" and answer["breached_by"] == p.enterprise.pk


@covers("POST /api/v1/contracts/{id}/archive/", "anonymous", "unrelated", "member", "manager")
def test_a_draft_is_archived_by_the_lead_librarys_staff(p, outsider):
    contract = draft(p)
    path = f"/api/v1/contracts/{contract.pk}/archive/"
    assert_error(client().post(path), 401)
    assert_error(client(outsider).post(path), 404)
    assert_error(client(p.supplier).post(path), 403)
    assert ok(client(p.librarian).post(path))["archived_at"]
    signed = sign_all(p, draft(p))
    assert_error(client(p.manager).post(f"/api/v1/contracts/{signed.pk}/archive/"), 409)


@covers("POST /api/v1/contracts/{id}/documents/", "anonymous", "unrelated", "member", "manager")
def test_documents_are_attached_by_party_staff_and_checked_by_content(p, outsider):
    from django.core.files.uploadedfile import SimpleUploadedFile

    contract = draft(p)
    path = f"/api/v1/contracts/{contract.pk}/documents/"
    assert_error(client().post(path, {"title": "正文", "file": pdf_upload()}, format="multipart"), 401)
    assert_error(client(outsider).post(path, {"title": "正文", "file": pdf_upload()}, format="multipart"), 404)
    fake = SimpleUploadedFile("x.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    assert_error(client(p.supplier).post(path, {"title": "假", "file": fake}, format="multipart"), 400, field="file")
    assert not ContractDocument.objects.exists()
    assert created(client(p.supplier).post(path, {"title": "正文", "file": pdf_upload()}, format="multipart"))[
        "file_name"
    ].endswith(".pdf")
    assert (
        created(client(p.manager).post(path, {"title": "附件", "file": pdf_upload("a.pdf")}, format="multipart"))[
            "title"
        ]
        == "附件"
    )
    assert [d["title"] for d in ok(client(p.librarian).get(f"/api/v1/contracts/{contract.pk}/"))["documents"]] == [
        "正文", "附件",
    ]  # fmt: skip


def test_the_contract_list_costs_the_same_for_one_and_for_ten_contracts(p, count_queries):
    draft(p)
    c = client(p.librarian)
    c.get("/api/v1/contracts/")
    with count_queries() as one:
        assert len(ok(c.get("/api/v1/contracts/"))["results"]) == 1
    for _ in range(9):
        sign_all(p, draft(p))
    with count_queries() as ten:
        assert len(ok(c.get("/api/v1/contracts/"))["results"]) == 10
    # PIN_CONTRACTS: the actor, the visible ids, the count, the page, its parties and its documents.
    assert len(one) == len(ten) == PIN_CONTRACTS, [q["sql"] for q in ten.captured_queries]


# --- IP assets ----------------------------------------------------------------------------------------------------


def _ip_body(p, project, *percents):
    orgs = [p.library.pk, p.enterprise.pk, p.university.pk]
    return {
        "project": project.pk,
        "title": "借还系统源代码",
        "kind": "software",
        "licence": "联盟成员免费使用",
        "third_party_cleared": True,
        "shares": [{"organization": o, "percent": str(x)} for o, x in zip(orgs, percents, strict=False)],
    }


def _asset(p, project):
    return cs.ip_asset_create(
        actor=act(p.librarian), project=project, title="源代码", kind="software",
        shares=[{"organization": p.library, "percent": 100}],
    )  # fmt: skip


@covers("GET /api/v1/ip-assets/", "anonymous", "unrelated", "member", "manager")
@covers("GET /api/v1/ip-assets/{id}/", "anonymous", "unrelated", "member", "manager")
def test_ip_assets_are_seen_with_the_project(p, outsider):
    asset = _asset(p, new_project(p))
    path = f"/api/v1/ip-assets/{asset.pk}/"
    assert_error(client().get("/api/v1/ip-assets/"), 401)
    assert_error(client().get(path), 401)
    assert ids(client(outsider).get("/api/v1/ip-assets/")) == set()
    assert_error(client(outsider).get(path), 404)
    for user in (p.librarian, p.manager):
        assert ids(client(user).get("/api/v1/ip-assets/", {"kind": "software"})) == {asset.pk}
        assert ok(client(user).get(path))["shares"] == [
            {"organization": {"id": p.library.pk, "kind": "library", "name_zh": p.library.name_zh,
                              "name_en": p.library.name_en}, "percent": "100.00"},
        ]  # fmt: skip


@covers("POST /api/v1/ip-assets/", "anonymous", "unrelated", "member", "manager")
def test_shares_not_adding_up_to_100_are_refused_through_the_api(p, outsider):
    project = new_project(p)
    assert_error(client().post("/api/v1/ip-assets/", _ip_body(p, project, 100), format="json"), 401)
    assert_error(client(outsider).post("/api/v1/ip-assets/", _ip_body(p, project, 100), format="json"), 400)
    assert_error(client(p.professor).post("/api/v1/ip-assets/", _ip_body(p, project, 100), format="json"), 400)
    error = assert_error(
        client(p.librarian).post("/api/v1/ip-assets/", _ip_body(p, project, 60, 30), format="json"),
        400,
        code="shares_not_100",
        field="shares",
    )
    assert error["message"] == "The owners' shares add up to 90%, not 100%."
    assert not IPAsset.objects.exists() and not IPShare.objects.exists()
    body = created(client(p.librarian).post("/api/v1/ip-assets/", _ip_body(p, project, 60, 40), format="json"))
    assert [s["percent"] for s in body["shares"]] == ["60.00", "40.00"]
    assert created(client(p.manager).post("/api/v1/ip-assets/", _ip_body(p, project, 50, 25, 25), format="json"))


@covers("PATCH /api/v1/ip-assets/{id}/", "anonymous", "unrelated", "member", "manager")
@covers("POST /api/v1/ip-assets/{id}/archive/", "anonymous", "unrelated", "member", "manager")
def test_ip_assets_are_changed_by_the_library_and_archived_by_it(p, outsider):
    asset = _asset(p, new_project(p))
    path = f"/api/v1/ip-assets/{asset.pk}/"
    assert_error(client().patch(path, {"licence": "x"}, format="json"), 401)
    assert_error(client(outsider).patch(path, {"licence": "x"}, format="json"), 404)
    assert_error(client(outsider).post(f"{path}archive/"), 404)
    assert_error(client().post(f"{path}archive/"), 401)
    bad = {"shares": [{"organization": p.library.pk, "percent": "99.5"}]}
    assert_error(client(p.librarian).patch(path, bad, format="json"), 400, field="shares")
    good = {"licence": "CC BY 4.0", "shares": [{"organization": p.library.pk, "percent": "50"},
                                               {"organization": p.enterprise.pk, "percent": "50"}]}  # fmt: skip
    assert len(ok(client(p.librarian).patch(path, good, format="json"))["shares"]) == 2
    assert ok(client(p.manager).patch(path, {"third_party_cleared": True}, format="json"))["third_party_cleared"]
    assert ok(client(p.librarian).post(f"{path}archive/"))["archived_at"]
    assert_error(client(p.manager).post(f"{path}archive/"), 409)


def test_the_ip_asset_list_costs_the_same_for_one_and_for_ten(p, count_queries):
    project = new_project(p)
    _asset(p, project)
    c = client(p.librarian)
    c.get("/api/v1/ip-assets/")
    with count_queries() as one:
        assert len(ok(c.get("/api/v1/ip-assets/"))["results"]) == 1
    for _ in range(9):
        _asset(p, project)
    with count_queries() as ten:
        assert len(ok(c.get("/api/v1/ip-assets/"))["results"]) == 10
    # PIN_IP_ASSETS: the actor, the visible projects, the count, the page and its shares.
    assert len(one) == len(ten) == PIN_IP_ASSETS, [q["sql"] for q in ten.captured_queries]


# --- credibility -----------------------------------------------------------------------------------------------


@covers("GET /api/v1/credibility/{id}/", "anonymous", "unrelated", "member", "manager")
def test_credibility_from_the_record_is_read_by_libraries_government_and_the_organisation(p, outsider):
    completed = cs.contract_activate(actor=act(p.manager), contract=sign_all(p, draft(p)))
    cs.contract_complete(actor=act(p.manager), contract=completed)
    path = f"/api/v1/credibility/{p.enterprise.pk}/"
    assert_error(client().get(path), 401)
    assert_error(client(outsider).get(path), 404)  # another enterprise does not read a competitor's record
    for user in (p.supplier, provider_manager(p), p.librarian, p.officer):
        body = ok(client(user).get(path))
        assert body["score"] == 100
        compliance = next(x for x in body["parts"] if x["name"] == "compliance")
        assert (compliance["numerator"], compliance["denominator"], compliance["weight"]) == ("1.00", 1, 0.3)

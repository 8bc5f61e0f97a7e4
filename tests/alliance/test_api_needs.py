"""/api/v1/needs/: a library's needs, their evidence, analysis and partner matching.

Roles: the owning organisation of a need is its library (member = library staff, manager = its managers).
Partners of the alliance a need is shared with see it but do not change it.
"""

from __future__ import annotations

import pytest

from alliance import services
from alliance.models import Need, NeedEvidence
from tests import factories as f
from tests.alliance.api_helpers import assert_error, client, created, ids, ok
from tests.alliance.flow import act
from tests.permissions import covers

pytestmark = pytest.mark.django_db


@pytest.fixture
def need(p):
    return services.need_create(
        actor=act(p.librarian), library=p.library, alliance=p.alliance, title="自助借还排队时间长",
        category="equipment", keywords="RFID 自助借还", description="希望增加 RFID 自助借还设备。",
    )  # fmt: skip


def url(need, suffix=""):
    return f"/api/v1/needs/{need.pk}/{suffix}"


def with_evidence(p, need):
    services.need_add_evidence(actor=act(p.librarian), need=need, kind="survey", summary="62% 的读者希望自助借还")
    return need


@covers("GET /api/v1/needs/", "anonymous", "unrelated", "member", "manager")
@covers("GET /api/v1/needs/{id}/", "anonymous", "unrelated", "member", "manager")
def test_a_need_is_seen_by_its_library_and_the_alliance_it_is_shared_with(p, need, outsider):
    assert_error(client().get("/api/v1/needs/"), 401)
    assert_error(client().get(url(need)), 401)
    assert ids(client(outsider).get("/api/v1/needs/")) == set()
    assert_error(client(outsider).get(url(need)), 404)
    for user in (p.librarian, p.manager, p.supplier):
        assert ids(client(user).get("/api/v1/needs/")) == {need.pk}
        assert ok(client(user).get(url(need)))["library"]["id"] == p.library.pk


def test_needs_filter_by_status_and_category(p, need):
    assert ids(client(p.librarian).get("/api/v1/needs/", {"status": "open", "category": "equipment"})) == {need.pk}
    assert ids(client(p.librarian).get("/api/v1/needs/", {"status": "analysed"})) == set()
    assert_error(client(p.librarian).get("/api/v1/needs/", {"category": "magic"}), 400, field="category")


@covers("POST /api/v1/needs/", "anonymous", "unrelated", "member", "manager")
def test_library_staff_record_their_librarys_needs(p, outsider):
    body = {"library": p.library.pk, "title": "朗读亭", "category": "space", "alliance": p.alliance.pk}
    assert_error(client().post("/api/v1/needs/", body), 401)
    assert_error(client(outsider).post("/api/v1/needs/", body), 400, field="alliance")
    assert_error(client(outsider).post("/api/v1/needs/", {**body, "alliance": None}), 403)
    assert_error(client(p.supplier).post("/api/v1/needs/", body), 403)
    assert not Need.objects.exists()
    for user in (p.librarian, p.manager):
        made = created(client(user).post("/api/v1/needs/", body))
        assert (made["status"], made["alliance"]["id"], made["evidence_count"]) == ("open", p.alliance.pk, 0)


@covers("PATCH /api/v1/needs/{id}/", "anonymous", "unrelated", "member", "manager")
def test_library_staff_change_a_need(p, need, outsider):
    assert_error(client().patch(url(need), {"priority": "high"}), 401)
    assert_error(client(outsider).patch(url(need), {"priority": "high"}), 404)
    assert_error(client(p.supplier).patch(url(need), {"priority": "high"}), 403)
    assert Need.objects.get(pk=need.pk).priority == "medium"
    assert ok(client(p.librarian).patch(url(need), {"priority": "high"}))["priority"] == "high"
    assert ok(client(p.manager).patch(url(need), {"priority": "urgent"}))["priority"] == "urgent"


@covers("GET /api/v1/needs/{id}/evidence/", "anonymous", "unrelated", "member", "manager")
@covers("POST /api/v1/needs/{id}/evidence/", "anonymous", "unrelated", "member", "manager")
def test_library_staff_back_a_need_with_evidence(p, need, outsider):
    body = {"kind": "reader_feedback", "summary": "读者留言：排队太久", "reference_id": "fb-17"}
    assert_error(client().post(url(need, "evidence/"), body), 401)
    assert_error(client(outsider).post(url(need, "evidence/"), body), 404)
    assert_error(client(p.supplier).post(url(need, "evidence/"), body), 403)
    assert not NeedEvidence.objects.exists()
    created(client(p.librarian).post(url(need, "evidence/"), body))
    created(client(p.manager).post(url(need, "evidence/"), {"kind": "statistic", "summary": "高峰期 40 分钟"}))
    assert_error(client(p.manager).post(url(need, "evidence/"), {"kind": "rumour", "summary": "x"}), 400, field="kind")
    assert_error(client().get(url(need, "evidence/")), 401)
    assert_error(client(outsider).get(url(need, "evidence/")), 404)
    for user in (p.librarian, p.manager):
        rows = ok(client(user).get(url(need, "evidence/")))["results"]
        assert [r["kind"] for r in rows] == ["reader_feedback", "statistic"]
    assert ok(client(p.librarian).get(url(need)))["evidence_count"] == 2


@covers("POST /api/v1/needs/{id}/analyse/", "anonymous", "unrelated", "member", "manager")
def test_library_staff_analyse_a_need_once_it_has_evidence(p, need, outsider):
    body = {"analysis": "高峰期借还需求超出人工窗口能力。"}
    error = assert_error(client(p.librarian).post(url(need, "analyse/"), body), 409)
    assert "without evidence" in error["message"]
    with_evidence(p, need)
    assert_error(client().post(url(need, "analyse/"), body), 401)
    assert_error(client(outsider).post(url(need, "analyse/"), body), 404)
    assert_error(client(p.supplier).post(url(need, "analyse/"), body), 403)
    assert Need.objects.get(pk=need.pk).status == "open"
    assert ok(client(p.librarian).post(url(need, "analyse/"), body))["status"] == "analysed"
    assert_error(client(p.manager).post(url(need, "analyse/"), body), 409)
    other = with_evidence(p, services.need_create(actor=act(p.librarian), library=p.library, title="x", category="space"))  # fmt: skip
    assert ok(client(p.manager).post(url(other, "analyse/"), body))["status"] == "analysed"


@covers("POST /api/v1/needs/{id}/drop/", "anonymous", "unrelated", "member", "manager")
def test_library_staff_drop_a_need(p, need, outsider):
    assert_error(client().post(url(need, "drop/")), 401)
    assert_error(client(outsider).post(url(need, "drop/")), 404)
    assert_error(client(p.supplier).post(url(need, "drop/")), 403)
    assert Need.objects.get(pk=need.pk).status == "open"
    assert ok(client(p.librarian).post(url(need, "drop/"), {"reason": "已有替代方案"}))["status"] == "dropped"
    assert_error(client(p.manager).post(url(need, "drop/")), 409)


@covers("POST /api/v1/needs/{id}/archive/", "anonymous", "unrelated", "member", "manager")
def test_library_staff_archive_a_need(p, need, outsider):
    assert_error(client().post(url(need, "archive/")), 401)
    assert_error(client(outsider).post(url(need, "archive/")), 404)
    assert_error(client(p.supplier).post(url(need, "archive/")), 403)
    assert Need.objects.get(pk=need.pk).archived_at is None
    assert ok(client(p.librarian).post(url(need, "archive/")))["archived_at"]
    assert ids(client(p.manager).get("/api/v1/needs/")) == set()
    assert ids(client(p.manager).get("/api/v1/needs/", {"archived": "true"})) == {need.pk}
    assert_error(client(p.manager).post(url(need, "archive/")), 409)


@covers("GET /api/v1/needs/{id}/suggestions/", "anonymous", "unrelated", "member", "manager")
def test_library_staff_see_partners_matched_to_a_need_best_first(p, need, outsider, other_org):
    f.CapabilityFactory(organization=other_org, title_zh="RFID 自助借还系统", keywords="RFID 自助借还")
    assert_error(client().get(url(need, "suggestions/")), 401)
    assert_error(client(outsider).get(url(need, "suggestions/")), 404)
    # Suggestions carry credibility scores: partners who see the need do not see them.
    assert_error(client(p.supplier).get(url(need, "suggestions/")), 403)
    for user in (p.librarian, p.manager):
        rows = ok(client(user).get(url(need, "suggestions/")))
        assert rows[0]["organization"]["id"] == other_org.pk
        assert rows[0]["in_alliance"] is False and rows[0]["score"] > 0


@covers("POST /api/v1/needs/{id}/evidence/archive/", "anonymous", "unrelated", "member", "manager")
def test_library_staff_withdraw_evidence_recorded_by_mistake(p, need, outsider):
    first = services.need_add_evidence(actor=act(p.librarian), need=need, kind="survey", summary="误录")
    second = services.need_add_evidence(actor=act(p.librarian), need=need, kind="statistic", summary="也误录")
    path = url(need, "evidence/archive/")
    assert_error(client().post(path, {"evidence": first.pk}), 401)
    assert_error(client(outsider).post(path, {"evidence": first.pk}), 404)
    assert_error(client(p.supplier).post(path, {"evidence": first.pk}), 403)
    assert NeedEvidence.objects.active().count() == 2
    assert ok(client(p.librarian).post(path, {"evidence": first.pk}))["archived_at"]
    assert ok(client(p.manager).post(path, {"evidence": second.pk}))["archived_at"]
    assert_error(client(p.manager).post(path, {"evidence": second.pk}), 404)
    assert ok(client(p.librarian).get(url(need)))["evidence_count"] == 0

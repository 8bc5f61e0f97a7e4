"""The same cycle passes through the API alone: two full rounds, driven by every party's own calls."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from alliance import hooks
from alliance.models import Project
from tests import factories as f
from tests.alliance.api_helpers import assert_error, client, created, ok, pdf_upload

pytestmark = pytest.mark.django_db


def test_a_project_goes_round_the_cycle_twice_through_the_api_alone(
    library, enterprise, government, staff, staff_manager, partner, partner_manager
):
    university = f.OrganizationFactory(kind="university", name_zh="浙江大学", name_en="Zhejiang University")
    professor = f.member_of(university, "manager")
    officer = f.member_of(government, "manager")
    f.CapabilityFactory(organization=enterprise, title_zh="RFID 自助借还系统", keywords="RFID 自助借还 设备")
    f.CapabilityFactory(organization=university, title_zh="自助借还 读者行为研究", keywords="自助借还 读者 研究")
    readers = [f.ReaderFactory(home_library=library, consent_trials=True) for _ in range(3)]
    librarian, manager, supplier = client(staff), client(staff_manager), client(partner)
    today = timezone.localdate()

    # The library founds the alliance; the government body joins as funder.
    alliance = created(manager.post("/api/v1/alliances/", {"lead_library": library.pk, "name": "智慧图书馆共建联盟"}))
    created(
        manager.post(f"/api/v1/alliances/{alliance['id']}/join/", {"organization": government.pk, "role": "funder"})
    )

    # A need, backed by evidence and analysed.
    need = created(librarian.post("/api/v1/needs/", {
        "library": library.pk, "alliance": alliance["id"], "title": "自助借还排队时间长", "category": "equipment",
        "keywords": "RFID 自助借还", "description": "读者高峰期排队借书，希望增加 RFID 自助借还设备。",
    }))  # fmt: skip
    created(librarian.post(f"/api/v1/needs/{need['id']}/evidence/", {"kind": "survey", "summary": "62% 的读者希望自助借还"}))  # fmt: skip
    assert ok(librarian.post(f"/api/v1/needs/{need['id']}/analyse/", {"analysis": "高峰期需求超出人工窗口。"}))["status"] == "analysed"  # fmt: skip

    # The project, and its way to seeking partners.
    project = created(librarian.post("/api/v1/projects/", {"alliance": alliance["id"], "title": "RFID 自助借还改造", "needs": [need["id"]], "budget": "500000"}))  # fmt: skip
    url = f"/api/v1/projects/{project['id']}/"
    assert ok(librarian.post(url + "transition/", {"to": "needs_analysis"}))["status"] == "needs_analysis"
    assert ok(librarian.post(url + "transition/", {"to": "seeking_partners"}))["status"] == "seeking_partners"

    # Partners matched to the need, invited, and accepting.
    suggested = {row["organization"]["id"] for row in ok(librarian.get(f"/api/v1/needs/{need['id']}/suggestions/"))}
    assert {enterprise.pk, university.pk} <= suggested
    for org, role, who in (
        (enterprise, "provider", client(partner_manager)),
        (university, "assistant", client(professor)),
    ):
        body = {"alliance": alliance["id"], "organization": org.pk, "role": role, "need": need["id"], "project": project["id"]}  # fmt: skip
        invitation = created(librarian.post("/api/v1/partner-invitations/", body))
        assert ok(who.post(f"/api/v1/partner-invitations/{invitation['id']}/accept/"))["status"] == "accepted"
    created(manager.post(url + "participants/", {"organization": government.pk, "role": "funder", "funding_amount": "300000"}))  # fmt: skip
    roles = {p["role"] for p in ok(manager.get(url))["participants"]}
    assert roles == {"provider", "assistant", "funder"}

    # Development: contract and risk belong to other apps; without their checks the guard refuses, with
    # the hooks' test helper they say yes.
    with hooks.cleared():
        refused = assert_error(manager.post(url + "transition/", {"to": "in_development"}), 409, code="guard_failed")
    assert "signed contract missing" in refused["message"]
    with hooks.passing():
        assert ok(manager.post(url + "transition/", {"to": "in_development"}))["status"] == "in_development"

    def deliver_version(deliverable_id: int, fixes: list[int]) -> dict:
        body = {"file": pdf_upload(), "notes": "release", **({"fixes": fixes} if fixes else {})}
        version = created(supplier.post(f"/api/v1/deliverables/{deliverable_id}/versions/", body, format="multipart"))
        assert ok(supplier.post(url + "transition/", {"to": "delivered"}))["status"] == "delivered"
        return version

    def run_trial(version: dict, scores: list[int]) -> dict:
        body = {
            "project": project["id"], "version": version["id"], "starts_on": str(today),
            "ends_on": str(today + timedelta(days=14)), "readers": [r.pk for r in readers],
        }  # fmt: skip
        trial = created(librarian.post("/api/v1/trials/", body))
        assert trial["invited_count"] == 3
        assert ok(librarian.post(url + "transition/", {"to": "in_trial"}))["status"] == "in_trial"
        for reader, score in zip(readers, scores, strict=True):
            created(client(reader.user).post(f"/api/v1/trials/{trial['id']}/respond/", {"satisfaction": score}))
        return trial

    # Round one: delivered, tried by readers, found wanting.
    deliverable = created(supplier.post("/api/v1/deliverables/", {"project": project["id"], "title": "自助借还系统"}))
    first = run_trial(deliver_version(deliverable["id"], []), [2, 3, 2])
    result = ok(librarian.get(f"/api/v1/trials/{first['id']}/results/"))
    assert result["meets_criteria"] is False
    correction = created(librarian.post("/api/v1/corrections/", {
        "project": project["id"], "trial": first["id"], "title": "高峰期识别速度慢", "severity": "high",
        "due_on": str(today + timedelta(days=7)),
    }))  # fmt: skip
    refused = assert_error(manager.post(url + "transition/", {"to": "accepted"}), 409, code="guard_failed")
    assert "does not meet its acceptance criteria" in refused["message"]
    assert ok(librarian.post(url + "transition/", {"to": "correcting"}))["status"] == "correcting"
    refused = assert_error(supplier.post(url + "transition/", {"to": "in_development"}), 409, code="guard_failed")
    assert "not yet answered" in refused["message"]
    ok(supplier.post(f"/api/v1/corrections/{correction['id']}/answer/", {"answer": "更换高频读写器"}))
    assert ok(supplier.post(url + "transition/", {"to": "in_development"}))["status"] == "in_development"

    # Round two: the fix ships, readers are pleased, the correction is verified.
    second = run_trial(deliver_version(deliverable["id"], [correction["id"]]), [5, 5, 4])
    verified = ok(librarian.post(f"/api/v1/corrections/{correction['id']}/verify/", {"trial": second["id"]}))
    assert verified["status"] == "closed"
    refused = assert_error(manager.post(url + "transition/", {"to": "accepted"}), 409, code="guard_failed")
    assert "sign-off by the library missing" in refused["message"]
    created(manager.post(url + "signoffs/", {"note": "同意验收"}))
    created(client(officer).post(url + "signoffs/", {"note": "资金方同意"}))
    assert len(ok(librarian.get(url + "signoffs/"))["results"]) == 2
    assert ok(manager.post(url + "transition/", {"to": "accepted", "note": "验收通过"}))["status"] == "accepted"
    assert ok(manager.post(url + "transition/", {"to": "closed"}))["status"] == "closed"

    rounds = ok(librarian.get(url + "rounds/"))
    assert [(r["number"], r["meets_criteria"], r["version_number"]) for r in rounds] == [(1, False, 1), (2, True, 2)]
    assert (rounds[0]["deviations_opened"], rounds[1]["deviations_closed"]) == (1, 1)
    recorded = ok(librarian.get(url + "transitions/"))["recorded"]
    assert [t["to_status"] for t in recorded] == [
        "needs_analysis", "seeking_partners", "in_development", "delivered", "in_trial", "correcting",
        "in_development", "delivered", "in_trial", "accepted", "closed",
    ]  # fmt: skip
    timeline = ok(librarian.get(url + "timeline/"))
    assert [e["at"] for e in timeline] == sorted(e["at"] for e in timeline)
    kinds = [(e["kind"], e["event"]) for e in timeline]
    assert kinds.count(("version", "uploaded")) == 2
    assert kinds.count(("trial", "closed")) == 2
    assert ("correction", "verified") in kinds and kinds[-1] == ("transition", "close")
    assert Project.objects.get(pk=project["id"]).status == "closed"
    assert ok(librarian.get(f"/api/v1/needs/{need['id']}/"))["status"] == "met"

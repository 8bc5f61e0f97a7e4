"""Issue #6's "done when", told through the REST API alone.

A library adopts domain templates into a project's register, scores a risk and plans its mitigation, completes
the pre-assessment signed by the library and the provider, every party signs the contract, and the project enters
development (refused, naming what is missing, until then). Money follows: a tranche on a milestone nobody has
accepted is refused, the accepted milestone's tranche is released. IP shares of 90 % are refused. The risk's review
falls due and the beat sweeper's reminder arrives once over two sweeps; the heat map puts the risk in its cell; an
organisation outside the alliance sees none of it.

The starting point (an alliance and a project seeking partners, provider and assistant on board) is made with the
services as in every API test; everything after it goes through ``/api/v1/``. The sweeper has no endpoint (it is a
beat task), so it is called as the beat calls it, with the clock moved to the due date through its ``now``.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from alliance.models import Contract, IPAsset, Project, Tranche
from notifications.models import Delivery, Notification
from risk import services as risk_services
from risk.choices import RiskCategory
from risk.models import ReviewReminder
from tests.alliance.api_helpers import assert_error, created, ids, ok
from tests.alliance.api_helpers import client as api
from tests.risk.conftest import project_with_provider

pytestmark = pytest.mark.django_db


def _transition(user, project):
    return api(user).post(f"/api/v1/projects/{project.pk}/transition/", {"to": "in_development"}, format="json")


def _refused_development(p, project) -> str:
    error = assert_error(_transition(p.manager, project), 409, code="guard_failed")
    assert Project.objects.get(pk=project.pk).status == "seeking_partners"
    return error["message"]


def _reminders(risk_id: int) -> list[Notification]:
    return [n for n in Notification.objects.filter(event="risk.review.due") if n.data.get("risk") == risk_id]


def test_the_risk_control_story_through_the_api(p, templates, partner_manager, outsider, client):
    web = client  # pytest-django's client, for the register's page
    project = project_with_provider(p)
    today = timezone.localdate()

    # --- the register: a library manager opens it, a librarian adopts templates owned by the provider -----------
    register = created(api(p.manager).post("/api/v1/risk-registers/", {"alliance": p.alliance.pk,
                                                                        "project": project.pk}, format="json"))  # fmt: skip
    chosen = [
        row["id"]
        for category in ("security", "funding", "copyright")
        for row in ok(api(p.librarian).get("/api/v1/risk-templates/", {"category": category}))["results"][:1]
    ]
    assert len(chosen) == 3
    adopt = f"/api/v1/risk-registers/{register['id']}/adopt/"
    assert_error(api(p.supplier).post(adopt, {"templates": chosen}, format="json"), 403)  # not the keepers
    adopted = created(
        api(p.librarian).post(adopt, {"templates": chosen, "owner_organization": p.enterprise.pk}, format="json")
    )
    assert {r["owner_organization"]["id"] for r in adopted} == {p.enterprise.pk}
    assert ids(api(p.librarian).get("/api/v1/risks/", {"register": register["id"]})) == {r["id"] for r in adopted}
    # adopting the same templates again is refused, naming them
    assert_error(api(p.librarian).post(adopt, {"templates": chosen}, format="json"), 409)

    # --- score one risk, name its owner, plan a mitigation --------------------------------------------------------
    risk = next(r for r in adopted if r["category"] == "security")
    risk_path = f"/api/v1/risks/{risk['id']}/"
    scored = ok(api(p.librarian).patch(risk_path, {"likelihood": 4, "impact": 5, "residual_likelihood": 2,
                                                   "residual_impact": 4, "owner": p.supplier.pk}, format="json"))  # fmt: skip
    assert (scored["inherent_score"], scored["residual_score"], scored["owner"]["id"]) == (20, 8, p.supplier.pk)
    assert_error(api(p.librarian).patch(risk_path, {"likelihood": 6}, format="json"), 400, field="likelihood")
    mitigation = created(api(p.librarian).post("/api/v1/risk-mitigations/", {
        "risk": risk["id"], "title": "读者数据加密与脱敏", "owner_organization": p.enterprise.pk,
        "owner": p.supplier.pk, "due_on": (today + timedelta(days=30)).isoformat()}, format="json"))  # fmt: skip
    progress = ok(api(p.supplier).patch(f"/api/v1/risk-mitigations/{mitigation['id']}/", {"progress": 60},
                                        format="json"))  # fmt: skip
    assert progress["progress"] == 60

    # --- the heat map: inherent 4 × 5, residual 2 × 4; the register's page draws the same ---------------------------
    heat = ok(api(p.officer).get(f"/api/v1/risk-registers/{register['id']}/heatmap/"))
    assert heat["inherent"][3][4] == 1 and heat["residual"][1][3] == 1
    assert sum(map(sum, heat["inherent"])) == 3  # the two others at their template scores
    web.force_login(p.librarian)
    page = web.get(reverse("risk:register-detail", args=[register["id"]]))
    assert page.status_code == 200 and 'id="heat-data"' in page.content.decode()

    # --- before the pre-assessment and the contract, development is refused, saying what is missing -------------
    message = _refused_development(p, project)
    assert "risk pre-assessment missing" in message and "no contract of the project signed by every party" in message

    # --- the pre-assessment: every category judged, signed by the library and by the provider -------------------
    assessment = created(api(p.librarian).post("/api/v1/risk-preassessments/", {"project": project.pk},
                                               format="json"))  # fmt: skip
    items = f"/api/v1/risk-preassessments/{assessment['id']}/items/"
    sign = f"/api/v1/risk-preassessments/{assessment['id']}/sign/"
    for n, category in enumerate(RiskCategory.values):
        if n == len(RiskCategory.values) - 1:
            # one category still open: signing is refused and the guard names the category
            assert_error(api(p.manager).post(sign, {"side": "library"}, format="json"), 409)
            assert "categories not assessed: Other" in _refused_development(p, project)
        ok(api(p.librarian).post(items, {"category": category, "finding": f"已评估：{category}", "likelihood": 2,
                                         "impact": 3}, format="json"))  # fmt: skip
    assert_error(api(p.librarian).post(sign, {"side": "library"}, format="json"), 403)  # a member, not a manager
    ok(api(p.manager).post(sign, {"side": "library"}, format="json"))
    assert "provider signature missing" in _refused_development(p, project)
    assert_error(api(p.supplier).post(sign, {"side": "provider"}, format="json"), 403)
    signed = ok(api(partner_manager).post(sign, {"side": "provider"}, format="json"))
    assert signed["status"] == "completed"

    # --- the contract: drafted by the library, signed by every party -------------------------------------------
    message = _refused_development(p, project)
    assert "risk pre-assessment" not in message and "no contract of the project signed by every party" in message
    contract = created(api(p.librarian).post("/api/v1/contracts/", {
        "alliance": p.alliance.pk, "project": project.pk, "title": "RFID 自助借还系统开发合同", "value": "480000",
        "starts_on": today.isoformat(), "ends_on": (today + timedelta(days=180)).isoformat(),
        "parties": [{"organization": p.library.pk, "role": "library", "obligations": "组织读者测试与验收"},
                    {"organization": p.enterprise.pk, "role": "provider", "obligations": "开发交付并整改"}],
    }, format="json"))  # fmt: skip
    contract_sign = f"/api/v1/contracts/{contract['id']}/sign/"
    assert ok(api(p.manager).post(contract_sign, {}, format="json"))["status"] == "draft"
    assert "no contract of the project signed by every party" in _refused_development(
        p, project
    )  # one party has not signed yet
    assert ok(api(partner_manager).post(contract_sign, {}, format="json"))["status"] == "signed"
    assert Contract.objects.get(pk=contract["id"]).parties.filter(signed_at__isnull=True).count() == 0

    # --- development: the library managers move the project; the guard now passes ------------------------------
    assert_error(_transition(p.librarian, project), 403)
    assert ok(_transition(p.manager, project))["status"] == "in_development"

    # --- money: a tranche on an unaccepted milestone is refused, the accepted one's is released ------------------
    source = created(api(p.officer).post("/api/v1/funding-sources/", {
        "alliance": p.alliance.pk, "organization": p.government.pk, "kind": "government_grant",
        "title": "智慧图书馆专项资金", "amount": "1000000", "starts_on": today.isoformat(),
        "ends_on": (today + timedelta(days=365)).isoformat()}, format="json"))  # fmt: skip
    allocation = created(api(p.officer).post("/api/v1/funding-allocations/", {
        "source": source["id"], "project": project.pk, "amount": "300000"}, format="json"))  # fmt: skip
    milestone = created(api(p.librarian).post("/api/v1/milestones/", {
        "project": project.pk, "title": "设备到货安装", "due_on": today.isoformat()}, format="json"))  # fmt: skip
    tranche = created(api(p.officer).post("/api/v1/tranches/", {
        "allocation": allocation["id"], "milestone": milestone["id"], "amount": "100000"}, format="json"))  # fmt: skip
    release = f"/api/v1/tranches/{tranche['id']}/release/"
    error = assert_error(api(p.officer).post(release), 409, code="milestone_not_accepted")
    assert "设备到货安装" in error["message"] and "not done yet" in error["message"]
    ok(api(p.supplier).post(f"/api/v1/milestones/{milestone['id']}/complete/"))
    error = assert_error(api(p.officer).post(release), 409, code="milestone_not_accepted")
    assert "accept the milestone first" in error["message"]
    assert Tranche.objects.get(pk=tranche["id"]).status == "planned"
    assert_error(api(p.librarian).post(f"/api/v1/milestones/{milestone['id']}/accept/"), 403)  # not the funder
    assert ok(api(p.officer).post(f"/api/v1/milestones/{milestone['id']}/accept/"))["accepted_at"]
    released = ok(api(p.officer).post(release))
    assert released["status"] == "released" == Tranche.objects.get(pk=tranche["id"]).status

    # --- IP: shares adding up to 90 % are refused with the sum named; nothing is written ------------------------
    ip_body = {"project": project.pk, "title": "借还系统源代码", "kind": "software", "licence": "联盟成员免费使用",
               "third_party_cleared": True,
               "shares": [{"organization": p.library.pk, "percent": "60"},
                          {"organization": p.enterprise.pk, "percent": "30"}]}  # fmt: skip
    error = assert_error(api(p.librarian).post("/api/v1/ip-assets/", ip_body, format="json"), 400,
                         code="shares_not_100", field="shares")  # fmt: skip
    assert error["message"] == "The owners' shares add up to 90%, not 100%."
    assert not IPAsset.objects.exists()
    ip_body["shares"][1]["percent"] = "40"
    assert len(created(api(p.librarian).post("/api/v1/ip-assets/", ip_body, format="json"))["shares"]) == 2

    # --- the review falls due: the sweeper reminds the owner once over two sweeps ---------------------------------
    due = parse_datetime(ok(api(p.supplier).get(risk_path))["next_review_at"])
    assert due is not None and due > timezone.now()
    assert not _reminders(risk["id"])
    on_due_day = due + timedelta(hours=1)  # the beat's clock, moved to the day the review falls due
    risk_services.reviews_sweep(now=on_due_day)
    notifications, outbox = Notification.objects.count(), Delivery.objects.count()
    risk_services.reviews_sweep(now=on_due_day)  # the next beat: nothing more
    risk_services.reviews_sweep(now=on_due_day + timedelta(hours=1))
    assert (Notification.objects.count(), Delivery.objects.count()) == (notifications, outbox)
    reminders = _reminders(risk["id"])
    assert [n.recipient_id for n in reminders] == [p.supplier.pk]  # its named owner, once
    assert ReviewReminder.objects.filter(risk_id=risk["id"], level="due").count() == 1
    inbox = ok(api(p.supplier).get("/api/v1/notifications/"))["results"]
    mine = [n for n in inbox if n["event"] == "risk.review.due" and n["data"]["risk"] == risk["id"]]
    assert len(mine) == 1 and scored["title"] in mine[0]["title"]
    reviewed = created(api(p.supplier).post(f"{risk_path}review/", {
        "likelihood": 4, "impact": 5, "residual_likelihood": 2, "residual_impact": 3, "notes": "加密已上线"},
        format="json"))  # fmt: skip
    assert reviewed["residual_score"] == 6
    assert parse_datetime(ok(api(p.supplier).get(risk_path))["next_review_at"]) > due  # a new period

    # --- an organisation outside the alliance sees none of it -----------------------------------------------------
    stranger = api(outsider)
    for path in (
        risk_path,
        f"/api/v1/risk-registers/{register['id']}/",
        f"/api/v1/risk-registers/{register['id']}/heatmap/",
        f"/api/v1/risk-mitigations/{mitigation['id']}/",
        f"/api/v1/risk-preassessments/{assessment['id']}/",
        f"/api/v1/contracts/{contract['id']}/",
        f"/api/v1/tranches/{tranche['id']}/",
    ):
        assert_error(stranger.get(path), 404)
    assert_error(stranger.post(f"{risk_path}review/", {"likelihood": 1, "impact": 1, "residual_likelihood": 1,
                                                        "residual_impact": 1}, format="json"), 404)  # fmt: skip
    assert_error(stranger.post(f"/api/v1/contracts/{contract['id']}/archive/"), 404)
    for path in ("/api/v1/risks/", "/api/v1/risk-registers/", "/api/v1/contracts/", "/api/v1/ip-assets/"):
        assert ids(stranger.get(path)) == set()

"""Every operation of the risk API for the four roles: anonymous, unrelated, member and manager.

The owning organisation of a register is the alliance's lead library: ``member`` is its librarian and
``manager`` its manager; ``unrelated`` manages an organisation with no tie to the alliance. Each case runs
on a fresh world; a refused write must leave every risk table (and its history) as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.apps import apps
from django.utils import timezone

from risk import services
from risk.models import RiskTemplate
from tests.alliance.flow import act
from tests.permissions import ROLES, covers
from tests.stakeholders.api_helpers import assert_error

pytestmark = pytest.mark.django_db

CATEGORIES = ["technology", "ethics", "funding", "copyright", "security", "partner", "compliance", "other"]


@dataclass
class Objects:
    """One of each thing the API reads or writes, around the fixture's project register and risk."""

    w: Any
    mitigation: Any
    plan: Any
    acceptance: Any
    review: Any
    incident: Any
    assessment: Any
    template: Any


@pytest.fixture
def o(w, templates) -> Objects:
    librarian = act(w.p.librarian)
    risk = w.risk
    mitigation = services.mitigation_create(
        actor=librarian, risk=risk, title="脱敏", owner_organization=w.p.enterprise,
        due_on=timezone.localdate() + timedelta(days=10),
    )  # fmt: skip
    plan = services.emergency_plan_create(
        actor=librarian, risk=risk, title="预案", trigger_conditions="泄露", steps="隔离", contacts="王"
    )
    review = services.review_record(
        actor=librarian, risk=risk, likelihood=3, impact=3, residual_likelihood=2, residual_impact=3
    )
    accepted = services.risk_create(
        actor=librarian, register=w.register, category="other", title="低风险", likelihood=1, impact=2
    )
    acceptance = services.acceptance_give(
        actor=librarian, risk=accepted, rationale="影响小", expires_at=timezone.now() + timedelta(days=30)
    )
    incident = services.incident_record(
        actor=librarian, register=w.register, title="事件", occurred_at=timezone.now(), what_happened="x",
        impact="y", response="z",
    )  # fmt: skip
    assessment = services.preassessment_start(actor=librarian, project=w.project)
    for category in CATEGORIES:
        services.preassessment_assess(
            actor=librarian, assessment=assessment, category=category, finding="ok", likelihood=1, impact=1
        )
    return Objects(w, mitigation, plan, acceptance, review, incident, assessment, templates.first())


def _user(o: Objects, role: str) -> Any:
    return {"anonymous": None, "unrelated": o.w.unrelated, "member": o.w.p.librarian, "manager": o.w.p.manager}[role]


def _snapshot() -> dict[str, int]:
    """Row counts of every risk table, history included: a refused write changes none of them."""
    return {m.__name__: m._default_manager.count() for m in apps.get_app_config("risk").get_models()}


@dataclass(frozen=True)
class Op:
    operation: str
    url: Callable[[Objects], str]
    expect: dict[str, int]
    body: Callable[[Objects], dict[str, Any]] | None = None
    # For lists: the id that the member sees and the unrelated does not.
    listed: Callable[[Objects], int] | None = None


READ = {"anonymous": 401, "unrelated": 404, "member": 200, "manager": 200}
LIST = {"anonymous": 401, "unrelated": 200, "member": 200, "manager": 200}
STAFF_WRITE = {"anonymous": 401, "unrelated": 404, "member": 200, "manager": 200}
STAFF_ACTION = {"anonymous": 401, "unrelated": 404, "member": 201, "manager": 201}
STAFF_CREATE = {"anonymous": 401, "unrelated": 400, "member": 201, "manager": 201}
MANAGER_WRITE = {"anonymous": 401, "unrelated": 404, "member": 403, "manager": 200}

V = "/api/v1"
OPS = [
    # registers
    Op("GET /api/v1/risk-registers/", lambda o: f"{V}/risk-registers/", LIST, listed=lambda o: o.w.register.pk),
    Op("POST /api/v1/risk-registers/", lambda o: f"{V}/risk-registers/",
       {"anonymous": 401, "unrelated": 400, "member": 403, "manager": 201},
       body=lambda o: {"alliance": o.w.p.alliance.pk, "title": "联盟风险登记册"}),
    Op("GET /api/v1/risk-registers/{id}/", lambda o: f"{V}/risk-registers/{o.w.register.pk}/", READ),
    Op("PATCH /api/v1/risk-registers/{id}/", lambda o: f"{V}/risk-registers/{o.w.register.pk}/", STAFF_WRITE,
       body=lambda o: {"impact_labels": ["极小", "小", "中", "大", "极大"]}),
    Op("POST /api/v1/risk-registers/{id}/archive/", lambda o: f"{V}/risk-registers/{o.w.register.pk}/archive/",
       MANAGER_WRITE),
    Op("POST /api/v1/risk-registers/{id}/adopt/", lambda o: f"{V}/risk-registers/{o.w.register.pk}/adopt/",
       STAFF_ACTION, body=lambda o: {"templates": [o.template.pk]}),
    Op("GET /api/v1/risk-registers/{id}/heatmap/", lambda o: f"{V}/risk-registers/{o.w.register.pk}/heatmap/", READ),
    Op("GET /api/v1/risk-registers/{id}/trend/", lambda o: f"{V}/risk-registers/{o.w.register.pk}/trend/", READ),
    # templates: public to every signed-in person
    Op("GET /api/v1/risk-templates/", lambda o: f"{V}/risk-templates/", LIST),
    Op("GET /api/v1/risk-templates/{id}/", lambda o: f"{V}/risk-templates/{o.template.pk}/",
       {"anonymous": 401, "unrelated": 200, "member": 200, "manager": 200}),
    # risks
    Op("GET /api/v1/risks/", lambda o: f"{V}/risks/", LIST, listed=lambda o: o.w.risk.pk),
    Op("GET /api/v1/risks/export/", lambda o: f"{V}/risks/export/?as=csv", LIST),
    Op("POST /api/v1/risks/", lambda o: f"{V}/risks/", STAFF_CREATE,
       body=lambda o: {"register": o.w.register.pk, "category": "funding", "title": "配套资金未到位",
                       "likelihood": 3, "impact": 4}),
    Op("GET /api/v1/risks/{id}/", lambda o: f"{V}/risks/{o.w.risk.pk}/", READ),
    Op("PATCH /api/v1/risks/{id}/", lambda o: f"{V}/risks/{o.w.risk.pk}/", STAFF_WRITE,
       body=lambda o: {"residual_likelihood": 1, "treatment": "transfer"}),
    Op("POST /api/v1/risks/{id}/archive/", lambda o: f"{V}/risks/{o.w.risk.pk}/archive/", STAFF_WRITE),
    Op("POST /api/v1/risks/{id}/review/", lambda o: f"{V}/risks/{o.w.risk.pk}/review/", STAFF_ACTION,
       body=lambda o: {"likelihood": 2, "impact": 3, "residual_likelihood": 1, "residual_impact": 3, "notes": "好转"}),
    Op("POST /api/v1/risks/{id}/accept/", lambda o: f"{V}/risks/{o.w.risk.pk}/accept/", STAFF_ACTION,
       body=lambda o: {"rationale": "可承受", "expires_at": (timezone.now() + timedelta(days=60)).isoformat()}),
    # mitigations
    Op("GET /api/v1/risk-mitigations/", lambda o: f"{V}/risk-mitigations/", LIST, listed=lambda o: o.mitigation.pk),
    Op("POST /api/v1/risk-mitigations/", lambda o: f"{V}/risk-mitigations/", STAFF_CREATE,
       body=lambda o: {"risk": o.w.risk.pk, "title": "权限分级", "owner_organization": o.w.p.enterprise.pk,
                       "owner": o.w.p.supplier.pk, "due_on": timezone.localdate().isoformat()}),
    Op("GET /api/v1/risk-mitigations/{id}/", lambda o: f"{V}/risk-mitigations/{o.mitigation.pk}/", READ),
    Op("PATCH /api/v1/risk-mitigations/{id}/", lambda o: f"{V}/risk-mitigations/{o.mitigation.pk}/", STAFF_WRITE,
       body=lambda o: {"progress": 50}),
    Op("POST /api/v1/risk-mitigations/{id}/archive/",
       lambda o: f"{V}/risk-mitigations/{o.mitigation.pk}/archive/", STAFF_WRITE),
    # emergency plans
    Op("GET /api/v1/risk-emergency-plans/", lambda o: f"{V}/risk-emergency-plans/", LIST, listed=lambda o: o.plan.pk),
    Op("POST /api/v1/risk-emergency-plans/", lambda o: f"{V}/risk-emergency-plans/", STAFF_CREATE,
       body=lambda o: {"risk": o.w.risk.pk, "title": "断网预案", "trigger_conditions": "断网超过 30 分钟",
                       "steps": "启用人工借还", "contacts": "信息部"}),
    Op("GET /api/v1/risk-emergency-plans/{id}/", lambda o: f"{V}/risk-emergency-plans/{o.plan.pk}/", READ),
    Op("PATCH /api/v1/risk-emergency-plans/{id}/", lambda o: f"{V}/risk-emergency-plans/{o.plan.pk}/", STAFF_WRITE,
       body=lambda o: {"steps": "1. 隔离\n2. 通知"}),
    Op("POST /api/v1/risk-emergency-plans/{id}/drills/",
       lambda o: f"{V}/risk-emergency-plans/{o.plan.pk}/drills/", STAFF_ACTION,
       body=lambda o: {"held_on": timezone.localdate().isoformat(), "outcome": "顺利"}),
    # records
    Op("GET /api/v1/risk-acceptances/", lambda o: f"{V}/risk-acceptances/", LIST, listed=lambda o: o.acceptance.pk),
    Op("GET /api/v1/risk-acceptances/{id}/", lambda o: f"{V}/risk-acceptances/{o.acceptance.pk}/", READ),
    Op("GET /api/v1/risk-reviews/", lambda o: f"{V}/risk-reviews/", LIST, listed=lambda o: o.review.pk),
    Op("GET /api/v1/risk-reviews/{id}/", lambda o: f"{V}/risk-reviews/{o.review.pk}/", READ),
    Op("GET /api/v1/risk-incidents/", lambda o: f"{V}/risk-incidents/", LIST, listed=lambda o: o.incident.pk),
    Op("POST /api/v1/risk-incidents/", lambda o: f"{V}/risk-incidents/", STAFF_CREATE,
       body=lambda o: {"register": o.w.register.pk, "title": "自助机宕机", "occurred_at": timezone.now().isoformat(),
                       "what_happened": "x", "impact": "y", "response": "z",
                       "rescores": [{"risk": o.w.risk.pk, "likelihood": 4, "impact": 4}]}),
    Op("GET /api/v1/risk-incidents/{id}/", lambda o: f"{V}/risk-incidents/{o.incident.pk}/", READ),
    # pre-assessments
    Op("GET /api/v1/risk-preassessments/", lambda o: f"{V}/risk-preassessments/", LIST,
       listed=lambda o: o.assessment.pk),
    Op("POST /api/v1/risk-preassessments/", lambda o: f"{V}/risk-preassessments/",
       {"anonymous": 401, "unrelated": 400, "member": 409, "manager": 409},  # one per project: it has one
       body=lambda o: {"project": o.w.project.pk}),
    Op("GET /api/v1/risk-preassessments/{id}/", lambda o: f"{V}/risk-preassessments/{o.assessment.pk}/", READ),
    Op("POST /api/v1/risk-preassessments/{id}/items/",
       lambda o: f"{V}/risk-preassessments/{o.assessment.pk}/items/", STAFF_WRITE,
       body=lambda o: {"category": "ethics", "finding": "读者画像需告知同意", "likelihood": 3, "impact": 3}),
    Op("POST /api/v1/risk-preassessments/{id}/sign/",
       lambda o: f"{V}/risk-preassessments/{o.assessment.pk}/sign/", MANAGER_WRITE,
       body=lambda o: {"side": "library"}),
]  # fmt: skip

for _op in OPS:
    covers(_op.operation, *ROLES)


@pytest.fixture
def unrelated(w, outsider):
    w.unrelated = outsider
    return outsider


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("op", OPS, ids=lambda op: op.operation)
def test_operation_answers_each_role_as_documented(op, role, o, unrelated, api):
    client = api(_user(o, role))
    method = op.operation.split()[0].lower()
    expected = op.expect[role]
    before = _snapshot()
    if op.body is None:
        response = getattr(client, method)(op.url(o))
    else:
        response = getattr(client, method)(op.url(o), op.body(o), format="json")
    if expected >= 400:
        assert_error(response, expected)
        if method != "get":
            assert _snapshot() == before, f"a refused {op.operation} changed something"
        return
    assert response.status_code == expected, response.content
    if method != "get":
        assert _snapshot() != before
    if op.listed is not None:
        shown = {row["id"] for row in response.json()["results"]}
        assert (op.listed(o) in shown) == (role != "unrelated")


def test_adopting_no_template_is_a_400_with_a_clear_message(o, api):
    response = api(o.w.p.librarian).post(
        f"{V}/risk-registers/{o.w.register.pk}/adopt/", {"templates": []}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    error = assert_error(response, 400, code="nothing_to_adopt", field="templates")
    assert "at least one template" in error["message"] or "至少选择一个模板" in error["message"]
    response = api(o.w.p.librarian).post(f"{V}/risk-registers/{o.w.register.pk}/adopt/", {}, format="json")
    assert_error(response, 400, field="templates")
    missing = RiskTemplate.objects.order_by("-pk").first().pk + 1000
    response = api(o.w.p.librarian).post(
        f"{V}/risk-registers/{o.w.register.pk}/adopt/", {"templates": [missing]}, format="json"
    )
    assert_error(response, 400, field="templates")


def test_partners_see_their_projects_register_and_own_mitigations_but_cannot_keep_it(o, api):
    supplier = api(o.w.p.supplier)
    assert supplier.get(f"{V}/risks/{o.w.risk.pk}/").status_code == 200
    assert_error(supplier.patch(f"{V}/risks/{o.w.risk.pk}/", {"title": "改"}, format="json"), 403)
    response = supplier.patch(f"{V}/risk-mitigations/{o.mitigation.pk}/", {"progress": 100}, format="json")
    assert response.status_code == 200 and response.json()["done_at"]


def test_export_downloads_the_filtered_risks_as_csv_and_xlsx(o, api):
    client = api(o.w.p.librarian)
    response = client.get(f"{V}/risks/export/", {"as": "csv", "category": "security"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    assert "读者数据泄露" in text and "低风险" not in text
    xlsx = client.get(f"{V}/risks/export/", {"as": "xlsx"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert_error(client.get(f"{V}/risks/export/", {"as": "pdf"}), 400)


def test_heat_map_and_overdue_filters_through_the_api(o, api):
    client = api(o.w.p.manager)
    heat = client.get(f"{V}/risk-registers/{o.w.register.pk}/heatmap/").json()
    assert heat["inherent"][2][2] == 1 and heat["residual"][1][2] == 1  # 3×3 inherent, 2×3 after the review
    assert client.get(f"{V}/risks/", {"review_overdue": "true"}).json()["count"] == 0
    assert client.get(f"{V}/risk-mitigations/", {"overdue": "false"}).json()["count"] == 1

"""Every operation of the coordination API for the four roles: anonymous, unrelated, member and manager.

The owning organisation of the meeting and the plan is the alliance's lead library, which organises and
leads them: ``member`` is its librarian, ``manager`` its manager; ``unrelated`` manages an organisation with
no tie to the alliance. A refused write must leave every coordination table (and its history) as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.apps import apps
from django.utils import timezone

from coordination import services
from coordination.models import ActionItem
from tests.alliance.flow import act
from tests.permissions import ROLES, covers
from tests.stakeholders.api_helpers import assert_error

from .conftest import schedule

pytestmark = pytest.mark.django_db
V = "/api/v1/coordination"


@dataclass
class Objects:
    w: Any
    item: ActionItem
    upcoming: Any
    unrelated: Any = None
    agenda: Any = None


@pytest.fixture
def o(w, outsider) -> Objects:
    p = w.p
    services.meeting_record_minutes(
        actor=act(p.librarian), meeting=w.conference, minutes="纪要", decisions=["决定"],
        action_items=[{"title": "甲", "owner": p.librarian, "owner_organization": p.library,
                       "due_on": timezone.localdate() + timedelta(days=3)}],
    )  # fmt: skip
    agenda = services.agenda_item_add(actor=act(p.librarian), meeting=w.conference, title="年度总结")
    return Objects(w, ActionItem.objects.get(), schedule(p, title="研讨会", kind="workshop"), outsider, agenda)


def _user(o: Objects, role: str) -> Any:
    return {"anonymous": None, "unrelated": o.unrelated, "member": o.w.p.librarian, "manager": o.w.p.manager}[role]


def _snapshot() -> dict[str, int]:
    counts = {m.__name__: m._default_manager.count() for m in apps.get_app_config("coordination").get_models()}
    counts["Notification"] = apps.get_model("notifications", "Notification").objects.count()
    return counts


@dataclass(frozen=True)
class Op:
    operation: str
    url: Callable[[Objects], str]
    expect: dict[str, int]
    body: Callable[[Objects], dict[str, Any]] | None = None
    listed: Callable[[Objects], int] | None = None
    changes: bool = True


READ = {"anonymous": 401, "unrelated": 404, "member": 200, "manager": 200}
LIST = {"anonymous": 401, "unrelated": 200, "member": 200, "manager": 200}
WRITE = {"anonymous": 401, "unrelated": 404, "member": 200, "manager": 200}
CREATE = {"anonymous": 401, "unrelated": 400, "member": 201, "manager": 201}
MANAGER_WRITE = {"anonymous": 401, "unrelated": 404, "member": 403, "manager": 200}


def _start(days: int = 5) -> str:
    return (timezone.now() + timedelta(days=days)).isoformat()


OPS = [
    Op("GET /api/v1/coordination/meetings/", lambda o: f"{V}/meetings/", LIST, listed=lambda o: o.w.conference.pk),
    Op("POST /api/v1/coordination/meetings/", lambda o: f"{V}/meetings/", CREATE,
       body=lambda o: {"alliance": o.w.p.alliance.pk, "kind": "workshop", "title": "研讨会", "starts_at": _start(),
                       "ends_at": _start(6), "online_url": "https://meet.example.cn/x",
                       "organizations": [o.w.p.enterprise.pk], "recurrence": "monthly", "occurrences": 3}),
    Op("GET /api/v1/coordination/meetings/{id}/", lambda o: f"{V}/meetings/{o.w.conference.pk}/", READ),
    Op("PATCH /api/v1/coordination/meetings/{id}/", lambda o: f"{V}/meetings/{o.w.conference.pk}/", WRITE,
       body=lambda o: {"place": "新馆 2 楼"}),
    Op("POST /api/v1/coordination/meetings/{id}/invite/", lambda o: f"{V}/meetings/{o.w.conference.pk}/invite/",
       WRITE, body=lambda o: {"people": [o.w.p.supplier.pk]}),
    Op("POST /api/v1/coordination/meetings/{id}/register/",
       lambda o: f"{V}/meetings/{o.upcoming.pk}/register/", WRITE),
    Op("POST /api/v1/coordination/meetings/{id}/attendance/",
       lambda o: f"{V}/meetings/{o.w.conference.pk}/attendance/", WRITE,
       body=lambda o: {"people": [o.w.p.supplier.pk, o.w.p.professor.pk]}),
    Op("POST /api/v1/coordination/meetings/{id}/agenda/", lambda o: f"{V}/meetings/{o.w.conference.pk}/agenda/",
       {**WRITE, "member": 201, "manager": 201}, body=lambda o: {"title": "议题"}),
    Op("PATCH /api/v1/coordination/meetings/{id}/agenda/{item_id}/",
       lambda o: f"{V}/meetings/{o.w.conference.pk}/agenda/{o.agenda.pk}/", WRITE,
       body=lambda o: {"title": "年度总结与计划", "notes": "各单位十分钟"}),
    Op("DELETE /api/v1/coordination/meetings/{id}/agenda/{item_id}/",
       lambda o: f"{V}/meetings/{o.w.conference.pk}/agenda/{o.agenda.pk}/", {**WRITE, "member": 204, "manager": 204}),
    Op("POST /api/v1/coordination/meetings/{id}/minutes/", lambda o: f"{V}/meetings/{o.w.conference.pk}/minutes/",
       WRITE, body=lambda o: {"minutes": "补充纪要", "decisions": ["决定二"], "action_items": [
           {"title": "乙", "owner": o.w.p.supplier.pk, "owner_organization": o.w.p.enterprise.pk,
            "due_on": timezone.localdate().isoformat(), "decision": 1}]}),
    Op("POST /api/v1/coordination/meetings/{id}/cancel/", lambda o: f"{V}/meetings/{o.upcoming.pk}/cancel/", WRITE),
    Op("GET /api/v1/coordination/action-items/", lambda o: f"{V}/action-items/", LIST, listed=lambda o: o.item.pk),
    Op("GET /api/v1/coordination/action-items/{id}/", lambda o: f"{V}/action-items/{o.item.pk}/", READ),
    Op("PATCH /api/v1/coordination/action-items/{id}/", lambda o: f"{V}/action-items/{o.item.pk}/", WRITE,
       body=lambda o: {"status": "done"}),
    Op("GET /api/v1/coordination/research-plans/", lambda o: f"{V}/research-plans/", LIST,
       listed=lambda o: o.w.plan.pk),
    Op("POST /api/v1/coordination/research-plans/", lambda o: f"{V}/research-plans/", CREATE,
       body=lambda o: {"alliance": o.w.p.alliance.pk, "title": "计划", "objectives": "目标", "budget": "1000.00",
                       "participants": [o.w.p.university.pk],
                       "milestones": [{"title": "启动", "due_on": timezone.localdate().isoformat()}],
                       "outputs": [{"kind": "patent", "title": "专利"}]}),
    Op("GET /api/v1/coordination/research-plans/{id}/", lambda o: f"{V}/research-plans/{o.w.plan.pk}/", READ),
    Op("PATCH /api/v1/coordination/research-plans/{id}/", lambda o: f"{V}/research-plans/{o.w.plan.pk}/", WRITE,
       body=lambda o: {"objectives": "新目标"}),
    Op("POST /api/v1/coordination/research-plans/{id}/sign/", lambda o: f"{V}/research-plans/{o.w.plan.pk}/sign/",
       MANAGER_WRITE, body=lambda o: {}),
]  # fmt: skip

for _op in OPS:
    covers(_op.operation, *ROLES)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("op", OPS, ids=lambda op: op.operation)
def test_operation_answers_each_role_as_documented(op, role, o, api):
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


def test_invited_partner_reads_but_cannot_change_the_meeting(o, api):
    supplier = api(o.w.p.supplier)
    assert supplier.get(f"{V}/meetings/{o.w.conference.pk}/").status_code == 200
    assert_error(supplier.patch(f"{V}/meetings/{o.w.conference.pk}/", {"place": "x"}, format="json"), 403)
    assert_error(supplier.post(f"{V}/meetings/{o.w.conference.pk}/agenda/", {"title": "x"}, format="json"), 403)


def test_bad_input_is_a_400_with_fields_never_a_500(o, api):
    client = api(o.w.p.librarian)
    body = {"alliance": o.w.p.alliance.pk, "kind": "workshop", "title": "x", "starts_at": _start(6),
            "ends_at": _start(5), "place": "馆内"}  # fmt: skip
    assert_error(client.post(f"{V}/meetings/", body, format="json"), 400, field="ends_at")
    assert_error(client.post(f"{V}/meetings/", {**body, "ends_at": _start(7), "timezone": "Mars/Olympus"},
                             format="json"), 400, field="timezone")  # fmt: skip
    agenda = {"title": "x", "target_kind": "alliance.project", "target_id": 999999}
    assert_error(client.post(f"{V}/meetings/{o.w.conference.pk}/agenda/", agenda, format="json"), 400)
    assert_error(client.post(f"{V}/meetings/{o.w.conference.pk}/invite/", {}, format="json"), 400)


def test_meeting_detail_shows_minutes_decisions_and_action_items(o, api):
    data = api(o.w.p.supplier).get(f"{V}/meetings/{o.w.conference.pk}/").json()
    assert data["minutes"] == "纪要" and [d["text"] for d in data["decisions"]] == ["决定"]
    assert [a["title"] for a in data["action_items"]] == ["甲"]
    assert len(data["invited_organizations"]) == 3


def test_a_held_meeting_cannot_be_cancelled_or_registered_for(o, api):
    client = api(o.w.p.librarian)
    assert_error(client.post(f"{V}/meetings/{o.w.conference.pk}/cancel/"), 409)
    assert_error(client.post(f"{V}/meetings/{o.w.conference.pk}/register/"), 409)

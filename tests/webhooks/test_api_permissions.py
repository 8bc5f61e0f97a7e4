"""Every operation of the webhooks API for anonymous, unrelated, member and manager (of the subscribing enterprise).

Webhooks are the business of the organisation's managers: a plain member sees nothing (lists empty, 404 by id,
403 creating), an unrelated manager the same; a refused write changes nothing.
"""

from __future__ import annotations

import pytest

from tests.alliance.flow import act, move, new_project, staff_project, to_seeking_partners
from tests.permissions import ROLES, covers
from tests.stakeholders.api_helpers import assert_error
from webhooks import services
from webhooks.models import DeliveryStatus, Subscription, WebhookDelivery

pytestmark = pytest.mark.django_db

BASE = "/api/v1/webhooks"


@pytest.fixture
def world(p, partner_manager, partner, outsider):
    sub = services.subscription_create(
        actor=act(partner_manager), organization=p.enterprise, name="ERP", url="http://localhost:9/x",
        events=["project.transitioned"],
    )  # fmt: skip
    project = new_project(p)
    to_seeking_partners(p, project)
    staff_project(p, project)
    move(p.manager, project, "suspend")
    delivery = WebhookDelivery.objects.get(subscription=sub)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.FAILED)
    users = {"anonymous": None, "unrelated": outsider, "member": partner, "manager": partner_manager}
    return sub, delivery, users


def _snapshot():
    return (
        list(Subscription.objects.order_by("pk").values()),
        list(WebhookDelivery.objects.order_by("pk").values("status", "attempts")),
    )


@covers(f"GET {BASE}/subscriptions/", *ROLES)
@covers(f"GET {BASE}/deliveries/", *ROLES)
@pytest.mark.parametrize("role", ROLES)
def test_lists(api, world, role):
    sub, delivery, users = world
    for url, pk in ((f"{BASE}/subscriptions/", sub.pk), (f"{BASE}/deliveries/", delivery.pk)):
        response = api(users[role]).get(url)
        if role == "anonymous":
            assert_error(response, 401)
            continue
        assert response.status_code == 200
        ids = [row["id"] for row in response.json()["results"]]
        assert ids == ([pk] if role == "manager" else [])


@covers(f"GET {BASE}/subscriptions/{{id}}/", *ROLES)
@covers(f"GET {BASE}/deliveries/{{id}}/", *ROLES)
@pytest.mark.parametrize("role", ROLES)
def test_details(api, world, role):
    sub, delivery, users = world
    expected = {"anonymous": 401, "unrelated": 404, "member": 404, "manager": 200}[role]
    response = api(users[role]).get(f"{BASE}/subscriptions/{sub.pk}/")
    assert response.status_code == expected
    if expected == 200:
        assert response.json()["secret"] == sub.secret and response.json()["events"] == ["project.transitioned"]
    response = api(users[role]).get(f"{BASE}/deliveries/{delivery.pk}/")
    assert response.status_code == expected
    if expected == 200:
        body = response.json()
        assert body["payload"]["event"] == "project.transitioned" and body["attempt_log"] == []


@covers(f"POST {BASE}/subscriptions/", *ROLES)
@pytest.mark.parametrize("role", ROLES)
def test_create(api, world, p, role):
    _sub, _delivery, users = world
    before = _snapshot()
    body = {
        "organization": p.enterprise.pk,
        "name": "BI",
        "url": "http://localhost:8080/in",
        "events": ["risk.level_changed"],
    }
    response = api(users[role]).post(f"{BASE}/subscriptions/", body, format="json")
    if role == "manager":
        assert response.status_code == 201, response.content
        assert response.json()["events"] == ["risk.level_changed"] and len(response.json()["secret"]) == 64
        return
    assert_error(response, {"anonymous": 401, "unrelated": 403, "member": 403}[role])
    assert _snapshot() == before


def test_create_validates(api, world, p):
    _sub, _delivery, users = world
    client = api(users["manager"])
    assert_error(
        client.post(
            f"{BASE}/subscriptions/", {"name": "x", "url": "ftp://x", "events": ["project.transitioned"]}, format="json"
        ),
        400,
        field="url",
    )
    assert_error(
        client.post(
            f"{BASE}/subscriptions/", {"name": "x", "url": "http://localhost/x", "events": ["nope"]}, format="json"
        ),
        400,
        field="events.0",
    )
    assert_error(
        client.post(
            f"{BASE}/subscriptions/",
            {"organization": 999999, "name": "x", "url": "http://localhost/x", "events": ["project.transitioned"]},
            format="json",
        ),
        400,
        field="organization",
    )


@covers(f"PATCH {BASE}/subscriptions/{{id}}/", *ROLES)
@covers(f"POST {BASE}/subscriptions/{{id}}/rotate-secret/", *ROLES)
@covers(f"POST {BASE}/subscriptions/{{id}}/archive/", *ROLES)
@covers(f"POST {BASE}/deliveries/{{id}}/retry/", *ROLES)
@pytest.mark.parametrize("role", ROLES)
def test_writes(api, world, role):
    sub, delivery, users = world
    client = api(users[role])
    before = _snapshot()
    calls = [
        ("patch", f"{BASE}/subscriptions/{sub.pk}/", {"is_active": False, "events": ["risk.level_changed"]}),
        ("post", f"{BASE}/subscriptions/{sub.pk}/rotate-secret/", {}),
        ("post", f"{BASE}/deliveries/{delivery.pk}/retry/", {}),
        ("post", f"{BASE}/subscriptions/{sub.pk}/archive/", {}),
    ]
    for method, url, body in calls:
        response = getattr(client, method)(url, body, format="json")
        if role == "manager":
            assert response.status_code == 200, (url, response.content)
        else:
            assert_error(response, 401 if role == "anonymous" else 404)
    if role != "manager":
        assert _snapshot() == before
        return
    sub.refresh_from_db()
    assert sub.archived_at and not sub.is_active and sub.event_types == ["risk.level_changed"]
    # archived: a second archive is a conflict
    assert_error(client.post(f"{BASE}/subscriptions/{sub.pk}/archive/"), 409)

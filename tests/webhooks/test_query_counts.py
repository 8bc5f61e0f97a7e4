"""Webhook endpoints and pages run a pinned number of queries, the same for 2 rows and for 10.

Moved here from tests/community (it pinned only "constant"); now the exact counts are pinned, and the detail
endpoints and the subscription page (with its deliveries) too.
"""

from __future__ import annotations

import pytest
from django.test import Client

from tests import factories as f
from tests.alliance.flow import act, move, new_project, staff_project, to_seeking_partners
from webhooks import services
from webhooks.models import Subscription, WebhookDelivery

pytestmark = pytest.mark.django_db

# API: actor (user, memberships), count, page, prefetches. Pages: session and user, navigation, the page's own.
PINNED = {
    "/api/v1/webhooks/subscriptions/": 4,
    "/api/v1/webhooks/deliveries/": 4,
    "/api/v1/webhooks/subscriptions/{id}/": 3,
    "/api/v1/webhooks/deliveries/{id}/": 4,
    "/webhooks/": 5,
    "/webhooks/{id}/": 7,
}


@pytest.fixture
def world(p):
    manager = f.member_of(p.enterprise, "manager")
    project = new_project(p)
    to_seeking_partners(p, project)
    staff_project(p, project)
    return p, manager, project


def _subscriptions(world, n):
    p, manager, _project = world
    for i in range(n):
        services.subscription_create(
            actor=act(manager), organization=p.enterprise, name=f"s{Subscription.objects.count()}-{i}",
            url="http://localhost:9/x", events=["project.transitioned"],
        )  # fmt: skip
    _transitions(world)


def _transitions(world, times=1):
    p, _manager, project = world
    for _ in range(times):
        move(p.manager, project, "suspend")
        move(p.manager, project, "resume")


def _api(api, user, url, count_queries) -> int:
    client = api(user)
    assert client.get(url).status_code == 200, url  # warm up
    with count_queries() as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def _page(user, url, count_queries) -> int:
    client = Client()
    client.force_login(user)
    assert client.get(url).status_code == 200, url
    with count_queries() as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def _pinned(name, few, many):
    assert (few, many) == (PINNED[name], PINNED[name]), f"{name}: {few} queries for few rows, {many} for many"


def test_webhook_lists_are_pinned_in_the_api_and_on_the_page(api, world, count_queries):
    manager = world[1]
    _subscriptions(world, 2)
    urls = ("/api/v1/webhooks/subscriptions/", "/api/v1/webhooks/deliveries/")
    few = [_api(api, manager, url, count_queries) for url in urls] + [_page(manager, "/webhooks/", count_queries)]
    _subscriptions(world, 8)
    many = [_api(api, manager, url, count_queries) for url in urls] + [_page(manager, "/webhooks/", count_queries)]
    for name, a, b in zip([*urls, "/webhooks/"], few, many, strict=True):
        _pinned(name, a, b)


def test_webhook_details_are_pinned_for_a_quiet_and_a_busy_subscription(api, world, count_queries):
    manager = world[1]
    _subscriptions(world, 1)
    quiet = Subscription.objects.get()
    _transitions(world, 1)
    _subscriptions(world, 1)
    busy = Subscription.objects.exclude(pk=quiet.pk).get()
    services.subscription_archive(actor=act(manager), subscription=quiet)
    _transitions(world, 5)  # deliveries now go to the busy one only
    assert (
        WebhookDelivery.objects.filter(subscription=busy).count()
        > WebhookDelivery.objects.filter(subscription=quiet).count()
    )
    for name, url in (
        ("/api/v1/webhooks/subscriptions/{id}/", "/api/v1/webhooks/subscriptions/{}/"),
        ("/webhooks/{id}/", "/webhooks/{}/"),
    ):
        count = _page if url.startswith("/webhooks") else (lambda u, x, c: _api(api, u, x, c))
        _pinned(
            name,
            count(manager, url.format(quiet.pk), count_queries),
            count(manager, url.format(busy.pk), count_queries),
        )
    first, last = (WebhookDelivery.objects.filter(subscription=s).order_by("id").first() for s in (quiet, busy))
    name = "/api/v1/webhooks/deliveries/{id}/"
    _pinned(
        name,
        _api(api, manager, f"/api/v1/webhooks/deliveries/{first.pk}/", count_queries),
        _api(api, manager, f"/api/v1/webhooks/deliveries/{last.pk}/", count_queries),
    )

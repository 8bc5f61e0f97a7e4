"""List endpoints of the community and webhooks APIs run the same number of queries for 2 rows and for 10."""

from __future__ import annotations

import pytest
from django.utils import timezone

from alliance import services as alliance_services
from community import services
from tests import factories as f
from tests.alliance.flow import act, move, new_project, staff_project, to_seeking_partners
from webhooks import services as webhook_services

pytestmark = pytest.mark.django_db


def _count(api, user, url, count_queries) -> int:
    client = api(user)
    assert client.get(url).status_code == 200  # warm up
    with count_queries() as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def _threads(p, n):
    for i in range(n):
        t = services.thread_start(
            actor=act(p.librarian), alliance=p.alliance, title=f"话题{i}", body=f"@{p.supplier.username}"
        )
        services.thread_reply(actor=act(p.supplier), thread=t, body="回复")


def _documents(p, n):
    for i in range(n):
        alliance_services.guidance_issue(
            actor=act(p.officer), kind="policy", title=f"政策{i}", effective_on=timezone.localdate()
        )


@pytest.mark.parametrize(
    ("url", "make", "who"),
    [
        ("/api/v1/community/threads/", _threads, "librarian"),
        ("/api/v1/community/threads/?q=话题", _threads, "librarian"),
        ("/api/v1/community/acknowledgements/", _documents, "officer"),
    ],
)
def test_community_lists_are_constant(api, p, count_queries, url, make, who):
    make(p, 2)
    few = _count(api, getattr(p, who), url, count_queries)
    make(p, 8)
    assert _count(api, getattr(p, who), url, count_queries) == few
    assert few <= 8


def test_thread_detail_is_constant_in_posts(api, p, count_queries):
    t = services.thread_start(actor=act(p.librarian), alliance=p.alliance, title="长讨论", body="开场")
    services.thread_reply(actor=act(p.supplier), thread=t, body="1")
    few = _count(api, p.librarian, f"/api/v1/community/threads/{t.pk}/", count_queries)
    for i in range(8):
        services.thread_reply(actor=act(p.supplier if i % 2 else p.professor), thread=t, body=str(i))
    assert _count(api, p.librarian, f"/api/v1/community/threads/{t.pk}/", count_queries) == few


def test_webhook_lists_are_constant(api, p, count_queries):
    manager = f.member_of(p.enterprise, "manager")
    project = new_project(p)
    to_seeking_partners(p, project)
    staff_project(p, project)

    def subs(n):
        for i in range(n):
            webhook_services.subscription_create(
                actor=act(manager), organization=p.enterprise, name=f"s{i}", url="http://localhost:9/x",
                events=["project.transitioned"],
            )  # fmt: skip
        move(p.manager, project, "suspend")
        move(p.manager, project, "resume")

    subs(2)
    counts = [
        _count(api, manager, url, count_queries)
        for url in ("/api/v1/webhooks/subscriptions/", "/api/v1/webhooks/deliveries/")
    ]
    subs(8)
    assert [
        _count(api, manager, url, count_queries)
        for url in ("/api/v1/webhooks/subscriptions/", "/api/v1/webhooks/deliveries/")
    ] == counts

"""Community endpoints and pages run a pinned number of queries, the same for 2 rows and for 10.

Lists are measured before and after more rows are added; detail endpoints and pages on a small and a big object
(a thread of one post and one of ten, a document asked of a few organisations and of many).
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from alliance import services as alliance_services
from community import services
from tests import factories as f
from tests.alliance.flow import act

pytestmark = pytest.mark.django_db


# API: actor (user, memberships), count, page, prefetches. Pages: session and user, navigation, the page's own.
PINNED = {
    "/api/v1/community/threads/": 4,
    "/api/v1/community/threads/?q=话题": 4,
    "/api/v1/community/acknowledgements/": 4,
    "/api/v1/community/threads/{id}/": 4,
    "/api/v1/community/acknowledgements/{id}/": 3,
    "/community/": 7,
    "/community/?q=话题": 7,
    "/community/threads/{id}/": 7,
    "/community/acknowledgements/ (asked)": 6,
    "/community/acknowledgements/ (issued)": 6,
    "/community/acknowledgements/documents/{id}/": 6,
}


def _count(api, user, url, count_queries) -> int:
    client = api(user)
    assert client.get(url).status_code == 200  # warm up
    with count_queries() as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def _page_count(user, url, count_queries) -> int:
    client = Client()
    client.force_login(user)
    assert client.get(url).status_code == 200, url  # warm up
    with count_queries() as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def _pinned(name, few, many):
    assert (few, many) == (PINNED[name], PINNED[name]), f"{name}: {few} queries for few rows, {many} for many"


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
def test_community_lists_are_pinned(api, p, count_queries, url, make, who):
    make(p, 2)
    few = _count(api, getattr(p, who), url, count_queries)
    make(p, 8)
    _pinned(url, few, _count(api, getattr(p, who), url, count_queries))


@pytest.mark.parametrize(
    ("url", "name", "make", "who"),
    [
        ("/community/", "/community/", _threads, "librarian"),
        ("/community/?q=话题", "/community/?q=话题", _threads, "librarian"),
        ("/community/acknowledgements/", "/community/acknowledgements/ (asked)", _documents, "manager"),
        ("/community/acknowledgements/", "/community/acknowledgements/ (issued)", _documents, "officer"),
    ],
)
def test_community_list_pages_are_pinned(p, count_queries, url, name, make, who):
    make(p, 2)
    few = _page_count(getattr(p, who), url, count_queries)
    make(p, 8)
    _pinned(name, few, _page_count(getattr(p, who), url, count_queries))


def _long_thread(p, replies):
    t = services.thread_start(actor=act(p.librarian), alliance=p.alliance, title="长讨论", body="开场")
    for i in range(replies):
        services.thread_reply(
            actor=act(p.supplier if i % 2 else p.professor), thread=t, body=f"{i} @{p.manager.username}"
        )
    return t


def test_thread_detail_is_pinned_in_the_api_and_on_the_page(api, p, count_queries):
    short, long = _long_thread(p, 1), _long_thread(p, 9)
    name = "/api/v1/community/threads/{id}/"
    few = _count(api, p.librarian, f"/api/v1/community/threads/{short.pk}/", count_queries)
    _pinned(name, few, _count(api, p.librarian, f"/api/v1/community/threads/{long.pk}/", count_queries))
    name = "/community/threads/{id}/"
    few = _page_count(p.librarian, f"/community/threads/{short.pk}/", count_queries)
    _pinned(name, few, _page_count(p.librarian, f"/community/threads/{long.pk}/", count_queries))


def test_acknowledgement_detail_and_document_page_are_pinned(api, p, count_queries):
    from alliance.models import GuidanceDocument
    from community.models import Acknowledgement

    _documents(p, 2)
    small, big = GuidanceDocument.objects.order_by("id")[:2]
    more = [f.OrganizationFactory(kind="library") for _ in range(6)]
    services.acknowledgement_request(actor=act(p.officer), document=big, organizations=more)
    rows = Acknowledgement.objects.filter(document=big).order_by("id")
    services.acknowledgement_acknowledge(actor=act(p.manager), acknowledgement=rows.get(organization=p.library))
    name = "/api/v1/community/acknowledgements/{id}/"
    ids = [Acknowledgement.objects.filter(document=d).order_by("id").first().pk for d in (small, big)]
    few = _count(api, p.officer, f"/api/v1/community/acknowledgements/{ids[0]}/", count_queries)
    _pinned(name, few, _count(api, p.officer, f"/api/v1/community/acknowledgements/{ids[1]}/", count_queries))
    name = "/community/acknowledgements/documents/{id}/"
    few = _page_count(p.officer, f"/community/acknowledgements/documents/{small.pk}/", count_queries)
    _pinned(name, few, _page_count(p.officer, f"/community/acknowledgements/documents/{big.pk}/", count_queries))

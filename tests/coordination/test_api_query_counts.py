"""List endpoints of the coordination API run a pinned number of queries, the same for 2 rows and for 10."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from coordination import services
from tests.alliance.flow import act

from .conftest import draft_plan, schedule

pytestmark = pytest.mark.django_db

# Actor (user, memberships), count, page; then each prefetch of the page's rows.
PINNED = {
    "/api/v1/coordination/meetings/": 5,
    "/api/v1/coordination/action-items/": 4,
    "/api/v1/coordination/research-plans/": 8,
}


def _rows(p, n):
    for i in range(n):
        meeting = schedule(p, title=f"会议{i}")
        services.meeting_record_minutes(
            actor=act(p.librarian), meeting=meeting, minutes="纪要", decisions=["决定"],
            action_items=[{"title": f"事项{i}", "owner": p.supplier, "owner_organization": p.enterprise,
                           "due_on": timezone.localdate() + timedelta(days=i)}],
        )  # fmt: skip
        plan = draft_plan(p)
        services.plan_sign(actor=act(p.manager), plan=plan)


def _count(api, user, url, count_queries):
    client = api(user)
    client.get(url)
    with count_queries() as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.json()["count"]


@pytest.mark.parametrize("url", sorted(PINNED))
def test_list_query_count_does_not_grow_with_rows(url, p, api, count_queries):
    _rows(p, 2)
    few, n_few = _count(api, p.manager, url, count_queries)
    _rows(p, 8)
    many, n_many = _count(api, p.manager, url, count_queries)
    assert n_many > n_few >= 2
    assert (few, many) == (PINNED[url], PINNED[url]), f"{url}: {few} queries for {n_few} rows, {many} for {n_many}"

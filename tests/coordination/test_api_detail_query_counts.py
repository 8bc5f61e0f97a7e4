"""Detail endpoints of the coordination API run a pinned number of queries, whatever the object holds.

A meeting with one of everything and one with five invitations' worth of agenda, registrations, decisions and
action items cost the same; so do a plan signed once and one with many milestones, outputs and signatures.
"""

from __future__ import annotations

import pytest

from .conftest import busy_meeting, busy_plan

pytestmark = pytest.mark.django_db

V = "/api/v1/coordination"

# Session-free API client: actor (user, memberships), the object with its prefetches.
PINNED = {
    "meetings": 8,
    "action-items": 3,
    "research-plans": 7,
}


def _queries(api, user, url, count_queries):
    client = api(user)
    assert client.get(url).status_code == 200, url  # warm up
    with count_queries() as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return queries


@pytest.mark.parametrize("name", sorted(PINNED))
def test_detail_query_count_is_pinned_and_independent_of_what_the_object_holds(name, p, api, count_queries):
    if name == "research-plans":
        small, big = busy_plan(p, size=1), busy_plan(p, size=5)
        ids = (small.pk, big.pk)
    else:
        small_meeting, big_meeting = busy_meeting(p, size=1), busy_meeting(p, size=5)
        if name == "meetings":
            ids = (small_meeting.pk, big_meeting.pk)
        else:
            ids = (small_meeting.action_items.get().pk, big_meeting.action_items.order_by("-id").first().pk)
    one = _queries(api, p.manager, f"{V}/{name}/{ids[0]}/", count_queries)
    many = _queries(api, p.manager, f"{V}/{name}/{ids[1]}/", count_queries)
    assert (len(one), len(many)) == (PINNED[name], PINNED[name]), [q["sql"] for q in many.captured_queries]

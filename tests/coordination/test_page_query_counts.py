"""Coordination pages run a pinned number of queries: the same for one row and for many.

Lists (calendar, plans) are measured before and after more rows are added; detail pages (meeting, its edit and
attendance pages, plan) on a small and a busy object side by side.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from .conftest import busy_meeting, busy_plan

pytestmark = pytest.mark.django_db

# Signed-in page: session, user, memberships, navigation badges, then the page's own queries.
PINNED = {
    "calendar": 10,
    "plan-list": 9,
    "meeting-detail": 18,
    "meeting-edit": 16,
    "meeting-attendance": 10,
    "plan-detail": 9,
}


def _queries(client, url, count_queries):
    assert client.get(url).status_code == 200, url  # warm up caches and the session
    with count_queries() as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return queries


def _pinned(name, one, many):
    assert (len(one), len(many)) == (PINNED[name], PINNED[name]), [q["sql"] for q in many.captured_queries]


@pytest.fixture
def client(p):
    client = Client()
    client.force_login(p.librarian)
    return client


def test_calendar_and_plan_list_are_pinned_for_one_and_many_rows(p, client, count_queries):
    month = f"/coordination/?month={timezone.localdate():%Y-%m}"
    busy_meeting(p, size=1)
    busy_plan(p, size=1)
    one = {"calendar": _queries(client, month, count_queries),
           "plan-list": _queries(client, "/coordination/plans/", count_queries)}  # fmt: skip
    for size in (2, 3, 4):
        busy_meeting(p, size=size)
        busy_plan(p, size=size)
    _pinned("calendar", one["calendar"], _queries(client, month, count_queries))
    _pinned("plan-list", one["plan-list"], _queries(client, "/coordination/plans/", count_queries))


@pytest.mark.parametrize("name", ["meeting-detail", "meeting-edit", "meeting-attendance"])
def test_meeting_pages_are_pinned_for_a_small_and_a_busy_meeting(name, p, client, count_queries):
    suffix = {"meeting-detail": "", "meeting-edit": "edit/", "meeting-attendance": "attendance/"}[name]
    small, big = busy_meeting(p, size=1), busy_meeting(p, size=5)
    one = _queries(client, f"/coordination/meetings/{small.pk}/{suffix}", count_queries)
    _pinned(name, one, _queries(client, f"/coordination/meetings/{big.pk}/{suffix}", count_queries))


def test_plan_page_is_pinned_for_a_small_and_a_busy_plan(p, client, count_queries):
    small, big = busy_plan(p, size=1), busy_plan(p, size=5)
    one = _queries(client, f"/coordination/plans/{small.pk}/", count_queries)
    _pinned("plan-detail", one, _queries(client, f"/coordination/plans/{big.pk}/", count_queries))

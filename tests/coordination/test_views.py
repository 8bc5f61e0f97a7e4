"""The coordination pages: calendar, meeting, plan, the .ics downloads and the secret feed."""

from __future__ import annotations

import pytest
from django.test import Client

from coordination import services

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_pages_render_for_an_invited_partner_and_404_for_an_outsider(w, outsider):
    partner = _client(w.p.supplier)
    for url in ("/coordination/", f"/coordination/meetings/{w.conference.pk}/", "/coordination/plans/",
                f"/coordination/plans/{w.plan.pk}/", "/coordination/meetings/new/", "/coordination/plans/new/"):  # fmt: skip
        assert partner.get(url).status_code == 200, url
    stranger = _client(outsider)
    assert stranger.get(f"/coordination/meetings/{w.conference.pk}/").status_code == 404
    assert stranger.get(f"/coordination/meetings/{w.conference.pk}/invite.ics").status_code == 404
    assert stranger.get(f"/coordination/plans/{w.plan.pk}/").status_code == 404


def test_invitation_ics_downloads_as_text_calendar(w):
    response = _client(w.p.professor).get(f"/coordination/meetings/{w.conference.pk}/invite.ics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    assert b"BEGIN:VEVENT" in response.content and "联盟联席会议".encode() in response.content


def test_secret_feed_works_without_a_session_and_only_with_the_token(w):
    token = services.calendar_feed_rotate(user=w.p.professor)
    response = Client().get(f"/coordination/calendar/{token}.ics")
    assert response.status_code == 200 and b"X-WR-CALNAME" in response.content
    assert "联盟联席会议".encode() in response.content
    assert Client().get("/coordination/calendar/wrong-token.ics").status_code == 404


def test_dashboard_lists_my_open_action_items(w):
    from datetime import timedelta

    from django.utils import timezone

    from tests.alliance.flow import act

    services.meeting_record_minutes(
        actor=act(w.p.librarian), meeting=w.conference, minutes="纪要",
        action_items=[{"title": "提交接口文档", "owner": w.p.supplier, "owner_organization": w.p.enterprise,
                       "due_on": timezone.localdate() + timedelta(days=3)}],
    )  # fmt: skip
    page = _client(w.p.supplier).get("/dashboard/").content.decode()
    assert "coordination-panel" in page and "提交接口文档" in page
    assert "提交接口文档" not in _client(w.p.professor).get("/dashboard/").content.decode()


def test_calendar_page_query_count_is_constant(w, count_queries):
    from .conftest import schedule

    client = _client(w.p.librarian)
    client.get("/coordination/")
    with count_queries() as few:
        client.get("/coordination/")
    for i in range(6):
        schedule(w.p, title=f"会议{i}")
    with count_queries() as many:
        client.get("/coordination/")
    assert len(few) == len(many)
